using System.Runtime.InteropServices;
using System.Text;

namespace EdgeNode.Gpio.Testing;

/// <summary>
/// An in-memory GPIO kernel for tests without hardware. It decodes the raw uAPI structs the driver passes to ioctl()
/// with its own byte offsets taken from include/uapi/linux/gpio.h (not the driver's struct definitions), validates
/// them as gpiolib-cdev does (sizes, zero padding, flag combinations, busy lines) and answers in kind: chip and line
/// info, line fds written at offset 588 of the request, values, and 48-byte edge event records on poll()/read().
/// Tests drive inputs with <see cref="FakeGpioChip.SetInputLevel"/> and observe outputs with
/// <see cref="FakeGpioChip.GetOutputLevel"/>. Thread-safe; poll() blocks like the real one.
/// </summary>
public sealed class FakeGpioKernel : IGpioKernel
{
    // Byte offsets from include/uapi/linux/gpio.h, written out independently of Interop.Gpio.cs on purpose.
    internal const int ChipInfoSize = 68, LineInfoSize = 256, LineRequestSize = 592, LineConfigSize = 272, LineValuesSize = 16;
    internal const int EventSize = 48;
    private const int RequestConsumerAt = 256, RequestConfigAt = 288, RequestNumLinesAt = 560, RequestBufferSizeAt = 564,
        RequestPaddingAt = 568, RequestFdAt = 588;
    private const int ConfigNumAttrsAt = 8, ConfigPaddingAt = 12, ConfigAttrsAt = 32, ConfigAttrSize = 24;
    private const int InfoConsumerAt = 32, InfoOffsetAt = 64, InfoNumAttrsAt = 68, InfoFlagsAt = 72, InfoAttrsAt = 80, InfoPaddingAt = 240;

    internal const uint ChipInfoIoctl = 0x8044B401, LineInfoIoctl = 0xC100B405, LineInfoWatchIoctl = 0xC100B406,
        GetLineIoctl = 0xC250B407, SetConfigIoctl = 0xC110B40D, GetValuesIoctl = 0xC010B40E, SetValuesIoctl = 0xC010B40F;

    internal const ulong Used = 1, ActiveLow = 2, Input = 4, Output = 8, EdgeRising = 16, EdgeFalling = 32, OpenDrain = 64,
        OpenSource = 128, PullUp = 256, PullDown = 512, BiasDisabled = 1024, ClockRealtime = 2048, ClockHte = 4096;
    private const ulong ValidFlags = ActiveLow | Input | Output | EdgeRising | EdgeFalling | OpenDrain | OpenSource | PullUp
        | PullDown | BiasDisabled | ClockRealtime | ClockHte;

    internal const int EPERM = 1, ENOENT = 2, EAGAIN = 11, EACCES = 13, EFAULT = 14, EBUSY = 16, ENODEV = 19, EINVAL = 22,
        ENOTTY = 25, EBADF = 9, ENOTSUPP = 524;

    internal const int POLLIN = 0x1, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20;

    private readonly object _sync = new();
    private readonly List<FakeGpioChip> _chips = [];
    private readonly HashSet<string> _otherFiles = new(StringComparer.Ordinal);
    private readonly Dictionary<int, object> _files = [];
    private readonly List<FakeLineRequestRecord> _requests = [];
    private readonly Dictionary<uint, (int Errno, int Times)> _ioctlFaults = [];
    private int _nextFd = 100;
    private long _monotonicNs = 5_000_000_000_000;
    private long _realtimeNs = 1_700_000_000_000_000_000;

    internal object Sync => _sync;

    /// <summary>The chips, in the order added.</summary>
    public IReadOnlyList<FakeGpioChip> Chips
    {
        get
        {
            lock (_sync)
            {
                return _chips.ToArray();
            }
        }
    }

    /// <summary>Every line request the fake accepted, decoded from the request bytes, oldest first.</summary>
    public IReadOnlyList<FakeLineRequestRecord> Requests
    {
        get
        {
            lock (_sync)
            {
                return _requests.ToArray();
            }
        }
    }

    /// <summary>File descriptors currently open (chip and line fds): 0 after everything was disposed.</summary>
    public int OpenFileCount
    {
        get
        {
            lock (_sync)
            {
                return _files.Count;
            }
        }
    }

    /// <summary>CLOCK_MONOTONIC now, in ns (edge events are stamped with it); settable.</summary>
    public long MonotonicNs
    {
        get { lock (_sync) { return _monotonicNs; } }
        set { lock (_sync) { _monotonicNs = value; } }
    }

    /// <summary>CLOCK_REALTIME now, in ns since the Unix epoch; settable.</summary>
    public long RealtimeNs
    {
        get { lock (_sync) { return _realtimeNs; } }
        set { lock (_sync) { _realtimeNs = value; } }
    }

    /// <summary>Moves both clocks forward.</summary>
    public void AdvanceTime(TimeSpan by)
    {
        lock (_sync)
        {
            _monotonicNs += by.Ticks * 100;
            _realtimeNs += by.Ticks * 100;
        }
    }

    /// <summary>Adds a chip /dev/gpiochipN (N = the number of chips so far) with unnamed lines.</summary>
    public FakeGpioChip AddChip(string label, int lineCount) => AddChip(label, Enumerable.Repeat("", lineCount).ToArray());

    /// <summary>Adds a chip /dev/gpiochipN (N = the number of chips so far) with named lines.</summary>
    public FakeGpioChip AddChip(string label, IReadOnlyList<string> lineNames)
    {
        lock (_sync)
        {
            return AddChip(_chips.Count == 0 ? 0 : _chips.Max(c => c.Number) + 1, label, lineNames);
        }
    }

    /// <summary>Adds chip /dev/gpiochip<paramref name="number"/>.</summary>
    public FakeGpioChip AddChip(int number, string label, IReadOnlyList<string> lineNames)
    {
        ArgumentNullException.ThrowIfNull(lineNames);
        lock (_sync)
        {
            var chip = new FakeGpioChip(this, number, label, lineNames);
            _chips.Add(chip);
            return chip;
        }
    }

    /// <summary>A Raspberry Pi 4 like chip: gpiochip0 [pinctrl-bcm2711] with 58 lines named GPIO0..GPIO57.</summary>
    public FakeGpioChip AddRaspberryPi4Chip() =>
        AddChip("pinctrl-bcm2711", Enumerable.Range(0, 58).Select(i => $"GPIO{i}").ToArray());

    /// <summary>A path that opens but is no GPIO chip (GPIO_GET_CHIPINFO_IOCTL fails with ENOTTY), like /dev/null.</summary>
    public void AddOtherFile(string path)
    {
        lock (_sync)
        {
            _otherFiles.Add(path);
        }
    }

    /// <summary>Makes the next <paramref name="times"/> ioctl calls with <paramref name="request"/> fail with <paramref name="errno"/>.</summary>
    public void FailIoctl(uint request, int errno, int times = 1)
    {
        lock (_sync)
        {
            _ioctlFaults[request] = (errno, times);
        }
    }

    /// <inheritdoc />
    public int Open(string path)
    {
        lock (_sync)
        {
            if (_otherFiles.Contains(path))
            {
                return AddFile(new OtherFile());
            }

            var chip = _chips.FirstOrDefault(c => c.Path == path && !c.Removed);
            if (chip is null)
            {
                return -ENOENT;
            }

            return chip.AccessDenied ? -EACCES : AddFile(new ChipFile(chip));
        }
    }

    /// <inheritdoc />
    public int Close(int fd)
    {
        lock (_sync)
        {
            if (!_files.Remove(fd, out var file))
            {
                return -EBADF;
            }

            if (file is LineFile line)
            {
                line.Closed = true;
                line.Chip.Release(line);
            }

            Monitor.PulseAll(_sync);
            return 0;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string> EnumerateChipPaths()
    {
        lock (_sync)
        {
            return _chips.Where(c => !c.Removed).OrderBy(c => c.Number).Select(c => c.Path).ToArray();
        }
    }

    /// <inheritdoc />
    public long GetTimeNanoseconds(GpioEventClock clock) => clock == GpioEventClock.Realtime ? RealtimeNs : MonotonicNs;

    /// <inheritdoc />
    public int Ioctl(int fd, uint request, Span<byte> argument)
    {
        lock (_sync)
        {
            if (!_files.TryGetValue(fd, out var file))
            {
                return -EBADF;
            }

            // The kernel copies exactly _IOC_SIZE(request) bytes from/to user memory.
            if (argument.Length != (int)(request >> 16 & 0x3FFF))
            {
                return -EFAULT;
            }

            if (_ioctlFaults.TryGetValue(request, out var fault))
            {
                _ioctlFaults[request] = (fault.Errno, fault.Times - 1);
                if (fault.Times <= 1)
                {
                    _ioctlFaults.Remove(request);
                }

                return -fault.Errno;
            }

            return file switch
            {
                ChipFile chip => chip.Chip.Removed ? -ENODEV : request switch
                {
                    ChipInfoIoctl => chip.Chip.ChipInfo(argument),
                    LineInfoIoctl or LineInfoWatchIoctl => chip.Chip.LineInfo(argument),
                    GetLineIoctl => RequestLines(chip.Chip, argument),
                    _ => -ENOTTY,
                },
                LineFile line => line.Chip.Removed ? -ENODEV : request switch
                {
                    GetValuesIoctl => line.Chip.GetValues(line, argument),
                    SetValuesIoctl => line.Chip.SetValues(line, argument),
                    SetConfigIoctl => line.Chip.SetConfig(line, argument),
                    _ => -ENOTTY,
                },
                _ => -ENOTTY,
            };
        }
    }

    /// <inheritdoc />
    public int Poll(int fd, int timeoutMs)
    {
        var deadline = Environment.TickCount64 + Math.Max(0, timeoutMs);
        lock (_sync)
        {
            while (true)
            {
                if (!_files.TryGetValue(fd, out var file))
                {
                    return POLLNVAL;
                }

                if (file is LineFile line)
                {
                    if (line.Events.Count > 0)
                    {
                        return POLLIN;
                    }

                    if (line.Chip.Removed)
                    {
                        return POLLERR | POLLHUP;
                    }
                }

                var remaining = deadline - Environment.TickCount64;
                if (remaining <= 0)
                {
                    return 0;
                }

                Monitor.Wait(_sync, TimeSpan.FromMilliseconds(remaining));
            }
        }
    }

    /// <summary>
    /// read(): whole 48-byte event records. Deviation from the kernel, whose line fds block: an empty queue answers
    /// -EAGAIN (the driver only reads after poll() said POLLIN).
    /// </summary>
    public int Read(int fd, Span<byte> buffer)
    {
        lock (_sync)
        {
            if (!_files.TryGetValue(fd, out var file))
            {
                return -EBADF;
            }

            if (file is not LineFile line)
            {
                return -EINVAL;
            }

            if (buffer.Length < EventSize)
            {
                return -EINVAL;
            }

            if (line.Events.Count == 0)
            {
                return line.Chip.Removed ? -ENODEV : -EAGAIN;
            }

            var n = 0;
            while (line.Events.Count > 0 && n + EventSize <= buffer.Length)
            {
                line.Events.Dequeue().CopyTo(buffer[n..]);
                n += EventSize;
            }

            return n;
        }
    }

    private int AddFile(object file)
    {
        var fd = _nextFd++;
        _files.Add(fd, file);
        return fd;
    }

    /// <summary>GPIO_V2_GET_LINE_IOCTL: decodes and validates struct gpio_v2_line_request as linereq_create() does.</summary>
    private int RequestLines(FakeGpioChip chip, Span<byte> request)
    {
        var numLines = U32(request, RequestNumLinesAt);
        if (numLines is 0 or > 64 || !IsZero(request.Slice(RequestPaddingAt, 20)))
        {
            return -EINVAL;
        }

        // Stricter than the kernel, which terminates consumer[31] itself: the driver must send a terminated string.
        var consumerField = request.Slice(RequestConsumerAt, 32);
        var nul = consumerField.IndexOf((byte)0);
        if (nul < 0)
        {
            return -EINVAL;
        }

        var offsets = new int[numLines];
        for (var i = 0; i < numLines; i++)
        {
            var offset = U32(request, i * 4);
            if (offset >= chip.LineCount)
            {
                return -EINVAL;
            }

            offsets[i] = (int)offset;
        }

        var rc = DecodeConfig(chip, request.Slice(RequestConfigAt, LineConfigSize), (int)numLines, out var config);
        if (rc < 0)
        {
            return rc;
        }

        if (offsets.Distinct().Count() != offsets.Length)
        {
            return -EBUSY;
        }

        if (offsets.Any(o => chip.LineUsed(o)))
        {
            return -EBUSY;
        }

        var bufferSize = U32(request, RequestBufferSizeAt);
        var capacity = bufferSize == 0 ? (int)numLines * 16 : (int)Math.Min(bufferSize, 64 * 16);
        capacity = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity);
        var consumer = Encoding.UTF8.GetString(consumerField[..nul]);
        var line = new LineFile(chip, offsets, consumer, capacity);
        var fd = AddFile(line);
        chip.Apply(line, config, initial: true);
        MemoryMarshal.Write(request[RequestFdAt..], fd);
        _requests.Add(new FakeLineRequestRecord(chip.Path, offsets, consumer, config.Flags, config.DebounceUs,
            config.OutputValues, (int)bufferSize, fd));
        return 0;
    }

    /// <summary>gpio_v2_line_config_validate() and gpio_v2_line_flags_validate() over struct gpio_v2_line_config.</summary>
    internal static int DecodeConfig(FakeGpioChip chip, ReadOnlySpan<byte> config, int numLines, out LineConfig decoded)
    {
        decoded = default;
        var numAttrs = U32(config, ConfigNumAttrsAt);
        if (numAttrs > 10 || !IsZero(config.Slice(ConfigPaddingAt, 20)))
        {
            return -EINVAL;
        }

        var flags = new ulong[numLines];
        var debounce = new uint[numLines];
        var outputs = new bool[numLines];
        var flagsSet = new bool[numLines];
        var debounceSet = new bool[numLines];
        var outputSet = new bool[numLines];
        for (var a = 0; a < numAttrs; a++)
        {
            var attr = config.Slice(ConfigAttrsAt + a * ConfigAttrSize, ConfigAttrSize);
            var id = U32(attr, 0);
            if (U32(attr, 4) != 0 || id is < 1 or > 3)
            {
                return -EINVAL;
            }

            var mask = U64(attr, 16);
            for (var i = 0; i < numLines; i++)
            {
                if ((mask >> i & 1) == 0)
                {
                    continue;
                }

                // "If an attribute is associated with a line multiple times then the first occurrence has precedence."
                switch (id)
                {
                    case 1 when !flagsSet[i]:
                        flags[i] = U64(attr, 8);
                        flagsSet[i] = true;
                        break;
                    case 2 when !outputSet[i]:
                        outputs[i] = (U64(attr, 8) >> i & 1) != 0;
                        outputSet[i] = true;
                        break;
                    case 3 when !debounceSet[i]:
                        debounce[i] = U32(attr, 8);
                        debounceSet[i] = true;
                        break;
                }
            }
        }

        var defaultFlags = U64(config, 0);
        for (var i = 0; i < numLines; i++)
        {
            if (!flagsSet[i])
            {
                flags[i] = defaultFlags;
            }

            var rc = ValidateFlags(flags[i]);
            if (rc < 0)
            {
                return rc;
            }

            // gpio_v2_line_config_validate(): "debounce requires explicit input".
            if (debounce[i] != 0 && (flags[i] & Input) == 0)
            {
                return -EINVAL;
            }

            if ((flags[i] & (PullUp | PullDown | BiasDisabled)) != 0 && !chip.SupportsBias)
            {
                return -ENOTSUPP;
            }

            if ((flags[i] & ClockRealtime) != 0 && !chip.SupportsRealtimeClock)
            {
                return -EINVAL;
            }

            if ((flags[i] & Output) == 0)
            {
                outputs[i] = false;
            }
        }

        decoded = new LineConfig(flags, debounce, outputs);
        return 0;
    }

    private static int ValidateFlags(ulong flags)
    {
        if ((flags & ~ValidFlags) != 0)
        {
            return -EINVAL;
        }

        var input = (flags & Input) != 0;
        var output = (flags & Output) != 0;
        if (input && output)
        {
            return -EINVAL;
        }

        if ((flags & ClockRealtime) != 0 && (flags & ClockHte) != 0)
        {
            return -EINVAL;
        }

        if ((flags & (EdgeRising | EdgeFalling)) != 0 && !input)
        {
            return -EINVAL;
        }

        if ((flags & OpenDrain) != 0 && (flags & OpenSource) != 0)
        {
            return -EINVAL;
        }

        if ((flags & (OpenDrain | OpenSource)) != 0 && !output)
        {
            return -EINVAL;
        }

        var bias = flags & (PullUp | PullDown | BiasDisabled);
        if (bias != 0 && !input && !output)
        {
            return -EINVAL;
        }

        return System.Numerics.BitOperations.PopCount(bias) > 1 ? -EINVAL : 0;
    }

    internal static uint U32(ReadOnlySpan<byte> bytes, int at) => MemoryMarshal.Read<uint>(bytes.Slice(at, 4));

    internal static ulong U64(ReadOnlySpan<byte> bytes, int at) => MemoryMarshal.Read<ulong>(bytes.Slice(at, 8));

    internal static bool IsZero(ReadOnlySpan<byte> bytes) => !bytes.ContainsAnyExcept((byte)0);

    internal static void WriteString(Span<byte> field, string value)
    {
        field.Clear();
        var bytes = Encoding.UTF8.GetBytes(value);
        bytes.AsSpan(0, Math.Min(bytes.Length, field.Length - 1)).CopyTo(field);
    }

    internal static void WriteLineInfo(Span<byte> info, FakeGpioLine line)
    {
        var offset = U32(info, InfoOffsetAt);
        info.Clear();
        WriteString(info[..32], line.Name);
        WriteString(info.Slice(InfoConsumerAt, 32), line.ConsumerUnlocked);
        MemoryMarshal.Write(info[InfoOffsetAt..], offset);
        MemoryMarshal.Write(info[InfoFlagsAt..], line.FlagsUnlocked);
        if (line.DebounceUnlocked != 0)
        {
            MemoryMarshal.Write(info[InfoNumAttrsAt..], 1u);
            MemoryMarshal.Write(info[InfoAttrsAt..], 3u);
            MemoryMarshal.Write(info[(InfoAttrsAt + 8)..], line.DebounceUnlocked);
        }
    }

    internal static bool LineInfoPaddingOk(ReadOnlySpan<byte> info) => IsZero(info.Slice(InfoPaddingAt, 16));

    private sealed class ChipFile(FakeGpioChip chip)
    {
        public FakeGpioChip Chip { get; } = chip;
    }

    private sealed class OtherFile;

    /// <summary>Decoded per-line configuration (index i = offsets[i]).</summary>
    internal readonly record struct LineConfig(ulong[] Flags, uint[] DebounceUs, bool[] OutputValues);
}

/// <summary>An open line request fd of the fake kernel.</summary>
internal sealed class LineFile(FakeGpioChip chip, int[] offsets, string consumer, int capacity)
{
    public FakeGpioChip Chip { get; } = chip;

    public int[] Offsets { get; } = offsets;

    public string Consumer { get; } = consumer;

    public int Capacity { get; } = capacity;

    public Queue<byte[]> Events { get; } = new();

    public uint Sequence { get; set; }

    public bool Closed { get; set; }
}

/// <summary>A line request as the fake kernel decoded it from the request bytes.</summary>
/// <param name="ChipPath">The chip.</param>
/// <param name="Offsets">offsets[0..num_lines).</param>
/// <param name="Consumer">The consumer label.</param>
/// <param name="Flags">The effective gpio_v2_line_flag bits per line (defaults overridden by FLAGS attributes).</param>
/// <param name="DebounceMicroseconds">The effective debounce per line.</param>
/// <param name="InitialValues">The effective initial output value per line (false for inputs).</param>
/// <param name="EventBufferSize">event_buffer_size as sent.</param>
/// <param name="Fd">The line fd handed out.</param>
public sealed record FakeLineRequestRecord(string ChipPath, IReadOnlyList<int> Offsets, string Consumer, IReadOnlyList<ulong> Flags,
    IReadOnlyList<uint> DebounceMicroseconds, IReadOnlyList<bool> InitialValues, int EventBufferSize, int Fd)
{
    /// <summary>The settings of line i as the kernel understood them.</summary>
    public GpioLineSettings SettingsOf(int index)
    {
        var flags = Flags[index];
        var output = (flags & FakeGpioKernel.Output) != 0;
        return new GpioLineSettings
        {
            Direction = output ? GpioDirection.Output : GpioDirection.Input,
            ActiveLow = (flags & FakeGpioKernel.ActiveLow) != 0,
            Bias = (flags & FakeGpioKernel.PullUp) != 0 ? GpioBias.PullUp
                : (flags & FakeGpioKernel.PullDown) != 0 ? GpioBias.PullDown
                : (flags & FakeGpioKernel.BiasDisabled) != 0 ? GpioBias.Disabled
                : GpioBias.AsIs,
            Edge = (flags & (FakeGpioKernel.EdgeRising | FakeGpioKernel.EdgeFalling)) switch
            {
                FakeGpioKernel.EdgeRising | FakeGpioKernel.EdgeFalling => GpioEdge.Both,
                FakeGpioKernel.EdgeRising => GpioEdge.Rising,
                FakeGpioKernel.EdgeFalling => GpioEdge.Falling,
                _ => GpioEdge.None,
            },
            Drive = (flags & FakeGpioKernel.OpenDrain) != 0 ? GpioDrive.OpenDrain
                : (flags & FakeGpioKernel.OpenSource) != 0 ? GpioDrive.OpenSource
                : GpioDrive.PushPull,
            DebounceMs = (int)(DebounceMicroseconds[index] / 1000),
            InitialValue = InitialValues[index],
        };
    }
}
