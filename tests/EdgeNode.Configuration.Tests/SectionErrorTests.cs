namespace EdgeNode.Configuration.Tests;

/// <summary>Errors of the node, mqtt, storeForward and device sections and of the file itself, each at its line:column.</summary>
public class SectionErrorTests
{
    [Fact]
    public void MissingFile_IsOneErrorAtTheStart()
    {
        var path = Path.Combine(Path.GetTempPath(), "edgenode-missing-" + Guid.NewGuid().ToString("N") + ".yaml");
        var result = EdgeNodeConfigLoader.Load(path);

        var error = ConfigAssert.Single(result, 1, 1, "file not found");
        Assert.Equal(path, error.File);
    }

    [Fact]
    public void EmptyFile_IsAnError() =>
        ConfigAssert.Single(TempConfig.LoadText("# nothing yet\n"), 1, 1, "the file is empty");

    [Fact]
    public void SyntaxError_CarriesYamlDotNetsPosition()
    {
        var result = TempConfig.LoadText("""
            node:
              groupId: G
              edgeNodeId: "E
            mqtt: {}
            """);

        var error = Assert.Single(result.Errors);
        Assert.Equal(3, error.Line);
        Assert.Contains("YAML syntax error", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadIndentation_IsASyntaxErrorAtItsLine()
    {
        var result = TempConfig.LoadText("""
            node:
              groupId: G
             edgeNodeId: E
            """);

        var error = Assert.Single(result.Errors);
        Assert.Equal(3, error.Line);
        Assert.StartsWith("YAML syntax error: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TabIndentation_PointsAtTheTab() =>
        ConfigAssert.Single(TempConfig.LoadText("node:\n  groupId: G\n\tedgeNodeId: E\n"), 3, 1, "a tab in the indentation");

    [Fact]
    public void UnclosedFlowList_IsASyntaxError()
    {
        var error = Assert.Single(TempConfig.LoadText("node:\n  groupId: [a\nmqtt: x\n").Errors);
        Assert.Contains("YAML syntax error", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SecondDocument_IsAnError() =>
        ConfigAssert.Has(TempConfig.LoadText("node: { groupId: G, edgeNodeId: E }\nmqtt: { servers: [ \"mqtt://b\" ] }\n---\nnode: {}\n"), 3, 1,
            "only one YAML document per file");

    [Fact]
    public void RootMustBeAMapping() =>
        ConfigAssert.Single(TempConfig.LoadText("- node\n- mqtt\n"), 1, 1, "its top level is a list, not a mapping of keys");

    [Fact]
    public void MissingSections_AreReportedAtTheRoot()
    {
        var result = TempConfig.LoadText("devices: []\n");

        Assert.Equal(["1:1: missing required key 'node'", "1:1: missing required key 'mqtt'"],
            result.Errors.Select(e => $"{e.Line}:{e.Column}: {e.Message}"));
    }

    [Fact]
    public void DuplicateKey_PointsAtTheSecond() =>
        ConfigAssert.Single(TempConfig.LoadText("""
            node:
              groupId: G
              edgeNodeId: E
              groupId: H
            mqtt: { servers: [ "mqtt://b" ] }
            """), 4, 3, "node: duplicate key 'groupId' (first at line 2)");

    [Fact]
    public void UnknownRootKey_SuggestsTheSection() =>
        ConfigAssert.Single(TempConfig.LoadText("""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://b" ] }
            storeFoward: { maxMegabytes: 2 }
            """), 3, 1, "unknown key 'storeFoward' (did you mean 'storeForward'?)");

    [Theory]
    [InlineData("groupId", "Wind/Farm", "node.groupId: 'Wind/Farm' contains '/' at position 5 (the MQTT topic level separator)")]
    [InlineData("groupId", "Wind+", "node.groupId: 'Wind+' contains '+' at position 5 (the MQTT single-level wildcard)")]
    [InlineData("edgeNodeId", "Gate#1", "node.edgeNodeId: 'Gate#1' contains '#' at position 5 (the MQTT multi-level wildcard)")]
    [InlineData("primaryHostId", "", "node.primaryHostId: '' is empty")]
    public void SparkplugIds_AreOneTopicLevel(string key, string value, string message)
    {
        var node = new Dictionary<string, string> { ["groupId"] = "G", ["edgeNodeId"] = "E", [key] = value };
        var result = TempConfig.LoadText($"""
            node:
              groupId: "{node["groupId"]}"
              edgeNodeId: "{node["edgeNodeId"]}"
            {(key == "primaryHostId" ? $"  primaryHostId: \"{value}\"\n" : "")}mqtt: {"{"} servers: [ "mqtt://b" ] {"}"}
            """);

        var line = key switch { "groupId" => 2, "edgeNodeId" => 3, _ => 4 };
        ConfigAssert.Single(result, line, key.Length + 5, message);
    }

    [Fact]
    public void MissingIds_AreReportedAtTheNodeSection() =>
        ConfigAssert.Single(TempConfig.LoadText("""
            node:
              groupId: G
            mqtt: { servers: [ "mqtt://b" ] }
            """), 2, 3, "node: missing required key 'edgeNodeId'");

    [Theory]
    [InlineData("scanMs: 5", "node.scanMs: 5 is outside 10..86400000")]
    [InlineData("uint32Encoding: int", "node.uint32Encoding: unknown encoding 'int' (expected intValue, longValue)")]
    [InlineData("aliases: 1", "node.aliases: expected true or false, got '1'")]
    [InlineData("maxCommandMetrics: 0", "node.maxCommandMetrics: 0 is outside 1..1000000")]
    public void NodeSettings_AreChecked(string line, string message) =>
        ConfigAssert.Single(TempConfig.LoadText($"""
            node:
              groupId: G
              edgeNodeId: E
              {line}
            mqtt: {"{"} servers: [ "mqtt://b" ] {"}"}
            """), 4, line.IndexOf(':') + 5, message);

    [Fact]
    public void MissingServers_AreReportedAtTheMqttSection() =>
        ConfigAssert.Single(TempConfig.LoadText("""
            node: { groupId: G, edgeNodeId: E }
            mqtt:
              clientId: x
            """), 3, 3, "mqtt: missing required key 'servers'");

    [Fact]
    public void EmptyServerList_IsAnError() =>
        ConfigAssert.Single(TempConfig.LoadText("""
            node: { groupId: G, edgeNodeId: E }
            mqtt:
              servers: []
            """), 3, 12, "mqtt.servers: at least one server URL is needed");

    [Theory]
    [InlineData("http://broker", "unknown scheme 'http'")]
    [InlineData("broker:1883", "has no scheme")]
    [InlineData("mqtt://", "the host is missing")]
    [InlineData("mqtt://broker:99999", "port '99999' is not a number from 1 to 65535")]
    [InlineData("mqtt://broker:1883/path", "a path, query or fragment is not allowed")]
    [InlineData("ws://broker", "WebSocket is not supported")]
    public void ServerUrls_AreParsed(string url, string message) =>
        ConfigAssert.Single(TempConfig.LoadText($"""
            node: {"{"} groupId: G, edgeNodeId: E {"}"}
            mqtt:
              servers:
                - mqtt://good:1883
                - "{url}"
            """), 5, 7, "mqtt.servers[1]: ", message);

    [Theory]
    [InlineData("keepAliveSeconds: 65536", "mqtt.keepAliveSeconds: 65536 is outside 0..65535")]
    [InlineData("keepAliveSeconds: -1", "mqtt.keepAliveSeconds: -1 is outside 0..65535")]
    [InlineData("protocolVersion: \"3.1\"", "mqtt.protocolVersion: unknown protocol version '3.1' (expected \"3.1.1\" or \"5.0\")")]
    [InlineData("reconnectMaxMs: 50", "mqtt.reconnectMaxMs: 50 is outside 100..3600000")]
    [InlineData("connectTimeoutMs: 0", "mqtt.connectTimeoutMs: 0 is outside 100..600000")]
    [InlineData("clientId: \"\"", "mqtt.clientId: must not be empty")]
    public void MqttSettings_AreChecked(string line, string message) =>
        ConfigAssert.Single(TempConfig.LoadText($"""
            node: {"{"} groupId: G, edgeNodeId: E {"}"}
            mqtt:
              servers: [ "mqtt://b" ]
              {line}
            """), 4, line.IndexOf(':') + 5, message);

    [Fact]
    public void PasswordWithoutUsername_IsRefusedOnMqtt311() =>
        ConfigAssert.Single(TempConfig.LoadText("""
            node: { groupId: G, edgeNodeId: E }
            mqtt:
              servers: [ "mqtt://b" ]
              password: secret
            """), 4, 13, "mqtt.password: MQTT 3.1.1 sends a password only with a username");

    [Fact]
    public void TlsFiles_MustExist_RelativeToTheConfigFolder()
    {
        using var temp = new TempConfig();
        temp.Write("certs/ca.pem", "x");
        var result = temp.Load("""
            node: { groupId: G, edgeNodeId: E }
            mqtt:
              servers: [ "mqtts://b" ]
              tls:
                caFile: certs/ca.pem
                certFile: certs/missing.pem
                keyFile: certs
            """);

        Assert.Equal(2, result.Errors.Count);
        ConfigAssert.Has(result, 6, 15, "mqtt.tls.certFile: file '" + Path.Combine(temp.Dir, "certs", "missing.pem") + "' not found");
        ConfigAssert.Has(result, 7, 14, "mqtt.tls.keyFile: '" + Path.Combine(temp.Dir, "certs") + "' is a directory, not a file");
    }

    [Fact]
    public void TlsKeyFile_NeedsCertFile()
    {
        using var temp = new TempConfig();
        temp.Write("k.pem", "x");
        ConfigAssert.Single(temp.Load("""
            node: { groupId: G, edgeNodeId: E }
            mqtt:
              servers: [ "mqtts://b" ]
              tls: { keyFile: k.pem }
            """), 4, 19, "mqtt.tls.keyFile: keyFile needs certFile");
    }

    [Theory]
    [InlineData("maxMegabytes: 0", "storeForward.maxMegabytes: 0 is outside 1..1048576")]
    [InlineData("commitIntervalMs: 1", "storeForward.commitIntervalMs: 1 is outside 10..60000")]
    [InlineData("enabled: maybe", "storeForward.enabled: expected true or false, got 'maybe'")]
    public void StoreForwardSettings_AreChecked(string line, string message) =>
        ConfigAssert.Single(TempConfig.LoadText($"""
            node: {"{"} groupId: G, edgeNodeId: E {"}"}
            mqtt: {"{"} servers: [ "mqtt://b" ] {"}"}
            storeForward:
              {line}
            """), 4, line.IndexOf(':') + 5, message);

    [Fact]
    public void StorePath_IsResolvedAgainstTheConfigFolder()
    {
        using var temp = new TempConfig();
        var config = ConfigAssert.Valid(temp.Load("""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://b" ] }
            storeForward: { path: ../state/store.db }
            """));

        Assert.Equal(Path.GetFullPath(Path.Combine(temp.Dir, "..", "state", "store.db")), config.StoreForward.Path);
    }

    [Fact]
    public void StorePath_MustNotBeAFolder()
    {
        using var temp = new TempConfig();
        Directory.CreateDirectory(Path.Combine(temp.Dir, "state"));
        ConfigAssert.Single(temp.Load("""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://b" ] }
            storeForward: { path: state }
            """), 3, 23, "storeForward.path: ", "is a directory");
    }
}
