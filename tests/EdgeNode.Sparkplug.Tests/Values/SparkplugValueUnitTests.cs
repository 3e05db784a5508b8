namespace EdgeNode.Sparkplug.Tests.Values;

public sealed class SparkplugValueUnitTests
{
    [Fact]
    public void Default_IsNullUnknown()
    {
        var value = default(SparkplugValue);

        Assert.True(value.IsNull);
        Assert.Equal(SparkplugDataType.Unknown, value.DataType);
        Assert.Equal("Unknown(null)", value.ToString());
    }

    [Fact]
    public void Factories_ScalarTypes_RoundTripThroughAccessors()
    {
        Assert.Equal(sbyte.MinValue, SparkplugValue.FromInt8(sbyte.MinValue).AsInt8());
        Assert.Equal(short.MinValue, SparkplugValue.FromInt16(short.MinValue).AsInt16());
        Assert.Equal(int.MinValue, SparkplugValue.FromInt32(int.MinValue).AsInt32());
        Assert.Equal(long.MinValue, SparkplugValue.FromInt64(long.MinValue).AsInt64());
        Assert.Equal(byte.MaxValue, SparkplugValue.FromUInt8(byte.MaxValue).AsUInt8());
        Assert.Equal(ushort.MaxValue, SparkplugValue.FromUInt16(ushort.MaxValue).AsUInt16());
        Assert.Equal(uint.MaxValue, SparkplugValue.FromUInt32(uint.MaxValue).AsUInt32());
        Assert.Equal(ulong.MaxValue, SparkplugValue.FromUInt64(ulong.MaxValue).AsUInt64());
        Assert.Equal(float.NegativeInfinity, SparkplugValue.FromFloat(float.NegativeInfinity).AsFloat());
        Assert.True(double.IsNaN(SparkplugValue.FromDouble(double.NaN).AsDouble()));
        Assert.True(SparkplugValue.FromBoolean(true).AsBoolean());
        Assert.Equal("x", SparkplugValue.FromText("x").AsString());
        var now = new DateTimeOffset(2024, 5, 6, 7, 8, 9, 123, TimeSpan.Zero);
        Assert.Equal(now, SparkplugValue.FromDateTime(now).AsDateTime());
        Assert.Equal(now.ToUnixTimeMilliseconds(), SparkplugValue.FromDateTime(now).AsDateTimeMilliseconds());
    }

    [Fact]
    public void FromBytes_Segment_KeepsOnlyTheSegment()
    {
        var backing = new byte[] { 9, 1, 2, 3, 9 };

        var value = SparkplugValue.FromBytes(backing.AsMemory(1, 3));

        Assert.Equal([1, 2, 3], value.AsBytes().ToArray());
        Assert.Equal(SparkplugValue.FromBytes([1, 2, 3]), value);
        Assert.Equal("0102030000", TestData.ToHex(TestData.Decode(TestData.EncodeMetric(new SparkplugMetric("b", value))).Metrics[0].Value.AsBytes().Span) + "0000");
    }

    [Fact]
    public void FromUuid_Guid_LowerCaseDForm()
    {
        var guid = Guid.Parse("4B0C2D8E-1F3A-4C5D-9E6F-7A8B9C0D1E2F");

        var value = SparkplugValue.FromUuid(guid);

        Assert.Equal("4b0c2d8e-1f3a-4c5d-9e6f-7a8b9c0d1e2f", value.AsString());
        Assert.True(value.TryGetGuid(out var parsed));
        Assert.Equal(guid, parsed);
    }

    [Fact]
    public void Accessor_WrongType_ThrowsNamingBothTypes()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => SparkplugValue.FromInt32(1).AsDouble());

        Assert.Equal("The value is Int32, not Double.", ex.Message);
        Assert.Throws<InvalidOperationException>(() => SparkplugValue.Null(SparkplugDataType.Int32).AsInt32());
        Assert.Throws<InvalidOperationException>(() => SparkplugValue.FromInt32Array([1]).AsArray<long>());
    }

    [Fact]
    public void Equality_FloatingPoint_NaNEqualsNaNAndZeroEqualsNegativeZero()
    {
        Assert.Equal(SparkplugValue.FromDouble(double.NaN), SparkplugValue.FromDouble(double.NaN));
        Assert.Equal(SparkplugValue.FromFloat(0f), SparkplugValue.FromFloat(-0f));
        Assert.Equal(SparkplugValue.FromFloat(0f).GetHashCode(), SparkplugValue.FromFloat(-0f).GetHashCode());
        Assert.NotEqual(SparkplugValue.FromDouble(1), SparkplugValue.FromFloat(1));
    }

    [Fact]
    public void Equality_TypeMatters_Int32VersusUInt32()
    {
        Assert.NotEqual(SparkplugValue.FromInt32(5), SparkplugValue.FromUInt32(5));
        Assert.True(SparkplugValue.FromInt32(5) != SparkplugValue.FromInt16(5));
        Assert.True(SparkplugValue.FromInt32(5) == SparkplugValue.FromInt32(5));
    }

    [Fact]
    public void Equality_NullsOfSameType_Equal()
    {
        Assert.Equal(SparkplugValue.Null(SparkplugDataType.Float), SparkplugValue.Null(SparkplugDataType.Float));
        Assert.NotEqual(SparkplugValue.Null(SparkplugDataType.Float), SparkplugValue.FromFloat(0));
        Assert.NotEqual(SparkplugValue.Null(SparkplugDataType.Float), SparkplugValue.Null(SparkplugDataType.Double));
    }

    [Fact]
    public void Equality_ComplexValues_Structural()
    {
        Assert.Equal(SparkplugValue.FromDataSet(SampleValues.MixedDataSet()), SparkplugValue.FromDataSet(SampleValues.MixedDataSet()));
        Assert.Equal(SparkplugValue.FromTemplate(SampleValues.NestedInstance()), SparkplugValue.FromTemplate(SampleValues.NestedInstance()));
        Assert.Equal(SparkplugValue.FromPropertySet(SampleValues.Properties()), SparkplugValue.FromPropertySet(SampleValues.Properties()));
        Assert.Equal(SparkplugValue.FromStringArray(["a", "b"]), SparkplugValue.FromStringArray(["a", "b"]));
        Assert.NotEqual(SparkplugValue.FromStringArray(["a", "b"]), SparkplugValue.FromStringArray(["a", "c"]));
        var changed = SampleValues.NestedInstance();
        changed.Metrics[0].Value = SparkplugValue.FromFloat(99);
        Assert.NotEqual(SparkplugValue.FromTemplate(SampleValues.NestedInstance()), SparkplugValue.FromTemplate(changed));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void ToString_LogForm(SparkplugValue value, string expected) => Assert.Equal(expected, value.ToString());

    public static TheoryData<SparkplugValue, string> Formats() => new()
    {
        { SparkplugValue.FromInt32(-42), "Int32(-42)" },
        { SparkplugValue.FromUInt64(ulong.MaxValue), "UInt64(18446744073709551615)" },
        { SparkplugValue.FromFloat(12.1f), "Float(12.1)" },
        { SparkplugValue.FromDouble(double.NegativeInfinity), "Double(-Infinity)" },
        { SparkplugValue.FromBoolean(true), "Boolean(true)" },
        { SparkplugValue.FromString("pump \"1\"\n"), "String(\"pump \\\"1\\\"\\n\")" },
        { SparkplugValue.Null(SparkplugDataType.Float), "Float(null)" },
        { SparkplugValue.FromDateTimeMilliseconds(1_700_000_000_123), "DateTime(2023-11-14T22:13:20.123Z)" },
        { SparkplugValue.FromBytes([1, 2, 255]), "Bytes(3 bytes: 0102FF)" },
        { SparkplugValue.FromBooleanArray([true, false]), "BooleanArray([true, false])" },
        { SparkplugValue.FromStringArray(["a", "b"]), "StringArray([\"a\", \"b\"])" },
        { SparkplugValue.FromPropertySet(new SparkplugPropertySet { { "engUnit", SparkplugValue.FromString("kW") } }), "PropertySet({engUnit=String(\"kW\")})" },
        { SparkplugValue.FromTemplate(SparkplugTemplate.Instance("Motor", "2")), "Template(instance of Motor v2, 0 members, 0 parameters)" },
        { SparkplugValue.FromDataSet(new SparkplugDataSet().AddColumn("a", SparkplugDataType.Int32)), "DataSet(1 columns [a:Int32] × 0 rows)" },
    };

    [Fact]
    public void FormatValue_InvariantCulture_NoTypeName()
    {
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Assert.Equal("1.5", SparkplugValue.FromDouble(1.5).FormatValue());
            Assert.Equal("kW", SparkplugValue.FromString("kW").FormatValue());
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }
    }

    [Theory]
    [InlineData(SparkplugDataType.Int8, -1L)]
    [InlineData(SparkplugDataType.Int16, -1L)]
    [InlineData(SparkplugDataType.Int32, -1L)]
    [InlineData(SparkplugDataType.UInt32, 4294967295L)]
    [InlineData(SparkplugDataType.UInt8, 255L)]
    public void TryReinterpret_UInt32WireValue_CastToDeclaredWidth(SparkplugDataType declared, long expected)
    {
        Assert.True(SparkplugValue.FromUInt32(uint.MaxValue).TryReinterpret(declared, out var value, out var error), error);

        Assert.Equal(declared, value.DataType);
        Assert.True(value.TryGetInt64(out var actual));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void TryReinterpret_BytesAsArray_Parses()
    {
        Assert.True(SparkplugValue.FromBytes(TestData.Hex("D08A3075")).TryReinterpret(SparkplugDataType.Int16Array, out var value, out _));

        Assert.Equal([(short)-30000, (short)30000], value.AsArray<short>().ToArray());
    }

    [Fact]
    public void TryReinterpret_IncompatibleField_FalseWithReason()
    {
        Assert.False(SparkplugValue.FromString("x").TryReinterpret(SparkplugDataType.Double, out _, out var error));

        Assert.Equal("datatype Double cannot be carried in string_value of a Metric", error);
    }

    [Theory]
    [InlineData(SparkplugDataType.Double, 3.0, SparkplugDataType.Int16, true, "Int16(3)")]
    [InlineData(SparkplugDataType.Double, 3.5, SparkplugDataType.Int16, false, "")]
    [InlineData(SparkplugDataType.Double, 40000.0, SparkplugDataType.Int16, false, "")]
    [InlineData(SparkplugDataType.Double, -1.0, SparkplugDataType.UInt32, false, "")]
    [InlineData(SparkplugDataType.Double, double.NaN, SparkplugDataType.Int32, false, "")]
    [InlineData(SparkplugDataType.Double, 1.0, SparkplugDataType.Boolean, true, "Boolean(true)")]
    [InlineData(SparkplugDataType.Double, 2.0, SparkplugDataType.Boolean, false, "")]
    [InlineData(SparkplugDataType.Double, 0.25, SparkplugDataType.Float, true, "Float(0.25)")]
    [InlineData(SparkplugDataType.Double, 1e300, SparkplugDataType.Float, false, "")]
    [InlineData(SparkplugDataType.Int64, 255.0, SparkplugDataType.UInt8, true, "UInt8(255)")]
    [InlineData(SparkplugDataType.Int64, 256.0, SparkplugDataType.UInt8, false, "")]
    [InlineData(SparkplugDataType.Int64, -128.0, SparkplugDataType.Int8, true, "Int8(-128)")]
    [InlineData(SparkplugDataType.Int64, 7.0, SparkplugDataType.Double, true, "Double(7)")]
    [InlineData(SparkplugDataType.Boolean, 1.0, SparkplugDataType.UInt16, true, "UInt16(1)")]
    public void TryConvertTo_NumericTargets_ExactOrRefused(SparkplugDataType sourceType, double source, SparkplugDataType target, bool ok, string expected)
    {
        var value = sourceType switch
        {
            SparkplugDataType.Double => SparkplugValue.FromDouble(source),
            SparkplugDataType.Int64 => SparkplugValue.FromInt64((long)source),
            _ => SparkplugValue.FromBoolean(source != 0),
        };

        Assert.Equal(ok, value.TryConvertTo(target, out var converted));
        if (ok)
        {
            Assert.Equal(expected, converted.ToString());
        }
    }

    [Fact]
    public void TryConvertTo_UInt64Max_ToUInt64AndNotToInt64()
    {
        Assert.True(SparkplugValue.FromDouble(18446744073709549568.0).TryConvertTo(SparkplugDataType.UInt64, out var u));
        Assert.Equal(18446744073709549568UL, u.AsUInt64());
        Assert.False(SparkplugValue.FromUInt64(ulong.MaxValue).TryConvertTo(SparkplugDataType.Int64, out _));
        Assert.True(SparkplugValue.FromUInt64(ulong.MaxValue).TryConvertTo(SparkplugDataType.UInt64, out _));
    }

    [Fact]
    public void TryConvertTo_TextAndNulls()
    {
        Assert.True(SparkplugValue.FromString("a").TryConvertTo(SparkplugDataType.Text, out var text));
        Assert.Equal(SparkplugValue.FromText("a"), text);
        Assert.False(SparkplugValue.FromString("1").TryConvertTo(SparkplugDataType.Int32, out _));
        Assert.True(SparkplugValue.Null(SparkplugDataType.String).TryConvertTo(SparkplugDataType.Int32, out var nullInt));
        Assert.Equal(SparkplugValue.Null(SparkplugDataType.Int32), nullInt);
    }

    [Fact]
    public void TryGetNumbers_AcrossIntegerFamilies()
    {
        Assert.True(SparkplugValue.FromInt8(-5).TryGetInt64(out var l) && l == -5);
        Assert.False(SparkplugValue.FromInt8(-5).TryGetUInt64(out _));
        Assert.False(SparkplugValue.FromUInt64(ulong.MaxValue).TryGetInt64(out _));
        Assert.True(SparkplugValue.FromUInt16(7).TryGetDouble(out var d) && d == 7);
        Assert.False(SparkplugValue.FromString("7").TryGetDouble(out _));
    }

    [Fact]
    public void DataSetAddRow_WrongCellType_Throws()
    {
        var ds = new SparkplugDataSet().AddColumn("a", SparkplugDataType.Int32);

        Assert.Throws<ArgumentException>(() => ds.AddRow(SparkplugValue.FromInt64(1)));
        Assert.Throws<ArgumentException>(() => ds.AddRow());
        Assert.Throws<ArgumentOutOfRangeException>(() => ds.AddColumn("u", SparkplugDataType.Uuid));
    }

    [Fact]
    public void PropertySet_AddDuplicate_ThrowsAndSetReplaces()
    {
        var set = new SparkplugPropertySet { { "a", SparkplugValue.FromInt32(1) } };

        Assert.Throws<ArgumentException>(() => set.Add("a", SparkplugValue.FromInt32(2)));
        set.Set("a", SparkplugValue.FromInt32(3));
        Assert.Equal(SparkplugValue.FromInt32(3), set["a"]);
        Assert.True(set.Remove("a"));
        Assert.False(set.ContainsKey("a"));
    }
}
