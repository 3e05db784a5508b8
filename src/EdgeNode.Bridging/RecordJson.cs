using System.Buffers;
using System.Text.Json;
using EdgeNode.Sparkplug;

namespace EdgeNode.Bridging;

/// <summary>Writes values in the contract's JSON forms.</summary>
internal static class RecordJson
{
    /// <summary>
    /// Integers as exact integer text (64-bit included), Float/Double as the shortest round-trip number (NaN and
    /// infinities, which JSON numbers cannot carry, as the strings "NaN", "Infinity", "-Infinity"), Boolean, text as
    /// strings, DateTime as epoch milliseconds, Bytes/File as base64, arrays as JSON arrays, DataSet as
    /// {columns, types, rows}, PropertySet as an object, null as null.
    /// </summary>
    public static void WriteValue(Utf8JsonWriter w, in SparkplugValue v)
    {
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
                w.WriteNumberValue(v.AsDateTimeMilliseconds());
                return;
            case SparkplugDataType.Bytes or SparkplugDataType.File:
                w.WriteBase64StringValue(v.AsBytes().Span);
                return;
            case SparkplugDataType.DataSet:
                WriteDataSet(w, v.AsDataSet());
                return;
            case SparkplugDataType.PropertySet:
                WriteProperties(w, v.AsPropertySet());
                return;
            case SparkplugDataType.PropertySetList:
                w.WriteStartArray();
                foreach (var set in v.AsPropertySetList())
                {
                    WriteProperties(w, set);
                }

                w.WriteEndArray();
                return;
            case var t when SparkplugDataTypes.IsArray(t):
                WriteArray(w, v);
                return;
            default:
                // Template values are flattened before they get here; anything else has no JSON form.
                w.WriteNullValue();
                return;
        }
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

    public static void WriteProperties(Utf8JsonWriter w, SparkplugPropertySet set)
    {
        w.WriteStartObject();
        foreach (var (key, value) in set)
        {
            w.WritePropertyName(key);
            WriteValue(w, value);
        }

        w.WriteEndObject();
    }

    private static void WriteDataSet(Utf8JsonWriter w, SparkplugDataSet ds)
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
                WriteValue(w, cell);
            }

            w.WriteEndArray();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteArray(Utf8JsonWriter w, in SparkplugValue v)
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
            case SparkplugDataType.Int64Array or SparkplugDataType.DateTimeArray:
                foreach (var x in v.AsArray<long>()) { w.WriteNumberValue(x); }
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

    /// <summary>A reusable buffer + writer pair: one record at a time, copied out as an owned array.</summary>
    internal sealed class Scratch
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(512);

        public Scratch()
        {
            Writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
        }

        public Utf8JsonWriter Writer { get; }

        public void Reset()
        {
            _buffer.ResetWrittenCount();
            Writer.Reset(_buffer);
        }

        public byte[] ToArray()
        {
            Writer.Flush();
            return _buffer.WrittenSpan.ToArray();
        }
    }
}
