namespace EdgeNode.Bridging;

/// <summary>What a record's Kafka key is made of.</summary>
public enum RecordKeyBy
{
    /// <summary><c>&lt;group&gt;/&lt;edgeNode&gt;</c>.</summary>
    Node,

    /// <summary><c>&lt;group&gt;/&lt;edgeNode&gt;/&lt;device&gt;</c> for device metrics, the node key for node metrics.</summary>
    Device,

    /// <summary>The device key + <c>/</c> + the metric's name.</summary>
    Metric,
}

/// <summary>The bridge policy's settings (the <c>sparkplug:</c> and <c>kafka:</c> sections of its file).</summary>
public sealed class BridgeOptions
{
    /// <summary>Sparkplug group ids to bridge; empty: all.</summary>
    public IReadOnlyList<string> Groups { get; init; } = [];

    /// <summary>Act as this Sparkplug host application (STATE online only while Kafka takes records); null: no STATE.</summary>
    public string? HostId { get; init; }

    /// <summary>At most one rebirth request per edge node in this time.</summary>
    public int RebirthMinIntervalMs { get; init; } = 5000;

    /// <summary>The data topic.</summary>
    public string DataTopic { get; init; } = "sparkplug.data";

    /// <summary>The state topic.</summary>
    public string StateTopic { get; init; } = "sparkplug.state";

    /// <summary>Record keys.</summary>
    public RecordKeyBy KeyBy { get; init; } = RecordKeyBy.Device;

    /// <summary>Most edge nodes tracked at once (bounded memory against a flood of invented node ids).</summary>
    public int MaxEdgeNodes { get; init; } = 100_000;

    /// <summary>On a clean stop, after STATE offline, how long to keep bridging what nodes still send (their deaths).</summary>
    public int ShutdownGraceMs { get; init; } = 2000;
}
