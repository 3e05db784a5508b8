namespace EdgeNode.Sparkplug.Tests.Decoding;

/// <summary>
/// Issue 17: an integer whose wire value does not fit the declared type is flagged (<see cref="SparkplugValue.WireOverflow"/>)
/// before the cast every decoder makes, so a command with it can be refused instead of writing the truncated value.
/// </summary>
public sealed class SparkplugWireOverflowUnitTests
{
    private const int IntValue = 10, LongValue = 11;

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value != 0 ? (byte)(b | 0x80) : b);
        }
        while (value != 0);
        return [.. bytes];
    }

    private static SparkplugValue Decode(uint? datatype, int field, ulong wire)
    {
        List<byte> metric = [0x0A, 0x01, (byte)'m']; // name "m"
        if (datatype is { } t)
        {
            metric.AddRange([0x20, .. Varint(t)]);
        }

        metric.AddRange([(byte)(field << 3), .. Varint(wire)]);
        var payload = TestData.Decode([0x12, (byte)metric.Count, .. metric]);
        return payload.Metrics[0].Value;
    }

    [Theory]
    [InlineData(6u, IntValue, 0x1FFFFUL, "int_value 131071 (0x1FFFF)")]          // UInt16 0x1FFFF: a cast made it 65535
    [InlineData(6u, IntValue, 0x10000UL, "int_value 65536 (0x10000)")]           // UInt16 65536: a cast made it 0
    [InlineData(2u, IntValue, 0x18000UL, "int_value 98304 (0x18000)")]           // Int16 0x18000: a cast made it -32768
    [InlineData(2u, IntValue, 0xFFFFUL, "int_value 65535 (0xFFFF)")]             // Int16 without sign extension
    [InlineData(1u, IntValue, 0x80UL, "int_value 128 (0x80)")]                   // Int8 128
    [InlineData(5u, IntValue, 0x100UL, "int_value 256 (0x100)")]                 // UInt8 256
    [InlineData(6u, LongValue, 0x8000000000000000UL, "long_value 9223372036854775808 (0x8000000000000000)")]
    [InlineData(7u, LongValue, 0x100000000UL, "long_value 4294967296 (0x100000000)")] // UInt32 in long_value (Tahu's field)
    [InlineData(3u, LongValue, 0xFFFFFFFFUL, "long_value 4294967295 (0xFFFFFFFF)")]   // Int32 in long_value, not sign-extended
    public void TryDecode_IntegerNotFittingTheDeclaredType_IsFlaggedWithTheWireValue(uint datatype, int field, ulong wire, string expected)
    {
        var value = Decode(datatype, field, wire);
        Assert.Equal((SparkplugDataType)datatype, value.DataType);
        Assert.Equal(expected, value.WireOverflow);
    }

    [Theory]
    [InlineData(6u, IntValue, 0xFFFFUL)]                 // UInt16 65535
    [InlineData(2u, IntValue, 0xFFFF8000UL)]             // Int16 -32768, sign-extended
    [InlineData(2u, IntValue, 0x7FFFUL)]                 // Int16 32767
    [InlineData(1u, IntValue, 0xFFFFFFFFUL)]             // Int8 -1
    [InlineData(1u, LongValue, 0xFFFFFFFFFFFFFFFFUL)]    // Int8 -1 in long_value
    [InlineData(3u, IntValue, 0x80000000UL)]             // Int32 min
    [InlineData(7u, IntValue, 0xFFFFFFFFUL)]             // UInt32 max (spec field)
    [InlineData(7u, LongValue, 0xFFFFFFFFUL)]            // UInt32 max (Tahu's field)
    [InlineData(4u, LongValue, 0x8000000000000000UL)]    // Int64 min
    [InlineData(8u, LongValue, 0xFFFFFFFFFFFFFFFFUL)]    // UInt64 max
    public void TryDecode_IntegerWithinTheDeclaredType_IsNotFlagged(uint datatype, int field, ulong wire)
    {
        Assert.Null(Decode(datatype, field, wire).WireOverflow);
    }

    [Fact]
    public void TryReinterpret_AliasWithoutDatatype_LongValueTwoToThe63AsUInt16_IsFlagged()
    {
        // DATA/CMD by alias with no datatype decode with the field's natural type; the BIRTH's type is applied later.
        var natural = Decode(null, LongValue, 1UL << 63);
        Assert.Equal(SparkplugDataType.UInt64, natural.DataType);
        Assert.Null(natural.WireOverflow);

        Assert.True(natural.TryReinterpret(SparkplugDataType.UInt16, out var asUInt16, out _));
        Assert.Equal((ushort)0, asUInt16.AsUInt16()); // what a decoder's cast makes of it
        Assert.Equal("long_value 9223372036854775808 (0x8000000000000000)", asUInt16.WireOverflow);
    }

    [Fact]
    public void WireOverflow_DoesNotChangeEqualityOrFormatting()
    {
        var flagged = Decode(6u, IntValue, 0x1FFFF);
        Assert.Equal(SparkplugValue.FromUInt16(65535), flagged);
        Assert.Equal("65535", flagged.FormatValue());
        Assert.Null(SparkplugValue.FromUInt16(65535).WireOverflow);
        Assert.Null(SparkplugValue.FromString("x").WireOverflow);
    }
}

/// <summary>Issue 17: a receiver can refuse a payload with too many metrics before decoding it.</summary>
public sealed class SparkplugCountMetricsUnitTests
{
    [Fact]
    public void CountMetrics_CountsTopLevelMetricsWithoutDecoding()
    {
        var metric = TestData.Hex("0A 01 6D 20 06 50 01"); // name "m", UInt16, int_value 1
        var bytes = new List<byte>(TestData.Hex("08 01")); // timestamp
        for (var i = 0; i < 1000; i++)
        {
            bytes.AddRange([0x12, (byte)metric.Length, .. metric]);
        }

        bytes.AddRange(TestData.Hex("18 05")); // seq
        Assert.Equal(1000, SparkplugPayload.CountMetrics(bytes.ToArray()));
        Assert.Equal(0, SparkplugPayload.CountMetrics([]));
    }

    [Fact]
    public void CountMetrics_MalformedBytes_MinusOne()
    {
        Assert.Equal(-1, SparkplugPayload.CountMetrics(TestData.Hex("12 05 0A")));
        Assert.Equal(-1, SparkplugPayload.CountMetrics(TestData.Hex("FF FF FF FF 0F")));
    }
}
