using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using static EdgeNode.Gpio.Interop;

namespace EdgeNode.Gpio;

/// <summary>
/// Lines held through one GPIO_V2_GET_LINE_IOCTL request: read and drive them, reconfigure them, and receive their
/// edge events. Values are logical (active = true; an active-low line reads true when physically low) and bitmaps index
/// <see cref="Offsets"/> (bit i = Offsets[i]), NOT line numbers. Dispose releases the lines. Thread-safe.
/// </summary>
public sealed partial class GpioLineRequest : IDisposable, IAsyncDisposable
{
    private readonly IGpioKernel _kernel;
    private readonly GpioFdSafeHandle _handle;
    private readonly ILogger _logger;
    private readonly int[] _offsets;
    private readonly Lock _configLock = new();
    private GpioLineSettings[] _settings;
    private int _disposed;

    internal GpioLineRequest(IGpioKernel kernel, GpioFdSafeHandle handle, GpioChipInfo chip, string consumer, int[] offsets,
        GpioLineSettings[] settings, GpioLineRequestOptions options, ILogger logger)
    {
        _kernel = kernel;
        _handle = handle;
        Chip = chip;
        Consumer = consumer;
        _offsets = offsets;
        _settings = settings;
        EventClock = options.EventClock;
        _logger = logger;
        _events = Channel.CreateBounded<GpioEdgeEvent>(
            new BoundedChannelOptions(options.EventChannelCapacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleWriter = true,
                SingleReader = false,
            },
            _ => Interlocked.Increment(ref _channelDropped));
        if (settings.Any(s => s.Edge != GpioEdge.None))
        {
            StartEventReader();
        }
    }

    /// <summary>The chip the lines belong to.</summary>
    public GpioChipInfo Chip { get; }

    /// <summary>The consumer label the kernel shows for the lines.</summary>
    public string Consumer { get; }

    /// <summary>The requested line offsets; index i is bit i of every values bitmap.</summary>
    public IReadOnlyList<int> Offsets => _offsets;

    /// <summary>The current settings, same order as <see cref="Offsets"/>.</summary>
    public IReadOnlyList<GpioLineSettings> Settings => Volatile.Read(ref _settings);

    /// <summary>The clock edge events are stamped with.</summary>
    public GpioEventClock EventClock { get; }

    /// <summary>The index of <paramref name="offset"/> in <see cref="Offsets"/> (its bit in values bitmaps).</summary>
    /// <exception cref="ArgumentException">The line is not part of this request.</exception>
    public int IndexOf(int offset)
    {
        var index = Array.IndexOf(_offsets, offset);
        if (index < 0)
        {
            throw new ArgumentException($"Line {offset} is not part of this request ({GpioChip.Describe(_offsets)} on {Chip.Name}).",
                nameof(offset));
        }

        return index;
    }

    /// <summary>The bitmap with a bit for every requested line.</summary>
    public ulong AllLinesMask => _offsets.Length == 64 ? ulong.MaxValue : (1UL << _offsets.Length) - 1;

    /// <summary>Reads the logical values of the lines in <paramref name="mask"/> (GPIO_V2_LINE_GET_VALUES_IOCTL); bit i = Offsets[i].</summary>
    /// <exception cref="GpioException">The kernel call failed (e.g. the chip went away).</exception>
    public ulong GetValues(ulong mask)
    {
        CheckMask(mask);
        var values = new gpio_v2_line_values { mask = mask };
        using (var lease = _handle.Lease())
        {
            var rc = _kernel.Ioctl(lease.Fd, GPIO_V2_LINE_GET_VALUES_IOCTL, AsBytes(ref values));
            if (rc < 0)
            {
                throw GpioException.ForLines(-rc, Chip.Path, "reading", Describe(mask));
            }
        }

        return values.bits & mask;
    }

    /// <summary>Reads the logical values of every line; bit i = Offsets[i].</summary>
    public ulong GetValues() => GetValues(AllLinesMask);

    /// <summary>Reads the logical values of every line into <paramref name="values"/> (index i = Offsets[i]).</summary>
    public void GetValues(Span<bool> values)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(values.Length, _offsets.Length, nameof(values));
        var bits = GetValues();
        for (var i = 0; i < _offsets.Length; i++)
        {
            values[i] = (bits >> i & 1) != 0;
        }
    }

    /// <summary>Reads the logical value of line <paramref name="offset"/>.</summary>
    public bool GetValue(int offset)
    {
        var bit = 1UL << IndexOf(offset);
        return GetValues(bit) != 0;
    }

    /// <summary>
    /// Drives the output lines in <paramref name="mask"/> to the logical values in <paramref name="bits"/>
    /// (GPIO_V2_LINE_SET_VALUES_IOCTL); bit i = Offsets[i]. Lines outside the mask keep their values.
    /// </summary>
    /// <exception cref="GpioException">A masked line is an input (<see cref="GpioErrorKind.InvalidConfiguration"/>) or the call failed.</exception>
    public void SetValues(ulong bits, ulong mask)
    {
        CheckMask(mask);
        var values = new gpio_v2_line_values { bits = bits & mask, mask = mask };
        using var lease = _handle.Lease();
        var rc = _kernel.Ioctl(lease.Fd, GPIO_V2_LINE_SET_VALUES_IOCTL, AsBytes(ref values));
        if (rc < 0)
        {
            throw GpioException.ForLines(-rc, Chip.Path, "setting", Describe(mask));
        }
    }

    /// <summary>Drives output line <paramref name="offset"/> to the logical <paramref name="value"/>.</summary>
    public void SetValue(int offset, bool value)
    {
        var bit = 1UL << IndexOf(offset);
        SetValues(value ? bit : 0, bit);
    }

    /// <summary>
    /// Changes the lines' settings in place (GPIO_V2_LINE_SET_CONFIG_IOCTL) without releasing them, e.g. to turn an
    /// input into an output or change its debounce. <paramref name="settings"/> follows <see cref="Offsets"/>. The
    /// kernel drives every output line to its <see cref="GpioLineSettings.InitialValue"/> again, so pass the current
    /// value there to keep an output where it is.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong count or invalid settings.</exception>
    /// <exception cref="GpioException">The kernel refused the configuration.</exception>
    public void Reconfigure(IReadOnlyList<GpioLineSettings> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Count != _offsets.Length)
        {
            throw new ArgumentException($"{settings.Count} settings for {_offsets.Length} lines.", nameof(settings));
        }

        var problems = new List<string>();
        for (var i = 0; i < settings.Count; i++)
        {
            if (settings[i] is null)
            {
                problems.Add($"lines[{i}]: settings are missing");
                continue;
            }

            GpioLineRequestOptionsValidator.ValidateSettings(settings[i], $"lines[{i}]", problems);
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid GPIO line settings: {string.Join("; ", problems)}", nameof(settings));
        }

        lock (_configLock)
        {
            var config = default(gpio_v2_line_config);
            GpioLineConfig.Encode(settings, EventClock, ref config, Chip.Path);
            using (var lease = _handle.Lease())
            {
                var rc = _kernel.Ioctl(lease.Fd, GPIO_V2_LINE_SET_CONFIG_IOCTL, AsBytes(ref config));
                if (rc < 0)
                {
                    throw GpioException.ForLines(-rc, Chip.Path, "reconfiguring", GpioChip.Describe(_offsets));
                }
            }

            Volatile.Write(ref _settings, settings.ToArray());
            Log.LinesReconfigured(_logger, Chip.Path, Describe());
            if (settings.Any(s => s.Edge != GpioEdge.None))
            {
                StartEventReader();
            }
        }
    }

    private void CheckMask(ulong mask)
    {
        if (mask == 0 || (mask & ~AllLinesMask) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(mask), $"0x{mask:X}",
                $"The mask must select some of the {_offsets.Length} requested lines (bits 0..{_offsets.Length - 1}); bits index " +
                "Offsets, not line numbers.");
        }
    }

    private string Describe(ulong mask) =>
        GpioChip.Describe(_offsets.Where((_, i) => (mask >> i & 1) != 0).ToArray());

    /// <summary>"lines 17,27 (17 input pull-up edges=both; 27 output initial=0)" for logs.</summary>
    internal string Describe()
    {
        var settings = Settings;
        return $"{GpioChip.Describe(_offsets)} ({string.Join("; ", _offsets.Select((o, i) => $"{o} {settings[i]}"))})";
    }

    /// <summary>Stops the edge-event reader (within its 100 ms poll), completes <see cref="EdgeEvents"/> and releases the lines.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        StopEventReader(wait: true);
        Release();
    }

    /// <summary>As <see cref="Dispose"/>, awaiting the reader thread instead of blocking on it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        var exited = StopEventReader(wait: false);
        await exited.ConfigureAwait(false);
        Release();
    }

    private void Release()
    {
        _events.Writer.TryComplete();
        _handle.Dispose();
        Log.LinesReleased(_logger, Chip.Path, GpioChip.Describe(_offsets));
    }
}
