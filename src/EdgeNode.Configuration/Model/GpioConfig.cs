namespace EdgeNode.Configuration;

/// <summary>The <c>gpio:</c> section of a device.</summary>
public sealed record GpioDeviceConfig
{
    /// <summary>The chip: a path (<c>/dev/gpiochip0</c>), a name (<c>gpiochip0</c>) or a label (<c>pinctrl-bcm2711</c>).</summary>
    public required string Chip { get; init; }
}

/// <summary>The line of a GPIO metric (always <c>type: bool</c>).</summary>
public sealed record GpioMetricConfig
{
    /// <summary>Line offset (a number) or line name.</summary>
    public required string Line { get; init; }

    /// <summary>Input or output; outputs are writable.</summary>
    public GpioDirectionSetting Direction { get; init; } = GpioDirectionSetting.Input;

    /// <summary>Input bias.</summary>
    public GpioBiasSetting Bias { get; init; } = GpioBiasSetting.AsIs;

    /// <summary>Active low (the reported value is the logical one).</summary>
    public bool ActiveLow { get; init; }

    /// <summary>Input debounce period in ms (0 = none).</summary>
    public int DebounceMs { get; init; }

    /// <summary>Longest debounce period: the kernel takes it in microseconds in a 32-bit field.</summary>
    public const int MaxDebounceMs = (int)(uint.MaxValue / 1000);

    /// <summary>Edges reported immediately for inputs (none = value read at scan only).</summary>
    public GpioEdgeSetting Edge { get; init; } = GpioEdgeSetting.Both;

    /// <summary>Initial value of an output.</summary>
    public bool Initial { get; init; }

    /// <summary>Output drive.</summary>
    public GpioDriveSetting Drive { get; init; } = GpioDriveSetting.PushPull;
}
