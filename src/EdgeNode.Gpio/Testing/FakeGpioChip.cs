using System.Runtime.InteropServices;
using static EdgeNode.Gpio.Testing.FakeGpioKernel;

namespace EdgeNode.Gpio.Testing;

/// <summary>A chip of the <see cref="FakeGpioKernel"/>: its lines, their physical levels and who holds them.</summary>
public sealed class FakeGpioChip
{
    private readonly FakeGpioKernel _kernel;
    private readonly FakeGpioLine[] _lines;
    private bool _accessDenied;
    private bool _removed;
    private bool _supportsBias = true;
    private bool _supportsRealtimeClock = true;

    internal FakeGpioChip(FakeGpioKernel kernel, int number, string label, IReadOnlyList<string> lineNames)
    {
        _kernel = kernel;
        Number = number;
        Label = label;
        _lines = lineNames.Select((name, i) => new FakeGpioLine(kernel, i, name)).ToArray();
    }

    /// <summary>N of gpiochipN.</summary>
    public int Number { get; }

    /// <summary>gpiochipN.</summary>
    public string Name => $"gpiochip{Number}";

    /// <summary>/dev/gpiochipN.</summary>
    public string Path => $"/dev/{Name}";

    /// <summary>The label.</summary>
    public string Label { get; }

    /// <summary>Number of lines.</summary>
    public int LineCount => _lines.Length;

    /// <summary>Opening the chip fails with EACCES (a user outside the gpio group).</summary>
    public bool AccessDenied
    {
        get { lock (_kernel.Sync) { return _accessDenied; } }
        set { lock (_kernel.Sync) { _accessDenied = value; } }
    }

    /// <summary>When false, bias flags are refused with ENOTSUPP (a chip without pull resistors).</summary>
    public bool SupportsBias
    {
        get { lock (_kernel.Sync) { return _supportsBias; } }
        set { lock (_kernel.Sync) { _supportsBias = value; } }
    }

    /// <summary>When false, GPIO_V2_LINE_FLAG_EVENT_CLOCK_REALTIME is refused with EINVAL (a kernel before 5.11).</summary>
    public bool SupportsRealtimeClock
    {
        get { lock (_kernel.Sync) { return _supportsRealtimeClock; } }
        set { lock (_kernel.Sync) { _supportsRealtimeClock = value; } }
    }

    /// <summary>The chip was unplugged: opens fail, ioctls give ENODEV and poll() on its line fds reports POLLERR|POLLHUP.</summary>
    public bool Removed
    {
        get { lock (_kernel.Sync) { return _removed; } }
    }

    /// <summary>The line at <paramref name="offset"/>.</summary>
    public FakeGpioLine Line(int offset) => _lines[offset];

    /// <summary>Unplugs the chip (see <see cref="Removed"/>).</summary>
    public void Remove()
    {
        lock (_kernel.Sync)
        {
            _removed = true;
            Monitor.PulseAll(_kernel.Sync);
        }
    }

    /// <summary>Marks a line as held by someone else (a kernel driver or another process) under <paramref name="consumer"/>.</summary>
    public void ClaimLine(int offset, string consumer)
    {
        lock (_kernel.Sync)
        {
            var line = _lines[offset];
            line.ExternalConsumer = consumer;
            line.FlagsUnlocked |= Used;
        }
    }

    /// <summary>
    /// Sets the physical level at a line's pin, as the wiring would (a contact closing, a signal changing). When the line
    /// is requested as an input with edge detection, the matching edge event is queued on its request fd, stamped with
    /// the kernel clock the request chose, exactly as gpiolib-cdev's edge_irq_thread does.
    /// </summary>
    public void SetInputLevel(int offset, bool high)
    {
        lock (_kernel.Sync)
        {
            var line = _lines[offset];
            if ((line.FlagsUnlocked & Output) != 0 && line.Owner is not null)
            {
                throw new InvalidOperationException($"Line {offset} of {Name} is requested as an output; it drives its own level.");
            }

            var before = line.PhysicalHigh;
            line.PhysicalHigh = high;
            if (before == high || line.Owner is not { } request)
            {
                return;
            }

            var activeLow = (line.FlagsUnlocked & ActiveLow) != 0;
            var rising = high != activeLow;   // logical inactive -> active
            var wanted = rising ? EdgeRising : EdgeFalling;
            if ((line.FlagsUnlocked & wanted) == 0)
            {
                return;
            }

            var record = new byte[EventSize];
            var stamp = (line.FlagsUnlocked & ClockRealtime) != 0 ? _kernel.RealtimeNs : _kernel.MonotonicNs;
            request.Sequence++;
            line.LineSequence++;
            MemoryMarshal.Write(record.AsSpan(0), (ulong)stamp);
            MemoryMarshal.Write(record.AsSpan(8), rising ? 1u : 2u);
            MemoryMarshal.Write(record.AsSpan(12), (uint)offset);
            MemoryMarshal.Write(record.AsSpan(16), request.Sequence);
            MemoryMarshal.Write(record.AsSpan(20), line.LineSequence);
            if (request.Events.Count >= request.Capacity)
            {
                // linereq_put_event(): a full kfifo drops its oldest event; the seqno gap tells user space.
                request.Events.Dequeue();
            }

            request.Events.Enqueue(record);
            Monitor.PulseAll(_kernel.Sync);
        }
    }

    /// <summary>The physical level a line drives (or was last set to).</summary>
    public bool GetOutputLevel(int offset)
    {
        lock (_kernel.Sync)
        {
            return _lines[offset].PhysicalHigh;
        }
    }

    internal bool LineUsed(int offset) => (_lines[offset].FlagsUnlocked & Used) != 0;

    internal int ChipInfo(Span<byte> info)
    {
        info.Clear();
        WriteString(info[..32], Name);
        WriteString(info.Slice(32, 32), Label);
        MemoryMarshal.Write(info[64..], (uint)_lines.Length);
        return 0;
    }

    internal int LineInfo(Span<byte> info)
    {
        var offset = U32(info, 64);
        if (offset >= _lines.Length || !LineInfoPaddingOk(info))
        {
            return -EINVAL;
        }

        WriteLineInfo(info, _lines[offset]);
        return 0;
    }

    internal void Apply(LineFile request, LineConfig config, bool initial)
    {
        for (var i = 0; i < request.Offsets.Length; i++)
        {
            var line = _lines[request.Offsets[i]];
            line.FlagsUnlocked = config.Flags[i] | Used;
            line.DebounceUnlocked = config.DebounceUs[i];
            line.Owner = request;
            line.RequestConsumer = request.Consumer;
            if (initial)
            {
                line.LineSequence = 0;
            }

            // linereq_create() and linereq_set_config() both drive every output line to its configured value (0
            // unless an OUTPUT_VALUES attribute says otherwise).
            if ((config.Flags[i] & Output) != 0)
            {
                line.PhysicalHigh = config.OutputValues[i] != ((config.Flags[i] & ActiveLow) != 0);
            }
        }
    }

    internal void Release(LineFile request)
    {
        foreach (var offset in request.Offsets)
        {
            var line = _lines[offset];
            if (line.Owner == request)
            {
                line.Owner = null;
                line.RequestConsumer = "";
                line.FlagsUnlocked &= Input | Output;
                line.DebounceUnlocked = 0;
            }
        }
    }

    internal int GetValues(LineFile request, Span<byte> values)
    {
        var mask = U64(values, 8);
        if (mask == 0)
        {
            return -EINVAL;
        }

        ulong bits = 0;
        for (var i = 0; i < request.Offsets.Length; i++)
        {
            if ((mask >> i & 1) == 0)
            {
                continue;
            }

            var line = _lines[request.Offsets[i]];
            if (line.PhysicalHigh != ((line.FlagsUnlocked & ActiveLow) != 0))
            {
                bits |= 1UL << i;
            }
        }

        MemoryMarshal.Write(values, bits);
        return 0;
    }

    internal int SetValues(LineFile request, Span<byte> values)
    {
        var bits = U64(values, 0);
        var mask = U64(values, 8);
        if (mask == 0)
        {
            return -EINVAL;
        }

        for (var i = 0; i < request.Offsets.Length; i++)
        {
            // linereq_set_values(): every masked line must be an output.
            if ((mask >> i & 1) != 0 && (_lines[request.Offsets[i]].FlagsUnlocked & Output) == 0)
            {
                return -EPERM;
            }
        }

        for (var i = 0; i < request.Offsets.Length; i++)
        {
            if ((mask >> i & 1) != 0)
            {
                var line = _lines[request.Offsets[i]];
                line.PhysicalHigh = (bits >> i & 1) != 0 != ((line.FlagsUnlocked & ActiveLow) != 0);
            }
        }

        return 0;
    }

    internal int SetConfig(LineFile request, Span<byte> config)
    {
        var rc = DecodeConfig(this, config, request.Offsets.Length, out var decoded);
        if (rc < 0)
        {
            return rc;
        }

        Apply(request, decoded, initial: false);
        return 0;
    }
}

/// <summary>A line of a <see cref="FakeGpioChip"/>.</summary>
public sealed class FakeGpioLine
{
    private readonly FakeGpioKernel _kernel;

    internal FakeGpioLine(FakeGpioKernel kernel, int offset, string name)
    {
        _kernel = kernel;
        Offset = offset;
        Name = name;
        FlagsUnlocked = Input;
    }

    /// <summary>The offset.</summary>
    public int Offset { get; }

    /// <summary>The line name.</summary>
    public string Name { get; }

    /// <summary>The gpio_v2_line_flag bits line info reports.</summary>
    public ulong Flags
    {
        get { lock (_kernel.Sync) { return FlagsUnlocked; } }
    }

    /// <summary>The consumer holding the line ("" when free).</summary>
    public string Consumer
    {
        get { lock (_kernel.Sync) { return ConsumerUnlocked; } }
    }

    /// <summary>The debounce period in microseconds (0 = none).</summary>
    public uint DebounceMicroseconds
    {
        get { lock (_kernel.Sync) { return DebounceUnlocked; } }
    }

    /// <summary>True while a request of the fake holds the line.</summary>
    public bool IsRequested
    {
        get { lock (_kernel.Sync) { return Owner is not null; } }
    }

    internal ulong FlagsUnlocked { get; set; }

    internal uint DebounceUnlocked { get; set; }

    internal string ExternalConsumer { get; set; } = "";

    internal string RequestConsumer { get; set; } = "";

    internal string ConsumerUnlocked => Owner is not null ? RequestConsumer : ExternalConsumer;

    internal LineFile? Owner { get; set; }

    internal bool PhysicalHigh { get; set; }

    internal uint LineSequence { get; set; }
}
