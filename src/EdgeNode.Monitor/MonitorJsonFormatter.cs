using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using EdgeNode.Sparkplug;

namespace EdgeNode.Monitor;

/// <summary>
/// Renders a <see cref="MonitoredMessage"/> as one line of JSON for scripts (<c>jq</c>, log shippers). Fields:
/// <c>time</c> (ISO 8601 UTC receive time), <c>topic</c>, <c>type</c>, <c>group</c>, <c>node</c>, <c>device</c>,
/// <c>host</c>, <c>retained</c>, <c>seq</c>, <c>timestamp</c> (ms), <c>bdSeq</c>, <c>metrics</c> (each <c>name</c>,
/// <c>alias</c>, <c>datatype</c>, <c>value</c>, <c>units</c>, <c>historical</c>, <c>transient</c>, <c>null</c>,
/// <c>timestamp</c>, <c>note</c>), <c>state</c> (<c>online</c>, <c>timestamp</c>, <c>legacy</c>), and for undecodable
/// messages <c>error</c>, <c>payloadLength</c> and <c>payloadHex</c>. Absent facts are omitted, not null. Values:
/// numbers as JSON numbers (NaN and infinities as strings), 64-bit integers exact, DateTime as ISO 8601, Bytes/File as
/// hex, arrays as arrays, DataSets as <c>{columns, types, rows}</c>, Templates as <c>{isDefinition, templateRef,
/// version, parameters, members}</c>.
/// </summary>
public static class MonitorJsonFormatter
{
    // Relaxed escaping: names like "Ünïcødé" or quotes stay readable in the line; the output is still valid JSON
    // (it is not meant for embedding in HTML). Control characters are still escaped, C0, DEL and C1 alike
    // (\u001B, \u007F, \u009B): a hostile metric name reaches a script exact and a terminal inert
    // (MonitorHostileInputUnitTests.Json_ControlCharactersIncludingDelAndC1_EscapedAndExact pins it).
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // For a reader at a terminal or jq: times as ISO 8601, bytes as hex, a bare Template as its summary.
    private static readonly SparkplugJsonStyle ValueStyle = new() { DateTimeAsText = true, BytesAsHex = true, UnrepresentedAsText = true };

    /// <summary>The JSON line (without the newline).</summary>
    public static string Format(MonitoredMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("time", message.ReceivedAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            w.WriteString("topic", message.Topic);
            w.WriteString("kind", message.Kind switch
            {
                MonitoredMessageKind.Sparkplug => "sparkplug",
                MonitoredMessageKind.State => "state",
                MonitoredMessageKind.Undecodable => "undecodable",
                _ => "notSparkplug",
            });
            if (message.MessageType is { } type)
            {
                w.WriteString("type", SparkplugMessageTypes.ToToken(type));
            }

            WriteOptional(w, "group", message.GroupId);
            WriteOptional(w, "node", message.EdgeNodeId);
            WriteOptional(w, "device", message.DeviceId);
            WriteOptional(w, "host", message.HostId);
            if (message.Retained)
            {
                w.WriteBoolean("retained", true);
            }

            WriteOptional(w, "seq", message.Seq);
            WriteOptional(w, "timestamp", message.Timestamp);
            WriteOptional(w, "bdSeq", message.BdSeq);
            if (message.Kind == MonitoredMessageKind.Sparkplug)
            {
                w.WriteStartArray("metrics");
                foreach (var metric in message.Metrics)
                {
                    WriteMetric(w, metric);
                }

                w.WriteEndArray();
            }

            if (message.State is { } state)
            {
                w.WriteStartObject("state");
                if (state.Online is { } online)
                {
                    w.WriteBoolean("online", online);
                }

                WriteOptional(w, "timestamp", state.Timestamp);
                w.WriteBoolean("legacy", state.Legacy);
                w.WriteEndObject();
            }

            if (message.Error is { } error)
            {
                w.WriteString("error", error);
                if (message.Kind is MonitoredMessageKind.Undecodable or MonitoredMessageKind.NotSparkplug)
                {
                    w.WriteNumber("payloadLength", message.Payload.Length);
                    w.WriteString("payloadHex", Convert.ToHexString(message.Payload.Span));
                }
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteMetric(Utf8JsonWriter w, MonitoredMetric m)
    {
        w.WriteStartObject();
        WriteOptional(w, "name", m.Name);
        WriteOptional(w, "alias", m.Alias);
        w.WriteString("datatype", SparkplugDataTypes.GetName(m.DataType));
        w.WritePropertyName("value");
        if (m.Template is { } template)
        {
            w.WriteStartObject();
            w.WriteBoolean("isDefinition", template.IsDefinition);
            WriteOptional(w, "templateRef", template.TemplateRef);
            WriteOptional(w, "version", template.Version);
            w.WriteStartArray("parameters");
            foreach (var p in template.Parameters)
            {
                w.WriteStartObject();
                WriteOptional(w, "name", p.Name);
                w.WriteString("datatype", SparkplugDataTypes.GetName(p.Value.DataType));
                w.WritePropertyName("value");
                WriteValue(w, p.Value);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("members");
            foreach (var member in template.Members)
            {
                WriteMetric(w, member);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }
        else
        {
            WriteValue(w, m.Value);
        }

        WriteOptional(w, "units", m.Units);
        w.WriteBoolean("historical", m.IsHistorical);
        w.WriteBoolean("transient", m.IsTransient);
        w.WriteBoolean("null", m.IsNull);
        WriteOptional(w, "timestamp", m.Timestamp);
        WriteOptional(w, "note", m.Note);
        w.WriteEndObject();
    }

    /// <summary>Writes one value (the property name already written).</summary>
    internal static void WriteValue(Utf8JsonWriter w, SparkplugValue v) => SparkplugValueJson.WriteValue(w, v, ValueStyle);

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, ulong? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
    }
}
