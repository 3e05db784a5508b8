namespace EdgeNode.Configuration;

/// <summary>Where a device's values come from.</summary>
public enum DeviceKind
{
    /// <summary>A Modbus TCP or RTU unit.</summary>
    Modbus,

    /// <summary>Lines of a GPIO chip of the gateway.</summary>
    Gpio,

    /// <summary>Sensors on an I2C bus of the gateway.</summary>
    I2c,
}

/// <summary>A Sparkplug device: its source, scan period and resolved metrics.</summary>
public sealed record DeviceConfig
{
    /// <summary>Sparkplug device_id.</summary>
    public required string Id { get; init; }

    /// <summary>Which source section the device has.</summary>
    public required DeviceKind Kind { get; init; }

    /// <summary>Scan period (the device's <c>scanMs</c>, else null = the node's default, which NCMD Scan Rate may change).</summary>
    public int? ScanMs { get; init; }

    /// <summary>
    /// Consecutive failed scans before the device is declared dead (the device's <c>deadAfterFailedScans</c>, else null =
    /// the node's default).
    /// </summary>
    public int? DeadAfterFailedScans { get; init; }

    /// <summary>The device's type, when it has one.</summary>
    public DeviceTypeConfig? Type { get; init; }

    /// <summary>Parameter values of a typed device (every parameter of the type; defaults filled in).</summary>
    public IReadOnlyList<ParameterConfig> Parameters { get; init; } = [];

    /// <summary>
    /// Effective metrics: for a typed device, the type's members with <c>addressOffset</c> and overrides applied and disabled
    /// members removed; names are the member names.
    /// </summary>
    public required IReadOnlyList<MetricConfig> Metrics { get; init; }

    /// <summary>The Modbus source (Kind = Modbus).</summary>
    public ModbusDeviceConfig? Modbus { get; init; }

    /// <summary>The GPIO source (Kind = Gpio).</summary>
    public GpioDeviceConfig? Gpio { get; init; }

    /// <summary>The I2C source (Kind = I2c).</summary>
    public I2cDeviceConfig? I2c { get; init; }
}

/// <summary>The <c>modbus:</c> section of a device.</summary>
public sealed record ModbusDeviceConfig
{
    /// <summary>The link (TCP endpoint or serial line); devices on one link share it.</summary>
    public required ModbusLinkConfig Link { get; init; }

    /// <summary>Unit (slave) id.</summary>
    public byte UnitId { get; init; } = 1;

    /// <summary>Response timeout per request.</summary>
    public int TimeoutMs { get; init; } = 1000;

    /// <summary>Retries after a timeout or a corrupt frame.</summary>
    public int Retries { get; init; } = 2;
}
