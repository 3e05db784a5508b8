using EdgeNode.Sparkplug;

namespace EdgeNode.Engine;

/// <summary>
/// A consistent copy of what the node knows at one moment, for the web console: taken by the event loop between two
/// events (so it never races the loop and never holds a lock), then read freely by any thread.
/// </summary>
public sealed record EngineSnapshot
{
    /// <summary>When it was taken (Unix ms).</summary>
    public required long TakenMs { get; init; }

    /// <summary>Changes whenever the device list changes (reload): clients rebuild their tables.</summary>
    public required int Generation { get; init; }

    /// <summary>connecting, online, waiting for primary host, or storing.</summary>
    public required string Session { get; init; }

    /// <summary>The broker of the current connection (null while not connected).</summary>
    public string? Broker { get; init; }

    /// <summary>bdSeq of the current session (or of the connection being attempted).</summary>
    public int BdSeq { get; init; }

    /// <summary>The configured primary host (null: none).</summary>
    public string? PrimaryHostId { get; init; }

    /// <summary>Whether the primary host's last STATE said online.</summary>
    public bool PrimaryHostOnline { get; init; }

    /// <summary>Store-and-forward is configured and open.</summary>
    public bool StoreEnabled { get; init; }

    /// <summary>Changes waiting in the store.</summary>
    public long StorePending { get; init; }

    /// <summary>Bytes of the store.</summary>
    public long StoreBytes { get; init; }

    /// <summary>Changes the store dropped at capacity.</summary>
    public long StoreDropped { get; init; }

    /// <summary>The node's default scan period.</summary>
    public int ScanMs { get; init; }

    /// <summary>Devices in configuration order.</summary>
    public required IReadOnlyList<DeviceSnapshot> Devices { get; init; }
}

/// <summary>One device in an <see cref="EngineSnapshot"/>.</summary>
public sealed record DeviceSnapshot
{
    /// <summary>The Sparkplug device id.</summary>
    public required string Id { get; init; }

    /// <summary>modbus, gpio or i2c.</summary>
    public required string Kind { get; init; }

    /// <summary>The device type (Template definition), if typed.</summary>
    public string? TypeName { get; init; }

    /// <summary>The device answered its last scan.</summary>
    public bool Online { get; init; }

    /// <summary>A DBIRTH is out in the current MQTT session.</summary>
    public bool Born { get; init; }

    /// <summary>Why the device is not answering.</summary>
    public string? LastError { get; init; }

    /// <summary>The device's scan period.</summary>
    public int ScanMs { get; init; }

    /// <summary>Metrics in configuration order.</summary>
    public required IReadOnlyList<MetricSnapshot> Metrics { get; init; }
}

/// <summary>One metric in a <see cref="DeviceSnapshot"/>.</summary>
/// <param name="Name">The Sparkplug metric name.</param>
/// <param name="DataType">The Sparkplug datatype.</param>
/// <param name="Units">Engineering units, if configured.</param>
/// <param name="Writable">A DCMD (or the console) may write it.</param>
/// <param name="HasValue">A value was read since the device was created.</param>
/// <param name="Value">The last value read.</param>
/// <param name="TimestampMs">When <paramref name="Value"/> was read (Unix ms).</param>
/// <param name="ChangedMs">When the value last changed as reported by exception (Unix ms; 0: not yet).</param>
public readonly record struct MetricSnapshot(string Name, SparkplugDataType DataType, string? Units, bool Writable, bool HasValue,
    SparkplugValue Value, long TimestampMs, long ChangedMs);
