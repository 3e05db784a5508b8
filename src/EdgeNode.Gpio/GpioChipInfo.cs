namespace EdgeNode.Gpio;

/// <summary>A GPIO chip as GPIO_GET_CHIPINFO_IOCTL describes it.</summary>
/// <param name="Path">The device path, e.g. /dev/gpiochip0.</param>
/// <param name="Name">The kernel name, e.g. gpiochip0.</param>
/// <param name="Label">The functional label, e.g. pinctrl-bcm2711 (Pi 4) or pinctrl-rp1 (Pi 5); may be empty.</param>
/// <param name="LineCount">Number of lines (offsets 0 .. LineCount - 1).</param>
public sealed record GpioChipInfo(string Path, string Name, string Label, int LineCount)
{
    /// <summary>As gpiodetect prints it: <c>gpiochip0 [pinctrl-bcm2711] (58 lines)</c>.</summary>
    public override string ToString() => $"{Name} [{Label}] ({LineCount} lines)";
}

/// <summary>A line as GPIO_V2_GET_LINEINFO_IOCTL describes it: its name, who holds it and how it is configured.</summary>
public sealed record GpioLineInfo
{
    /// <summary>The line offset on its chip.</summary>
    public required int Offset { get; init; }

    /// <summary>The line name from the device tree (e.g. GPIO17 on a Raspberry Pi); may be empty.</summary>
    public required string Name { get; init; }

    /// <summary>The consumer label of whoever holds the line (empty when unused or unnamed).</summary>
    public required string Consumer { get; init; }

    /// <summary>The line is held (by a process or a kernel driver) and cannot be requested.</summary>
    public bool IsUsed { get; init; }

    /// <summary>Current direction.</summary>
    public GpioDirection Direction { get; init; }

    /// <summary>Active-low.</summary>
    public bool ActiveLow { get; init; }

    /// <summary>Bias as far as the kernel knows (<see cref="GpioBias.AsIs"/> when none was set through the uAPI).</summary>
    public GpioBias Bias { get; init; }

    /// <summary>Output stage.</summary>
    public GpioDrive Drive { get; init; }

    /// <summary>Edge detection.</summary>
    public GpioEdge Edge { get; init; }

    /// <summary>Debounce period in microseconds (0 = none).</summary>
    public uint DebounceMicroseconds { get; init; }

    /// <summary>The clock edge events are stamped with.</summary>
    public GpioEventClock EventClock { get; init; }

    /// <summary>As gpioinfo prints it: <c>line  17: "GPIO17" "edgenode" input active-low pull-up edges=both</c>.</summary>
    public override string ToString()
    {
        var settings = new GpioLineSettings
        {
            Direction = Direction,
            ActiveLow = ActiveLow,
            Bias = Bias,
            Drive = Drive,
            Edge = Direction == GpioDirection.Input ? Edge : GpioEdge.None,
            DebounceMs = Direction == GpioDirection.Input ? (int)(DebounceMicroseconds / 1000) : 0,
        }.ToString();
        if (Direction == GpioDirection.Output)
        {
            // Line info has no output value: drop the "initial=" part of the settings text.
            settings = settings[..settings.LastIndexOf(" initial=", StringComparison.Ordinal)];
        }

        var consumer = IsUsed ? (Consumer.Length > 0 ? $"\"{Consumer}\"" : "\"kernel\"") : "unused";
        return $"line {Offset,3}: \"{Name}\" {consumer} {settings}";
    }
}
