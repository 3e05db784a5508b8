using System.Globalization;
using System.Text.Json;
using EdgeNode.Sparkplug;

namespace EdgeNode.Web;

/// <summary>A JSON value from the console (or a script) as the metric's Sparkplug datatype, refused when it does not fit.</summary>
internal static class ValueParser
{
    public static bool TryParse(JsonElement json, SparkplugDataType type, out SparkplugValue value, out string error)
    {
        value = default;
        error = "";
        switch (type)
        {
            case SparkplugDataType.Boolean:
                if (json.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    value = SparkplugValue.FromBoolean(json.GetBoolean());
                    return true;
                }

                if (json.ValueKind == JsonValueKind.String && bool.TryParse(json.GetString(), out var b))
                {
                    value = SparkplugValue.FromBoolean(b);
                    return true;
                }

                error = "expected true or false";
                return false;
            case SparkplugDataType.Float or SparkplugDataType.Double:
                if (!TryNumber(json, out var d))
                {
                    error = "expected a number";
                    return false;
                }

                if (type == SparkplugDataType.Float)
                {
                    if (double.IsFinite(d) && !float.IsFinite((float)d))
                    {
                        error = $"{d.ToString(CultureInfo.InvariantCulture)} does not fit a Float";
                        return false;
                    }

                    value = SparkplugValue.FromFloat((float)d);
                }
                else
                {
                    value = SparkplugValue.FromDouble(d);
                }

                return true;
            case SparkplugDataType.String or SparkplugDataType.Text:
                if (json.ValueKind != JsonValueKind.String)
                {
                    error = "expected a string";
                    return false;
                }

                value = type == SparkplugDataType.Text ? SparkplugValue.FromText(json.GetString()!) : SparkplugValue.FromString(json.GetString()!);
                return true;
            case SparkplugDataType.Int8 or SparkplugDataType.Int16 or SparkplugDataType.Int32 or SparkplugDataType.Int64
                or SparkplugDataType.UInt8 or SparkplugDataType.UInt16 or SparkplugDataType.UInt32 or SparkplugDataType.UInt64:
                return TryInteger(json, type, out value, out error);
            default:
                error = $"{ConsoleJson.DataTypeName(type)} values cannot be written from the console";
                return false;
        }
    }

    private static bool TryNumber(JsonElement json, out double d)
    {
        d = 0;
        return json.ValueKind switch
        {
            JsonValueKind.Number => json.TryGetDouble(out d),
            JsonValueKind.String => double.TryParse(json.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out d),
            _ => false,
        };
    }

    private static bool TryInteger(JsonElement json, SparkplugDataType type, out SparkplugValue value, out string error)
    {
        value = default;
        var text = json.ValueKind switch
        {
            JsonValueKind.Number => json.GetRawText(),
            JsonValueKind.String => json.GetString()!.Trim(),
            _ => null,
        };
        var name = ConsoleJson.DataTypeName(type);
        if (text is null || !Int128.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
        {
            error = $"expected a whole number for {name}";
            return false;
        }

        (Int128 min, Int128 max) = type switch
        {
            SparkplugDataType.Int8 => (sbyte.MinValue, sbyte.MaxValue),
            SparkplugDataType.Int16 => (short.MinValue, short.MaxValue),
            SparkplugDataType.Int32 => (int.MinValue, int.MaxValue),
            SparkplugDataType.Int64 => (long.MinValue, long.MaxValue),
            SparkplugDataType.UInt8 => (byte.MinValue, byte.MaxValue),
            SparkplugDataType.UInt16 => (ushort.MinValue, ushort.MaxValue),
            SparkplugDataType.UInt32 => (uint.MinValue, uint.MaxValue),
            _ => ((Int128)ulong.MinValue, (Int128)ulong.MaxValue),
        };
        if (n < min || n > max)
        {
            error = $"{text} is outside {min}..{max} ({name})";
            return false;
        }

        value = type switch
        {
            SparkplugDataType.Int8 => SparkplugValue.FromInt8((sbyte)n),
            SparkplugDataType.Int16 => SparkplugValue.FromInt16((short)n),
            SparkplugDataType.Int32 => SparkplugValue.FromInt32((int)n),
            SparkplugDataType.Int64 => SparkplugValue.FromInt64((long)n),
            SparkplugDataType.UInt8 => SparkplugValue.FromUInt8((byte)n),
            SparkplugDataType.UInt16 => SparkplugValue.FromUInt16((ushort)n),
            SparkplugDataType.UInt32 => SparkplugValue.FromUInt32((uint)n),
            _ => SparkplugValue.FromUInt64((ulong)n),
        };
        error = "";
        return true;
    }
}
