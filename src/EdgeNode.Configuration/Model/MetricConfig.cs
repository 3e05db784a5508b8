namespace EdgeNode.Configuration;

/// <summary>The value types of the configuration file (<c>type:</c>).</summary>
public enum MetricDataType
{
    /// <summary><c>bool</c> → Boolean.</summary>
    Bool,

    /// <summary><c>int16</c> → Int16.</summary>
    Int16,

    /// <summary><c>uint16</c> → UInt16.</summary>
    UInt16,

    /// <summary><c>int32</c> → Int32.</summary>
    Int32,

    /// <summary><c>uint32</c> → UInt32.</summary>
    UInt32,

    /// <summary><c>int64</c> → Int64.</summary>
    Int64,

    /// <summary><c>uint64</c> → UInt64.</summary>
    UInt64,

    /// <summary><c>float32</c> → Float.</summary>
    Float32,

    /// <summary><c>float64</c> → Double.</summary>
    Float64,

    /// <summary><c>string</c> → String.</summary>
    String,
}

/// <summary>One metric of a device (or member of a type), whatever its source.</summary>
public sealed record MetricConfig
{
    /// <summary>Metric name (unique within the device).</summary>
    public required string Name { get; init; }

    /// <summary>Value type as read from the source (a scaled metric is still published as Double).</summary>
    public MetricDataType Type { get; init; } = MetricDataType.UInt16;

    /// <summary>Modbus table (Modbus devices only).</summary>
    public ModbusTableSetting? Table { get; init; }

    /// <summary>Zero-based Modbus address, offset already applied (Modbus devices only).</summary>
    public int Address { get; init; }

    /// <summary>Byte/word order of multi-register values.</summary>
    public ByteOrderSetting Order { get; init; } = ByteOrderSetting.ABCD;

    /// <summary>Bit 0-15 of a register for <c>bool</c> metrics on register tables.</summary>
    public int? Bit { get; init; }

    /// <summary>Registers of a <c>string</c> metric.</summary>
    public int Length { get; init; }

    /// <summary>Engineering value = raw × scale + offset.</summary>
    public double? Scale { get; init; }

    /// <summary>Engineering value = raw × scale + offset.</summary>
    public double? Offset { get; init; }

    /// <summary>Engineering unit (property <c>engUnit</c>).</summary>
    public string? Units { get; init; }

    /// <summary>Report only when the value moved more than this since the last report.</summary>
    public double? Deadband { get; init; }

    /// <summary>Report the current value at least this often even when unchanged.</summary>
    public int? MaxIntervalMs { get; init; }

    /// <summary>Accept DCMD writes (coil/holding, GPIO outputs).</summary>
    public bool Writable { get; init; }

    /// <summary>Free text (property <c>description</c>).</summary>
    public string? Description { get; init; }

    /// <summary>Lower engineering limit (property <c>engLow</c>).</summary>
    public double? EngLow { get; init; }

    /// <summary>Upper engineering limit (property <c>engHigh</c>).</summary>
    public double? EngHigh { get; init; }

    /// <summary>GPIO line settings (GPIO devices only).</summary>
    public GpioMetricConfig? Gpio { get; init; }

    /// <summary>I2C source of the value (I2C devices only).</summary>
    public I2cMetricConfig? I2c { get; init; }

    /// <summary>Published as Double because it is scaled.</summary>
    public bool IsScaled => Scale is not null || Offset is not null;
}
