using System.Buffers;

namespace EdgeNode.Sparkplug.Tests.Decoding;

/// <summary>The decoder's shared strings (metric names, property texts) and the fast path for common property values.</summary>
public sealed class DecodedStringsUnitTests
{
    [Fact]
    public void Get_SameBytesTwice_SameInstance()
    {
        var first = DecodedStrings.Get("Line1/Motor/Speed"u8);
        var second = DecodedStrings.Get("Line1/Motor/Speed"u8);

        Assert.Equal("Line1/Motor/Speed", first);
        Assert.Same(first, second);
    }

    [Fact]
    public void Get_ManyDistinctStrings_EachDecodedRight()
    {
        // Far more strings than slots: every one comes back right whether it hit, missed or displaced another.
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < DecodedStrings.Slots * 2; i++)
            {
                var text = $"Plant/Area{i}/Line/Speed";
                Assert.Equal(text, DecodedStrings.Get(System.Text.Encoding.UTF8.GetBytes(text)));
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("°C")]
    [InlineData("1234567")]
    [InlineData("12345678")]
    [InlineData("Ünïcødé nämé wïth ëmöjï 😀")]
    public void Get_ShortLongAndMultibyte_DecodesAsUtf8(string text)
    {
        Assert.Equal(text, DecodedStrings.Get(System.Text.Encoding.UTF8.GetBytes(text)));
        Assert.Equal(text, DecodedStrings.Get(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void Get_LongerThanTheLimit_DecodedButNotShared()
    {
        var text = new string('x', DecodedStrings.MaxBytes + 1);

        Assert.Equal(text, DecodedStrings.Get(System.Text.Encoding.UTF8.GetBytes(text)));
        Assert.NotSame(DecodedStrings.Get(System.Text.Encoding.UTF8.GetBytes(text)), DecodedStrings.Get(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void Get_MalformedUtf8_ReplacementCharacterAsBefore()
    {
        byte[] bytes = [0x41, 0xFF, 0x42];

        Assert.Equal(System.Text.Encoding.UTF8.GetString(bytes), DecodedStrings.Get(bytes));
    }

    [Fact]
    public void TryDecode_BirthDecodedTwice_NamesAndPropertyTextsShared_ValuesEqual()
    {
        var properties = new SparkplugPropertySet(4)
        {
            { SparkplugNames.EngUnit, SparkplugValue.FromString("kW") },
            { SparkplugNames.EngLow, SparkplugValue.FromDouble(-5) },
            { SparkplugNames.EngHigh, SparkplugValue.FromFloat(1000.5f) },
            { SparkplugNames.Description, SparkplugValue.FromString("Active power of turbine 7") },
        };
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new SparkplugPayloadWriter(buffer);
        writer.WriteMetric(SparkplugMetricData.Birth("Turbine7/Power", 2, 1_700_000_000_000, SparkplugValue.FromString("running"), properties));
        var bytes = buffer.WrittenSpan.ToArray();

        var first = TestData.Decode(bytes).Metrics[0];
        var second = TestData.Decode(bytes).Metrics[0];

        Assert.Same(first.Name, second.Name);
        Assert.Same(first.Properties![SparkplugNames.Description].AsString(), second.Properties![SparkplugNames.Description].AsString());
        Assert.Equal(properties, first.Properties, new PropertySetComparer());
        // Metric values change from message to message: they are not shared.
        Assert.NotSame(first.Value.AsString(), second.Value.AsString());
        Assert.Equal("running", second.Value.AsString());
    }

    [Theory]
    [InlineData("08 0C 42 02 6B 57", SparkplugDataType.String, "kW")]                  // the common shape
    [InlineData("08 0E 42 02 6B 57", SparkplugDataType.Text, "kW")]
    [InlineData("42 02 6B 57 08 0C", SparkplugDataType.String, "kW")]                  // reordered: general path
    [InlineData("08 0C 42 02 6B 57 10 00", SparkplugDataType.String, "kW")]            // an extra is_null false
    [InlineData("08 0A 31 00 00 00 00 00 00 F0 3F", SparkplugDataType.Double, 1.0)]
    [InlineData("08 09 2D 00 00 80 3F", SparkplugDataType.Float, 1.0f)]
    [InlineData("08 0A 31 00 00 00 00 00 00 F0 3F 31 00 00 00 00 00 00 00 40", SparkplugDataType.Double, 2.0)] // last value wins
    public void TryDecode_PropertyValue_FastAndGeneralPathsAgree(string valueHex, SparkplugDataType type, object expected)
    {
        var value = TestData.Hex(valueHex);
        byte[] key = [0x0A, 0x01, 0x6B]; // keys: "k"
        byte[] set = [.. key, 0x12, (byte)value.Length, .. value];
        byte[] metric = [0x0A, 0x01, 0x6D, 0x20, 0x0B, 0x70, 0x01, 0x4A, (byte)set.Length, .. set]; // name "m", Boolean true, properties
        var decoded = TestData.Decode([0x12, (byte)metric.Length, .. metric]).Metrics[0].Properties!["k"];

        Assert.Equal(type, decoded.DataType);
        Assert.Equal(expected, type switch
        {
            SparkplugDataType.Double => decoded.AsDouble(),
            SparkplugDataType.Float => decoded.AsFloat(),
            _ => (object)decoded.AsString(),
        });
    }

    private sealed class PropertySetComparer : IEqualityComparer<SparkplugPropertySet?>
    {
        public bool Equals(SparkplugPropertySet? x, SparkplugPropertySet? y) =>
            x is not null && y is not null && x.Count == y.Count && x.Zip(y).All(p => p.First.Key == p.Second.Key && p.First.Value == p.Second.Value);

        public int GetHashCode(SparkplugPropertySet? obj) => obj?.Count ?? 0;
    }
}
