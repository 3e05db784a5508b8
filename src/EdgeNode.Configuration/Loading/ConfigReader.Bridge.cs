using System.Globalization;
using EdgeNode.Configuration.Yaml;

namespace EdgeNode.Configuration.Loading;

/// <summary>The bridge's file: same reader, same conventions (camelCase, unknown keys are errors), its own sections.</summary>
internal sealed partial class ConfigReader
{
    internal static readonly string[] BridgeRootKeys = ["mqtt", "sparkplug", "kafka", "web"];
    internal static readonly string[] BridgeSparkplugKeys = ["groups", "hostId", "rebirthMinIntervalMs"];
    internal static readonly string[] BridgeKafkaKeys = ["bootstrapServers", "topics", "keyBy", "properties", "highWaterRecords", "stallTimeoutMs", "journal"];
    internal static readonly string[] BridgeTopicKeys = ["data", "state"];
    internal static readonly string[] BridgeWebKeys = ["listen"];

    private static readonly Words<BridgeKeyBySetting> KeyByWords =
        new(("node", BridgeKeyBySetting.Node), ("device", BridgeKeyBySetting.Device), ("metric", BridgeKeyBySetting.Metric));

    public static BridgeConfigLoadResult LoadBridge(string path)
    {
        var full = Path.GetFullPath(path);
        var reader = new ConfigReader(path, full);
        var config = reader.ReadBridge();
        var errors = reader._sink.Sorted();
        return new BridgeConfigLoadResult(errors.Count == 0 ? config : null, errors);
    }

    private BridgeConfig? ReadBridge()
    {
        var root = ParseFile(_main);
        if (root is null)
        {
            return null;
        }

        var map = MapView.Open(_main, root, "", BridgeRootKeys);
        if (map is null)
        {
            return null;
        }

        // The node's mqtt reader, with the bridge's default client id (the node's default is built from its ids).
        var mqtt = ReadMqtt(map, new NodeSection { GroupId = "", EdgeNodeId = "" });
        var clientIdGiven = map.Value("mqtt") is YMap m && m.Entries.Any(e => e.Key.Value == "clientId");
        var sparkplug = ReadBridgeSparkplug(map);
        var kafka = ReadBridgeKafka(map);
        var web = ReadBridgeWeb(map);
        if (_sink.Count > 0 || mqtt is null || kafka is null)
        {
            return null;
        }

        return new BridgeConfig
        {
            SourcePath = _main.FullPath,
            Mqtt = clientIdGiven ? mqtt : mqtt with { ClientId = "edgenode-bridge" },
            Sparkplug = sparkplug ?? new BridgeSparkplugSection(),
            Kafka = kafka,
            Web = web,
        };
    }

    private static BridgeSparkplugSection? ReadBridgeSparkplug(MapView root)
    {
        var section = root.Sub("sparkplug", BridgeSparkplugKeys);
        if (section is null)
        {
            return null;
        }

        var groups = new List<string>();
        if (section.List("groups") is { } list)
        {
            for (var i = 0; i < list.Items.Count; i++)
            {
                var at = $"{section.At("groups")}[{i}]";
                if (!section.File.TryText(list.Items[i], at, out var group))
                {
                    continue;
                }

                if (!SparkplugIdRules.IsValid(group, out var reason))
                {
                    section.File.Error(list.Items[i], at, $"'{group}' {reason}; a Sparkplug group id is one MQTT topic level");
                }
                else if (groups.Contains(group))
                {
                    section.File.Error(list.Items[i], at, $"group '{group}' is listed twice");
                }
                else
                {
                    groups.Add(group);
                }
            }
        }

        var hostId = SparkplugIdentifier(section, "hostId", required: false);
        var rebirth = section.Int("rebirthMinIntervalMs", 0, MaxMs);
        return new BridgeSparkplugSection
        {
            Groups = groups,
            HostId = hostId,
            RebirthMinIntervalMs = rebirth ?? 5000,
        };
    }

    private static BridgeKafkaSection? ReadBridgeKafka(MapView root)
    {
        var section = root.Sub("kafka", BridgeKafkaKeys, required: true);
        if (section is null)
        {
            return null;
        }

        var bootstrap = section.Name("bootstrapServers", required: true);
        if (bootstrap is not null)
        {
            foreach (var server in bootstrap.Split(',', StringSplitOptions.TrimEntries))
            {
                var colon = server.LastIndexOf(':');
                if (server.Length == 0 || colon <= 0 || !int.TryParse(server.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) ||
                    port is < 1 or > 65535)
                {
                    section.File.Error(section.Node("bootstrapServers")!, section.At("bootstrapServers"),
                        $"'{server}' is not host:port (e.g. \"kafka1:9092,kafka2:9092\")");
                    bootstrap = null;
                    break;
                }
            }
        }

        string? data = null;
        string? state = null;
        if (section.Sub("topics", BridgeTopicKeys) is { } topics)
        {
            data = KafkaTopic(topics, "data");
            state = KafkaTopic(topics, "state");
        }

        var keyBy = section.Word("keyBy", "record key", KeyByWords);
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        if (section.Value("properties") is { } node)
        {
            if (node is not YMap map)
            {
                section.File.Error(node, section.At("properties"), $"expected a mapping of librdkafka properties, got {YamlTreeReader.Describe(node)}");
            }
            else
            {
                foreach (var (key, value) in map.Entries)
                {
                    var at = $"{section.At("properties")}.{key.Value}";
                    if (value is not YScalar { IsNull: false } scalar)
                    {
                        section.File.Error(value, at, "expected a value (text, number or true/false)");
                    }
                    else if (key.Value is "bootstrap.servers" or "enable.idempotence" or "acks")
                    {
                        section.File.Error(key, at, key.Value == "bootstrap.servers"
                            ? "set kafka.bootstrapServers instead"
                            : "the bridge always uses an idempotent producer with acks=all (its delivery guarantee); remove it");
                    }
                    else if (!properties.TryAdd(key.Value, scalar.Value))
                    {
                        section.File.Error(key, at, $"duplicate property '{key.Value}'");
                    }
                }
            }
        }

        var highWater = section.Int("highWaterRecords", 100, 10_000_000);
        var stall = section.Int("stallTimeoutMs", 500, MaxMs);
        var journal = section.Bool("journal");
        if (bootstrap is null)
        {
            return null;
        }

        return new BridgeKafkaSection
        {
            BootstrapServers = bootstrap,
            DataTopic = data ?? "sparkplug.data",
            StateTopic = state ?? "sparkplug.state",
            KeyBy = keyBy ?? BridgeKeyBySetting.Device,
            Properties = properties,
            HighWaterRecords = highWater ?? 200_000,
            StallTimeoutMs = stall ?? 5000,
            Journal = journal ?? true,
        };
    }

    /// <summary>A Kafka topic name: 1-249 characters of [a-zA-Z0-9._-], not "." or "..".</summary>
    private static string? KafkaTopic(MapView map, string key)
    {
        var name = map.Name(key);
        if (name is null)
        {
            return null;
        }

        if (name.Length > 249 || name is "." or ".." || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
        {
            map.File.Error(map.Node(key)!, map.At(key), $"'{name}' is not a Kafka topic name (1-249 of a-z, A-Z, 0-9, '.', '_', '-')");
            return null;
        }

        return name;
    }

    private static BridgeWebSection? ReadBridgeWeb(MapView root)
    {
        var section = root.Sub("web", BridgeWebKeys);
        if (section is null)
        {
            return null;
        }

        var listen = section.Name("listen", required: true);
        if (listen is null)
        {
            return null;
        }

        var colon = listen.LastIndexOf(':');
        var host = colon > 0 ? listen[..colon].Trim('[', ']') : "";
        if (colon <= 0 || !int.TryParse(listen.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            section.File.Error(section.Node("listen")!, section.At("listen"), $"'{listen}' is not host:port (e.g. \"127.0.0.1:8081\")");
            return null;
        }

        return new BridgeWebSection { Host = host, Port = port };
    }
}
