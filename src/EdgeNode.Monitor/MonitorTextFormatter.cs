using System.Globalization;
using System.Text;
using EdgeNode.Sparkplug;

namespace EdgeNode.Monitor;

/// <summary>
/// Renders a <see cref="MonitoredMessage"/> as one readable block: a header line (receive time, message type,
/// group/node/device, seq, bdSeq) and one indented line per metric (name, alias, datatype, value with units, flags),
/// Template members and parameters indented below their metric, undecodable payloads as length, error and hex.
/// Optional ANSI colours (only for terminals: the caller decides).
/// </summary>
public sealed class MonitorTextFormatter
{
    private const int MaxHexBytes = 64;
    private const int MaxDataSetRows = 20;
    private const string Indent = "  ";
    private const string MemberIndent = "    ";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly bool _color;
    private readonly TimeZoneInfo _timeZone;

    /// <summary>Creates a formatter.</summary>
    /// <param name="color">Emit ANSI colour sequences.</param>
    /// <param name="timeZone">Zone for times shown; null for the local zone.</param>
    public MonitorTextFormatter(bool color = false, TimeZoneInfo? timeZone = null)
    {
        _color = color;
        _timeZone = timeZone ?? TimeZoneInfo.Local;
    }

    /// <summary>The block for <paramref name="message"/>, lines separated by '\n', with a final '\n'.</summary>
    public string Format(MonitoredMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var sb = new StringBuilder(256);
        sb.Append(Paint(Time(message.ReceivedAt), Ansi.Dim)).Append("  ");
        var type = message.MessageType is { } t ? SparkplugMessageTypes.ToToken(t) : "?";
        sb.Append(Paint(type.PadRight(6), ColorOf(message))).Append("  ");

        switch (message.Kind)
        {
            case MonitoredMessageKind.NotSparkplug:
                sb.Append(message.Topic).Append("  ").Append(Paint(message.Error ?? "not a Sparkplug topic", Ansi.Red));
                AppendRetained(sb, message).Append('\n');
                AppendHex(sb, message.Payload);
                return sb.ToString();
            case MonitoredMessageKind.State:
            case MonitoredMessageKind.Undecodable when message.MessageType == SparkplugMessageType.STATE:
                AppendState(sb, message);
                return sb.ToString();
        }

        sb.Append(Paint(Ids(message), Ansi.Bold));
        if (message.Kind == MonitoredMessageKind.Undecodable)
        {
            sb.Append("  ").Append(Paint($"undecodable payload ({message.Payload.Length} bytes): {message.Error}", Ansi.Red));
            AppendRetained(sb, message).Append('\n');
            AppendHex(sb, message.Payload);
            return sb.ToString();
        }

        if (message.Seq is { } seq)
        {
            sb.Append("  seq=").Append(seq.ToString(Invariant));
        }

        if (message.BdSeq is { } bdSeq)
        {
            sb.Append("  bdSeq=").Append(bdSeq.ToString(Invariant));
        }

        sb.Append("  ").Append(Paint(Count(message.Metrics.Count, "metric"), Ansi.Dim));
        AppendRetained(sb, message).Append('\n');
        AppendMetrics(sb, message.Metrics, Indent);
        return sb.ToString();
    }

    private void AppendState(StringBuilder sb, MonitoredMessage message)
    {
        sb.Append(Paint($"host {message.HostId}", Ansi.Bold));
        if (message.State is { } state)
        {
            sb.Append("  ").Append(state.Online switch
            {
                true => Paint("online", Ansi.Green),
                false => Paint("offline", Ansi.Red),
                null => Paint("online?", Ansi.Yellow),
            });
            if (state.Timestamp is { } ts)
            {
                sb.Append("  timestamp=").Append(FormatMilliseconds(ts));
            }

            if (state.Legacy)
            {
                sb.Append("  ").Append(Paint("(Sparkplug 2.2 STATE)", Ansi.Dim));
            }
        }

        if (message.Error is { } error)
        {
            sb.Append("  ").Append(Paint(message.State is null ? $"undecodable STATE payload ({message.Payload.Length} bytes): {error}" : error, Ansi.Red));
        }

        AppendRetained(sb, message).Append('\n');
        if (message.State is null)
        {
            AppendHex(sb, message.Payload);
        }
    }

    private void AppendMetrics(StringBuilder sb, IReadOnlyList<MonitoredMetric> metrics, string indent)
    {
        var nameWidth = 0;
        var aliasWidth = 0;
        var typeWidth = 0;
        foreach (var m in metrics)
        {
            nameWidth = Math.Max(nameWidth, NameText(m).Length);
            aliasWidth = Math.Max(aliasWidth, AliasText(m).Length);
            typeWidth = Math.Max(typeWidth, SparkplugDataTypes.GetName(m.DataType).Length);
        }

        nameWidth = Math.Min(nameWidth, 48);
        foreach (var m in metrics)
        {
            AppendMetric(sb, m, indent, nameWidth, aliasWidth, typeWidth);
        }
    }

    private void AppendMetric(StringBuilder sb, MonitoredMetric m, string indent, int nameWidth, int aliasWidth, int typeWidth)
    {
        sb.Append(indent);
        sb.Append(m.Name is null ? Paint(NameText(m).PadRight(nameWidth), Ansi.Yellow) : Paint(NameText(m).PadRight(nameWidth), Ansi.Bold));
        if (aliasWidth > 0)
        {
            sb.Append("  ").Append(Paint(AliasText(m).PadRight(aliasWidth), Ansi.Dim));
        }

        sb.Append("  ").Append(Paint(SparkplugDataTypes.GetName(m.DataType).PadRight(typeWidth), Ansi.Dim));
        sb.Append("  = ").Append(ValueText(m));
        if (m.Units is { Length: > 0 } units && !m.IsNull && m.Template is null)
        {
            sb.Append(' ').Append(units);
        }

        var flags = new List<string>(3);
        if (m.IsHistorical)
        {
            flags.Add(m.Timestamp is { } ts ? $"historical @{FormatMilliseconds(ts)}" : "historical");
        }

        if (m.IsTransient)
        {
            flags.Add("transient");
        }

        if (m.IsNull)
        {
            flags.Add("null");
        }

        if (flags.Count > 0)
        {
            sb.Append("  ").Append(Paint($"[{string.Join(", ", flags)}]", Ansi.Yellow));
        }

        if (m.Note is { } note)
        {
            sb.Append("  ").Append(Paint($"({note})", Ansi.Yellow));
        }

        sb.Append('\n');

        var inner = indent + MemberIndent;
        if (m.Template is { } template)
        {
            var paramWidth = template.Parameters.Count == 0 ? 0 : template.Parameters.Max(p => (p.Name ?? "?").Length);
            var paramTypeWidth = template.Parameters.Count == 0 ? 0 : template.Parameters.Max(p => SparkplugDataTypes.GetName(p.Value.DataType).Length);
            foreach (var p in template.Parameters)
            {
                sb.Append(inner).Append(Paint("param ", Ansi.Dim)).Append((p.Name ?? "?").PadRight(paramWidth))
                    .Append("  ").Append(Paint(SparkplugDataTypes.GetName(p.Value.DataType).PadRight(paramTypeWidth), Ansi.Dim))
                    .Append("  = ").Append(ScalarText(p.Value)).Append('\n');
            }

            AppendMetrics(sb, template.Members, inner);
        }
        else if (m.DataType == SparkplugDataType.DataSet && !m.IsNull)
        {
            var dataSet = m.Value.AsDataSet();
            foreach (var row in dataSet.Rows.Take(MaxDataSetRows))
            {
                sb.Append(inner).Append('[').Append(string.Join(", ", row.Select(ScalarText))).Append("]\n");
            }

            if (dataSet.Rows.Count > MaxDataSetRows)
            {
                sb.Append(inner).Append(Paint($"… {dataSet.Rows.Count.ToString(Invariant)} rows in all", Ansi.Dim)).Append('\n');
            }
        }
    }

    private static string NameText(MonitoredMetric m) =>
        m.Name ?? (m.Alias is { } alias ? $"<alias {alias.ToString(Invariant)}>" : "<no name>");

    private static string Count(int n, string noun) => $"{n.ToString(Invariant)} {noun}{(n == 1 ? "" : "s")}";

    private static string AliasText(MonitoredMetric m) => m.Alias is { } alias ? $"#{alias.ToString(Invariant)}" : "";

    private static string ValueText(MonitoredMetric m)
    {
        if (m.Template is { } t)
        {
            var what = t.IsDefinition ? "definition" : $"instance of {t.TemplateRef ?? "?"}";
            return $"{what}{(t.Version is null ? "" : $" v{t.Version}")}, {Count(t.Members.Count, "member")}, {Count(t.Parameters.Count, "parameter")}";
        }

        return ScalarText(m.Value);
    }

    /// <summary>A value as a technician reads it: strings quoted, numbers invariant, bytes as hex.</summary>
    internal static string ScalarText(SparkplugValue value)
    {
        if (value.IsNull)
        {
            return "null";
        }

        return value.DataType switch
        {
            SparkplugDataType.String or SparkplugDataType.Text or SparkplugDataType.Uuid => Quote(value.AsString()),
            SparkplugDataType.DateTimeArray => DateTimeArrayText(value.AsArray<long>()),
            _ => value.FormatValue(),
        };
    }

    private static string DateTimeArrayText(ReadOnlySpan<long> values)
    {
        const int shown = 16;
        var items = values.Length <= shown ? values.ToArray() : values[..shown].ToArray();
        return $"[{string.Join(", ", items.Select(DateTimeText))}{(values.Length > shown ? $", … ({values.Length.ToString(Invariant)} in all)" : "")}]";
    }

    private static string DateTimeText(long ms) =>
        ms is >= -62135596800000 and <= 253402300799999
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", Invariant)
            : ms.ToString(Invariant);

    private static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (var ch in s)
        {
            _ = ch switch
            {
                '"' => sb.Append("\\\""),
                '\\' => sb.Append("\\\\"),
                '\n' => sb.Append("\\n"),
                '\r' => sb.Append("\\r"),
                '\t' => sb.Append("\\t"),
                < ' ' or '\u007f' => sb.Append(Invariant, $"\\u{(int)ch:x4}"),
                _ => sb.Append(ch),
            };
        }

        return sb.Append('"').ToString();
    }

    private void AppendHex(StringBuilder sb, ReadOnlyMemory<byte> payload)
    {
        var span = payload.Span;
        sb.Append(Indent).Append(Paint("hex", Ansi.Dim)).Append(' ')
            .Append(span.IsEmpty ? "(empty)" : Convert.ToHexString(span[..Math.Min(span.Length, MaxHexBytes)]))
            .Append(span.Length > MaxHexBytes ? "…" : "").Append('\n');
    }

    private StringBuilder AppendRetained(StringBuilder sb, MonitoredMessage message) =>
        message.Retained ? sb.Append("  ").Append(Paint("retained", Ansi.Dim)) : sb;

    private static string Ids(MonitoredMessage m) =>
        m.DeviceId is null ? $"{m.GroupId}/{m.EdgeNodeId}" : $"{m.GroupId}/{m.EdgeNodeId}/{m.DeviceId}";

    private string Time(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, _timeZone).ToString("yyyy-MM-dd HH:mm:ss.fff", Invariant);

    private string FormatMilliseconds(ulong ms) =>
        ms <= 253402300799999 ? Time(DateTimeOffset.FromUnixTimeMilliseconds((long)ms)) : ms.ToString(Invariant);

    private static string ColorOf(MonitoredMessage m) => m.Kind is MonitoredMessageKind.Undecodable or MonitoredMessageKind.NotSparkplug
        ? Ansi.Red
        : m.MessageType switch
        {
            SparkplugMessageType.NBIRTH or SparkplugMessageType.DBIRTH => Ansi.Green,
            SparkplugMessageType.NDEATH or SparkplugMessageType.DDEATH => Ansi.Red,
            SparkplugMessageType.NDATA or SparkplugMessageType.DDATA => Ansi.Cyan,
            SparkplugMessageType.NCMD or SparkplugMessageType.DCMD => Ansi.Yellow,
            _ => Ansi.Magenta,
        };

    private string Paint(string text, string code) => _color ? $"{code}{text}{Ansi.Reset}" : text;

    private static class Ansi
    {
        public const string Reset = "\u001b[0m";
        public const string Bold = "\u001b[1m";
        public const string Dim = "\u001b[2m";
        public const string Red = "\u001b[31m";
        public const string Green = "\u001b[32m";
        public const string Yellow = "\u001b[33m";
        public const string Magenta = "\u001b[35m";
        public const string Cyan = "\u001b[36m";
    }
}
