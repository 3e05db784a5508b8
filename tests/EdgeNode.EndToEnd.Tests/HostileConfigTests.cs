using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EdgeNode.EndToEnd.Tests.Infrastructure;
using System.Runtime.Versioning;
using Sp = EdgeNode.Sparkplug;
using EdgeNode.Testing;
using Xunit.Abstractions;

namespace EdgeNode.EndToEnd.Tests;

/// <summary>
/// Issue 17, items 6, 7, 8 and 10: hostile configuration files given to <c>edgenode validate</c> and to a running
/// <c>edgenode run</c>, a hostile NBIRTH shown by <c>edgenode monitor</c> through a real Mosquitto, hostile metric
/// names in the node's own log, and the modes of the files the node creates. Every test drives the built executable.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class HostileConfigTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const string Header = "node: { groupId: G1, edgeNodeId: E1 }\n";

    /// <summary>A temp folder per test, removed at the end.</summary>
    private readonly string _folder = Directory.CreateTempSubdirectory("edgenode-hostile-").FullName;

    private string WriteFile(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private async Task<(int Code, string Output)> ValidateAsync(string path)
    {
        var (code, text) = await EdgeNodeCli.RunToExitAsync("validate", "--config", path);
        Write($"validate {path} → exit {code}:\n{(text.Length > 4000 ? text[..4000] + "…" : text)}");
        return (code, text);
    }

    private static string Deep(int levels) => "x: " + new string('[', levels) + new string(']', levels) + "\n";

    // ---- item 8: configuration loading ----

    [Fact]
    public async Task Validate_FortyThousandNestedLists_ClearErrorInsteadOfStackOverflow()
    {
        var path = WriteFile("deep.yaml", Deep(40_000));

        var (code, text) = await ValidateAsync(path);

        Assert.Equal(2, code);
        Assert.Matches(new Regex($@"^{Regex.Escape(path)}:1:\d+: .*nested more than 64 levels", RegexOptions.Multiline), text);
        Assert.DoesNotContain("Stack overflow", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Run_DeeplyNestedFileWrittenWhileRunning_ReloadRefusedAndNodeKeepsPublishing()
    {
        var broker = await StartBrokerAsync();
        var observer = await ObserveAsync(broker);
        var node = StartNode(Config(broker).ToYaml());
        await WaitNBirthAsync(observer);

        node.WriteConfig(Deep(40_000));
        node.Hangup();
        await node.Process!.WaitForLineAsync("refused", StepTimeout);

        Assert.True(node.IsRunning, node.OutputTail());
        Assert.Contains("nested more than 64 levels", node.Output, StringComparison.Ordinal);
        var from = observer.Count;
        await observer.RequestRebirthAsync(GroupId, EdgeNodeId);
        await WaitNBirthAsync(observer, from, StepTimeout);
        Assert.True(node.IsRunning, node.OutputTail());
    }

    [Fact]
    public async Task Validate_DevZeroAsConfigAndAsIncludedFile_NotARegularFileError()
    {
        var link = Path.Combine(_folder, "types");
        Directory.CreateDirectory(link);
        File.CreateSymbolicLink(Path.Combine(link, "zero.yaml"), "/dev/zero");
        var main = WriteFile("main.yaml", Header + "mqtt: { servers: [mqtt://127.0.0.1:1883] }\ninclude: types/\n");

        var (zeroCode, zeroText) = await ValidateAsync("/dev/zero");
        var (includeCode, includeText) = await ValidateAsync(main);

        Assert.Equal(2, zeroCode);
        Assert.Contains("/dev/zero:1:1: is not a regular file", zeroText, StringComparison.Ordinal);
        Assert.Equal(2, includeCode);
        Assert.Contains("zero.yaml:1:1: is not a regular file", includeText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_FileOverTheSizeLimit_ErrorNamesTheLimit()
    {
        var text = new StringBuilder(Header);
        while (text.Length <= 4 * 1024 * 1024)
        {
            text.Append("# padding padding padding padding padding padding padding padding padding padding\n");
        }

        var path = WriteFile("big.yaml", text.ToString());

        var (code, output) = await ValidateAsync(path);
        File.Delete(path);

        Assert.Equal(2, code);
        Assert.Matches(new Regex($@"^{Regex.Escape(path)}:1:1: the file is \d+ bytes, over the 4 MiB limit", RegexOptions.Multiline), output);
    }

    [Fact]
    public async Task Validate_IncludeOfEtcPasswd_NeverPrintsTheFile()
    {
        File.Copy("/etc/passwd", Path.Combine(_folder, "passwd.yaml"));
        var direct = WriteFile("direct.yaml", Header + "mqtt: { servers: [mqtt://127.0.0.1:1883] }\ninclude: /etc/passwd\n");
        var renamed = WriteFile("renamed.yaml", Header + "mqtt: { servers: [mqtt://127.0.0.1:1883] }\ninclude: passwd.yaml\n");

        var (directCode, directText) = await ValidateAsync(direct);
        var (renamedCode, renamedText) = await ValidateAsync(renamed);
        var (mainCode, mainText) = await ValidateAsync("/etc/passwd");

        Assert.Equal(2, directCode);
        Assert.Contains("include: '/etc/passwd' is not a .yaml or .yml file", directText, StringComparison.Ordinal);
        Assert.Equal(2, renamedCode);
        Assert.Contains("is not a configuration file", renamedText, StringComparison.Ordinal);
        Assert.Equal(2, mainCode);
        foreach (var text in new[] { directText, renamedText, mainText })
        {
            Assert.DoesNotContain("root:x:0", text, StringComparison.Ordinal);
            Assert.DoesNotContain("/bin/bash", text, StringComparison.Ordinal);
            Assert.DoesNotContain("nologin", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Validate_IntegersBeyond128Bits_OutOfRangeNeverWrapped()
    {
        // 2^128 + 502: an Int128 accumulator that wraps reads it as 502, a valid port.
        const string huge = "340282366920938463463374607431768211958";
        var path = WriteFile("port.yaml", Header +
            $"mqtt: {{ servers: [mqtt://127.0.0.1:1883], keepAliveSeconds: {huge} }}\n" +
            "devices:\n" +
            "  - id: D1\n" +
            $"    modbus: {{ tcp: {{ host: 127.0.0.1, port: {huge} }}, unitId: 0x1{new string('0', 32)}1 }}\n" +
            "    metrics: [{ name: X, table: holding, address: 0, type: uint16 }]\n");

        var (code, output) = await ValidateAsync(path);

        Assert.Equal(2, code);
        Assert.Contains($"{path}:2:", output, StringComparison.Ordinal);
        Assert.Matches(new Regex($@"^{Regex.Escape(path)}:2:\d+: mqtt\.keepAliveSeconds: {huge} is outside 0\.\.65535$", RegexOptions.Multiline), output);
        Assert.Matches(new Regex($@"^{Regex.Escape(path)}:5:\d+: devices\[0\]\.modbus\.tcp\.port: {huge} is outside 1\.\.65535$", RegexOptions.Multiline), output);
        Assert.Matches(new Regex($@"^{Regex.Escape(path)}:5:\d+: devices\[0\]\.modbus\.unitId: 0x1\d+ is outside", RegexOptions.Multiline), output);
    }

    // ---- item 6: credentials in clear ----

    [Fact]
    public async Task Validate_TlsAndPlainServersWithCredentials_ErrorUnlessExplicitlyAllowed()
    {
        const string mqtt = "mqtt:\n  servers: [mqtts://a.example:8883, mqtt://b.example:1883]\n  username: edge\n  password: s3cret\n";
        var mixed = WriteFile("mixed.yaml", Header + mqtt);
        var allowed = WriteFile("allowed.yaml", Header + mqtt + "  allowPlaintextFallback: true\n");

        var (mixedCode, mixedText) = await ValidateAsync(mixed);
        var (allowedCode, allowedText) = await ValidateAsync(allowed);

        Assert.Equal(2, mixedCode);
        Assert.Matches(new Regex($@"^{Regex.Escape(mixed)}:3:\d+: mqtt\.servers\[1\]: 'mqtt://b\.example:1883' is plain MQTT .*in clear.*allowPlaintextFallback",
            RegexOptions.Multiline), mixedText);
        Assert.DoesNotContain("s3cret", mixedText, StringComparison.Ordinal);
        Assert.Equal(0, allowedCode);
        Assert.Equal("ok", allowedText.Trim());
    }

    [Fact]
    public async Task Run_TlsBlockWithOnlyPlainServers_WarnsThatNothingIsEncrypted()
    {
        // Valid (the contract's example pairs tls: with an mqtt:// server), so the node says it at start.
        var broker = await StartBrokerAsync();
        var observer = await ObserveAsync(broker);
        var config = Config(broker);
        config.MqttExtras.Add("username: edge");
        config.MqttExtras.Add("password: s3cret");
        config.MqttExtras.Add("tls: { serverName: broker.example }");
        var node = StartNode(config.ToYaml());

        await WaitNBirthAsync(observer);

        Assert.Contains("mqtt.tls is set but every server is mqtt:// (plain)", node.Output, StringComparison.Ordinal);
        Assert.Contains("the username and password travel in clear", node.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_PasswordInServerUrl_RefusedWithThePasswordRedacted()
    {
        var path = WriteFile("url.yaml", Header + "mqtt:\n  servers: [\"mqtts://edge:Hunter2Secret@broker.example:8883\", \"mqtts://x:Pw0rd/9@broker.example/path\"]\n");

        var (code, text) = await ValidateAsync(path);
        var (monitorCode, monitorText) = await EdgeNodeCli.RunToExitAsync("monitor", "--url", "mqtts://edge:Hunter2Secret@broker.example:8883");

        Assert.Equal(2, code);
        Assert.Contains("server URL 'mqtts://***@broker.example:8883': credentials in the URL are not supported", text, StringComparison.Ordinal);
        Assert.Contains("'mqtts://***@broker.example/path'", text, StringComparison.Ordinal);
        Assert.Equal(2, monitorCode);
        Assert.Contains("mqtts://***@broker.example:8883", monitorText, StringComparison.Ordinal);
        foreach (var secret in new[] { "Hunter2Secret", "Pw0rd" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, monitorText, StringComparison.Ordinal);
        }
    }

    // ---- item 7: the monitor ----

    /// <summary>
    /// An NBIRTH as an attacker on the plant network would publish it: a Template definition with 200 parameters, one of
    /// them named with 25,000 characters (the text column once padded every parameter to that width), and metric
    /// names and units carrying terminal escape sequences (set the window title, clear the screen, C1 CSI).
    /// </summary>
    private static byte[] HostileNBirth()
    {
        var definition = Sp.SparkplugTemplate.Definition("1.0");
        definition.Parameters.Add(new Sp.SparkplugTemplateParameter(new string('P', 25_000), Sp.SparkplugValue.FromString("x")));
        for (var i = 0; i < 199; i++)
        {
            definition.Parameters.Add(new Sp.SparkplugTemplateParameter($"p{i}", Sp.SparkplugValue.FromString("\u001b[2Jvalue")));
        }

        definition.Metrics.Add(new Sp.SparkplugMetric("Member\u001b]0;pwned-member\u0007", Sp.SparkplugValue.FromInt32(1)));
        var payload = new Sp.SparkplugPayload { Timestamp = 1_700_000_000_000, Seq = 0 };
        payload.Metrics.Add(new Sp.SparkplugMetric("bdSeq", Sp.SparkplugValue.FromInt64(0)));
        payload.Metrics.Add(new Sp.SparkplugMetric("Evil\u001b]0;pwned-title\u0007\u001b[2J\u009b31m", Sp.SparkplugValue.FromDouble(1.5))
        {
            Properties = Units("k\u001b[5mW"),
        });
        payload.Metrics.Add(new Sp.SparkplugMetric("_types_/Hostile", Sp.SparkplugValue.FromTemplate(definition)));
        return payload.ToByteArray();

        static Sp.SparkplugPropertySet Units(string units)
        {
            var set = new Sp.SparkplugPropertySet();
            set.Add(Sp.SparkplugNames.EngUnit, Sp.SparkplugValue.FromString(units));
            return set;
        }
    }

    [Fact]
    public async Task Monitor_HostileNBirthThroughMosquitto_TextEscapedAndBounded()
    {
        var broker = await StartBrokerAsync();
        var observer = await ObserveAsync(broker);
        await using var monitor = EdgeNodeCli.Start(["monitor", "--url", broker.Url, "--group", GroupId, "--count", "1", "--no-color"]);
        await monitor.WaitForLineAsync("monitoring", StartTimeout);

        await observer.PublishRawAsync(NBirthTopic, HostileNBirth());

        Assert.Equal(0, await monitor.WaitForExitAsync(StartTimeout));
        var text = monitor.Output;
        Assert.DoesNotContain(text, c => c == '\u001b' || c == '\u0007' || c == '\u009b');
        Assert.Contains("Evil\\x1B]0;pwned-title\\x07\\x1B[2J\\x9B31m", text, StringComparison.Ordinal);
        Assert.Contains("k\\x1B[5mW", text, StringComparison.Ordinal);
        Assert.Contains("Member\\x1B]0;pwned-member\\x07", text, StringComparison.Ordinal);
        Assert.Contains("… (25000 chars)", text, StringComparison.Ordinal);
        // 200 parameters padded to a 25,000-character column were 5 MB; capped they are a few lines each.
        Assert.True(text.Length < 100_000, $"the monitor printed {text.Length} characters for one NBIRTH");
        Assert.All(text.Split('\n').Where(l => !l.Contains("… (25000 chars)", StringComparison.Ordinal)), l => Assert.True(l.Length < 600, l));
    }

    [Fact]
    public async Task Monitor_HostileNBirthThroughMosquitto_JsonEscapesControlCharacters()
    {
        var broker = await StartBrokerAsync();
        var observer = await ObserveAsync(broker);
        await using var monitor = EdgeNodeCli.Start(["monitor", "--url", broker.Url, "--group", GroupId, "--count", "1", "--json"]);
        await monitor.WaitForLineAsync("monitoring", StartTimeout);

        await observer.PublishRawAsync(NBirthTopic, HostileNBirth());

        Assert.Equal(0, await monitor.WaitForExitAsync(StartTimeout));
        Assert.DoesNotContain(monitor.Output, c => c == '\u001b' || c == '\u0007' || c == '\u009b' || c == '\u007f');
        var line = monitor.Output.Split('\n').Single(l => l.StartsWith('{'));
        var metrics = JsonDocument.Parse(line).RootElement.GetProperty("metrics");
        // Escaped, not dropped: a script still gets the exact name.
        Assert.Equal("Evil\u001b]0;pwned-title\u0007\u001b[2J\u009b31m", metrics[1].GetProperty("name").GetString());
        Assert.Equal("k\u001b[5mW", metrics[1].GetProperty("units").GetString());
    }

    [Fact]
    public async Task Monitor_PasswordFromFileOrEnvironment_ConnectsWithoutItOnTheCommandLine()
    {
        var broker = await StartBrokerAsync();
        var observer = await ObserveAsync(broker);
        var passwordFile = WriteFile("monitor.pw", "not-checked-by-an-anonymous-broker\n");
        await using var fromFile = EdgeNodeCli.Start(["monitor", "--url", broker.Url, "--group", GroupId, "--count", "1",
            "--username", "tech", "--password-file", passwordFile]);
        await using var fromEnvironment = EdgeNodeCli.Start(["monitor", "--url", broker.Url, "--group", GroupId, "--count", "1",
            "--username", "tech"], new Dictionary<string, string?> { ["EDGENODE_MONITOR_PASSWORD"] = "also-not-checked" });
        await fromFile.WaitForLineAsync("monitoring", StartTimeout);
        await fromEnvironment.WaitForLineAsync("monitoring", StartTimeout);
        var (bothCode, bothText) = await EdgeNodeCli.RunToExitAsync("monitor", "--url", broker.Url, "--username", "tech",
            "--password", "x", "--password-file", passwordFile);
        var (missingCode, missingText) = await EdgeNodeCli.RunToExitAsync("monitor", "--url", broker.Url, "--username", "tech",
            "--password-file", Path.Combine(_folder, "absent.pw"));

        await observer.PublishTextAsync($"spBv1.0/{GroupId}/NDATA/{EdgeNodeId}", "x");

        Assert.Equal(0, await fromFile.WaitForExitAsync(StartTimeout));
        Assert.Equal(0, await fromEnvironment.WaitForExitAsync(StartTimeout));
        Assert.Equal(2, bothCode);
        Assert.Contains("not both", bothText, StringComparison.Ordinal);
        Assert.Equal(2, missingCode);
        Assert.Contains("does not exist", missingText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Monitor_PasswordOnCommandLine_StillWorksWithAWarning()
    {
        var broker = await StartBrokerAsync();
        var observer = await ObserveAsync(broker);
        await using var monitor = EdgeNodeCli.Start(["monitor", "--url", broker.Url, "--group", GroupId, "--count", "1",
            "--username", "tech", "--password", "visible"]);
        await monitor.WaitForLineAsync("monitoring", StartTimeout);

        await observer.PublishTextAsync($"spBv1.0/{GroupId}/NDATA/{EdgeNodeId}", "x");

        Assert.Equal(0, await monitor.WaitForExitAsync(StartTimeout));
        Assert.Contains("warning: --password is visible", monitor.Output, StringComparison.Ordinal);
    }

    // ---- item 10: the node's log and files ----

    [Fact]
    public async Task Run_NcmdWithEscapeSequenceInAMetricName_PlainLogShowsItEscaped()
    {
        var broker = await StartBrokerAsync();
        var observer = await ObserveAsync(broker);
        var node = StartNode(Config(broker).ToYaml());
        await WaitNBirthAsync(observer);

        await observer.PublishAsync(NCmdTopic, new JsonObject
        {
            ["metrics"] = new JsonArray(new JsonObject
            {
                ["name"] = "Hostile\u001b]0;pwned\u0007\u001b[2J",
                ["type"] = "Boolean",
                ["value"] = true,
            }),
        });
        await node.Process!.WaitForLineAsync("pwned", StepTimeout);

        Assert.DoesNotContain('\u001b', node.Output);
        Assert.DoesNotContain('\u0007', node.Output);
        Assert.Contains("Hostile\\x1B]0;pwned\\x07\\x1B[2J", node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WithAPermissiveUmask_StoreAndBdSeqFilesAreOwnerOnly()
    {
        var broker = await StartBrokerAsync();
        var observer = await ObserveAsync(broker);
        // `sh -c 'umask 022; exec dotnet …'`: the umask a login shell gives, not the unit's UMask=0077.
        var node = CreateNode(Config(broker).ToYaml());
        await using var run = ExternalProcess.Start("sh", ["-c", "umask 022 && exec dotnet \"$0\" run --config \"$1\"", EdgeNodeCli.DllPath, node.ConfigPath],
            environment: new Dictionary<string, string?> { ["STATE_DIRECTORY"] = node.StateDirectory });
        await WaitNBirthAsync(observer);

        var files = Directory.GetFiles(node.StateDirectory).Select(f => (Name: Path.GetFileName(f), Mode: File.GetUnixFileMode(f))).ToList();
        Write(string.Join('\n', files.Select(f => $"{f.Name} {Convert.ToString((int)f.Mode, 8)}")));
        Assert.Contains(files, f => f.Name == "bdseq");
        Assert.Contains(files, f => f.Name == "store.db");
        Assert.Contains(files, f => f.Name == "store.db-wal");
        Assert.All(files, f => Assert.True(f.Mode == (UnixFileMode.UserRead | UnixFileMode.UserWrite),
            $"{f.Name} is {Convert.ToString((int)f.Mode, 8)}, expected 600"));
        run.Signal(Signals.SIGTERM);
        Assert.Equal(0, await run.WaitForExitAsync(StepTimeout));
    }
}
