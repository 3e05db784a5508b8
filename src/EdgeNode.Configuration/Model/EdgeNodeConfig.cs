namespace EdgeNode.Configuration;

/// <summary>
/// A validated node configuration: the YAML file of the contract, resolved (types expanded into device metrics,
/// defaults applied). Only <see cref="EdgeNodeConfigLoader"/> builds one, so every instance is valid.
/// </summary>
public sealed record EdgeNodeConfig
{
    /// <summary>The file it was loaded from (absolute path).</summary>
    public required string SourcePath { get; init; }

    /// <summary>The <c>node:</c> section.</summary>
    public required NodeSection Node { get; init; }

    /// <summary>The <c>mqtt:</c> section.</summary>
    public required MqttSection Mqtt { get; init; }

    /// <summary>The <c>storeForward:</c> section (defaults when absent).</summary>
    public StoreForwardSection StoreForward { get; init; } = new();

    /// <summary>Device types by name (from <c>types:</c> and included files), in declaration order.</summary>
    public IReadOnlyList<DeviceTypeConfig> Types { get; init; } = [];

    /// <summary>Devices in file order; disabled devices are not listed.</summary>
    public IReadOnlyList<DeviceConfig> Devices { get; init; } = [];

    /// <summary>The <c>web:</c> section (null: no web console).</summary>
    public WebSection? Web { get; init; }
}

/// <summary>How the node publishes UInt32 values (the specification's int_value, or long_value as Tahu and Ignition do).</summary>
public enum UInt32EncodingSetting
{
    /// <summary>Per the specification: <c>int_value</c>.</summary>
    IntValue,

    /// <summary>As Eclipse Tahu and Ignition: <c>long_value</c>.</summary>
    LongValue,
}

/// <summary>The <c>node:</c> section: Sparkplug identity and publishing policy.</summary>
public sealed record NodeSection
{
    /// <summary>Sparkplug group_id.</summary>
    public required string GroupId { get; init; }

    /// <summary>Sparkplug edge_node_id.</summary>
    public required string EdgeNodeId { get; init; }

    /// <summary>Publish only while this host application's STATE is online (null: no primary host).</summary>
    public string? PrimaryHostId { get; init; }

    /// <summary>Also accept Sparkplug 2.2's plain <c>ONLINE</c>/<c>OFFLINE</c> STATE payloads.</summary>
    public bool LegacyState { get; init; }

    /// <summary>Default scan period for devices that do not set <c>scanMs</c>.</summary>
    public int ScanMs { get; init; } = 1000;

    /// <summary>
    /// Consecutive failed scans (each after the driver's own retries) before a device that answered is declared dead
    /// (DDEATH), for devices that do not set <c>deadAfterFailedScans</c>.
    /// </summary>
    public int DeadAfterFailedScans { get; init; } = NodeSection.DefaultDeadAfterFailedScans;

    /// <summary>
    /// Default of <see cref="DeadAfterFailedScans"/>: one failed scan on a noisy RS-485 line is not a dead device, three in
    /// a row are (the usual "timeouts to demote" of SCADA drivers), and a device really gone is still dead within seconds.
    /// </summary>
    public const int DefaultDeadAfterFailedScans = 3;

    /// <summary>Upper bound of <see cref="DeadAfterFailedScans"/>.</summary>
    public const int MaxDeadAfterFailedScans = 100;

    /// <summary>NDATA/DDATA by alias (true) or by name (false).</summary>
    public bool Aliases { get; init; } = true;

    /// <summary>Typed devices as Sparkplug Templates (true) or flattened metrics (false).</summary>
    public bool Templates { get; init; } = true;

    /// <summary>Wire encoding of UInt32 values.</summary>
    public UInt32EncodingSetting UInt32Encoding { get; init; } = UInt32EncodingSetting.IntValue;

    /// <summary>Default of <see cref="MaxCommandMetrics"/>.</summary>
    public const int DefaultMaxCommandMetrics = 10_000;

    /// <summary>
    /// Most metrics (template members included) one NCMD/DCMD may carry; a larger command is refused whole, so one
    /// message cannot queue an unbounded number of writes.
    /// </summary>
    public int MaxCommandMetrics { get; init; } = DefaultMaxCommandMetrics;
}

/// <summary>MQTT protocol level.</summary>
public enum MqttProtocolSetting
{
    /// <summary>MQTT 3.1.1 (what Sparkplug requires at minimum).</summary>
    V311,

    /// <summary>MQTT 5.0.</summary>
    V500,
}

/// <summary>The <c>mqtt:</c> section.</summary>
public sealed record MqttSection
{
    /// <summary>Broker URLs (<c>mqtt://host:port</c>, <c>mqtts://host:port</c>), tried in order.</summary>
    public required IReadOnlyList<string> Servers { get; init; }

    /// <summary>Client id; default <c>&lt;groupId&gt;-&lt;edgeNodeId&gt;</c>.</summary>
    public required string ClientId { get; init; }

    /// <summary>User name, if the broker wants one.</summary>
    public string? Username { get; init; }

    /// <summary>Password, if the broker wants one.</summary>
    public string? Password { get; init; }

    /// <summary>MQTT keep-alive in seconds.</summary>
    public int KeepAliveSeconds { get; init; } = 30;

    /// <summary>TLS files (null: system trust store for mqtts://, no client certificate).</summary>
    public TlsSection? Tls { get; init; }

    /// <summary>Protocol level.</summary>
    public MqttProtocolSetting ProtocolVersion { get; init; } = MqttProtocolSetting.V311;

    /// <summary>Cap of the reconnect back-off.</summary>
    public int ReconnectMaxMs { get; init; } = 5000;

    /// <summary>How long one connection attempt may take (TCP, TLS and CONNACK).</summary>
    public int ConnectTimeoutMs { get; init; } = 10_000;

    /// <summary>
    /// Accept a server list that mixes mqtts:// and mqtt:// servers although credentials are set: they then travel in
    /// clear to the plain servers (<c>mqtt.allowPlaintextFallback</c>, default false).
    /// </summary>
    public bool AllowPlaintextFallback { get; init; }

    /// <summary>
    /// True when <c>tls:</c> is set but every server is plain mqtt://: the TLS settings are never used and nothing is
    /// encrypted. Valid (the contract's example is written so), but <c>edgenode run</c> warns about it.
    /// </summary>
    public bool TlsUnused => Tls is not null && Servers.All(s => MqttServerUrl.TryParse(s, out var e, out _) && !e.UseTls);

    /// <summary>Every setting, with the password masked (the generated record form would print it).</summary>
    public override string ToString() =>
        $"MqttSection {{ Servers = [{string.Join(", ", Servers.Select(Credentials.RedactUrl))}], ClientId = {ClientId}, " +
        $"Username = {Username}, Password = {(Password is null ? "" : Credentials.Mask)}, KeepAliveSeconds = {KeepAliveSeconds}, " +
        $"Tls = {Tls}, ProtocolVersion = {ProtocolVersion}, ReconnectMaxMs = {ReconnectMaxMs}, ConnectTimeoutMs = {ConnectTimeoutMs}, " +
        $"AllowPlaintextFallback = {AllowPlaintextFallback} }}";
}

/// <summary>The <c>mqtt.tls:</c> section; relative paths are resolved against the configuration file's folder.</summary>
public sealed record TlsSection
{
    /// <summary>PEM file of the CA(s) that sign the broker's certificate.</summary>
    public string? CaFile { get; init; }

    /// <summary>PEM client certificate.</summary>
    public string? CertFile { get; init; }

    /// <summary>PEM private key of the client certificate.</summary>
    public string? KeyFile { get; init; }

    /// <summary>Name expected in the broker's certificate (default: the host of the URL).</summary>
    public string? ServerName { get; init; }
}

/// <summary>The <c>storeForward:</c> section.</summary>
public sealed record StoreForwardSection
{
    /// <summary>Store changes on disk while publishing is impossible.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Store file; null = <c>store.db</c> in the state directory.</summary>
    public string? Path { get; init; }

    /// <summary>Capacity; the oldest data is dropped beyond it.</summary>
    public int MaxMegabytes { get; init; } = 256;

    /// <summary>Longest time an accepted change may wait before it is durable.</summary>
    public int CommitIntervalMs { get; init; } = 1000;
}
