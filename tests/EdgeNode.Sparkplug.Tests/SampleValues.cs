namespace EdgeNode.Sparkplug.Tests;

/// <summary>One value of every datatype, with the edge values real hosts trip over.</summary>
internal static class SampleValues
{
    public sealed record Sample(string Name, SparkplugValue Value);

    public static IEnumerable<Sample> All() => Scalars().Concat(Arrays()).Concat(Complex());

    public static IEnumerable<Sample> Scalars()
    {
        yield return new("Int8 min", SparkplugValue.FromInt8(sbyte.MinValue));
        yield return new("Int8 max", SparkplugValue.FromInt8(sbyte.MaxValue));
        yield return new("Int8 -1", SparkplugValue.FromInt8(-1));
        yield return new("Int16 min", SparkplugValue.FromInt16(short.MinValue));
        yield return new("Int16 max", SparkplugValue.FromInt16(short.MaxValue));
        yield return new("Int32 min", SparkplugValue.FromInt32(int.MinValue));
        yield return new("Int32 max", SparkplugValue.FromInt32(int.MaxValue));
        yield return new("Int32 0", SparkplugValue.FromInt32(0));
        yield return new("Int64 min", SparkplugValue.FromInt64(long.MinValue));
        yield return new("Int64 max", SparkplugValue.FromInt64(long.MaxValue));
        yield return new("Int64 -1", SparkplugValue.FromInt64(-1));
        yield return new("UInt8 max", SparkplugValue.FromUInt8(byte.MaxValue));
        yield return new("UInt8 0", SparkplugValue.FromUInt8(0));
        yield return new("UInt16 max", SparkplugValue.FromUInt16(ushort.MaxValue));
        yield return new("UInt32 max", SparkplugValue.FromUInt32(uint.MaxValue));
        yield return new("UInt32 0", SparkplugValue.FromUInt32(0));
        yield return new("UInt32 2^31", SparkplugValue.FromUInt32(2147483648));
        yield return new("UInt64 max", SparkplugValue.FromUInt64(ulong.MaxValue));
        yield return new("UInt64 0", SparkplugValue.FromUInt64(0));
        yield return new("Float max", SparkplugValue.FromFloat(float.MaxValue));
        yield return new("Float min", SparkplugValue.FromFloat(float.MinValue));
        yield return new("Float epsilon", SparkplugValue.FromFloat(float.Epsilon));
        yield return new("Float NaN", SparkplugValue.FromFloat(float.NaN));
        yield return new("Float +inf", SparkplugValue.FromFloat(float.PositiveInfinity));
        yield return new("Float -inf", SparkplugValue.FromFloat(float.NegativeInfinity));
        yield return new("Float -0", SparkplugValue.FromFloat(-0f));
        yield return new("Float 12.1", SparkplugValue.FromFloat(12.1f));
        yield return new("Double max", SparkplugValue.FromDouble(double.MaxValue));
        yield return new("Double min", SparkplugValue.FromDouble(double.MinValue));
        yield return new("Double epsilon", SparkplugValue.FromDouble(double.Epsilon));
        yield return new("Double NaN", SparkplugValue.FromDouble(double.NaN));
        yield return new("Double +inf", SparkplugValue.FromDouble(double.PositiveInfinity));
        yield return new("Double -inf", SparkplugValue.FromDouble(double.NegativeInfinity));
        yield return new("Double pi", SparkplugValue.FromDouble(Math.PI));
        yield return new("Boolean true", SparkplugValue.FromBoolean(true));
        yield return new("Boolean false", SparkplugValue.FromBoolean(false));
        yield return new("String empty", SparkplugValue.FromString(""));
        yield return new("String unicode", SparkplugValue.FromString("Ünïcødé 名前 😀 \"quoted\"\n"));
        yield return new("DateTime epoch", SparkplugValue.FromDateTimeMilliseconds(0));
        yield return new("DateTime now", SparkplugValue.FromDateTimeMilliseconds(1_700_000_000_123));
        yield return new("Text", SparkplugValue.FromText("long text " + new string('t', 300)));
        yield return new("UUID", SparkplugValue.FromUuid(Guid.Parse("4b0c2d8e-1f3a-4c5d-9e6f-7a8b9c0d1e2f")));
        yield return new("Bytes", SparkplugValue.FromBytes([0, 1, 2, 0xFE, 0xFF]));
        yield return new("Bytes empty", SparkplugValue.FromBytes(Array.Empty<byte>()));
        yield return new("File", SparkplugValue.FromFile("file content"u8.ToArray()));
        yield return new("Null Int32", SparkplugValue.Null(SparkplugDataType.Int32));
        yield return new("Null String", SparkplugValue.Null(SparkplugDataType.String));
        yield return new("Null Double", SparkplugValue.Null(SparkplugDataType.Double));
    }

    public static IEnumerable<Sample> Arrays()
    {
        yield return new("Int8Array", SparkplugValue.FromInt8Array([sbyte.MinValue, -1, 0, sbyte.MaxValue]));
        yield return new("Int16Array", SparkplugValue.FromInt16Array([short.MinValue, -2, short.MaxValue]));
        yield return new("Int32Array", SparkplugValue.FromInt32Array([int.MinValue, -1, 315338746, int.MaxValue]));
        yield return new("Int64Array", SparkplugValue.FromInt64Array([long.MinValue, -4270929666821191986, long.MaxValue]));
        yield return new("UInt8Array", SparkplugValue.FromUInt8Array([0, 23, 250, 255]));
        yield return new("UInt16Array", SparkplugValue.FromUInt16Array([0, 30, 52360, ushort.MaxValue]));
        yield return new("UInt32Array", SparkplugValue.FromUInt32Array([0, 52, 3293969225, uint.MaxValue]));
        yield return new("UInt64Array", SparkplugValue.FromUInt64Array([0, 16444743074749521625, ulong.MaxValue]));
        yield return new("FloatArray", SparkplugValue.FromFloatArray([1.23f, float.NaN, float.NegativeInfinity, float.MaxValue]));
        yield return new("DoubleArray", SparkplugValue.FromDoubleArray([12.354213, double.PositiveInfinity, double.MinValue]));
        yield return new("BooleanArray", SparkplugValue.FromBooleanArray([false, false, true, true, false, true, false, false, true, true, false, true]));
        yield return new("BooleanArray empty", SparkplugValue.FromBooleanArray([]));
        yield return new("StringArray", SparkplugValue.FromStringArray(["ABC", "", "hello", "名前"]));
        yield return new("DateTimeArray", SparkplugValue.FromDateTimeArray([1256102875335, 1656107875000]));
        yield return new("Int32Array empty", SparkplugValue.FromInt32Array([]));
    }

    public static IEnumerable<Sample> Complex()
    {
        yield return new("DataSet mixed", SparkplugValue.FromDataSet(MixedDataSet()));
        yield return new("DataSet empty", SparkplugValue.FromDataSet(new SparkplugDataSet()));
        yield return new("Template definition", SparkplugValue.FromTemplate(Definition()));
        yield return new("Template instance nested", SparkplugValue.FromTemplate(NestedInstance()));
    }

    /// <summary>A DataSet with one column of every basic type and a row of nulls.</summary>
    public static SparkplugDataSet MixedDataSet()
    {
        var ds = new SparkplugDataSet()
            .AddColumn("i8", SparkplugDataType.Int8)
            .AddColumn("i16", SparkplugDataType.Int16)
            .AddColumn("i32", SparkplugDataType.Int32)
            .AddColumn("i64", SparkplugDataType.Int64)
            .AddColumn("u8", SparkplugDataType.UInt8)
            .AddColumn("u16", SparkplugDataType.UInt16)
            .AddColumn("u32", SparkplugDataType.UInt32)
            .AddColumn("u64", SparkplugDataType.UInt64)
            .AddColumn("f", SparkplugDataType.Float)
            .AddColumn("d", SparkplugDataType.Double)
            .AddColumn("b", SparkplugDataType.Boolean)
            .AddColumn("s", SparkplugDataType.String)
            .AddColumn("dt", SparkplugDataType.DateTime)
            .AddColumn("t", SparkplugDataType.Text);
        ds.AddRow(
            SparkplugValue.FromInt8(-8), SparkplugValue.FromInt16(-16), SparkplugValue.FromInt32(-32), SparkplugValue.FromInt64(-64),
            SparkplugValue.FromUInt8(8), SparkplugValue.FromUInt16(16), SparkplugValue.FromUInt32(uint.MaxValue), SparkplugValue.FromUInt64(ulong.MaxValue),
            SparkplugValue.FromFloat(1.5f), SparkplugValue.FromDouble(double.NaN), SparkplugValue.FromBoolean(true), SparkplugValue.FromString("row1"),
            SparkplugValue.FromDateTimeMilliseconds(1_700_000_000_000), SparkplugValue.FromText("text"));
        ds.AddRow(
            SparkplugValue.FromInt8(sbyte.MaxValue), SparkplugValue.FromInt16(short.MinValue), SparkplugValue.FromInt32(int.MinValue), SparkplugValue.FromInt64(long.MinValue),
            SparkplugValue.FromUInt8(0), SparkplugValue.FromUInt16(ushort.MaxValue), SparkplugValue.FromUInt32(0), SparkplugValue.FromUInt64(0),
            SparkplugValue.FromFloat(float.NegativeInfinity), SparkplugValue.FromDouble(-0.0), SparkplugValue.FromBoolean(false), SparkplugValue.FromString(""),
            SparkplugValue.FromDateTimeMilliseconds(0), SparkplugValue.FromText(""));
        ds.AddRow([.. ds.Types.Select(SparkplugValue.Null)]);
        return ds;
    }

    public static SparkplugTemplate Definition()
    {
        var t = SparkplugTemplate.Definition("1.2");
        t.Metrics.Add(new SparkplugMetric("Rotor/Speed", SparkplugValue.FromFloat(0)) { Timestamp = TestData.Timestamp, Properties = Properties() });
        t.Metrics.Add(new SparkplugMetric("Power/Limit", SparkplugValue.FromUInt16(3000)) { Timestamp = TestData.Timestamp });
        t.Metrics.Add(new SparkplugMetric("Status", SparkplugValue.Null(SparkplugDataType.String)) { Timestamp = TestData.Timestamp });
        t.Parameters.Add(new SparkplugTemplateParameter("Manufacturer", SparkplugValue.FromString("Acme")));
        t.Parameters.Add(new SparkplugTemplateParameter("RatedPowerKw", SparkplugValue.FromDouble(3000)));
        t.Parameters.Add(new SparkplugTemplateParameter("Units", SparkplugValue.FromInt64(-3)));
        return t;
    }

    /// <summary>A template instance holding another template instance as a member.</summary>
    public static SparkplugTemplate NestedInstance()
    {
        var inner = SparkplugTemplate.Instance("Bearing");
        inner.Metrics.Add(new SparkplugMetric("Temperature", SparkplugValue.FromDouble(71.5)) { Timestamp = TestData.Timestamp });
        inner.Parameters.Add(new SparkplugTemplateParameter("Position", SparkplugValue.FromString("front")));

        var outer = SparkplugTemplate.Instance("WindTurbine", "1.2");
        outer.Metrics.Add(new SparkplugMetric("Rotor/Speed", SparkplugValue.FromFloat(12.5f)) { Timestamp = TestData.Timestamp });
        outer.Metrics.Add(new SparkplugMetric("Bearing1", SparkplugValue.FromTemplate(inner)) { Timestamp = TestData.Timestamp });
        outer.Parameters.Add(new SparkplugTemplateParameter("Manufacturer", SparkplugValue.FromString("Vestas")));
        return outer;
    }

    /// <summary>Metric properties including a nested PropertySet and PropertySetList and a null.</summary>
    public static SparkplugPropertySet Properties()
    {
        var nested = new SparkplugPropertySet
        {
            { "ch1", SparkplugValue.FromInt32(1000) },
            { "gain", SparkplugValue.FromDouble(0.5) },
        };
        var list = new SparkplugPropertySetList
        {
            new SparkplugPropertySet { { "range", SparkplugValue.FromInt64(-5) } },
            new SparkplugPropertySet { { "enabled", SparkplugValue.FromBoolean(true) }, { "label", SparkplugValue.FromString("b") } },
        };
        return new SparkplugPropertySet
        {
            { SparkplugNames.EngUnit, SparkplugValue.FromString("RPM") },
            { SparkplugNames.EngLow, SparkplugValue.FromDouble(0) },
            { SparkplugNames.EngHigh, SparkplugValue.FromDouble(25) },
            { SparkplugNames.Description, SparkplugValue.Null(SparkplugDataType.String) },
            { SparkplugNames.Quality, SparkplugValue.FromInt32(SparkplugNames.QualityGood) },
            { "channels", SparkplugValue.FromPropertySet(nested) },
            { "ranges", SparkplugValue.FromPropertySetList(list) },
        };
    }
}
