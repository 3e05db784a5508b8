using System.Globalization;
using System.Text;

namespace EdgeNode.Sparkplug;

/// <summary>Log-friendly text for values and nested structures (invariant culture, bounded length).</summary>
internal static class SparkplugValueFormatter
{
    private const int MaxElements = 16;

    internal static string Format(in SparkplugValue value) =>
        $"{SparkplugDataTypes.GetName(value.DataType)}({FormatValue(value, quoteStrings: true)})";

    internal static string FormatValue(in SparkplugValue v, bool quoteStrings)
    {
        if (v.IsNull)
        {
            return "null";
        }

        var c = CultureInfo.InvariantCulture;
        switch (v.DataType)
        {
            case SparkplugDataType.Float:
                return BitConverter.UInt32BitsToSingle((uint)v.Bits).ToString("R", c);
            case SparkplugDataType.Double:
                return BitConverter.UInt64BitsToDouble(v.Bits).ToString("R", c);
            case SparkplugDataType.Boolean:
                return v.Bits != 0 ? "true" : "false";
            case SparkplugDataType.UInt64:
                return v.Bits.ToString(c);
            case SparkplugDataType.DateTime:
                return FormatDateTime((long)v.Bits);
            case SparkplugDataType.String or SparkplugDataType.Text or SparkplugDataType.Uuid:
                return quoteStrings ? Quote((string)v.Ref!) : (string)v.Ref!;
            case SparkplugDataType.Bytes or SparkplugDataType.File:
                var bytes = v.AsBytes().Span;
                return $"{bytes.Length} bytes{(bytes.IsEmpty ? "" : ": " + Convert.ToHexString(bytes[..Math.Min(bytes.Length, MaxElements)]) + (bytes.Length > MaxElements ? "…" : ""))}";
            case SparkplugDataType.DataSet:
                return Format((SparkplugDataSet)v.Ref!);
            case SparkplugDataType.Template:
                return Format((SparkplugTemplate)v.Ref!);
            case SparkplugDataType.PropertySet:
                return Format((SparkplugPropertySet)v.Ref!);
            case SparkplugDataType.PropertySetList:
                return Format((SparkplugPropertySetList)v.Ref!);
            case var t when SparkplugDataTypes.IsArray(t):
                return FormatArray(v);
            case var t when SparkplugDataTypes.IsSignedInteger(t):
                return ((long)v.Bits).ToString(c);
            default:
                return v.Bits.ToString(c);
        }
    }

    internal static string Format(SparkplugDataSet ds) =>
        $"{ds.Columns.Count} columns [{string.Join(", ", ds.Columns.Select((name, i) => $"{name}:{(i < ds.Types.Count ? SparkplugDataTypes.GetName(ds.Types[i]) : "?")}"))}] × {ds.Rows.Count} rows";

    internal static string Format(SparkplugTemplate t) =>
        (t.IsDefinition ? "definition" : $"instance of {t.TemplateRef}")
        + (t.Version is null ? "" : $" v{t.Version}")
        + $", {t.Metrics.Count} members, {t.Parameters.Count} parameters";

    internal static string Format(SparkplugPropertySet set)
    {
        var sb = new StringBuilder("{");
        for (var i = 0; i < set.Count; i++)
        {
            sb.Append(i == 0 ? "" : ", ").Append(set[i].Key).Append('=').Append(Format(set[i].Value));
        }

        return sb.Append('}').ToString();
    }

    internal static string Format(SparkplugPropertySetList list) => $"[{string.Join(", ", list.Select(Format))}]";

    private static string FormatArray(in SparkplugValue v)
    {
        var c = CultureInfo.InvariantCulture;
        IEnumerable<string> items = v.DataType switch
        {
            SparkplugDataType.Int8Array => v.AsArray<sbyte>().ToArray().Select(x => x.ToString(c)),
            SparkplugDataType.Int16Array => v.AsArray<short>().ToArray().Select(x => x.ToString(c)),
            SparkplugDataType.Int32Array => v.AsArray<int>().ToArray().Select(x => x.ToString(c)),
            SparkplugDataType.Int64Array => v.AsArray<long>().ToArray().Select(x => x.ToString(c)),
            SparkplugDataType.DateTimeArray => v.AsArray<long>().ToArray().Select(FormatDateTime),
            SparkplugDataType.UInt8Array => v.AsArray<byte>().ToArray().Select(x => x.ToString(c)),
            SparkplugDataType.UInt16Array => v.AsArray<ushort>().ToArray().Select(x => x.ToString(c)),
            SparkplugDataType.UInt32Array => v.AsArray<uint>().ToArray().Select(x => x.ToString(c)),
            SparkplugDataType.UInt64Array => v.AsArray<ulong>().ToArray().Select(x => x.ToString(c)),
            SparkplugDataType.FloatArray => v.AsArray<float>().ToArray().Select(x => x.ToString("R", c)),
            SparkplugDataType.DoubleArray => v.AsArray<double>().ToArray().Select(x => x.ToString("R", c)),
            SparkplugDataType.BooleanArray => v.AsArray<bool>().ToArray().Select(x => x ? "true" : "false"),
            SparkplugDataType.StringArray => v.AsStringArray().ToArray().Select(Quote),
            _ => [],
        };

        var list = items.Take(MaxElements + 1).ToList();
        return "[" + string.Join(", ", list.Take(MaxElements)) + (list.Count > MaxElements ? $", … ({v.ArrayLength} in all)" : "") + "]";
    }

    // ISO 8601 UTC where DateTimeOffset can hold it, else the milliseconds themselves.
    internal static string FormatDateTime(long ms) =>
        ms is >= -62135596800000 and <= 253402300799999
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)
            : ms.ToString(CultureInfo.InvariantCulture);

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
                < ' ' or (>= '\u007f' and <= '\u009f') => sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)ch:x4}"),
                _ => sb.Append(ch),
            };
        }

        return sb.Append('"').ToString();
    }
}
