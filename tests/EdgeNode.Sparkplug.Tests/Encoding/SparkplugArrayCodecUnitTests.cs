namespace EdgeNode.Sparkplug.Tests.Encoding;

/// <summary>
/// Array encodings against the examples of Sparkplug 3.0 §6.4.16. Where the printed example contradicts the normative
/// text ("packed little endian"), the corrected bytes are used and the erratum is named.
/// </summary>
public sealed class SparkplugArrayCodecUnitTests
{
    public static TheoryData<string, SparkplugValue, string> SpecExamples() => new()
    {
        // Spec prints [-23, 123] → [0xEF, 0x7B]; -23 is 0xE9 (erratum).
        { "Int8Array", SparkplugValue.FromInt8Array([-23, 123]), "E97B" },
        { "Int16Array", SparkplugValue.FromInt16Array([-30000, 30000]), "D08A3075" },
        { "Int32Array", SparkplugValue.FromInt32Array([-1, 315338746]), "FFFFFFFFFAAFCB12" },
        { "Int32Array intro", SparkplugValue.FromInt32Array([123456789, 987654321]), "15CD5B07B168DE3A" },
        { "UInt8Array", SparkplugValue.FromUInt8Array([23, 250]), "17FA" },
        { "UInt16Array", SparkplugValue.FromUInt16Array([30, 52360]), "1E0088CC" },
        { "UInt32Array", SparkplugValue.FromUInt32Array([52, 3293969225]), "3400000049FB55C4" },
        { "UInt64Array", SparkplugValue.FromUInt64Array([52, 16444743074749521625]), "3400000000000000D99E02D1B27637E4" },
        // Spec prints the big-endian bytes 3F9D70A4 42B2AE98 (erratum); little-endian per the text.
        { "FloatArray", SparkplugValue.FromFloatArray([1.23f, 89.341f]), "A4709D3F98AEB242" },
        // Spec prints big-endian 4028B55B6805A2D7 408FF74C6F1C178E (erratum).
        { "DoubleArray", SparkplugValue.FromDoubleArray([12.354213, 1022.9123213]), "D7A205685BB52840" + "8E171C6F4CF78F40" },
        { "BooleanArray", SparkplugValue.FromBooleanArray([false, false, true, true, false, true, false, false, true, true, false, true]), "0C00000034D0" },
        { "StringArray", SparkplugValue.FromStringArray(["ABC", "hello"]), "41424300" + "68656C6C6F00" },
        // Spec prints 6-byte elements (erratum): 1256102875335 and 1656107875000 as 8-byte little-endian.
        { "DateTimeArray", SparkplugValue.FromDateTimeArray([1256102875335, 1656107875000]), "C7D0907524010000" + "B8BAB89781010000" },
        { "empty BooleanArray", SparkplugValue.FromBooleanArray([]), "00000000" },
        { "empty StringArray", SparkplugValue.FromStringArray([]), "" },
        { "StringArray with empty", SparkplugValue.FromStringArray(["", "x", ""]), "00780000" },
    };

    [Theory]
    [MemberData(nameof(SpecExamples))]
    public void Encode_SpecExample_MatchesBytes(string name, SparkplugValue value, string hex)
    {
        Assert.Equal(hex, TestData.ToHex(SparkplugArrayCodec.Encode(value)));
        Assert.Equal(hex.Length / 2, SparkplugArrayCodec.GetEncodedLength(value));
        _ = name;
    }

    [Theory]
    [MemberData(nameof(SpecExamples))]
    public void Decode_SpecExample_RoundTrips(string name, SparkplugValue value, string hex)
    {
        Assert.True(SparkplugArrayCodec.TryDecode(value.DataType, TestData.Hex(hex), out var decoded, out var error), error);
        Assert.Equal(value, decoded);
        _ = name;
    }

    [Theory]
    [InlineData(SparkplugDataType.Int16Array, "010203", "not a whole number of 2-byte elements")]
    [InlineData(SparkplugDataType.DoubleArray, "0102030405060708FF", "not a whole number of 8-byte elements")]
    [InlineData(SparkplugDataType.BooleanArray, "0100", "lacks its 4-byte count")]
    [InlineData(SparkplugDataType.BooleanArray, "09000000FF", "claims 9 values but carries 8 bits")]
    [InlineData(SparkplugDataType.StringArray, "414243", "does not end with a NUL")]
    public void TryDecode_MalformedArray_ReturnsReason(SparkplugDataType type, string hex, string reason)
    {
        Assert.False(SparkplugArrayCodec.TryDecode(type, TestData.Hex(hex), out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void FromStringArray_ElementWithNul_Throws()
    {
        Assert.Throws<ArgumentException>(() => SparkplugValue.FromStringArray(["a\0b"]));
    }
}
