using System.Text.Json;

namespace EdgeNode.Sparkplug.Tests.Values;

/// <summary>
/// The one JSON value writer behind the bridge's records (default style) and the monitor's JSON lines (text style):
/// what both write alike, and where the style decides.
/// </summary>
public sealed class SparkplugValueJsonUnitTests
{
    private static readonly SparkplugJsonStyle s_text = new() { DateTimeAsText = true, BytesAsHex = true, UnrepresentedAsText = true };

    public static TheoryData<string, SparkplugValue, string, string> Cases() => new()
    {
        { "Int64 min", SparkplugValue.FromInt64(long.MinValue), "-9223372036854775808", "-9223372036854775808" },
        { "UInt64 max", SparkplugValue.FromUInt64(ulong.MaxValue), "18446744073709551615", "18446744073709551615" },
        { "Float NaN", SparkplugValue.FromFloat(float.NaN), "\"NaN\"", "\"NaN\"" },
        { "Double -Inf", SparkplugValue.FromDouble(double.NegativeInfinity), "\"-Infinity\"", "\"-Infinity\"" },
        { "Double", SparkplugValue.FromDouble(0.1), "0.1", "0.1" },
        { "null Int32", SparkplugValue.Null(SparkplugDataType.Int32), "null", "null" },
        { "DateTime", SparkplugValue.FromDateTimeMilliseconds(1_700_000_000_123), "1700000000123", "\"2023-11-14T22:13:20.123Z\"" },
        { "DateTime beyond year 9999", SparkplugValue.FromDateTimeMilliseconds(long.MaxValue), "9223372036854775807", "\"9223372036854775807\"" },
        { "DateTimeArray", SparkplugValue.FromDateTimeArray(new long[] { 0 }), "[0]", "[\"1970-01-01T00:00:00.000Z\"]" },
        { "Bytes", SparkplugValue.FromBytes(new byte[] { 0xDE, 0xAD, 0xBE, 0xEF }), "\"3q2+7w==\"", "\"DEADBEEF\"" },
        { "FloatArray", SparkplugValue.FromFloatArray(new[] { 1.5f, float.PositiveInfinity }), "[1.5,\"Infinity\"]", "[1.5,\"Infinity\"]" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void WriteValue_EachStyle_WritesItsForm(string name, SparkplugValue value, string record, string text)
    {
        _ = name;
        Assert.Equal(record, Json(w => SparkplugValueJson.WriteValue(w, value, default)));
        Assert.Equal(text, Json(w => SparkplugValueJson.WriteValue(w, value, s_text)));
    }

    [Fact]
    public void WriteValue_BareTemplate_NullOrItsSummary()
    {
        var template = SparkplugValue.FromTemplate(new SparkplugTemplate { TemplateRef = "Motor" });

        Assert.Equal("null", Json(w => SparkplugValueJson.WriteValue(w, template, default)));
        Assert.Equal(JsonSerializer.Serialize(template.FormatValue()), Json(w => SparkplugValueJson.WriteValue(w, template, s_text)));
    }

    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            write(w);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
