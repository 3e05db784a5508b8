using System.Text;

namespace EdgeNode.Gpio;

/// <summary>Whether a line is read or driven.</summary>
public enum GpioDirection
{
    /// <summary>The line is read (GPIO_V2_LINE_FLAG_INPUT).</summary>
    Input,

    /// <summary>The line is driven (GPIO_V2_LINE_FLAG_OUTPUT).</summary>
    Output,
}

/// <summary>The internal pull resistor of a line.</summary>
public enum GpioBias
{
    /// <summary>Leave the bias as the firmware/device tree set it (no bias flag).</summary>
    AsIs,

    /// <summary>No pull resistor (GPIO_V2_LINE_FLAG_BIAS_DISABLED): the line needs an external pull.</summary>
    Disabled,

    /// <summary>Internal pull-up (GPIO_V2_LINE_FLAG_BIAS_PULL_UP): for contacts switching to ground.</summary>
    PullUp,

    /// <summary>Internal pull-down (GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN): for contacts switching to 3.3 V.</summary>
    PullDown,
}

/// <summary>Which edges of an input produce events.</summary>
public enum GpioEdge
{
    /// <summary>No edge detection: the line is only read on demand.</summary>
    None,

    /// <summary>Inactive to active transitions (physical low to high unless the line is active-low).</summary>
    Rising,

    /// <summary>Active to inactive transitions.</summary>
    Falling,

    /// <summary>Both transitions.</summary>
    Both,
}

/// <summary>The output stage of a driven line.</summary>
public enum GpioDrive
{
    /// <summary>Driven high and low.</summary>
    PushPull,

    /// <summary>Driven low only, released (high impedance) for high (GPIO_V2_LINE_FLAG_OPEN_DRAIN): needs a pull-up.</summary>
    OpenDrain,

    /// <summary>Driven high only, released for low (GPIO_V2_LINE_FLAG_OPEN_SOURCE): needs a pull-down.</summary>
    OpenSource,
}

/// <summary>The clock the kernel stamps edge events with.</summary>
public enum GpioEventClock
{
    /// <summary>CLOCK_MONOTONIC (the kernel default): immune to wall-clock steps; converted to UTC when read.</summary>
    Monotonic,

    /// <summary>CLOCK_REALTIME (GPIO_V2_LINE_FLAG_EVENT_CLOCK_REALTIME, Linux 5.11+): UTC straight from the kernel.</summary>
    Realtime,
}

/// <summary>
/// How one line is configured; mirrors a GPIO metric of the configuration file (direction, bias, activeLow,
/// debounceMs, edge, drive, initial). Values are logical: with <see cref="ActiveLow"/> "active"/true is physical low.
/// </summary>
public sealed record GpioLineSettings
{
    /// <summary>Input (default) or output.</summary>
    public GpioDirection Direction { get; init; } = GpioDirection.Input;

    /// <summary>Pull resistor; <see cref="GpioBias.AsIs"/> by default.</summary>
    public GpioBias Bias { get; init; } = GpioBias.AsIs;

    /// <summary>The line is active when physically low (contacts to ground with a pull-up, low-side relay drivers).</summary>
    public bool ActiveLow { get; init; }

    /// <summary>Edges that produce events (inputs only).</summary>
    public GpioEdge Edge { get; init; } = GpioEdge.None;

    /// <summary>Debounce period in milliseconds (inputs only; 0 = none). The kernel filters in hardware or software.</summary>
    public int DebounceMs { get; init; }

    /// <summary>Output stage (outputs only).</summary>
    public GpioDrive Drive { get; init; } = GpioDrive.PushPull;

    /// <summary>The logical value an output takes when it is requested (outputs only).</summary>
    public bool InitialValue { get; init; }

    /// <summary>An input with the given edges, bias and debounce.</summary>
    public static GpioLineSettings Input(GpioEdge edge = GpioEdge.None, GpioBias bias = GpioBias.AsIs, bool activeLow = false,
        int debounceMs = 0) => new() { Edge = edge, Bias = bias, ActiveLow = activeLow, DebounceMs = debounceMs };

    /// <summary>An output with the given initial value and drive.</summary>
    public static GpioLineSettings Output(bool initialValue = false, GpioDrive drive = GpioDrive.PushPull, bool activeLow = false) =>
        new() { Direction = GpioDirection.Output, InitialValue = initialValue, Drive = drive, ActiveLow = activeLow };

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder(Direction == GpioDirection.Input ? "input" : "output");
        if (ActiveLow)
        {
            text.Append(" active-low");
        }

        if (Bias != GpioBias.AsIs)
        {
            text.Append(Bias switch { GpioBias.PullUp => " pull-up", GpioBias.PullDown => " pull-down", _ => " bias-disabled" });
        }

        if (Direction == GpioDirection.Input)
        {
            if (Edge != GpioEdge.None)
            {
                text.Append(Edge switch { GpioEdge.Rising => " edges=rising", GpioEdge.Falling => " edges=falling", _ => " edges=both" });
            }

            if (DebounceMs > 0)
            {
                text.Append(" debounce=").Append(DebounceMs).Append("ms");
            }
        }
        else
        {
            if (Drive != GpioDrive.PushPull)
            {
                text.Append(Drive == GpioDrive.OpenDrain ? " open-drain" : " open-source");
            }

            text.Append(" initial=").Append(InitialValue ? '1' : '0');
        }

        return text.ToString();
    }
}

/// <summary>One line of a request: its number or name on the chip, and its settings.</summary>
/// <param name="Line">The line offset ("17") or the line's name ("GPIO17").</param>
/// <param name="Settings">How to configure it.</param>
public readonly record struct GpioRequestedLine(string Line, GpioLineSettings Settings);

/// <summary>What <see cref="GpioChip.RequestLines"/> requests: up to 64 lines of one chip, held until disposed.</summary>
public sealed class GpioLineRequestOptions
{
    /// <summary>The consumer label the kernel shows for the lines (gpioinfo); at most 31 bytes.</summary>
    public string Consumer { get; set; } = "edgenode";

    /// <summary>The lines, in the order that <see cref="GpioLineRequest.Offsets"/> keeps (bit i of values = line i).</summary>
    public IList<GpioRequestedLine> Lines { get; } = new List<GpioRequestedLine>();

    /// <summary>Edge events the kernel should buffer (a hint; 0 = the kernel default of 16 per line).</summary>
    public int EventBufferSize { get; set; }

    /// <summary>
    /// Edge events held for the reader of <see cref="GpioLineRequest.EdgeEvents"/>; when full the oldest are dropped
    /// and counted in <see cref="GpioLineRequest.DroppedEventCount"/>.
    /// </summary>
    public int EventChannelCapacity { get; set; } = 1024;

    /// <summary>The clock edge events are stamped with.</summary>
    public GpioEventClock EventClock { get; set; } = GpioEventClock.Monotonic;

    /// <summary>Adds a line by number.</summary>
    public GpioLineRequestOptions Add(int offset, GpioLineSettings settings) =>
        Add(offset.ToString(System.Globalization.CultureInfo.InvariantCulture), settings);

    /// <summary>Adds a line by number or name.</summary>
    public GpioLineRequestOptions Add(string line, GpioLineSettings settings)
    {
        Lines.Add(new GpioRequestedLine(line, settings));
        return this;
    }
}

/// <summary>Checks <see cref="GpioLineRequestOptions"/> before anything reaches the kernel; names each problem.</summary>
public static class GpioLineRequestOptionsValidator
{
    /// <summary>The longest debounce the kernel's u32 microsecond field holds.</summary>
    public const int MaxDebounceMs = (int)(uint.MaxValue / 1000);

    /// <summary>Every problem of <paramref name="options"/>, one line each, prefixed with the field at fault; empty when valid.</summary>
    public static IReadOnlyList<string> Validate(GpioLineRequestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Consumer))
        {
            problems.Add("consumer: must not be empty");
        }
        else if (Encoding.UTF8.GetByteCount(options.Consumer) >= Interop.GPIO_MAX_NAME_SIZE)
        {
            problems.Add($"consumer: '{options.Consumer}' is longer than {Interop.GPIO_MAX_NAME_SIZE - 1} bytes");
        }

        if (options.Lines.Count == 0)
        {
            problems.Add("lines: at least one line is needed");
        }
        else if (options.Lines.Count > Interop.GPIO_V2_LINES_MAX)
        {
            problems.Add($"lines: {options.Lines.Count} lines, at most {Interop.GPIO_V2_LINES_MAX} per request");
        }

        if (options.EventBufferSize < 0)
        {
            problems.Add($"eventBufferSize: {options.EventBufferSize} is negative");
        }

        if (options.EventChannelCapacity < 1)
        {
            problems.Add($"eventChannelCapacity: {options.EventChannelCapacity} must be at least 1");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Lines.Count; i++)
        {
            var (line, settings) = options.Lines[i];
            var at = $"lines[{i}]";
            if (string.IsNullOrWhiteSpace(line))
            {
                problems.Add($"{at}.line: must name a line number or line name");
            }
            else if (!seen.Add(line))
            {
                problems.Add($"{at}.line: '{line}' is requested twice");
            }

            if (settings is null)
            {
                problems.Add($"{at}: settings are missing");
                continue;
            }

            ValidateSettings(settings, at, problems);
        }

        return problems;
    }

    internal static void ValidateSettings(GpioLineSettings settings, string at, List<string> problems)
    {
        if (!Enum.IsDefined(settings.Direction))
        {
            problems.Add($"{at}.direction: {settings.Direction} is not input or output");
        }

        if (!Enum.IsDefined(settings.Bias))
        {
            problems.Add($"{at}.bias: {settings.Bias} is not asIs, disabled, pullUp or pullDown");
        }

        if (!Enum.IsDefined(settings.Edge))
        {
            problems.Add($"{at}.edge: {settings.Edge} is not none, rising, falling or both");
        }

        if (!Enum.IsDefined(settings.Drive))
        {
            problems.Add($"{at}.drive: {settings.Drive} is not pushPull, openDrain or openSource");
        }

        if (settings.DebounceMs is < 0 or > MaxDebounceMs)
        {
            problems.Add($"{at}.debounceMs: {settings.DebounceMs} is outside 0..{MaxDebounceMs}");
        }

        if (settings.Direction == GpioDirection.Output)
        {
            // gpiolib-cdev refuses edge detection on outputs (gpio_v2_line_flags_validate); debounce only filters inputs.
            if (settings.Edge != GpioEdge.None)
            {
                problems.Add($"{at}.edge: edge detection needs an input line");
            }

            if (settings.DebounceMs != 0)
            {
                problems.Add($"{at}.debounceMs: debounce needs an input line");
            }
        }
        else
        {
            // Open-drain/open-source are output stages: the kernel refuses them on inputs.
            if (settings.Drive != GpioDrive.PushPull)
            {
                problems.Add($"{at}.drive: {settings.Drive} needs an output line");
            }

            if (settings.InitialValue)
            {
                problems.Add($"{at}.initial: an initial value needs an output line");
            }
        }
    }
}
