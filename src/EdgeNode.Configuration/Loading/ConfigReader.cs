using EdgeNode.Configuration.Yaml;

namespace EdgeNode.Configuration.Loading;

/// <summary>
/// One load of a configuration file: walks the YAML tree section by section, reports every problem it meets and keeps
/// going, and builds the resolved <see cref="EdgeNodeConfig"/> only when nothing was wrong.
/// </summary>
internal sealed partial class ConfigReader
{
    internal static readonly string[] RootKeys = ["node", "mqtt", "storeForward", "types", "include", "devices", "web"];
    internal static readonly string[] NodeKeys =
        ["groupId", "edgeNodeId", "primaryHostId", "legacyState", "scanMs", "deadAfterFailedScans", "aliases", "templates", "uint32Encoding", "maxCommandMetrics"];
    internal static readonly string[] MqttKeys =
        ["servers", "clientId", "username", "password", "keepAliveSeconds", "tls", "protocolVersion", "reconnectMaxMs", "connectTimeoutMs",
            "allowPlaintextFallback"];
    internal static readonly string[] TlsKeys = ["caFile", "certFile", "keyFile", "serverName"];
    internal static readonly string[] StoreForwardKeys = ["enabled", "path", "maxMegabytes", "commitIntervalMs"];

    internal const int MinScanMs = 10;
    internal const int MaxMs = 86_400_000;

    private static readonly Words<UInt32EncodingSetting> UInt32Encodings =
        new(("intValue", UInt32EncodingSetting.IntValue), ("longValue", UInt32EncodingSetting.LongValue));

    private readonly ErrorSink _sink = new();
    private readonly ConfigFile _main;

    private ConfigReader(string displayPath, string fullPath)
    {
        _main = new ConfigFile(displayPath, fullPath, _sink);
    }

    public static ConfigLoadResult Load(string path)
    {
        var full = Path.GetFullPath(path);
        var reader = new ConfigReader(path, full);
        var config = reader.Read();
        var errors = reader._sink.Sorted();
        return new ConfigLoadResult(errors.Count == 0 ? config : null, errors);
    }

    private EdgeNodeConfig? Read()
    {
        var root = _mainText is null ? ParseFile(_main) : ParseText(_main, _mainText);
        if (root is null)
        {
            return null;
        }

        var map = OpenRoot(_main, root);
        if (map is null)
        {
            return null;
        }

        var node = ReadNode(map);
        var mqtt = ReadMqtt(map, node);
        var storeForward = ReadStoreForward(map);
        _typesUncertain = map.AnyMisspelled("types", "include");
        ReadTypes(_main, map);
        ReadIncludes(map);
        var devices = ReadDevices(map);
        var web = ReadWeb(map);

        if (_sink.Count > 0 || node is null || mqtt is null)
        {
            return null;
        }

        return new EdgeNodeConfig
        {
            SourcePath = _main.FullPath,
            Node = node,
            Mqtt = mqtt,
            StoreForward = storeForward ?? new StoreForwardSection(),
            Types = _types.Select(t => t.Config).ToList(),
            Devices = devices,
            Web = web,
        };
    }

    /// <summary>
    /// Reads and parses one file; null (with the error reported) when it cannot be read or is not YAML. The limits of
    /// <see cref="ConfigSource"/> and <see cref="YamlTreeReader"/> apply (regular files, size, nesting).
    /// </summary>
    private static YNode? ParseFile(ConfigFile file)
    {
        if (ConfigSource.TryRead(file.FullPath, out var text) is { } unreadable)
        {
            file.Error(new YPos(1, 1), "", unreadable);
            return null;
        }

        file.Bytes = text.Length;
        var problems = new List<YamlTreeReader.Problem>();
        var root = YamlTreeReader.Read(text, problems);
        foreach (var problem in problems)
        {
            file.Error(problem.Position, "", problem.Message);
        }

        if (problems.Count > 0)
        {
            return null;
        }

        if (root is null)
        {
            file.Error(new YPos(1, 1), "", "the file is empty");
        }

        return root;
    }

    /// <summary>
    /// The top level of a file as a mapping. Anything else is reported without its content: a file named by mistake
    /// (<c>--config /etc/shadow</c>, <c>include: /etc/passwd</c>) is usually one long scalar to YAML, and printing it
    /// would publish the file.
    /// </summary>
    private static MapView? OpenRoot(ConfigFile file, YNode root)
    {
        if (root is YMap)
        {
            return MapView.Open(file, root, "", RootKeys);
        }

        file.Error(root, "", $"this is not a configuration file: its top level is {(root is YSeq ? "a list" : "a single value")}, " +
            "not a mapping of keys such as node:, mqtt: and devices: (or types: in an included file)");
        return null;
    }

    private NodeSection? ReadNode(MapView root)
    {
        var node = root.Sub("node", NodeKeys, required: true);
        if (node is null)
        {
            return null;
        }

        var groupId = SparkplugIdentifier(node, "groupId", required: true);
        var edgeNodeId = SparkplugIdentifier(node, "edgeNodeId", required: true);
        var primaryHostId = SparkplugIdentifier(node, "primaryHostId", required: false);
        var legacyState = node.Bool("legacyState");
        var scanMs = node.Int("scanMs", MinScanMs, MaxMs);
        var deadAfter = node.Int("deadAfterFailedScans", 1, NodeSection.MaxDeadAfterFailedScans);
        var aliases = node.Bool("aliases");
        var templates = node.Bool("templates");
        var encoding = node.Word("uint32Encoding", "encoding", UInt32Encodings);
        var maxCommandMetrics = node.Int("maxCommandMetrics", 1, 1_000_000);
        if (groupId is null || edgeNodeId is null)
        {
            return null;
        }

        return new NodeSection
        {
            GroupId = groupId,
            EdgeNodeId = edgeNodeId,
            PrimaryHostId = primaryHostId,
            LegacyState = legacyState ?? false,
            ScanMs = scanMs ?? 1000,
            DeadAfterFailedScans = deadAfter ?? NodeSection.DefaultDeadAfterFailedScans,
            Aliases = aliases ?? true,
            Templates = templates ?? true,
            UInt32Encoding = encoding ?? UInt32EncodingSetting.IntValue,
            MaxCommandMetrics = maxCommandMetrics ?? NodeSection.DefaultMaxCommandMetrics,
        };
    }

    /// <summary>A Sparkplug id: one MQTT topic level (no '/', '+', '#'; not empty).</summary>
    private static string? SparkplugIdentifier(MapView map, string key, bool required)
    {
        var node = required ? map.Required(key) : map.Value(key);
        if (node is null || !map.File.TryText(node, map.At(key), out var value))
        {
            return null;
        }

        if (!SparkplugIdRules.IsValid(value, out var reason))
        {
            map.File.Error(node, map.At(key), $"'{value}' {reason}; a Sparkplug id is one MQTT topic level");
            return null;
        }

        return value;
    }

    private MqttSection? ReadMqtt(MapView root, NodeSection? node)
    {
        var mqtt = root.Sub("mqtt", MqttKeys, required: true);
        if (mqtt is null)
        {
            return null;
        }

        var servers = new List<string>();
        var anyTls = false;
        var allParsed = true;
        (YNode Node, string At, string Url)? firstPlain = null;
        if (mqtt.List("servers", required: true) is { } list)
        {
            if (list.Items.Count == 0)
            {
                mqtt.File.Error(list, mqtt.At("servers"), "at least one server URL is needed (mqtt://host:1883)");
            }

            for (var i = 0; i < list.Items.Count; i++)
            {
                var at = $"{mqtt.At("servers")}[{i}]";
                if (!mqtt.File.TryText(list.Items[i], at, out var url))
                {
                    allParsed = false;
                    continue;
                }

                if (Credentials.HasUserInfo(url))
                {
                    // Our own words: the parser's would repeat the URL, password included.
                    mqtt.File.Error(list.Items[i], at,
                        $"server URL '{Credentials.RedactUrl(url.Trim())}': credentials in the URL are not supported; set username and password instead");
                    allParsed = false;
                }
                else if (MqttServerUrl.TryParse(url, out var endpoint, out var error))
                {
                    servers.Add(url.Trim());
                    anyTls |= endpoint.UseTls;
                    if (!endpoint.UseTls)
                    {
                        firstPlain ??= (list.Items[i], at, url.Trim());
                    }
                }
                else
                {
                    mqtt.File.Error(list.Items[i], at, error);
                    allParsed = false;
                }
            }
        }

        var clientId = mqtt.Name("clientId");
        var username = mqtt.Text("username");
        var password = mqtt.Text("password");
        var keepAlive = mqtt.Int("keepAliveSeconds", 0, 65535);
        var protocol = ReadProtocolVersion(mqtt);
        if (password is not null && username is null && protocol != MqttProtocolSetting.V500 && mqtt.Node("password") is { } pw &&
            !mqtt.AnyMisspelled("username", "protocolVersion"))
        {
            mqtt.File.Error(pw, mqtt.At("password"), "MQTT 3.1.1 sends a password only with a username; set username (or protocolVersion: \"5.0\")");
        }

        var tls = ReadTls(mqtt);
        var allowPlaintext = mqtt.Bool("allowPlaintextFallback");
        CheckTransportSecurity(mqtt, servers.Count > 0 && allParsed, anyTls, firstPlain, username is not null || password is not null,
            allowPlaintext ?? false);
        var reconnectMax = mqtt.Int("reconnectMaxMs", 100, 3_600_000);
        var connectTimeout = mqtt.Int("connectTimeoutMs", 100, 600_000);
        if (node is null || servers.Count == 0)
        {
            return null;
        }

        return new MqttSection
        {
            Servers = servers,
            ClientId = clientId ?? $"{node.GroupId}-{node.EdgeNodeId}",
            Username = username,
            Password = password,
            KeepAliveSeconds = keepAlive ?? 30,
            Tls = tls,
            ProtocolVersion = protocol ?? MqttProtocolSetting.V311,
            ReconnectMaxMs = reconnectMax ?? 5000,
            ConnectTimeoutMs = connectTimeout ?? 10_000,
            AllowPlaintextFallback = allowPlaintext ?? false,
        };
    }

    /// <summary>
    /// Credentials never travel in clear by accident: with a username or password, a list that mixes mqtts:// and
    /// mqtt:// servers would send them in clear to the plain one whenever the TLS ones are down (only with
    /// <c>allowPlaintextFallback: true</c>, a deliberate choice). A <c>tls:</c> block with no mqtts:// server is a
    /// configuration that believes it is encrypted and is not.
    /// </summary>
    private static void CheckTransportSecurity(MapView mqtt, bool judged, bool anyTls, (YNode Node, string At, string Url)? firstPlain,
        bool credentials, bool allowPlaintext)
    {
        if (!judged || mqtt.AnyMisspelled("servers", "tls", "username", "password", "allowPlaintextFallback"))
        {
            return;
        }

        if (anyTls && firstPlain is { } plain && credentials && !allowPlaintext)
        {
            mqtt.File.Error(plain.Node, plain.At,
                $"'{plain.Url}' is plain MQTT beside mqtts:// servers: when the TLS servers are down the node would send " +
                "the username and password in clear; use mqtts:// for every server, or set mqtt.allowPlaintextFallback: true to accept that");
        }
    }

    private static MqttProtocolSetting? ReadProtocolVersion(MapView mqtt)
    {
        var node = mqtt.Value("protocolVersion");
        if (node is null || !mqtt.File.TryText(node, mqtt.At("protocolVersion"), out var text))
        {
            return null;
        }

        switch (text.Trim())
        {
            case "3.1.1" or "311" or "4":
                return MqttProtocolSetting.V311;
            case "5.0" or "5":
                return MqttProtocolSetting.V500;
            default:
                mqtt.File.Error(node, mqtt.At("protocolVersion"), $"unknown protocol version '{text}' (expected \"3.1.1\" or \"5.0\")");
                return null;
        }
    }

    private static TlsSection? ReadTls(MapView mqtt)
    {
        var tls = mqtt.Sub("tls", TlsKeys);
        if (tls is null)
        {
            return null;
        }

        var ca = ReadableFile(tls, "caFile");
        var cert = ReadableFile(tls, "certFile");
        var key = ReadableFile(tls, "keyFile");
        var serverName = tls.Name("serverName");
        if (tls.Value("keyFile") is not null && tls.Value("certFile") is null && !tls.WasMisspelled("certFile"))
        {
            tls.File.Error(tls.Node("keyFile")!, tls.At("keyFile"), "keyFile needs certFile (the client certificate it belongs to)");
        }

        return new TlsSection { CaFile = ca, CertFile = cert, KeyFile = key, ServerName = serverName };
    }

    /// <summary>A file that exists and can be read now; relative paths are resolved against the configuration's folder.</summary>
    private static string? ReadableFile(MapView map, string key)
    {
        var value = map.Name(key);
        if (value is null)
        {
            return null;
        }

        var node = map.Node(key)!;
        var full = map.File.Resolve(value);
        try
        {
            if (Directory.Exists(full))
            {
                map.File.Error(node, map.At(key), $"'{full}' is a directory, not a file");
                return null;
            }

            using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return full;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            map.File.Error(node, map.At(key), $"file '{full}' not found");
        }
        catch (UnauthorizedAccessException)
        {
            map.File.Error(node, map.At(key), $"file '{full}' is not readable (permission denied)");
        }
        catch (IOException ex)
        {
            map.File.Error(node, map.At(key), $"file '{full}' cannot be read: {ex.Message}");
        }

        return null;
    }

    private static StoreForwardSection? ReadStoreForward(MapView root)
    {
        var section = root.Sub("storeForward", StoreForwardKeys);
        if (section is null)
        {
            return null;
        }

        var enabled = section.Bool("enabled");
        var path = section.Name("path");
        string? full = null;
        if (path is not null)
        {
            full = section.File.Resolve(path);
            if (Directory.Exists(full))
            {
                section.File.Error(section.Node("path")!, section.At("path"), $"'{full}' is a directory; name the store file, e.g. {Path.Combine(path, "store.db")}");
            }
        }

        var maxMegabytes = section.Int("maxMegabytes", 1, 1_048_576);
        var commit = section.Int("commitIntervalMs", MinScanMs, 60_000);
        return new StoreForwardSection
        {
            Enabled = enabled ?? true,
            Path = full,
            MaxMegabytes = maxMegabytes ?? 256,
            CommitIntervalMs = commit ?? 1000,
        };
    }
}
