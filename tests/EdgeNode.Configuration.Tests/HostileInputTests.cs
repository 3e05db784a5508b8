using EdgeNode.Configuration.Loading;
using EdgeNode.Configuration.Yaml;

namespace EdgeNode.Configuration.Tests;

/// <summary>
/// Issue 17 items 6 and 8 at the loader: nesting, size and file-type limits, integers that would wrap, file contents
/// and passwords kept out of messages, credentials that would travel in clear.
/// </summary>
public class HostileInputTests
{
    private const string Header = "node: { groupId: G, edgeNodeId: E }\n";

    [Fact]
    public void Load_FortyThousandNestedLists_OneErrorNoStackOverflow()
    {
        var text = "x: " + new string('[', 40_000) + new string(']', 40_000) + "\n";

        var error = Assert.Single(TempConfig.LoadText(text).Errors);

        Assert.Equal(1, error.Line);
        Assert.Contains("nested more than 64 levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NestingAtTheLimit_IsRead()
    {
        var problems = new List<YamlTreeReader.Problem>();
        var root = YamlTreeReader.Read(new string('[', YamlTreeReader.MaxDepth) + new string(']', YamlTreeReader.MaxDepth), problems);

        Assert.Empty(problems);
        Assert.IsType<YSeq>(root);
    }

    [Fact]
    public void Read_TextOverTheLimit_RefusedBeforeParsing()
    {
        var problems = new List<YamlTreeReader.Problem>();

        Assert.Null(YamlTreeReader.Read(new string('#', ConfigSource.MaxFileBytes + 1), problems));
        Assert.Contains("4 MiB", Assert.Single(problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DevZero_NotARegularFile()
    {
        var error = Assert.Single(EdgeNodeConfigLoader.Load("/dev/zero").Errors);

        Assert.Equal("/dev/zero:1:1: is not a regular file (a device, pipe or socket); a configuration must be a file", error.ToString());
    }

    [Fact]
    public void Load_FileOverTheLimit_ErrorNamesSizeAndLimit()
    {
        using var temp = new TempConfig();
        var path = temp.Write("big.yaml", Header + new string('#', ConfigSource.MaxFileBytes));

        var error = Assert.Single(EdgeNodeConfigLoader.Load(path).Errors);

        Assert.Matches(@"^the file is \d+ bytes, over the 4 MiB limit of a configuration file$", error.Message);
    }

    [Fact]
    public void Load_IncludeOfANonYamlFile_NotReadAndNotQuoted()
    {
        using var temp = new TempConfig();
        temp.Write("secret.txt", "password: hunter2-secret\n");

        var result = temp.Load(Header + "mqtt: { servers: [mqtt://h:1883] }\ninclude: secret.txt\n");

        var error = Assert.Single(result.Errors);
        Assert.Contains("is not a .yaml or .yml file", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_IncludedFileThatIsOneLongScalar_ContentNotEchoed()
    {
        using var temp = new TempConfig();
        temp.Write("types/passwd.yaml", "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n");

        var result = temp.Load(Header + "mqtt: { servers: [mqtt://h:1883] }\ninclude: types/\n");

        var error = Assert.Single(result.Errors);
        Assert.Contains("is not a configuration file", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("root:x", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_LongValueInAMessage_CutAndControlCharactersEscaped()
    {
        var result = TempConfig.LoadText(Header + "mqtt: { servers: [mqtt://h:1883], keepAliveSeconds: \"\\e[2J" + new string('x', 500) + "\" }\n");

        var error = Assert.Single(result.Errors);
        Assert.Contains("\\x1B[2Jxxx", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', error.Message);
        Assert.True(error.Message.Length < 200, error.Message);
    }

    [Fact]
    public void Load_UnknownLongKey_ReportedCut()
    {
        var key = new string('k', 1_000);

        var error = Assert.Single(TempConfig.LoadText(Header + "mqtt: { servers: [mqtt://h:1883] }\n" + key + ": 1\n").Errors);

        Assert.StartsWith("unknown key 'kkkk", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 400, error.Message);
    }

    [Theory]
    [InlineData("340282366920938463463374607431768211958")] // 2^128 + 502
    [InlineData("170141183460469231731687303715884105729")] // 2^127 + 1
    [InlineData("0x100000000000000000000000000000001F6")]
    [InlineData("-340282366920938463463374607431768211958")]
    [InlineData("99999999999999999999999999999999999999999999999999999999999999")]
    public void Load_IntegerBeyondInt128_OutOfRangeNamingTheKey(string value)
    {
        var result = TempConfig.LoadText(Header + $"mqtt: {{ servers: [mqtt://h:1883], keepAliveSeconds: {value} }}\n");

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("mqtt.keepAliveSeconds: ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(" is outside 0..65535", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("170141183460469231731687303715884105727", "Ok")] // Int128.MaxValue
    [InlineData("170141183460469231731687303715884105728", "Overflow")]
    [InlineData("0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "Ok")]
    [InlineData("0x80000000000000000000000000000000", "Overflow")]
    [InlineData("0b" + "1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111", "Ok")]
    [InlineData("99999999999999999999999999999999999999999x", "NotAnInteger")]
    [InlineData("502", "Ok")]
    public void ParseInteger_CheckedArithmetic(string text, string expected) =>
        Assert.Equal(expected, Numbers.ParseInteger(text, out _).ToString());

    [Fact]
    public void Load_TlsAndPlainServersWithPassword_ErrorAtThePlainServer()
    {
        var result = TempConfig.LoadText(Header + """
            mqtt:
              servers: [mqtts://a:8883, mqtt://b:1883]
              username: u
              password: p
            """);

        ConfigAssert.Single(result, 3, 29, "mqtt.servers[1]", "in clear", "allowPlaintextFallback");
    }

    [Fact]
    public void Load_TlsAndPlainServersWithOptIn_Valid()
    {
        var config = ConfigAssert.Valid(TempConfig.LoadText(Header + """
            mqtt:
              servers: [mqtts://a:8883, mqtt://b:1883]
              username: u
              password: p
              allowPlaintextFallback: true
            """));

        Assert.True(config.Mqtt.AllowPlaintextFallback);
    }

    [Fact]
    public void Load_TlsAndPlainServersWithoutCredentials_Valid() =>
        ConfigAssert.Valid(TempConfig.LoadText(Header + "mqtt: { servers: [mqtts://a:8883, mqtt://b:1883] }\n"));

    [Fact]
    public void Load_TlsBlockWithOnlyPlainServers_ValidButMarkedUnused()
    {
        // The contract's own example pairs tls: with mqtt://127.0.0.1:1883, so it stays valid; run warns.
        var config = ConfigAssert.Valid(TempConfig.LoadText(Header + """
            mqtt:
              servers: [mqtt://a:1883]
              tls: { serverName: broker }
            """));

        Assert.True(config.Mqtt.TlsUnused);
    }

    [Fact]
    public void Load_TlsBlockWithATlsServer_NotMarkedUnused() =>
        Assert.False(ConfigAssert.Valid(TempConfig.LoadText(Header + "mqtt: { servers: [mqtts://a:8883], tls: { serverName: b } }\n")).Mqtt.TlsUnused);

    [Theory]
    [InlineData("mqtts://user:secret@host:8883", "mqtts://***@host:8883")]
    [InlineData("mqtt://user:se/cr@et@host", "mqtt://***@host")]
    [InlineData("user:secret@host:1883", "***@host:1883")]
    [InlineData("mqtt://host:1883", "mqtt://host:1883")]
    public void RedactUrl_UserInformationMasked(string url, string expected) =>
        Assert.Equal(expected, Credentials.RedactUrl(url));

    [Theory]
    [InlineData("mqtts://user:secret@host:8883")]
    [InlineData("mqts://user:secret@host:8883")] // unknown scheme: the parser's message would quote the URL
    [InlineData("mqtt://user:secret@host/path")]
    public void Load_CredentialsInServerUrl_RefusedWithoutThePassword(string url)
    {
        var error = Assert.Single(TempConfig.LoadText(Header + $"mqtt: {{ servers: [\"{url}\"] }}\n").Errors);

        Assert.Contains("credentials in the URL are not supported", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MqttSection_ToString_MasksThePassword()
    {
        var config = ConfigAssert.Valid(TempConfig.LoadText(Header + "mqtt: { servers: [mqtt://h:1883], username: u, password: hunter2 }\n"));

        Assert.DoesNotContain("hunter2", config.Mqtt.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", config.ToString(), StringComparison.Ordinal);
        Assert.Contains("Password = ***", config.Mqtt.ToString(), StringComparison.Ordinal);
        Assert.Contains("Username = u", config.Mqtt.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BillionLaughsThroughAliases_RefusedBeforeTheReaderWalksThem()
    {
        // Ten lists of ten aliases of the previous one: 10^9 devices to a reader that follows every alias.
        var text = new System.Text.StringBuilder(Header + "mqtt: { servers: [mqtt://h:1883] }\n");
        text.Append("l0: &l0 [{ id: D, modbus: { tcp: { host: h } }, metrics: [{ name: A, table: holding, address: 0, type: uint16 }] }]\n");
        for (var i = 1; i <= 9; i++)
        {
            text.Append($"l{i}: &l{i} [").Append(string.Join(", ", Enumerable.Repeat($"*l{i - 1}", 10))).Append("]\n");
        }

        text.Append("devices: *l9\n");

        var errors = TempConfig.LoadText(text.ToString()).Errors;

        var error = Assert.Single(errors);
        Assert.Contains("aliases expanded", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AliasesWithinTheBudget_StillWork() =>
        ConfigAssert.Valid(TempConfig.LoadText(Header + """
            mqtt: { servers: [mqtt://h:1883] }
            devices:
              - &d { id: A, modbus: { tcp: { host: h } }, metrics: &m [{ name: X, table: holding, address: 0, type: uint16 }] }
              - { <<: *d, id: B }
              - { id: C, modbus: { tcp: { host: h } }, metrics: *m }
            """));
}
