using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeNode.Mqtt;
using EdgeNode.Sparkplug;
using EdgeNode.Testing;

namespace EdgeNode.Monitor.Tests;

/// <summary>A real Mosquitto with a plain, a TLS and a password listener for the monitor's process tests.</summary>
public sealed class MonitorBrokerFixture : MosquittoFixture
{
    public const string User = "tech";
    public const string Password = "s3cret";

    protected override MosquittoOptions CreateOptions() => new()
    {
        Tls = true,
        Users = new Dictionary<string, string> { [User] = Password },
    };
}

/// <summary>
/// <c>edgenode monitor</c> as a real process against a real Mosquitto: Sparkplug payloads encoded by Eclipse Tahu and
/// published by our MQTT client are printed decoded, aliases resolved; JSON lines; group filter; TLS; credentials.
/// </summary>
public sealed partial class MonitorProcessIntegrationTests(MonitorBrokerFixture fixture) : IClassFixture<MonitorBrokerFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private MosquittoBroker Broker => fixture.Broker;

    private static string NewGroup() => $"G{Guid.NewGuid():N}"[..12];

    /// <summary>NBIRTH, DBIRTH and a DDATA by alias, encoded by Tahu (what Tahu-based Edge Nodes put on the wire).</summary>
    private static (byte[] NBirth, byte[] DBirth, byte[] DData) TahuSession()
    {
        var encoded = TahuCodec.EncodeBatch(
        [
            """{"timestamp":"1700000000000","seq":"0","metrics":[{"name":"bdSeq","type":"Int64","value":"0"},{"name":"Node Control/Rebirth","type":"Boolean","value":false}]}""",
            """{"timestamp":"1700000000100","seq":"1","metrics":[{"name":"Rotor/Speed","alias":"3","type":"Float","value":12.5,"properties":{"engUnit":{"type":"String","value":"RPM"}}},{"name":"Status/Run","alias":"4","type":"Boolean","value":true},{"name":"Fault/Code","alias":"5","type":"Int32","value":-7}]}""",
            """{"timestamp":"1700000000200","seq":"2","metrics":[{"alias":"3","type":"Float","value":13.5},{"alias":"5","type":"Int32","value":42}]}""",
        ]);
        return (Convert.FromBase64String(encoded[0].Unwrap()), Convert.FromBase64String(encoded[1].Unwrap()), Convert.FromBase64String(encoded[2].Unwrap()));
    }

    private async Task<MqttClient> PublisherAsync()
    {
        var client = new MqttClient();
        var result = await client.ConnectAsync(new MqttClientOptions
        {
            Host = Broker.Host,
            Port = Broker.Port,
            ClientId = $"monitor-test-{Guid.NewGuid():N}"[..24],
        });
        Assert.True(result.IsSuccess, result.ToString());
        return client;
    }

    private static async Task PublishAsync(MqttClient client, string topic, byte[] payload)
    {
        var result = await client.PublishAsync(topic, payload, MqttQualityOfService.AtLeastOnce);
        Assert.True(result.IsSuccess);
    }

    /// <summary>The text blocks of the output: a header line and its indented lines.</summary>
    private static List<string[]> Blocks(string output)
    {
        var blocks = new List<List<string>>();
        foreach (var line in output.Split('\n'))
        {
            if (HeaderPattern().IsMatch(line))
            {
                blocks.Add([line]);
            }
            else if (line.StartsWith(' ') && blocks.Count > 0)
            {
                blocks[^1].Add(line);
            }
        }

        return blocks.Select(b => b.ToArray()).ToList();
    }

    [Fact]
    public async Task Monitor_TahuBirthsAndAliasData_PrintedDecodedWithNamesAndExitsAfterCount()
    {
        var group = NewGroup();
        var (nbirth, dbirth, ddata) = TahuSession();
        await using var monitor = EdgeNodeCli.Start(["monitor", "--url", Broker.Url, "--group", group, "--count", "3", "--no-color"]);
        await monitor.WaitForLineAsync("monitoring", Wait);

        await using (var publisher = await PublisherAsync())
        {
            await PublishAsync(publisher, $"spBv1.0/{group}/NBIRTH/Gateway01", nbirth);
            await PublishAsync(publisher, $"spBv1.0/{group}/DBIRTH/Gateway01/Turbine1", dbirth);
            await PublishAsync(publisher, $"spBv1.0/{group}/DDATA/Gateway01/Turbine1", ddata);
        }

        Assert.Equal(0, await monitor.WaitForExitAsync(Wait));
        var blocks = Blocks(monitor.Output);
        Assert.Equal(3, blocks.Count);

        Assert.Matches($@"  NBIRTH  {group}/Gateway01  seq=0  bdSeq=0  2 metrics$", blocks[0][0]);
        Assert.Matches(@"^  bdSeq\s+Int64\s+= 0$", blocks[0][1]);
        Assert.Matches(@"^  Node Control/Rebirth\s+Boolean\s+= false$", blocks[0][2]);

        Assert.Matches($@"  DBIRTH  {group}/Gateway01/Turbine1  seq=1  3 metrics$", blocks[1][0]);
        Assert.Matches(@"^  Rotor/Speed\s+#3\s+Float\s+= 12\.5 RPM$", blocks[1][1]);
        Assert.Matches(@"^  Status/Run\s+#4\s+Boolean\s+= true$", blocks[1][2]);
        Assert.Matches(@"^  Fault/Code\s+#5\s+Int32\s+= -7$", blocks[1][3]);

        // Tahu sends DATA by alias only: the names and the unit come from the DBIRTH.
        Assert.Matches($@"  DDATA   {group}/Gateway01/Turbine1  seq=2  2 metrics$", blocks[2][0]);
        Assert.Matches(@"^  Rotor/Speed\s+#3\s+Float\s+= 13\.5 RPM$", blocks[2][1]);
        Assert.Matches(@"^  Fault/Code\s+#5\s+Int32\s+= 42$", blocks[2][2]);
        Assert.DoesNotContain('\u001b', monitor.Output);
    }

    [Fact]
    public async Task Monitor_JsonAndGroup_OneObjectPerLineOnlyForThatGroupIncludingGarbage()
    {
        var group = NewGroup();
        var (nbirth, _, _) = TahuSession();
        await using var monitor = EdgeNodeCli.Start(["monitor", "--url", Broker.Url, "--group", group, "--count", "3", "--json"]);
        await monitor.WaitForLineAsync("monitoring", Wait);

        await using (var publisher = await PublisherAsync())
        {
            await PublishAsync(publisher, $"spBv1.0/{NewGroup()}/NBIRTH/Elsewhere", nbirth); // another group: not shown
            await PublishAsync(publisher, $"spBv1.0/{group}/NBIRTH/Gateway01", nbirth);
            await PublishAsync(publisher, $"spBv1.0/{group}/NDATA/Gateway01", "not protobuf"u8.ToArray());
            await PublishAsync(publisher, "spBv1.0/STATE/Scada1", """{"online":true,"timestamp":1700000000000}"""u8.ToArray());
        }

        Assert.Equal(0, await monitor.WaitForExitAsync(Wait));
        var lines = monitor.Output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(3, lines.Count);
        Assert.Equal("NBIRTH", lines[0].GetProperty("type").GetString());
        Assert.Equal(group, lines[0].GetProperty("group").GetString());
        Assert.Equal("bdSeq", lines[0].GetProperty("metrics")[0].GetProperty("name").GetString());
        Assert.Equal(0UL, lines[0].GetProperty("bdSeq").GetUInt64());
        Assert.Equal("undecodable", lines[1].GetProperty("kind").GetString());
        Assert.Equal(Convert.ToHexString("not protobuf"u8), lines[1].GetProperty("payloadHex").GetString());
        Assert.Equal("STATE", lines[2].GetProperty("type").GetString());
        Assert.True(lines[2].GetProperty("state").GetProperty("online").GetBoolean());
    }

    [Fact]
    public async Task Monitor_TlsWithCaFileAndCredentials_Connects()
    {
        var group = NewGroup();
        await using var monitor = EdgeNodeCli.Start(["monitor", "--url", Broker.TlsUrl, "--ca-file", Broker.Certificates.CaFile,
            "--group", group, "--count", "1"]);
        await monitor.WaitForLineAsync("monitoring", Wait);
        await using var authMonitor = EdgeNodeCli.Start(["monitor", "--url", Broker.AuthUrl, "--username", MonitorBrokerFixture.User,
            "--password", MonitorBrokerFixture.Password, "--group", group, "--count", "1"]);
        await authMonitor.WaitForLineAsync("monitoring", Wait);

        await using (var publisher = await PublisherAsync())
        {
            await PublishAsync(publisher, $"spBv1.0/{group}/NDEATH/Gateway01", TahuCodec.Encode("""{"metrics":[{"name":"bdSeq","type":"Int64","value":"4"}]}"""));
        }

        Assert.Equal(0, await monitor.WaitForExitAsync(Wait));
        Assert.Equal(0, await authMonitor.WaitForExitAsync(Wait));
        Assert.Contains($"NDEATH  {group}/Gateway01  bdSeq=4", monitor.Output, StringComparison.Ordinal);
        Assert.Contains($"NDEATH  {group}/Gateway01  bdSeq=4", authMonitor.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Monitor_WrongPassword_ExitsOneNamingTheRefusal()
    {
        var (code, output) = await EdgeNodeCli.RunToExitAsync("monitor", "--url", Broker.AuthUrl, "--username", MonitorBrokerFixture.User,
            "--password", "wrong", "--count", "1");

        Assert.Equal(1, code);
        Assert.Contains("refused", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--url", "http://127.0.0.1:1883", "unknown scheme")]
    [InlineData("--group", "a/b", "--group")]
    [InlineData("--count", "0", "--count")]
    public async Task Monitor_BadOption_ExitsTwoNamingIt(string option, string value, string expected)
    {
        string[] args = option == "--url" ? ["monitor", option, value] : ["monitor", "--url", Broker.Url, option, value];
        var (code, output) = await EdgeNodeCli.RunToExitAsync(args);

        Assert.Equal(2, code);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}  ")]
    private static partial Regex HeaderPattern();
}
