using System.Text;
using System.Text.Json;
using EdgeNode.Sparkplug;

namespace EdgeNode.Monitor;

/// <summary>
/// Turns received MQTT messages into <see cref="MonitoredMessage"/>s and remembers what the births taught: per Edge
/// Node, the alias → name map (aliases are unique across an Edge Node and its devices, Sparkplug 3.0 §6.4.4), each
/// metric's datatype and engineering unit, and the Template definitions. DATA messages sent by alias without datatype
/// are shown by name with the BIRTH's datatype. An NBIRTH starts the Edge Node's book afresh (a new session may
/// renumber aliases). Never throws on bad input: an undecodable payload becomes a message with an
/// <see cref="MonitoredMessage.Error"/>. Not thread-safe: feed it messages one at a time, in arrival order.
/// </summary>
public sealed class SparkplugMessageInterpreter
{
    private readonly Dictionary<(string Group, string Node), EdgeNodeBook> _books = [];

    /// <summary>Edge Nodes whose NBIRTH or DBIRTH was seen.</summary>
    public int KnownEdgeNodes => _books.Count;

    /// <summary>Interprets one message; learns from it when it is a birth.</summary>
    /// <param name="topic">The MQTT topic.</param>
    /// <param name="payload">The payload bytes (kept by reference in the result).</param>
    /// <param name="receivedAt">When it arrived.</param>
    /// <param name="retained">The MQTT retain flag.</param>
    public MonitoredMessage Interpret(string topic, ReadOnlyMemory<byte> payload, DateTimeOffset receivedAt, bool retained = false)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (!SparkplugTopic.TryParse(topic, out var parsed, out var topicError))
        {
            return new MonitoredMessage
            {
                ReceivedAt = receivedAt,
                Topic = topic,
                Kind = MonitoredMessageKind.NotSparkplug,
                Retained = retained,
                Error = $"not a Sparkplug topic: {topicError}",
                Payload = payload,
            };
        }

        if (parsed.MessageType == SparkplugMessageType.STATE)
        {
            return InterpretState(topic, parsed, payload, receivedAt, retained);
        }

        var group = parsed.GroupId!;
        var node = parsed.EdgeNodeId!;
        var device = parsed.DeviceId;
        if (!SparkplugPayload.TryDecode(payload.Span, out var decoded, out var error))
        {
            return new MonitoredMessage
            {
                ReceivedAt = receivedAt,
                Topic = topic,
                Kind = MonitoredMessageKind.Undecodable,
                MessageType = parsed.MessageType,
                GroupId = group,
                EdgeNodeId = node,
                DeviceId = device,
                Retained = retained,
                Error = error,
                Payload = payload,
            };
        }

        var key = (group, node);
        switch (parsed.MessageType)
        {
            case SparkplugMessageType.NBIRTH:
                _books[key] = new EdgeNodeBook();
                break;
            case SparkplugMessageType.DBIRTH when !_books.ContainsKey(key):
                _books[key] = new EdgeNodeBook();
                break;
        }

        _books.TryGetValue(key, out var book);
        var isBirth = parsed.MessageType is SparkplugMessageType.NBIRTH or SparkplugMessageType.DBIRTH;
        if (isBirth)
        {
            foreach (var metric in decoded.Metrics)
            {
                book!.Learn(device, metric);
            }
        }

        var metrics = new List<MonitoredMetric>(decoded.Metrics.Count);
        ulong? bdSeq = null;
        foreach (var metric in decoded.Metrics)
        {
            var monitored = Resolve(book, device, metric);
            metrics.Add(monitored);
            if (bdSeq is null && device is null && string.Equals(monitored.Name, SparkplugNames.BdSeq, StringComparison.Ordinal)
                && monitored.Value.TryGetUInt64(out var value))
            {
                bdSeq = value;
            }
        }

        return new MonitoredMessage
        {
            ReceivedAt = receivedAt,
            Topic = topic,
            Kind = MonitoredMessageKind.Sparkplug,
            MessageType = parsed.MessageType,
            GroupId = group,
            EdgeNodeId = node,
            DeviceId = device,
            Retained = retained,
            Seq = decoded.Seq,
            Timestamp = decoded.Timestamp,
            BdSeq = bdSeq,
            Metrics = metrics,
            Payload = payload,
        };
    }

    private static MonitoredMessage InterpretState(string topic, SparkplugTopic parsed, ReadOnlyMemory<byte> payload,
        DateTimeOffset receivedAt, bool retained)
    {
        var state = parsed.IsLegacyState ? ParseLegacyState(payload.Span, out var error) : ParseState(payload.Span, out error);
        return new MonitoredMessage
        {
            ReceivedAt = receivedAt,
            Topic = topic,
            Kind = state is null ? MonitoredMessageKind.Undecodable : MonitoredMessageKind.State,
            MessageType = SparkplugMessageType.STATE,
            HostId = parsed.HostId,
            Retained = retained,
            State = state,
            Error = error,
            Payload = payload,
        };
    }

    /// <summary>Sparkplug 3.0: UTF-8 JSON <c>{"online": bool, "timestamp": ms}</c>.</summary>
    private static MonitoredHostState? ParseState(ReadOnlySpan<byte> payload, out string? error)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "STATE payload is not a JSON object";
                return null;
            }

            bool? online = root.TryGetProperty("online", out var o) && o.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? o.GetBoolean()
                : null;
            ulong? timestamp = root.TryGetProperty("timestamp", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetUInt64(out var ms)
                ? ms
                : null;
            error = online is null ? "STATE payload has no boolean 'online'" : null;
            return new MonitoredHostState(online, timestamp, Legacy: false);
        }
        catch (JsonException ex)
        {
            error = $"STATE payload is not JSON: {ex.Message}";
            return null;
        }
    }

    /// <summary>Sparkplug 2.2: the text ONLINE or OFFLINE.</summary>
    private static MonitoredHostState? ParseLegacyState(ReadOnlySpan<byte> payload, out string? error)
    {
        var text = Encoding.UTF8.GetString(payload).Trim();
        bool? online = text.ToUpperInvariant() switch
        {
            "ONLINE" => true,
            "OFFLINE" => false,
            _ => null,
        };
        error = online is null ? "legacy STATE payload is neither ONLINE nor OFFLINE" : null;
        return online is null ? null : new MonitoredHostState(online, null, Legacy: true);
    }

    private static MonitoredMetric Resolve(EdgeNodeBook? book, string? device, SparkplugMetric metric)
    {
        MetricInfo? info = null;
        var name = metric.Name;
        var fromAlias = false;
        string? note = null;
        if (name is null && metric.Alias is { } alias)
        {
            if (book is not null && book.Aliases.TryGetValue(alias, out info))
            {
                name = info.Name;
                fromAlias = true;
            }
            else
            {
                note = "alias not in any birth seen (ask for a rebirth)";
            }
        }
        else if (name is not null && book is not null)
        {
            book.Names.TryGetValue((device, name), out info);
        }

        return Describe(metric, name, fromAlias, info, note, book);
    }

    private static MonitoredMetric Describe(SparkplugMetric metric, string? name, bool fromAlias, MetricInfo? info, string? note,
        EdgeNodeBook? book)
    {
        var value = metric.Value;
        var dataType = metric.DataType;
        if (dataType == SparkplugDataType.Unknown && info?.DataType is { } declared && declared != SparkplugDataType.Unknown)
        {
            if (value.TryReinterpret(declared, out var reinterpreted, out var error))
            {
                value = reinterpreted;
                dataType = declared;
            }
            else
            {
                note = $"the birth says {SparkplugDataTypes.GetName(declared)}: {error}";
                dataType = value.DataType;
            }
        }
        else if (dataType == SparkplugDataType.Unknown)
        {
            dataType = value.DataType;
        }

        MonitoredTemplate? template = null;
        if (dataType == SparkplugDataType.Template && !value.IsNull)
        {
            var t = value.AsTemplate();
            var members = info?.Members;
            if (members is null && t.TemplateRef is { } reference && book is not null)
            {
                book.Definitions.TryGetValue(reference, out members);
            }

            template = new MonitoredTemplate
            {
                IsDefinition = t.IsDefinition,
                TemplateRef = t.TemplateRef,
                Version = t.Version,
                Parameters = t.Parameters,
                Members = t.Metrics.Select(m =>
                {
                    MetricInfo? memberInfo = null;
                    if (m.Name is { } memberName)
                    {
                        members?.TryGetValue(memberName, out memberInfo);
                    }

                    return Describe(m, m.Name, false, memberInfo, null, book);
                }).ToList(),
            };
        }

        return new MonitoredMetric
        {
            Name = name,
            Alias = metric.Alias,
            NameFromAlias = fromAlias,
            DataType = dataType,
            Value = value,
            Units = EngUnit(metric) ?? info?.Units,
            IsHistorical = metric.IsHistorical,
            IsTransient = metric.IsTransient,
            Timestamp = metric.Timestamp,
            Template = template,
            Note = note,
        };
    }

    private static string? EngUnit(SparkplugMetric metric) =>
        metric.Properties is { } properties && properties.TryGetValue(SparkplugNames.EngUnit, out var unit)
            && !unit.IsNull && SparkplugDataTypes.IsText(unit.DataType)
            ? unit.AsString()
            : null;

    /// <summary>What the births of one Edge Node said about its metrics.</summary>
    private sealed class EdgeNodeBook
    {
        public Dictionary<ulong, MetricInfo> Aliases { get; } = [];

        public Dictionary<(string? Device, string Name), MetricInfo> Names { get; } = [];

        public Dictionary<string, Dictionary<string, MetricInfo>> Definitions { get; } = new(StringComparer.Ordinal);

        public void Learn(string? device, SparkplugMetric metric)
        {
            if (metric.Name is not { } name)
            {
                return;
            }

            var info = Remember(metric, name);
            Names[(device, name)] = info;
            if (metric.Alias is { } alias)
            {
                Aliases[alias] = info;
            }

            if (metric.DataType == SparkplugDataType.Template && !metric.Value.IsNull && metric.Value.AsTemplate().IsDefinition
                && info.Members is { } members)
            {
                Definitions[name] = members;
            }
        }

        private static MetricInfo Remember(SparkplugMetric metric, string name)
        {
            Dictionary<string, MetricInfo>? members = null;
            if (metric.DataType == SparkplugDataType.Template && !metric.Value.IsNull)
            {
                members = new Dictionary<string, MetricInfo>(StringComparer.Ordinal);
                foreach (var member in metric.Value.AsTemplate().Metrics)
                {
                    if (member.Name is { } memberName)
                    {
                        members[memberName] = Remember(member, memberName);
                    }
                }
            }

            return new MetricInfo(name, metric.DataType, EngUnit(metric), members);
        }
    }

    private sealed record MetricInfo(string Name, SparkplugDataType DataType, string? Units, Dictionary<string, MetricInfo>? Members);
}
