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

    /// <summary>Widest column a name pads to: a longer name runs past it instead of widening every line.</summary>
    internal const int MaxColumnWidth = 48;

    /// <summary>Characters of a name, id, unit or note shown; the rest is cut (a 25,000-character name is an attack, not a label).</summary>
    internal const int MaxNameChars = 200;

    /// <summary>Characters of a value shown.</summary>
    internal const int MaxValueChars = 2000;
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
                sb.Append(Safe(message.Topic, MaxValueChars)).Append("  ").Append(Paint(Safe(message.Error ?? "not a Sparkplug topic", MaxValueChars), Ansi.Red));
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
            sb.Append("  ").Append(Paint(Safe($"undecodable payload ({message.Payload.Length} bytes): {message.Error}", MaxValueChars), Ansi.Red));
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
        sb.Append(Paint($"host {Safe(message.HostId, MaxNameChars)}", Ansi.Bold));
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
            sb.Append("  ").Append(Paint(Safe(message.State is null ? $"undecodable STATE payload ({message.Payload.Length} bytes): {error}" : error, MaxValueChars), Ansi.Red));
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

        nameWidth = Math.Min(nameWidth, MaxColumnWidth);
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
        sb.Append("  = ").Append(Safe(ValueText(m), MaxValueChars));
        if (m.Units is { Length: > 0 } units && !m.IsNull && m.Template is null)
        {
            sb.Append(' ').Append(Safe(units, MaxNameChars));
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
            sb.Append("  ").Append(Paint($"({Safe(note, MaxValueChars)})", Ansi.Yellow));
        }

        sb.Append('\n');

        var inner = indent + MemberIndent;
        if (m.Template is { } template)
        {
            var paramWidth = template.Parameters.Count == 0 ? 0 : Math.Min(MaxColumnWidth, template.Parameters.Max(p => ParamName(p).Length));
            var paramTypeWidth = template.Parameters.Count == 0 ? 0 : template.Parameters.Max(p => SparkplugDataTypes.GetName(p.Value.DataType).Length);
            foreach (var p in template.Parameters)
            {
                sb.Append(inner).Append(Paint("param ", Ansi.Dim)).Append(ParamName(p).PadRight(paramWidth))
                    .Append("  ").Append(Paint(SparkplugDataTypes.GetName(p.Value.DataType).PadRight(paramTypeWidth), Ansi.Dim))
                    .Append("  = ").Append(Safe(ScalarText(p.Value), MaxValueChars)).Append('\n');
            }

            AppendMetrics(sb, template.Members, inner);
        }
        else if (m.DataType == SparkplugDataType.DataSet && !m.IsNull)
        {
            var dataSet = m.Value.AsDataSet();
            foreach (var row in dataSet.Rows.Take(MaxDataSetRows))
            {
                sb.Append(inner).Append('[').Append(Safe(string.Join(", ", row.Select(ScalarText)), MaxValueChars)).Append("]\n");
            }

            if (dataSet.Rows.Count > MaxDataSetRows)
            {
                sb.Append(inner).Append(Paint($"… {dataSet.Rows.Count.ToString(Invariant)} rows in all", Ansi.Dim)).Append('\n');
            }
        }
    }

    private static string NameText(MonitoredMetric m) =>
        m.Name is { } name ? Safe(name, MaxNameChars) : m.Alias is { } alias ? $"<alias {alias.ToString(Invariant)}>" : "<no name>";

    private static string ParamName(SparkplugTemplateParameter p) => p.Name is { } name ? Safe(name, MaxNameChars) : "?";

    /// <summary>
    /// Text from the wire made safe for a terminal: C0 controls, DEL and C1 controls as <c>\xNN</c> (an ESC in a metric
    /// name would otherwise retitle or clear the technician's terminal), cut after <paramref name="max"/> characters
    /// with the full length said.
    /// </summary>
    internal static string Safe(string? text, int max)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        var cut = text.Length > max;
        var shown = cut ? text[..max] : text;
        var sb = (StringBuilder?)null;
        for (var i = 0; i < shown.Length; i++)
        {
            var c = shown[i];
            if (!IsControl(c))
            {
                sb?.Append(c);
                continue;
            }

            sb ??= new StringBuilder(shown.Length + 16).Append(shown, 0, i);
            sb.Append(Invariant, $"\\x{(int)c:X2}");
        }

        var result = sb?.ToString() ?? shown;
        return cut ? $"{result}… ({text.Length.ToString(Invariant)} chars)" : result;
    }

    internal static bool IsControl(char c) => c < ' ' || c is >= '\u007f' and <= '\u009f';

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
    internal static string ScalarText(SparkplugValue value) => value.FormatValueQuoted();

    private void AppendHex(StringBuilder sb, ReadOnlyMemory<byte> payload)
    {
        var span = payload.Span;
        sb.Append(Indent).Append(Paint("hex", Ansi.Dim)).Append(' ')
            .Append(span.IsEmpty ? "(empty)" : Convert.ToHexString(span[..Math.Min(span.Length, MaxHexBytes)]))
            .Append(span.Length > MaxHexBytes ? "…" : "").Append('\n');
    }

    private StringBuilder AppendRetained(StringBuilder sb, MonitoredMessage message) =>
        message.Retained ? sb.Append("  ").Append(Paint("retained", Ansi.Dim)) : sb;

    private static string Ids(MonitoredMessage m) => Safe(
        m.DeviceId is null ? $"{m.GroupId}/{m.EdgeNodeId}" : $"{m.GroupId}/{m.EdgeNodeId}/{m.DeviceId}", MaxNameChars);

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
