namespace EdgeNode.Storage;

/// <summary>
/// A catalog entry: the durable identity of a metric in the store, (device, name, Sparkplug datatype), with the small
/// integer <see cref="Id"/> each stored change carries. Sparkplug aliases change across restarts and configuration
/// reloads, so the store never keeps aliases; on replay the caller maps (device, name, datatype) back to whatever
/// alias the metric has now. Instances are interned per store: one object per id, safe as a dictionary key.
/// </summary>
public sealed class StoreMetric
{
    internal StoreMetric(int id, string? deviceId, string name, uint dataType, object? owner)
    {
        Owner = owner;
        Id = id;
        DeviceId = deviceId;
        Name = name;
        DataType = dataType;
    }

    /// <summary>The store this entry belongs to (appends check it).</summary>
    internal object? Owner { get; }

    /// <summary>The catalog id, stable for as long as changes of this metric are stored.</summary>
    public int Id { get; }

    /// <summary>The Sparkplug device_id, or null for a node-level metric (NDATA).</summary>
    public string? DeviceId { get; }

    /// <summary>The Sparkplug metric name.</summary>
    public string Name { get; }

    /// <summary>The Sparkplug B datatype enum value (e.g. 9 Float, 10 Double, 11 Boolean, 12 String).</summary>
    public uint DataType { get; }

    /// <summary><c>device/name</c> (or <c>name</c> for node metrics) and the datatype, for logs.</summary>
    public override string ToString() => (DeviceId is null ? Name : DeviceId + "/" + Name) + " (datatype " + DataType + ")";
}

/// <summary>One change as it was appended: the metric, its original timestamp (UTC ms since the Unix epoch) and value.</summary>
/// <param name="Metric">The catalog entry (device, name, datatype).</param>
/// <param name="TimestampMs">The original metric timestamp, UTC milliseconds since 1970-01-01.</param>
/// <param name="Value">The value, or <see cref="StoredValue.Null"/>.</param>
public readonly record struct StoredChange(StoreMetric Metric, long TimestampMs, StoredValue Value)
{
    /// <summary>True for a Sparkplug <c>is_null</c> change.</summary>
    public bool IsNull => Value.IsNull;
}
