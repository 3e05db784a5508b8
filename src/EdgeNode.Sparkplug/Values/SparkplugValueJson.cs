using System.Text.Json;

namespace EdgeNode.Sparkplug;

/// <summary>
/// How <see cref="SparkplugValueJson"/> writes the values JSON has no single form for. The default is the form for
/// programs (epoch milliseconds, base64, null for what has no JSON form); a reader-facing tool sets the other.
/// </summary>
public readonly record struct SparkplugJsonStyle
{
    /// <summary>DateTime (and DateTimeArray elements) as ISO 8601 UTC text with milliseconds instead of epoch milliseconds.</summary>
    public bool DateTimeAsText { get; init; }

    /// <summary>Bytes and File as upper-case hex instead of base64.</summary>
    public bool BytesAsHex { get; init; }

    /// <summary>A bare Template or an unknown type as its <see cref="SparkplugValue.FormatValue"/> summary instead of null.</summary>
    public bool UnrepresentedAsText { get; init; }
}

/// <summary>
/// Writes Sparkplug values as JSON values: integers as exact integer text (64-bit included), Float/Double as the
/// shortest round-trip number (NaN and infinities, which JSON numbers cannot carry, as the strings "NaN", "Infinity",
/// "-Infinity"), Boolean, text as strings, arrays as JSON arrays, DataSet as {columns, types, rows}, PropertySet as an
/// object, null as null; DateTime, Bytes and values without a JSON form as <see cref="SparkplugJsonStyle"/> says. The
/// bridge's records and the monitor's JSON lines both write values with it.
/// </summary>
public static class SparkplugValueJson
{
    /// <summary>Writes <paramref name="v"/> (a property name, if any, already written).</summary>
    public static void WriteValue(Utf8JsonWriter w, in SparkplugValue v, SparkplugJsonStyle style)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (v.IsNull)
        {
            w.WriteNullValue();
            return;
        }

        switch (v.DataType)
        {
            case var t when SparkplugDataTypes.IsSignedInteger(t):
                v.TryGetInt64(out var l);
                w.WriteNumberValue(l);
                return;
            case var t when SparkplugDataTypes.IsUnsignedInteger(t):
                v.TryGetUInt64(out var u);
                w.WriteNumberValue(u);
                return;
            case SparkplugDataType.Float:
                WriteFloat(w, v.AsFloat());
                return;
            case SparkplugDataType.Double:
                WriteDouble(w, v.AsDouble());
                return;
            case SparkplugDataType.Boolean:
                w.WriteBooleanValue(v.AsBoolean());
                return;
            case SparkplugDataType.String or SparkplugDataType.Text or SparkplugDataType.Uuid:
                w.WriteStringValue(v.AsString());
                return;
            case SparkplugDataType.DateTime:
                WriteDateTime(w, v.AsDateTimeMilliseconds(), style);
                return;
            case SparkplugDataType.Bytes or SparkplugDataType.File:
                if (style.BytesAsHex)
                {
                    w.WriteStringValue(Convert.ToHexString(v.AsBytes().Span));
                }
                else
                {
                    w.WriteBase64StringValue(v.AsBytes().Span);
                }

                return;
            case SparkplugDataType.DataSet:
                WriteDataSet(w, v.AsDataSet(), style);
                return;
            case SparkplugDataType.PropertySet:
                WriteProperties(w, v.AsPropertySet(), style);
                return;
            case SparkplugDataType.PropertySetList:
                w.WriteStartArray();
                foreach (var set in v.AsPropertySetList())
                {
                    WriteProperties(w, set, style);
                }

                w.WriteEndArray();
                return;
            case var t when SparkplugDataTypes.IsArray(t):
                WriteArray(w, v, style);
                return;
            default:
                // A Template's members need the sender's definitions to mean anything (callers that have them write
                // the template themselves); anything else has no JSON form.
                if (style.UnrepresentedAsText)
                {
                    w.WriteStringValue(v.FormatValue());
                }
                else
                {
                    w.WriteNullValue();
                }

                return;
        }
    }

    /// <summary>Writes a property set as an object of its keys.</summary>
    public static void WriteProperties(Utf8JsonWriter w, SparkplugPropertySet set, SparkplugJsonStyle style)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(set);
        w.WriteStartObject();
        foreach (var (key, value) in set)
        {
            w.WritePropertyName(key);
            WriteValue(w, value, style);
        }

        w.WriteEndObject();
    }

    private static void WriteFloat(Utf8JsonWriter w, float f)
    {
        if (float.IsFinite(f))
        {
            w.WriteNumberValue(f);
        }
        else
        {
            w.WriteStringValue(float.IsNaN(f) ? "NaN" : f > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static void WriteDouble(Utf8JsonWriter w, double d)
    {
        if (double.IsFinite(d))
        {
            w.WriteNumberValue(d);
        }
        else
        {
            w.WriteStringValue(double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static void WriteDateTime(Utf8JsonWriter w, long ms, SparkplugJsonStyle style)
    {
        if (style.DateTimeAsText)
        {
            // Outside what DateTimeOffset holds, the number itself, still as text so the field keeps one JSON type.
            w.WriteStringValue(SparkplugValueFormatter.FormatDateTime(ms));
        }
        else
        {
            w.WriteNumberValue(ms);
        }
    }

    private static void WriteDataSet(Utf8JsonWriter w, SparkplugDataSet ds, SparkplugJsonStyle style)
    {
        w.WriteStartObject();
        w.WriteStartArray("columns");
        foreach (var c in ds.Columns)
        {
            w.WriteStringValue(c);
        }

        w.WriteEndArray();
        w.WriteStartArray("types");
        foreach (var t in ds.Types)
        {
            w.WriteStringValue(SparkplugDataTypes.GetName(t));
        }

        w.WriteEndArray();
        w.WriteStartArray("rows");
        foreach (var row in ds.Rows)
        {
            w.WriteStartArray();
            foreach (var cell in row)
            {
                WriteValue(w, cell, style);
            }

            w.WriteEndArray();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteArray(Utf8JsonWriter w, in SparkplugValue v, SparkplugJsonStyle style)
    {
        w.WriteStartArray();
        switch (v.DataType)
        {
            case SparkplugDataType.Int8Array:
                foreach (var x in v.AsArray<sbyte>()) { w.WriteNumberValue(x); }
                break;
            case SparkplugDataType.Int16Array:
                foreach (var x in v.AsArray<short>()) { w.WriteNumberValue(x); }
                break;
            case SparkplugDataType.Int32Array:
                foreach (var x in v.AsArray<int>()) { w.WriteNumberValue(x); }
                break;
            case SparkplugDataType.Int64Array:
                foreach (var x in v.AsArray<long>()) { w.WriteNumberValue(x); }
                break;
            case SparkplugDataType.DateTimeArray:
                foreach (var x in v.AsArray<long>()) { WriteDateTime(w, x, style); }
                break;
            case SparkplugDataType.UInt8Array:
                foreach (var x in v.AsArray<byte>()) { w.WriteNumberValue(x); }
                break;
            case SparkplugDataType.UInt16Array:
                foreach (var x in v.AsArray<ushort>()) { w.WriteNumberValue(x); }
                break;
            case SparkplugDataType.UInt32Array:
                foreach (var x in v.AsArray<uint>()) { w.WriteNumberValue(x); }
                break;
            case SparkplugDataType.UInt64Array:
                foreach (var x in v.AsArray<ulong>()) { w.WriteNumberValue(x); }
                break;
            case SparkplugDataType.FloatArray:
                foreach (var x in v.AsArray<float>()) { WriteFloat(w, x); }
                break;
            case SparkplugDataType.DoubleArray:
                foreach (var x in v.AsArray<double>()) { WriteDouble(w, x); }
                break;
            case SparkplugDataType.BooleanArray:
                foreach (var x in v.AsArray<bool>()) { w.WriteBooleanValue(x); }
                break;
            case SparkplugDataType.StringArray:
                foreach (var x in v.AsStringArray()) { w.WriteStringValue(x); }
                break;
        }

        w.WriteEndArray();
    }
}
