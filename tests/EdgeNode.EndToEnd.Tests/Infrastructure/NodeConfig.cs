using System.Globalization;
using System.Text;

namespace EdgeNode.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Builds the node's YAML the way a plant engineer writes it (the contract's schema plus the team's extensions), with
/// test-friendly timings: short scans, quick reconnects and commits.
/// </summary>
public sealed class NodeConfig
{
    public required string GroupId { get; init; }

    public required string EdgeNodeId { get; init; }

    public List<string> Servers { get; init; } = [];

    public int ScanMs { get; set; } = 100;

    public int KeepAliveSeconds { get; set; } = 5;

    /// <summary>Null leaves the node's default (5000 ms).</summary>
    public int? ReconnectMaxMs { get; set; } = 1000;

    public int ConnectTimeoutMs { get; set; } = 3000;

    public string? PrimaryHostId { get; set; }

    public bool LegacyState { get; set; }

    public int CommitIntervalMs { get; set; } = 100;

    public int? StoreMaxMegabytes { get; set; }

    public string? StorePath { get; set; }

    /// <summary>Raw YAML of a top-level <c>types:</c> section (without the key), indented by two spaces per level.</summary>
    public string? Types { get; set; }

    public List<DeviceYaml> Devices { get; init; } = [];

    /// <summary>More <c>node:</c> keys, e.g. <c>aliases: false</c>.</summary>
    public List<string> NodeExtras { get; init; } = [];

    /// <summary>More <c>mqtt:</c> keys, e.g. <c>protocolVersion: "5.0"</c>.</summary>
    public List<string> MqttExtras { get; init; } = [];

    public string ToYaml()
    {
        var y = new StringBuilder();
        y.AppendLine("# written by an EdgeNode end-to-end test");
        y.AppendLine("node:");
        y.AppendLine(Inv($"  groupId: {GroupId}"));
        y.AppendLine(Inv($"  edgeNodeId: {EdgeNodeId}"));
        y.AppendLine(Inv($"  scanMs: {ScanMs}"));
        if (PrimaryHostId is not null)
        {
            y.AppendLine(Inv($"  primaryHostId: {PrimaryHostId}"));
        }

        if (LegacyState)
        {
            y.AppendLine("  legacyState: true");
        }

        foreach (var line in NodeExtras)
        {
            y.AppendLine("  " + line);
        }

        y.AppendLine("mqtt:");
        y.AppendLine("  servers:");
        foreach (var server in Servers)
        {
            y.AppendLine(Inv($"    - {server}"));
        }

        y.AppendLine(Inv($"  keepAliveSeconds: {KeepAliveSeconds}"));
        if (ReconnectMaxMs is { } reconnect)
        {
            y.AppendLine(Inv($"  reconnectMaxMs: {reconnect}"));
        }

        foreach (var line in MqttExtras)
        {
            y.AppendLine("  " + line);
        }
        y.AppendLine(Inv($"  connectTimeoutMs: {ConnectTimeoutMs}"));
        y.AppendLine("storeForward:");
        y.AppendLine(Inv($"  commitIntervalMs: {CommitIntervalMs}"));
        if (StoreMaxMegabytes is { } mb)
        {
            y.AppendLine(Inv($"  maxMegabytes: {mb}"));
        }

        if (StorePath is not null)
        {
            y.AppendLine(Inv($"  path: {StorePath}"));
        }

        if (Types is not null)
        {
            y.AppendLine("types:");
            y.Append(Types.TrimEnd('\n')).AppendLine();
        }

        if (Devices.Count > 0)
        {
            y.AppendLine("devices:");
            foreach (var device in Devices)
            {
                device.AppendTo(y);
            }
        }

        return y.ToString();
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One Modbus TCP device of the YAML.</summary>
public sealed class DeviceYaml
{
    public required string Id { get; init; }

    public required int Port { get; init; }

    public int UnitId { get; init; } = 1;

    public int? ScanMs { get; init; }

    public int TimeoutMs { get; init; } = 500;

    public int Retries { get; init; } = 1;

    /// <summary>Metric flow mappings, e.g. <c>{ name: Speed, table: holding, address: 0, type: float32 }</c>.</summary>
    public List<string> Metrics { get; init; } = [];

    public string? Type { get; init; }

    public int? AddressOffset { get; init; }

    /// <summary>Flow mapping of parameter values, e.g. <c>{ Manufacturer: Vestas }</c>.</summary>
    public string? Parameters { get; init; }

    /// <summary>Raw extra lines under the device (indented by four spaces).</summary>
    public string? Extra { get; init; }

    public void AppendTo(StringBuilder y)
    {
        y.AppendLine(Inv($"  - id: {Id}"));
        if (Type is not null)
        {
            y.AppendLine(Inv($"    type: {Type}"));
        }

        if (ScanMs is { } scan)
        {
            y.AppendLine(Inv($"    scanMs: {scan}"));
        }

        y.AppendLine("    modbus:");
        y.AppendLine(Inv($"      tcp: {{ host: 127.0.0.1, port: {Port} }}"));
        y.AppendLine(Inv($"      unitId: {UnitId}"));
        y.AppendLine(Inv($"      timeoutMs: {TimeoutMs}"));
        y.AppendLine(Inv($"      retries: {Retries}"));
        if (AddressOffset is { } offset)
        {
            y.AppendLine(Inv($"    addressOffset: {offset}"));
        }

        if (Parameters is not null)
        {
            y.AppendLine(Inv($"    parameters: {Parameters}"));
        }

        if (Extra is not null)
        {
            y.Append(Extra.TrimEnd('\n')).AppendLine();
        }

        if (Metrics.Count > 0)
        {
            y.AppendLine("    metrics:");
            foreach (var metric in Metrics)
            {
                y.AppendLine(Inv($"      - {metric}"));
            }
        }
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
