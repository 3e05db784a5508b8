using EdgeNode.Sparkplug;

namespace EdgeNode.Monitor;

/// <summary>What a received message turned out to be.</summary>
public enum MonitoredMessageKind
{
    /// <summary>A Sparkplug B message (NBIRTH … DCMD) whose payload decoded.</summary>
    Sparkplug,

    /// <summary>A host application's STATE message (3.0 JSON or the legacy ONLINE/OFFLINE text).</summary>
    State,

    /// <summary>A Sparkplug topic whose payload is not a valid Sparkplug B payload (or STATE payload).</summary>
    Undecodable,

    /// <summary>A topic under the namespace that is not a well-formed Sparkplug topic.</summary>
    NotSparkplug,
}

/// <summary>One received MQTT message as the monitor understood it: topic parts, decoded payload, resolved aliases.</summary>
public sealed class MonitoredMessage
{
    /// <summary>When the monitor received it.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The MQTT topic.</summary>
    public required string Topic { get; init; }

    /// <summary>What the message is.</summary>
    public required MonitoredMessageKind Kind { get; init; }

    /// <summary>The verb from the topic; null when the topic is not a Sparkplug topic.</summary>
    public SparkplugMessageType? MessageType { get; init; }

    /// <summary>group_id, or null (STATE, foreign topics).</summary>
    public string? GroupId { get; init; }

    /// <summary>edge_node_id, or null (STATE, foreign topics).</summary>
    public string? EdgeNodeId { get; init; }

    /// <summary>device_id of device messages, else null.</summary>
    public string? DeviceId { get; init; }

    /// <summary>host_id of STATE messages, else null.</summary>
    public string? HostId { get; init; }

    /// <summary>The MQTT retain flag (the broker replayed a stored message).</summary>
    public bool Retained { get; init; }

    /// <summary>The payload's <c>seq</c>, if present.</summary>
    public ulong? Seq { get; init; }

    /// <summary>The payload's timestamp (ms since the Unix epoch, UTC), if present.</summary>
    public ulong? Timestamp { get; init; }

    /// <summary>The <c>bdSeq</c> metric of an NBIRTH or NDEATH, if present.</summary>
    public ulong? BdSeq { get; init; }

    /// <summary>The metrics, names resolved from the births where they came by alias.</summary>
    public IReadOnlyList<MonitoredMetric> Metrics { get; init; } = [];

    /// <summary>The host state of a STATE message.</summary>
    public MonitoredHostState? State { get; init; }

    /// <summary>Why the topic or payload could not be understood (Undecodable, NotSparkplug).</summary>
    public string? Error { get; init; }

    /// <summary>The raw payload (kept to show undecodable messages as hex).</summary>
    public ReadOnlyMemory<byte> Payload { get; init; }
}

/// <summary>A metric of a monitored message (or a member of a Template).</summary>
public sealed class MonitoredMetric
{
    /// <summary>The name: sent, or learnt from the BIRTH through the alias; null when the alias is unknown.</summary>
    public string? Name { get; init; }

    /// <summary>The alias, if the metric carried one.</summary>
    public ulong? Alias { get; init; }

    /// <summary>True when <see cref="Name"/> was not in the message but resolved from a BIRTH through <see cref="Alias"/>.</summary>
    public bool NameFromAlias { get; init; }

    /// <summary>
    /// The datatype: as sent, or the BIRTH's when the message omitted it (DATA by alias). Unknown when neither says.
    /// </summary>
    public SparkplugDataType DataType { get; init; }

    /// <summary>The value (read with <see cref="DataType"/>), or a null of that type (<c>is_null</c>).</summary>
    public SparkplugValue Value { get; init; }

    /// <summary>The engineering unit (<c>engUnit</c> property): sent, or remembered from the BIRTH.</summary>
    public string? Units { get; init; }

    /// <summary><c>is_historical</c>.</summary>
    public bool IsHistorical { get; init; }

    /// <summary><c>is_transient</c>.</summary>
    public bool IsTransient { get; init; }

    /// <summary><c>is_null</c>: the metric carried no value.</summary>
    public bool IsNull => Value.IsNull;

    /// <summary>The metric's own timestamp (ms since the Unix epoch, UTC), if present.</summary>
    public ulong? Timestamp { get; init; }

    /// <summary>The Template definition or instance of a Template metric, its members resolved.</summary>
    public MonitoredTemplate? Template { get; init; }

    /// <summary>Something the technician should know (an alias no BIRTH explained, a value the BIRTH's type cannot read).</summary>
    public string? Note { get; init; }
}

/// <summary>A Template definition or instance with its parameters and members.</summary>
public sealed class MonitoredTemplate
{
    /// <summary>True for a definition (NBIRTH), false for an instance.</summary>
    public bool IsDefinition { get; init; }

    /// <summary>For an instance: the definition's name.</summary>
    public string? TemplateRef { get; init; }

    /// <summary>The definition's version, if given.</summary>
    public string? Version { get; init; }

    /// <summary>The parameters (name and typed value).</summary>
    public IReadOnlyList<SparkplugTemplateParameter> Parameters { get; init; } = [];

    /// <summary>The member metrics.</summary>
    public IReadOnlyList<MonitoredMetric> Members { get; init; } = [];
}

/// <summary>A host application's state from a STATE message.</summary>
/// <param name="Online">Online or offline; null when the payload did not say.</param>
/// <param name="Timestamp">The 3.0 payload's timestamp (ms since the Unix epoch), if present.</param>
/// <param name="Legacy">True for the Sparkplug 2.2 form (<c>STATE/host</c>, text ONLINE/OFFLINE).</param>
public sealed record MonitoredHostState(bool? Online, ulong? Timestamp, bool Legacy);
