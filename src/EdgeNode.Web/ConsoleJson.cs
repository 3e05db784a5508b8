using System.Buffers;
using System.Text.Json;
using EdgeNode.Engine;
using EdgeNode.Sparkplug;

namespace EdgeNode.Web;

/// <summary>
/// The console's JSON, written with <see cref="Utf8JsonWriter"/>: no reflection (the node is trimmed and may be
/// compiled ahead of time), and no intermediate objects for a few hundred metrics a second.
/// </summary>
internal static class ConsoleJson
{
    public static readonly JsonWriterOptions Options = new() { Indented = false, SkipValidation = true };

    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static void Status(Utf8JsonWriter w, EngineSnapshot s, INodeHost host, ProblemLog problems, long startedMs, long nowMs,
        string? user)
    {
        var config = host.Config;
        w.WriteStartObject();
        w.WriteString("session", s.Session);
        w.WriteString("broker", s.Broker);
        w.WriteNumber("bdSeq", s.BdSeq);
        // The contract's shape: null without node.primaryHostId, otherwise the host's STATE as true/false; its id beside it.
        if (s.PrimaryHostId is null)
        {
            w.WriteNull("primaryHost");
        }
        else
        {
            w.WriteBoolean("primaryHost", s.PrimaryHostOnline);
        }

        w.WriteString("primaryHostId", s.PrimaryHostId);

        w.WriteStartObject("store");
        w.WriteBoolean("enabled", s.StoreEnabled);
        w.WriteNumber("pendingChanges", s.StorePending);
        w.WriteNumber("bytes", s.StoreBytes);
        w.WriteNumber("dropped", s.StoreDropped);
        w.WriteEndObject();
        w.WriteString("version", host.Version);
        w.WriteNumber("uptimeSeconds", Math.Max(0, (nowMs - startedMs) / 1000));
        w.WriteString("groupId", config.Node.GroupId);
        w.WriteString("edgeNodeId", config.Node.EdgeNodeId);
        w.WriteNumber("scanMs", s.ScanMs);
        w.WriteNumber("devices", s.Devices.Count);
        w.WriteNumber("devicesOnline", s.Devices.Count(d => d.Online));
        w.WriteStartArray("problems");
        foreach (var p in problems.Recent(20))
        {
            w.WriteStartObject();
            w.WriteNumber("time", p.TimeMs);
            w.WriteString("level", p.Level);
            w.WriteString("message", p.Message);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("user", user);
        w.WriteBoolean("usersConfigured", config.Web?.Users.Count > 0);
        w.WriteEndObject();
    }

    public static void Devices(Utf8JsonWriter w, EngineSnapshot s, NodeTelemetry telemetry)
    {
        w.WriteStartArray();
        foreach (var d in s.Devices)
        {
            Device(w, d, telemetry);
        }

        w.WriteEndArray();
    }

    public static void Device(Utf8JsonWriter w, DeviceSnapshot d, NodeTelemetry telemetry)
    {
        w.WriteStartObject();
        w.WriteString("id", d.Id);
        DeviceHealth(w, d, telemetry);
        w.WriteString("kind", d.Kind);
        w.WriteString("type", d.TypeName);
        w.WriteNumber("scanPeriodMs", d.ScanMs);
        w.WriteStartArray("metrics");
        foreach (var m in d.Metrics)
        {
            Metric(w, m, d.Online);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The health fields of a device (inside an object already started).</summary>
    public static void DeviceHealth(Utf8JsonWriter w, DeviceSnapshot d, NodeTelemetry telemetry)
    {
        var counters = telemetry.Device(d.Id);
        w.WriteBoolean("online", d.Online);
        var last = counters.LastScanMs;
        if (last == 0)
        {
            w.WriteNull("lastScan");
        }
        else
        {
            w.WriteNumber("lastScan", last);
        }

        w.WriteString("error", d.LastError);
        w.WriteNumber("scans", counters.Scans);
        w.WriteNumber("scanErrors", counters.Errors);
        w.WriteNumber("scanTimeMs", Math.Round(counters.LastScanDuration.TotalMilliseconds, 2));
    }

    public static void Metric(Utf8JsonWriter w, in MetricSnapshot m, bool deviceOnline)
    {
        w.WriteStartObject();
        w.WriteString("name", m.Name);
        w.WriteString("datatype", DataTypeName(m.DataType));
        MetricValue(w, m, deviceOnline);
        w.WriteString("units", m.Units);
        w.WriteBoolean("writable", m.Writable);
        w.WriteEndObject();
    }

    /// <summary>The changing fields of a metric: value, timestamp, changed, quality.</summary>
    public static void MetricValue(Utf8JsonWriter w, in MetricSnapshot m, bool deviceOnline)
    {
        w.WritePropertyName("value");
        if (m.HasValue)
        {
            Value(w, m.Value);
            w.WriteNumber("timestamp", m.TimestampMs);
        }
        else
        {
            w.WriteNullValue();
            w.WriteNull("timestamp");
        }

        if (m.ChangedMs > 0)
        {
            w.WriteNumber("changed", m.ChangedMs);
        }
        else
        {
            w.WriteNull("changed");
        }

        w.WriteString("quality", Quality(m, deviceOnline));
    }

    /// <summary>good: read in the last scan; stale: the device stopped answering (the last value read is shown); none: never read.</summary>
    public static string Quality(in MetricSnapshot m, bool deviceOnline) => !m.HasValue ? "none" : deviceOnline ? "good" : "stale";

    public static string DataTypeName(SparkplugDataType type) => type switch
    {
        SparkplugDataType.Int8 => "Int8",
        SparkplugDataType.Int16 => "Int16",
        SparkplugDataType.Int32 => "Int32",
        SparkplugDataType.Int64 => "Int64",
        SparkplugDataType.UInt8 => "UInt8",
        SparkplugDataType.UInt16 => "UInt16",
        SparkplugDataType.UInt32 => "UInt32",
        SparkplugDataType.UInt64 => "UInt64",
        SparkplugDataType.Float => "Float",
        SparkplugDataType.Double => "Double",
        SparkplugDataType.Boolean => "Boolean",
        SparkplugDataType.String => "String",
        SparkplugDataType.DateTime => "DateTime",
        SparkplugDataType.Text => "Text",
        SparkplugDataType.Uuid => "UUID",
        SparkplugDataType.Bytes => "Bytes",
        _ => type.ToString(),
    };

    /// <summary>A Sparkplug value as JSON: numbers as numbers (64-bit integers exactly), non-finite floats as strings.</summary>
    public static void Value(Utf8JsonWriter w, SparkplugValue value)
    {
        if (value.IsNull)
        {
            w.WriteNullValue();
            return;
        }

        switch (value.DataType)
        {
            case SparkplugDataType.Boolean:
                w.WriteBooleanValue(value.AsBoolean());
                break;
            case SparkplugDataType.Int8 or SparkplugDataType.Int16 or SparkplugDataType.Int32 or SparkplugDataType.Int64:
                w.WriteNumberValue(value.TryGetInt64(out var l) ? l : 0);
                break;
            case SparkplugDataType.UInt8 or SparkplugDataType.UInt16 or SparkplugDataType.UInt32 or SparkplugDataType.UInt64:
                w.WriteNumberValue(value.TryGetUInt64(out var u) ? u : 0);
                break;
            case SparkplugDataType.DateTime:
                w.WriteNumberValue(value.AsDateTimeMilliseconds());
                break;
            case SparkplugDataType.Float:
                var f = value.AsFloat();
                if (float.IsFinite(f))
                {
                    w.WriteNumberValue(f);
                }
                else
                {
                    w.WriteStringValue(value.FormatValue());
                }

                break;
            case SparkplugDataType.Double:
                var d = value.AsDouble();
                if (double.IsFinite(d))
                {
                    w.WriteNumberValue(d);
                }
                else
                {
                    w.WriteStringValue(value.FormatValue());
                }

                break;
            case SparkplugDataType.String or SparkplugDataType.Text or SparkplugDataType.Uuid:
                w.WriteStringValue(value.AsString());
                break;
            default:
                w.WriteStringValue(value.FormatValue());
                break;
        }
    }

    public static void Errors(Utf8JsonWriter w, bool valid, IEnumerable<(int Line, int Column, string File, string Message)> errors, string? applied = null)
    {
        w.WriteStartObject();
        w.WriteBoolean("valid", valid);
        w.WriteStartArray("errors");
        foreach (var e in errors)
        {
            w.WriteStartObject();
            w.WriteNumber("line", e.Line);
            w.WriteNumber("column", e.Column);
            w.WriteString("file", e.File);
            w.WriteString("message", e.Message);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (applied is not null)
        {
            w.WriteString("applied", applied);
        }

        w.WriteEndObject();
    }

    public static byte[] Error(string message) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("error", message);
        w.WriteEndObject();
    });
}
