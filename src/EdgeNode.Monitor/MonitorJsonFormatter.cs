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
    internal static void WriteValue(Utf8JsonWriter w, SparkplugValue v)
    {
        if (v.IsNull)
        {
            w.WriteNullValue();
            return;
        }

        switch (v.DataType)
        {
            case SparkplugDataType.Boolean:
                w.WriteBooleanValue(v.AsBoolean());
                break;
            case SparkplugDataType.Int8 or SparkplugDataType.Int16 or SparkplugDataType.Int32 or SparkplugDataType.Int64:
                v.TryGetInt64(out var signed);
                w.WriteNumberValue(signed);
                break;
            case SparkplugDataType.UInt8 or SparkplugDataType.UInt16 or SparkplugDataType.UInt32 or SparkplugDataType.UInt64:
                v.TryGetUInt64(out var unsigned);
                w.WriteNumberValue(unsigned);
                break;
            case SparkplugDataType.Float:
                WriteFloating(w, v.AsFloat());
                break;
            case SparkplugDataType.Double:
                WriteFloating(w, v.AsDouble());
                break;
            case SparkplugDataType.String or SparkplugDataType.Text or SparkplugDataType.Uuid:
                w.WriteStringValue(v.AsString());
                break;
            case SparkplugDataType.DateTime:
                w.WriteStringValue(FormatDateTime(v.AsDateTimeMilliseconds()));
                break;
            case SparkplugDataType.Bytes or SparkplugDataType.File:
                w.WriteStringValue(Convert.ToHexString(v.AsBytes().Span));
                break;
            case SparkplugDataType.DataSet:
                WriteDataSet(w, v.AsDataSet());
                break;
            case SparkplugDataType.Template:
                // Templates are written by WriteMetric (members need the interpreter's resolution); a bare one gets a summary.
                w.WriteStringValue(v.FormatValue());
                break;
            case var t when SparkplugDataTypes.IsArray(t):
                WriteArray(w, v);
                break;
            default:
                w.WriteStringValue(v.FormatValue());
                break;
        }
    }

    private static void WriteDataSet(Utf8JsonWriter w, SparkplugDataSet dataSet)
    {
        w.WriteStartObject();
        w.WriteStartArray("columns");
        foreach (var column in dataSet.Columns)
        {
            w.WriteStringValue(column);
        }

        w.WriteEndArray();
        w.WriteStartArray("types");
        foreach (var type in dataSet.Types)
        {
            w.WriteStringValue(SparkplugDataTypes.GetName(type));
        }

        w.WriteEndArray();
        w.WriteStartArray("rows");
        foreach (var row in dataSet.Rows)
        {
            w.WriteStartArray();
            foreach (var cell in row)
            {
                WriteValue(w, cell);
            }

            w.WriteEndArray();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteArray(Utf8JsonWriter w, SparkplugValue v)
    {
        w.WriteStartArray();
        switch (v.DataType)
        {
            case SparkplugDataType.Int8Array:
                foreach (var x in v.AsArray<sbyte>())
                {
                    w.WriteNumberValue(x);
                }

                break;
            case SparkplugDataType.Int16Array:
                foreach (var x in v.AsArray<short>())
                {
                    w.WriteNumberValue(x);
                }

                break;
            case SparkplugDataType.Int32Array:
                foreach (var x in v.AsArray<int>())
                {
                    w.WriteNumberValue(x);
                }

                break;
            case SparkplugDataType.Int64Array:
                foreach (var x in v.AsArray<long>())
                {
                    w.WriteNumberValue(x);
                }

                break;
            case SparkplugDataType.UInt8Array:
                foreach (var x in v.AsArray<byte>())
                {
                    w.WriteNumberValue(x);
                }

                break;
            case SparkplugDataType.UInt16Array:
                foreach (var x in v.AsArray<ushort>())
                {
                    w.WriteNumberValue(x);
                }

                break;
            case SparkplugDataType.UInt32Array:
                foreach (var x in v.AsArray<uint>())
                {
                    w.WriteNumberValue(x);
                }

                break;
            case SparkplugDataType.UInt64Array:
                foreach (var x in v.AsArray<ulong>())
                {
                    w.WriteNumberValue(x);
                }

                break;
            case SparkplugDataType.FloatArray:
                foreach (var x in v.AsArray<float>())
                {
                    WriteFloating(w, x);
                }

                break;
            case SparkplugDataType.DoubleArray:
                foreach (var x in v.AsArray<double>())
                {
                    WriteFloating(w, x);
                }

                break;
            case SparkplugDataType.BooleanArray:
                foreach (var x in v.AsArray<bool>())
                {
                    w.WriteBooleanValue(x);
                }

                break;
            case SparkplugDataType.StringArray:
                foreach (var x in v.AsStringArray())
                {
                    w.WriteStringValue(x);
                }

                break;
            case SparkplugDataType.DateTimeArray:
                foreach (var x in v.AsArray<long>())
                {
                    w.WriteStringValue(FormatDateTime(x));
                }

                break;
        }

        w.WriteEndArray();
    }

    private static void WriteFloating(Utf8JsonWriter w, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumberValue(value);
        }
        else
        {
            w.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static void WriteFloating(Utf8JsonWriter w, float value)
    {
        if (float.IsFinite(value))
        {
            w.WriteNumberValue(value);
        }
        else
        {
            w.WriteStringValue(float.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static string FormatDateTime(long ms) =>
        ms is >= -62135596800000 and <= 253402300799999
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)
            : ms.ToString(CultureInfo.InvariantCulture);

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
