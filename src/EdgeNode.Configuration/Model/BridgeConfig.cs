namespace EdgeNode.Configuration;

/// <summary>
/// A validated <c>edgenode-bridge</c> configuration (the contract's "Kafka bridge" file). Only
/// <see cref="BridgeConfigLoader"/> builds one, so every instance is valid.
/// </summary>
public sealed record BridgeConfig
{
    /// <summary>The file it was loaded from (absolute path).</summary>
    public required string SourcePath { get; init; }

    /// <summary>The <c>mqtt:</c> section (client id default <c>edgenode-bridge</c>).</summary>
    public required MqttSection Mqtt { get; init; }

    /// <summary>The <c>sparkplug:</c> section (defaults when absent).</summary>
    public BridgeSparkplugSection Sparkplug { get; init; } = new();

    /// <summary>The <c>kafka:</c> section.</summary>
    public required BridgeKafkaSection Kafka { get; init; }

    /// <summary>The <c>web:</c> section; null: no HTTP endpoints.</summary>
    public BridgeWebSection? Web { get; init; }
}

/// <summary>The bridge's <c>sparkplug:</c> section.</summary>
public sealed record BridgeSparkplugSection
{
    /// <summary>Group ids to bridge; empty: all.</summary>
    public IReadOnlyList<string> Groups { get; init; } = [];

    /// <summary>Host application id (STATE online only while Kafka takes records); null: not a host application.</summary>
    public string? HostId { get; init; }

    /// <summary>At most one rebirth request per edge node in this time.</summary>
    public int RebirthMinIntervalMs { get; init; } = 5000;
}

/// <summary>Record keys of the data topic.</summary>
public enum BridgeKeyBySetting
{
    /// <summary><c>group/edgeNode</c>.</summary>
    Node,

    /// <summary><c>group/edgeNode/device</c> (node metrics: <c>group/edgeNode</c>).</summary>
    Device,

    /// <summary>The device key + <c>/</c> + the metric name.</summary>
    Metric,
}

/// <summary>The bridge's <c>kafka:</c> section.</summary>
public sealed record BridgeKafkaSection
{
    /// <summary>bootstrap.servers.</summary>
    public required string BootstrapServers { get; init; }

    /// <summary>The data topic.</summary>
    public string DataTopic { get; init; } = "sparkplug.data";

    /// <summary>The state topic.</summary>
    public string StateTopic { get; init; } = "sparkplug.state";

    /// <summary>Record keys.</summary>
    public BridgeKeyBySetting KeyBy { get; init; } = BridgeKeyBySetting.Device;

    /// <summary>librdkafka properties passed as they are.</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    /// <summary>Records waiting for Kafka above which the host STATE says offline.</summary>
    public int HighWaterRecords { get; init; } = 200_000;

    /// <summary>No delivery progress for this long while records wait: STATE says offline.</summary>
    public int StallTimeoutMs { get; init; } = 5000;

    /// <summary>Journal read-but-unconfirmed records in the state directory and replay them at start.</summary>
    public bool Journal { get; init; } = true;
}

/// <summary>The bridge's <c>web:</c> section.</summary>
public sealed record BridgeWebSection
{
    /// <summary>host:port of /healthz and /metrics.</summary>
    public required string Host { get; init; }

    /// <summary>The port.</summary>
    public required int Port { get; init; }
}
