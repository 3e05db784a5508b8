using System.Buffers;
using EdgeNode.Sparkplug;

namespace EdgeNode.Sparkplug.Tests;

/// <summary>Shared helpers: hex, encoding with our writer, parsing with Google.Protobuf's generated classes.</summary>
internal static class TestData
{
    public const ulong Timestamp = 1_700_000_000_123;

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    public static string ToHex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);

    public static byte[] Encode(SparkplugPayload payload, SparkplugEncodingOptions? options = null) => payload.ToByteArray(options);

    /// <summary>Encodes one metric in a payload with a timestamp and seq.</summary>
    public static byte[] EncodeMetric(SparkplugMetric metric, SparkplugEncodingOptions? options = null, ulong? seq = 1)
    {
        var payload = new SparkplugPayload { Timestamp = Timestamp, Seq = seq };
        payload.Metrics.Add(metric);
        return payload.ToByteArray(options);
    }

    public static SparkplugPayload Decode(byte[] bytes)
    {
        Assert.True(SparkplugPayload.TryDecode(bytes, out var payload, out var error), error);
        return payload;
    }

    /// <summary>The same bytes parsed by Google.Protobuf from our proto2 schema: an independent protobuf parser.</summary>
    public static Protobuf.Payload ParseWithGoogle(byte[] bytes) => Protobuf.Payload.Parser.ParseFrom(bytes);

    public static byte[] WriteWith(SparkplugEncodingOptions? options, Action<ArrayBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static void AssertPayloadsEqual(SparkplugPayload expected, SparkplugPayload actual)
    {
        Assert.True(SparkplugEquality.PayloadsEqual(expected, actual),
            $"payloads differ:\nexpected {Google(expected)}\nactual   {Google(actual)}");
    }

    /// <summary>Google.Protobuf's JSON of the payload: every field, for failure messages.</summary>
    public static string Google(SparkplugPayload p) =>
        global::Google.Protobuf.JsonFormatter.Default.Format(ParseWithGoogle(p.ToByteArray()));

    public static string Describe(SparkplugPayload p) =>
        $"{p}: " + string.Join("; ", p.Metrics.Select(m => $"{m} (omitType={m.OmitDataType}, ts={m.Timestamp}, props={m.Properties}, md={m.MetaData is not null})"));
}
