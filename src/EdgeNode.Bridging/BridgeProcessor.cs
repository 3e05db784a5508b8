using System.Text;
using System.Text.Json;
using EdgeNode.Sparkplug;

namespace EdgeNode.Bridging;

/// <summary>Why a message could not be bridged (whole or in part).</summary>
public enum BridgeProblemKind
{
    /// <summary>Nothing wrong.</summary>
    None,

    /// <summary>The topic is not a Sparkplug B topic.</summary>
    NotSparkplug,

    /// <summary>The payload does not decode as a Sparkplug B payload.</summary>
    Undecodable,

    /// <summary>A BIRTH that cannot be used (duplicate aliases, metrics without name or datatype).</summary>
    BadBirth,

    /// <summary>DATA whose metrics cannot be named (no BIRTH, unknown alias).</summary>
    Unnamable,
}

/// <summary>The outcome of one MQTT message: the records to produce, whether to ask for a rebirth, what was wrong.</summary>
public sealed class BridgeOutcome
{
    /// <summary>Records in the order they must be produced.</summary>
    public List<BridgeRecord> Records { get; } = [];

    /// <summary>Set when an NCMD Rebirth should be sent now (already rate-limited): the node's group.</summary>
    public string? RebirthGroup { get; internal set; }

    /// <summary>Set with <see cref="RebirthGroup"/>: the edge node.</summary>
    public string? RebirthEdgeNode { get; internal set; }

    /// <summary>Why a rebirth was wanted (even when rate-limited).</summary>
    public string? RebirthReason { get; internal set; }

    /// <summary>What was wrong with the message, if anything.</summary>
    public BridgeProblemKind Problem { get; internal set; }

    /// <summary>A one-line description of <see cref="Problem"/>.</summary>
    public string? ProblemDetail { get; internal set; }

    /// <summary>True when the problem should be logged (at most once per node per minute).</summary>
    public bool LogProblem { get; internal set; }

    /// <summary>Metric values that could not be named and were not produced.</summary>
    public int Unnamable { get; internal set; }

    /// <summary>Metric values produced to the data topic.</summary>
    public int DataRecords { get; internal set; }

    /// <summary>Where the message came from (<c>group/edgeNode</c>), when the topic said.</summary>
    public string? Source { get; internal set; }

    internal void Reset()
    {
        Records.Clear();
        RebirthGroup = null;
        RebirthEdgeNode = null;
        RebirthReason = null;
        Problem = BridgeProblemKind.None;
        ProblemDetail = null;
        LogProblem = false;
        Unnamable = 0;
        DataRecords = 0;
        Source = null;
    }
}

/// <summary>
/// The bridge's Sparkplug policy, free of I/O: takes MQTT messages in arrival order and returns the Kafka records for
/// each, keeping the per node and device state (bdSeq, seq, alias → name/datatype, Template definitions) that
/// DATA needs to be named. Single-threaded: one caller at a time, in MQTT order.
/// </summary>
public sealed class BridgeProcessor
{
    private const long ProblemLogIntervalMs = 60_000;

    private readonly BridgeOptions _options;
    private readonly Func<long> _clock;
    private readonly Dictionary<(string Group, string EdgeNode), NodeState> _nodes = [];
    private readonly HashSet<string>? _groups;
    private readonly Dictionary<string, long> _topicProblemLogged = new(StringComparer.Ordinal);
    private readonly RecordJson.Scratch _scratch = new();
    private readonly BridgeOutcome _outcome = new();

    /// <summary>Creates the policy; <paramref name="clock"/> gives monotonic milliseconds (default Environment.TickCount64).</summary>
    public BridgeProcessor(BridgeOptions options, Func<long>? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _clock = clock ?? (() => Environment.TickCount64);
        _groups = options.Groups.Count == 0 ? null : new HashSet<string>(options.Groups, StringComparer.Ordinal);
    }

    /// <summary>Edge nodes currently known.</summary>
    public int NodeCount => _nodes.Count;

    /// <summary>Edge nodes whose NBIRTH of the current session was seen (and not yet their NDEATH).</summary>
    public IEnumerable<string> OnlineNodes => _nodes.Values.Where(n => n.Born).Select(n => n.KeyText);

    /// <summary>
    /// Bridges one message. The returned outcome is reused by the next call: consume it first.
    /// <paramref name="receivedAtMs"/> (epoch ms) stands in for a missing payload timestamp.
    /// </summary>
    public BridgeOutcome Process(string topic, ReadOnlySpan<byte> payload, long receivedAtMs)
    {
        var outcome = _outcome;
        outcome.Reset();
        if (!SparkplugTopic.TryParse(topic, out var t, out var topicError))
        {
            Problem(outcome, null, BridgeProblemKind.NotSparkplug, $"topic '{Truncate(topic)}' is not Sparkplug B: {topicError}", topic);
            return outcome;
        }

        switch (t.MessageType)
        {
            case SparkplugMessageType.NCMD or SparkplugMessageType.DCMD or SparkplugMessageType.STATE:
                return outcome; // commands (ours included) and host states are not plant data
        }

        var group = t.GroupId!;
        var edgeNode = t.EdgeNodeId!;
        if (_groups is not null && !_groups.Contains(group))
        {
            return outcome;
        }

        outcome.Source = group + "/" + edgeNode;
        var node = FindNode(group, edgeNode, create: t.MessageType is SparkplugMessageType.NBIRTH or SparkplugMessageType.NDATA
            or SparkplugMessageType.DBIRTH or SparkplugMessageType.DDATA);
        if (node is null && _nodes.Count >= _options.MaxEdgeNodes)
        {
            Problem(outcome, null, BridgeProblemKind.BadBirth, $"more than {_options.MaxEdgeNodes} edge nodes; {outcome.Source} is not tracked", topic);
            return outcome;
        }

        if (!SparkplugPayload.TryDecode(payload, out var decoded, out var decodeError))
        {
            Problem(outcome, node, BridgeProblemKind.Undecodable,
                $"{t.MessageType} from {outcome.Source}{(t.DeviceId is null ? "" : "/" + t.DeviceId)}: undecodable payload ({payload.Length} bytes): {decodeError}", topic);
            return outcome;
        }

        var timestamp = decoded.Timestamp is { } ts ? (long)ts : receivedAtMs;
        switch (t.MessageType)
        {
            case SparkplugMessageType.NBIRTH:
                OnNodeBirth(outcome, node!, decoded, timestamp);
                break;
            case SparkplugMessageType.NDEATH:
                OnNodeDeath(outcome, group, edgeNode, node, decoded, timestamp);
                break;
            case SparkplugMessageType.DBIRTH:
                OnDeviceBirth(outcome, node!, t.DeviceId!, decoded, timestamp);
                break;
            case SparkplugMessageType.DDEATH:
                OnDeviceDeath(outcome, group, edgeNode, node, t.DeviceId!, decoded, timestamp);
                break;
            case SparkplugMessageType.NDATA:
                OnData(outcome, node!, null, decoded, timestamp, "NDATA");
                break;
            case SparkplugMessageType.DDATA:
                OnData(outcome, node!, t.DeviceId, decoded, timestamp, "DDATA");
                break;
        }

        return outcome;
    }

    private NodeState? FindNode(string group, string edgeNode, bool create)
    {
        if (_nodes.TryGetValue((group, edgeNode), out var node))
        {
            return node;
        }

        if (!create || _nodes.Count >= _options.MaxEdgeNodes)
        {
            return null;
        }

        node = new NodeState(group, edgeNode);
        _nodes.Add((group, edgeNode), node);
        return node;
    }

    // ---- births ----

    private void OnNodeBirth(BridgeOutcome outcome, NodeState node, SparkplugPayload payload, long timestamp)
    {
        var book = new MetricBook();
        var templates = new Dictionary<string, TemplateDefinition>(StringComparer.Ordinal);
        // Definitions first: instances in the same NBIRTH may refer to them.
        foreach (var m in payload.Metrics)
        {
            if (m.DataType == SparkplugDataType.Template && !m.Value.IsNull && m.Value.AsTemplate() is { IsDefinition: true } def && m.Name is { } defName)
            {
                templates[defName] = new TemplateDefinition(defName, def.Version, def);
            }
        }

        if (!TryBuildBook(outcome, node, book, payload, templates, "NBIRTH", out var bdSeq))
        {
            return;
        }

        node.Clear();
        foreach (var (k, v) in book.Aliases)
        {
            node.Aliases[k] = v;
        }

        foreach (var (k, v) in book.Names)
        {
            node.Names[k] = v;
        }

        foreach (var (k, v) in templates)
        {
            node.Templates[k] = v;
        }

        node.Born = true;
        node.BdSeq = bdSeq;
        node.LastSeq = payload.Seq is { } s ? (int)(s & 0xFF) : -1;
        outcome.Records.Add(StateRecord(node.StateKey, node, null, true, "NBIRTH", timestamp, payload, templates));
        AddDataRecords(outcome, node, null, node, payload, timestamp, "NBIRTH", skipDefinitions: true);
    }

    private void OnDeviceBirth(BridgeOutcome outcome, NodeState node, string deviceId, SparkplugPayload payload, long timestamp)
    {
        if (!node.Born)
        {
            WantRebirth(outcome, node, $"DBIRTH for {deviceId} from {node.KeyText} before its NBIRTH");
        }
        else
        {
            CheckSeq(outcome, node, payload);
        }

        var device = new DeviceState(deviceId, Encoding.UTF8.GetBytes(node.KeyText + "/" + deviceId));
        if (!TryBuildBook(outcome, node, device, payload, node.Templates, "DBIRTH", out _))
        {
            return;
        }

        node.Devices[deviceId] = device;
        outcome.Records.Add(StateRecord(device.StateKey, node, deviceId, true, "DBIRTH", timestamp, payload, null));
        AddDataRecords(outcome, node, device, device, payload, timestamp, "DBIRTH", skipDefinitions: true);
    }

    /// <summary>Reads a BIRTH's metrics into <paramref name="book"/>; false (reported) when the BIRTH cannot be used.</summary>
    private bool TryBuildBook(BridgeOutcome outcome, NodeState node, MetricBook book, SparkplugPayload payload,
        Dictionary<string, TemplateDefinition> templates, string type, out ulong? bdSeq)
    {
        bdSeq = null;
        for (var i = 0; i < payload.Metrics.Count; i++)
        {
            var m = payload.Metrics[i];
            if (m.Name is not { } name)
            {
                Problem(outcome, node, BridgeProblemKind.BadBirth, $"{type} from {node.KeyText}: metric {i} has no name; the birth is ignored", null);
                return false;
            }

            if (m.DataType == SparkplugDataType.Unknown)
            {
                Problem(outcome, node, BridgeProblemKind.BadBirth, $"{type} from {node.KeyText}: metric '{name}' has no datatype; the birth is ignored", null);
                return false;
            }

            if (name == "bdSeq" && m.Value.TryGetUInt64(out var b))
            {
                bdSeq = b;
            }

            var definition = Define(name, m, templates);
            if (!book.Names.TryAdd(name, definition) && !(m.DataType == SparkplugDataType.Template && m.Value is { IsNull: false } v && v.AsTemplate().IsDefinition))
            {
                Problem(outcome, node, BridgeProblemKind.BadBirth, $"{type} from {node.KeyText}: metric name '{name}' appears twice; the birth is ignored", null);
                return false;
            }

            if (m.Alias is { } alias && !book.Aliases.TryAdd(alias, definition))
            {
                Problem(outcome, node, BridgeProblemKind.BadBirth,
                    $"{type} from {node.KeyText}: alias {alias} is used by '{book.Aliases[alias].Name}' and '{name}'; the birth is ignored", null);
                return false;
            }
        }

        return true;
    }

    private static MetricDefinition Define(string name, SparkplugMetric m, Dictionary<string, TemplateDefinition> templates)
    {
        if (m.DataType != SparkplugDataType.Template || m.Value.IsNull)
        {
            return new MetricDefinition(name, m.DataType);
        }

        var t = m.Value.AsTemplate();
        TemplateDefinition? def = null;
        if (t.TemplateRef is { } reference)
        {
            templates.TryGetValue(reference, out def);
        }

        var members = new Dictionary<string, MetricDefinition>(StringComparer.Ordinal);
        // The definition's members first, then the instance's (an instance may override datatypes it carries).
        foreach (var source in (IEnumerable<SparkplugMetric>[])[def?.Template.Metrics ?? [], t.Metrics])
        {
            foreach (var member in source)
            {
                if (member.Name is { } memberName && member.DataType != SparkplugDataType.Unknown)
                {
                    members[memberName] = Define(memberName, member, templates);
                }
            }
        }

        return new MetricDefinition(name, SparkplugDataType.Template)
        {
            TemplateRef = t.IsDefinition ? null : t.TemplateRef,
            TemplateVersion = t.Version ?? def?.Version,
            Members = members,
        };
    }

    // ---- deaths ----

    private void OnNodeDeath(BridgeOutcome outcome, string group, string edgeNode, NodeState? node, SparkplugPayload payload, long timestamp)
    {
        ulong? bdSeq = payload.FindMetric("bdSeq") is { } metric && metric.Value.TryGetUInt64(out var b) ? b : null;
        if (node is { Born: true, BdSeq: { } current } && bdSeq is { } dead && dead != current)
        {
            // The will of an earlier session, delivered late: the node of the current session is alive ([tck-id-host-topic-phid-...]).
            return;
        }

        var key = node?.StateKey ?? Encoding.UTF8.GetBytes(group + "/" + edgeNode);
        outcome.Records.Add(DeathRecord(key, group, edgeNode, null, "NDEATH", timestamp, bdSeq));
        if (node is not null)
        {
            _nodes.Remove((group, edgeNode));
        }
    }

    private void OnDeviceDeath(BridgeOutcome outcome, string group, string edgeNode, NodeState? node, string deviceId, SparkplugPayload payload, long timestamp)
    {
        if (node is not null)
        {
            CheckSeq(outcome, node, payload);
            node.Devices.Remove(deviceId);
        }

        outcome.Records.Add(DeathRecord(Encoding.UTF8.GetBytes(group + "/" + edgeNode + "/" + deviceId), group, edgeNode, deviceId, "DDEATH",
            timestamp, node?.BdSeq));
    }

    // ---- data ----

    private void OnData(BridgeOutcome outcome, NodeState node, string? deviceId, SparkplugPayload payload, long timestamp, string type)
    {
        if (!node.Born)
        {
            outcome.Unnamable += payload.Metrics.Count;
            WantRebirth(outcome, node, $"{type} from {node.KeyText} before its NBIRTH");
            Problem(outcome, node, BridgeProblemKind.Unnamable, $"{type} from {node.KeyText}: no NBIRTH seen; {payload.Metrics.Count} values not produced", null);
            return;
        }

        DeviceState? device = null;
        if (deviceId is not null && !node.Devices.TryGetValue(deviceId, out device))
        {
            outcome.Unnamable += payload.Metrics.Count;
            WantRebirth(outcome, node, $"DDATA from {node.KeyText}/{deviceId} before its DBIRTH");
            Problem(outcome, node, BridgeProblemKind.Unnamable, $"DDATA from {node.KeyText}/{deviceId}: no DBIRTH seen; {payload.Metrics.Count} values not produced", null);
            CheckSeq(outcome, node, payload);
            return;
        }

        CheckSeq(outcome, node, payload);
        AddDataRecords(outcome, node, device, device ?? (MetricBook)node, payload, timestamp, type, skipDefinitions: false);
    }

    private void CheckSeq(BridgeOutcome outcome, NodeState node, SparkplugPayload payload)
    {
        if (payload.Seq is not { } seq)
        {
            return;
        }

        var current = (int)(seq & 0xFF);
        if (node.LastSeq >= 0 && current != ((node.LastSeq + 1) & 0xFF))
        {
            WantRebirth(outcome, node, $"seq gap from {node.KeyText}: {current} after {node.LastSeq}");
        }

        node.LastSeq = current;
    }

    private void AddDataRecords(BridgeOutcome outcome, NodeState node, DeviceState? device, MetricBook book, SparkplugPayload payload,
        long timestamp, string type, bool skipDefinitions)
    {
        var deviceKey = device?.StateKey ?? node.StateKey;
        var seq = payload.Seq;
        foreach (var m in payload.Metrics)
        {
            if (!book.TryResolve(m, out var definition))
            {
                outcome.Unnamable++;
                WantRebirth(outcome, node, $"{type} from {node.KeyText}{(device is null ? "" : "/" + device.Id)} uses unknown {(m.Name is null ? $"alias {m.Alias?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"}" : $"metric '{m.Name}'")}");
                continue;
            }

            var value = m.Value;
            var dataType = m.DataType;
            if (dataType == SparkplugDataType.Unknown)
            {
                if (!value.TryReinterpret(definition.DataType, out value, out var error))
                {
                    outcome.Unnamable++;
                    Problem(outcome, node, BridgeProblemKind.Unnamable, $"{type} from {node.KeyText}: '{definition.Name}' does not read as its birth's {SparkplugDataTypes.GetName(definition.DataType)}: {error}", null);
                    continue;
                }

                dataType = definition.DataType;
            }

            if (dataType == SparkplugDataType.Template)
            {
                if (value.IsNull || (skipDefinitions && value.AsTemplate().IsDefinition))
                {
                    continue;
                }

                Flatten(outcome, node, device, deviceKey, definition.Name, definition, value.AsTemplate(), m, timestamp, type, seq);
                continue;
            }

            var ts = m.Timestamp is { } mt ? (long)mt : timestamp;
            outcome.Records.Add(DataRecord(node, device, deviceKey, definition.Name, dataType, value, ts, m.IsHistorical, type, seq, null, null));
            outcome.DataRecords++;
        }
    }

    private void Flatten(BridgeOutcome outcome, NodeState node, DeviceState? device, byte[] deviceKey, string prefix, MetricDefinition definition,
        SparkplugTemplate instance, SparkplugMetric owner, long timestamp, string type, ulong? seq)
    {
        var templateName = instance.TemplateRef ?? definition.TemplateRef;
        var version = instance.Version ?? definition.TemplateVersion;
        foreach (var member in instance.Metrics)
        {
            MetricDefinition? memberDefinition = null;
            if (member.Name is not { } memberName || (definition.Members is not null && !definition.Members.TryGetValue(memberName, out memberDefinition) && member.DataType == SparkplugDataType.Unknown))
            {
                outcome.Unnamable++;
                WantRebirth(outcome, node, $"{type} from {node.KeyText}: member of '{prefix}' without a known name");
                continue;
            }

            var value = member.Value;
            var dataType = member.DataType;
            if (dataType == SparkplugDataType.Unknown)
            {
                if (memberDefinition is null || !value.TryReinterpret(memberDefinition.DataType, out value, out _))
                {
                    outcome.Unnamable++;
                    continue;
                }

                dataType = memberDefinition.DataType;
            }

            var name = prefix + "/" + memberName;
            var ts = member.Timestamp is { } mt ? (long)mt : owner.Timestamp is { } ot ? (long)ot : timestamp;
            if (dataType == SparkplugDataType.Template)
            {
                if (!value.IsNull)
                {
                    Flatten(outcome, node, device, deviceKey, name, memberDefinition ?? new MetricDefinition(memberName, dataType), value.AsTemplate(), member, ts, type, seq);
                }

                continue;
            }

            outcome.Records.Add(DataRecord(node, device, deviceKey, name, dataType, value, ts, member.IsHistorical || owner.IsHistorical, type, seq,
                templateName, version));
            outcome.DataRecords++;
        }
    }

    // ---- rebirth and problems ----

    private void WantRebirth(BridgeOutcome outcome, NodeState node, string reason)
    {
        outcome.RebirthReason ??= reason;
        var now = _clock();
        if (outcome.RebirthGroup is not null)
        {
            return;
        }

        if (node.LastRebirthRequest != long.MinValue && now - node.LastRebirthRequest < _options.RebirthMinIntervalMs)
        {
            return;
        }

        node.LastRebirthRequest = now;
        outcome.RebirthGroup = node.Group;
        outcome.RebirthEdgeNode = node.EdgeNode;
    }

    private void Problem(BridgeOutcome outcome, NodeState? node, BridgeProblemKind kind, string detail, string? topic)
    {
        if (outcome.Problem != BridgeProblemKind.None)
        {
            return;
        }

        outcome.Problem = kind;
        outcome.ProblemDetail = detail;
        var now = _clock();
        if (node is not null)
        {
            if (node.LastProblemLogged == long.MinValue || now - node.LastProblemLogged >= ProblemLogIntervalMs)
            {
                node.LastProblemLogged = now;
                outcome.LogProblem = true;
            }

            return;
        }

        // Not attributable to a node: limit by the topic's first levels, and bound that table too.
        var source = topic is null ? "" : string.Join('/', topic.Split('/', 4).Take(3));
        if (_topicProblemLogged.Count > 10_000)
        {
            _topicProblemLogged.Clear();
        }

        if (!_topicProblemLogged.TryGetValue(source, out var last) || now - last >= ProblemLogIntervalMs)
        {
            _topicProblemLogged[source] = now;
            outcome.LogProblem = true;
        }
    }

    private static string Truncate(string s) => s.Length <= 200 ? s : s[..200] + "…";

    // ---- record shapes ----

    private BridgeRecord DataRecord(NodeState node, DeviceState? device, byte[] deviceKey, string metric, SparkplugDataType dataType,
        in SparkplugValue value, long timestamp, bool historical, string type, ulong? seq, string? template, string? templateVersion)
    {
        _scratch.Reset();
        var w = _scratch.Writer;
        w.WriteStartObject();
        w.WriteString("group", node.Group);
        w.WriteString("edgeNode", node.EdgeNode);
        if (device is null)
        {
            w.WriteNull("device");
        }
        else
        {
            w.WriteString("device", device.Id);
        }

        w.WriteString("metric", metric);
        w.WriteString("datatype", SparkplugDataTypes.GetName(dataType));
        w.WritePropertyName("value");
        RecordJson.WriteValue(w, value);
        w.WriteNumber("timestamp", timestamp);
        w.WriteBoolean("historical", historical);
        w.WriteString("messageType", type);
        WriteOptionalNumber(w, "bdSeq", node.BdSeq);
        WriteOptionalNumber(w, "seq", seq);
        if (template is not null)
        {
            w.WriteString("template", template);
            if (templateVersion is not null)
            {
                w.WriteString("templateVersion", templateVersion);
            }
        }

        w.WriteEndObject();
        var key = _options.KeyBy switch
        {
            RecordKeyBy.Node => node.StateKey,
            RecordKeyBy.Metric => Concat(deviceKey, metric),
            _ => deviceKey,
        };
        return new BridgeRecord(false, key, _scratch.ToArray());
    }

    private static byte[] Concat(byte[] key, string metric)
    {
        var result = new byte[key.Length + 1 + Encoding.UTF8.GetByteCount(metric)];
        key.CopyTo(result, 0);
        result[key.Length] = (byte)'/';
        Encoding.UTF8.GetBytes(metric, result.AsSpan(key.Length + 1));
        return result;
    }

    private static void WriteOptionalNumber(Utf8JsonWriter w, string name, ulong? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private BridgeRecord DeathRecord(byte[] key, string group, string edgeNode, string? device, string type, long timestamp, ulong? bdSeq)
    {
        _scratch.Reset();
        var w = _scratch.Writer;
        w.WriteStartObject();
        w.WriteString("group", group);
        w.WriteString("edgeNode", edgeNode);
        if (device is null)
        {
            w.WriteNull("device");
        }
        else
        {
            w.WriteString("device", device);
        }

        w.WriteBoolean("online", false);
        w.WriteString("messageType", type);
        w.WriteNumber("timestamp", timestamp);
        WriteOptionalNumber(w, "bdSeq", bdSeq);
        w.WriteEndObject();
        return new BridgeRecord(true, key, _scratch.ToArray());
    }

    private BridgeRecord StateRecord(byte[] key, NodeState node, string? device, bool online, string type, long timestamp, SparkplugPayload payload,
        Dictionary<string, TemplateDefinition>? templates)
    {
        _scratch.Reset();
        var w = _scratch.Writer;
        w.WriteStartObject();
        w.WriteString("group", node.Group);
        w.WriteString("edgeNode", node.EdgeNode);
        if (device is null)
        {
            w.WriteNull("device");
        }
        else
        {
            w.WriteString("device", device);
        }

        w.WriteBoolean("online", online);
        w.WriteString("messageType", type);
        w.WriteNumber("timestamp", timestamp);
        WriteOptionalNumber(w, "bdSeq", node.BdSeq);
        w.WriteStartArray("metrics");
        foreach (var m in payload.Metrics)
        {
            if (m.DataType == SparkplugDataType.Template && !m.Value.IsNull && m.Value.AsTemplate().IsDefinition)
            {
                continue;
            }

            WriteMetricDescription(w, m);
        }

        w.WriteEndArray();
        if (templates is { Count: > 0 })
        {
            w.WriteStartArray("templates");
            foreach (var t in templates.Values)
            {
                w.WriteStartObject();
                w.WriteString("name", t.Name);
                if (t.Version is not null)
                {
                    w.WriteString("version", t.Version);
                }

                w.WriteStartArray("members");
                foreach (var member in t.Template.Metrics)
                {
                    WriteMetricDescription(w, member);
                }

                w.WriteEndArray();
                w.WriteStartArray("parameters");
                foreach (var p in t.Template.Parameters)
                {
                    w.WriteStartObject();
                    w.WriteString("name", p.Name);
                    w.WriteString("datatype", SparkplugDataTypes.GetName(p.Value.DataType));
                    w.WritePropertyName("default");
                    RecordJson.WriteValue(w, p.Value);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
        return new BridgeRecord(true, key, _scratch.ToArray());
    }

    private static void WriteMetricDescription(Utf8JsonWriter w, SparkplugMetric m)
    {
        w.WriteStartObject();
        w.WriteString("name", m.Name);
        if (m.Alias is { } alias)
        {
            w.WriteNumber("alias", alias);
        }

        w.WriteString("datatype", SparkplugDataTypes.GetName(m.DataType));
        if (m.DataType == SparkplugDataType.Template && !m.Value.IsNull)
        {
            var t = m.Value.AsTemplate();
            if (t.TemplateRef is not null)
            {
                w.WriteString("template", t.TemplateRef);
            }

            if (t.Version is not null)
            {
                w.WriteString("templateVersion", t.Version);
            }
        }

        if (m.Properties is { Count: > 0 } properties)
        {
            w.WritePropertyName("properties");
            RecordJson.WriteProperties(w, properties);
        }

        w.WriteEndObject();
    }
}
