namespace EdgeNode.Sparkplug;

/// <summary>
/// A metric of the object model (<c>Payload.Metric</c>, Sparkplug 3.0 §6.4.4): what the decoder produces, and what
/// the object-model encoder and Template members take. For the hot publish path use
/// <see cref="SparkplugMetricData"/> with <see cref="SparkplugPayloadWriter"/> instead.
/// </summary>
public sealed class SparkplugMetric
{
    /// <summary>An empty metric (set the properties).</summary>
    public SparkplugMetric()
    {
    }

    /// <summary>A metric named <paramref name="name"/> holding <paramref name="value"/>.</summary>
    public SparkplugMetric(string? name, SparkplugValue value)
    {
        Name = name;
        Value = value;
    }

    /// <summary>The name; required in BIRTHs, omitted in DATA/CMD when an alias is used.</summary>
    public string? Name { get; set; }

    /// <summary>The alias (unique across the Edge Node), if any.</summary>
    public ulong? Alias { get; set; }

    /// <summary>Milliseconds since the Unix epoch (UTC) when the value was captured.</summary>
    public ulong? Timestamp { get; set; }

    /// <summary>
    /// The value with its datatype, or a null of that datatype (<c>is_null</c>). On a decoded metric that carried no
    /// <c>datatype</c> (<see cref="OmitDataType"/> true), the datatype is the natural type of the wire field
    /// (UInt32 for <c>int_value</c>, UInt64 for <c>long_value</c>, Bytes for <c>bytes_value</c>…): call
    /// <see cref="SparkplugValue.TryReinterpret"/> with the datatype from the BIRTH.
    /// </summary>
    public SparkplugValue Value { get; set; }

    /// <summary>
    /// True when the <c>datatype</c> field is (to be) absent. BIRTHs must carry it; DATA and CMD messages should not
    /// [tck-id-payloads-metric-datatype-not-req].
    /// </summary>
    public bool OmitDataType { get; set; }

    /// <summary>The <c>datatype</c> field: <see cref="Value"/>'s type, or Unknown when <see cref="OmitDataType"/>.</summary>
    public SparkplugDataType DataType => OmitDataType ? SparkplugDataType.Unknown : Value.DataType;

    /// <summary>The value is not real time (store-and-forward, backfill) [Sparkplug 3.0 §6.4.4 is_historical].</summary>
    public bool IsHistorical { get; set; }

    /// <summary>Hosts should not historize the value.</summary>
    public bool IsTransient { get; set; }

    /// <summary>Properties such as <c>engUnit</c>, <c>engLow</c>, <c>engHigh</c>, <c>description</c>, <c>Quality</c>.</summary>
    public SparkplugPropertySet? Properties { get; set; }

    /// <summary>Metadata (file name, content type, multi-part info).</summary>
    public SparkplugMetaData? MetaData { get; set; }

    /// <summary>The struct view the writer encodes (no allocation).</summary>
    public SparkplugMetricData ToMetricData() => new()
    {
        Name = Name,
        Alias = Alias,
        Timestamp = Timestamp,
        Value = Value,
        OmitDataType = OmitDataType,
        IsHistorical = IsHistorical,
        IsTransient = IsTransient,
        Properties = Properties,
        MetaData = MetaData,
    };

    /// <inheritdoc />
    public override string ToString() =>
        $"{Name ?? "(no name)"}{(Alias is { } a ? $" #{a}" : "")} = {Value}{(IsHistorical ? " historical" : "")}";
}
