using System.Runtime.InteropServices;

namespace EdgeNode.Sparkplug;

/// <summary>
/// One metric to encode with <see cref="SparkplugPayloadWriter.WriteMetric(in SparkplugMetricData)"/>: a struct that
/// only references the caller's cached name, property set and value, so building and writing it allocates nothing.
/// Absent optional fields (<c>null</c>, <c>false</c>) are not written; <see cref="Value"/> decides the value field and
/// the <c>datatype</c>, or <c>is_null</c> when it is a null value.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly record struct SparkplugMetricData
{
    /// <summary>The metric name; null to omit it (DATA by alias).</summary>
    public string? Name { get; init; }

    /// <summary>The alias; null to omit it.</summary>
    public ulong? Alias { get; init; }

    /// <summary>Milliseconds since the Unix epoch (UTC) when the value was captured; null to omit.</summary>
    public ulong? Timestamp { get; init; }

    /// <summary>The value and its datatype (a null value writes <c>is_null = true</c>).</summary>
    public SparkplugValue Value { get; init; }

    /// <summary>Leave the <c>datatype</c> field out (DATA/CMD). BIRTHs must keep it.</summary>
    public bool OmitDataType { get; init; }

    /// <summary>Write <c>is_historical = true</c> (stored or back-filled values).</summary>
    public bool IsHistorical { get; init; }

    /// <summary>Write <c>is_transient = true</c>.</summary>
    public bool IsTransient { get; init; }

    /// <summary>Properties to write (<c>engUnit</c>…); null for none.</summary>
    public SparkplugPropertySet? Properties { get; init; }

    /// <summary>Metadata to write; null for none.</summary>
    public SparkplugMetaData? MetaData { get; init; }

    /// <summary>
    /// A BIRTH metric: name, alias (if any), timestamp, datatype, value or <c>is_null</c>, properties
    /// [tck-id-topics-nbirth-metrics] [tck-id-payloads-alias-birth-requirement].
    /// </summary>
    public static SparkplugMetricData Birth(string name, ulong? alias, ulong timestamp, SparkplugValue value,
        SparkplugPropertySet? properties = null) =>
        new() { Name = name, Alias = alias, Timestamp = timestamp, Value = value, Properties = properties };

    /// <summary>
    /// A DATA metric by alias: alias, timestamp and value only, no name and no datatype
    /// [tck-id-payloads-alias-data-cmd-requirement] [tck-id-payloads-metric-datatype-not-req].
    /// </summary>
    public static SparkplugMetricData Data(ulong alias, ulong timestamp, SparkplugValue value, bool isHistorical = false) =>
        new() { Alias = alias, Timestamp = timestamp, Value = value, OmitDataType = true, IsHistorical = isHistorical };

    /// <summary>
    /// The <c>bdSeq</c> metric of NBIRTH and NDEATH: name, datatype Int64, <c>long_value</c>, no alias
    /// [tck-id-payloads-nbirth-bdseq] [tck-id-message-flow-edge-node-birth-publish-will-message-payload-bdSeq].
    /// </summary>
    public static SparkplugMetricData BdSeq(long bdSeq, ulong? timestamp = null) =>
        new() { Name = SparkplugNames.BdSeq, Timestamp = timestamp, Value = SparkplugValue.FromInt64(bdSeq) };

    /// <summary>
    /// <c>Node Control/Rebirth</c> for the NBIRTH: Boolean false, never aliased [tck-id-payloads-nbirth-rebirth-req]
    /// [tck-id-operational-behavior-data-commands-rebirth-name-aliases].
    /// </summary>
    public static SparkplugMetricData NodeControlRebirth(ulong timestamp) =>
        new() { Name = SparkplugNames.NodeControlRebirth, Timestamp = timestamp, Value = SparkplugValue.FromBoolean(false) };

    /// <summary>A DATA metric by name (no aliases in use); the datatype is left out unless <paramref name="includeDataType"/>.</summary>
    public static SparkplugMetricData DataByName(string name, ulong timestamp, SparkplugValue value, bool isHistorical = false,
        bool includeDataType = false) =>
        new() { Name = name, Timestamp = timestamp, Value = value, OmitDataType = !includeDataType, IsHistorical = isHistorical };
}
