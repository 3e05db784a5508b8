using EdgeNode.Sparkplug;
using static EdgeNode.Monitor.Tests.MonitorTestSupport;

namespace EdgeNode.Monitor.Tests;

/// <summary>Every Sparkplug datatype is shown readably in text and exactly in JSON, after a trip through the codec.</summary>
public sealed class MonitorDatatypeFormattingUnitTests
{
    private const string Topic = "spBv1.0/G/DBIRTH/E/D";

    public static IEnumerable<object[]> Cases()
    {
        // name, value, text after "= ", JSON value
        yield return Case("Int8 min", SparkplugValue.FromInt8(sbyte.MinValue), "-128", "-128");
        yield return Case("Int16 min", SparkplugValue.FromInt16(short.MinValue), "-32768", "-32768");
        yield return Case("Int32 min", SparkplugValue.FromInt32(int.MinValue), "-2147483648", "-2147483648");
        yield return Case("Int64 min", SparkplugValue.FromInt64(long.MinValue), "-9223372036854775808", "-9223372036854775808");
        yield return Case("UInt8 max", SparkplugValue.FromUInt8(byte.MaxValue), "255", "255");
        yield return Case("UInt16 max", SparkplugValue.FromUInt16(ushort.MaxValue), "65535", "65535");
        yield return Case("UInt32 max", SparkplugValue.FromUInt32(uint.MaxValue), "4294967295", "4294967295");
        yield return Case("UInt64 max", SparkplugValue.FromUInt64(ulong.MaxValue), "18446744073709551615", "18446744073709551615");
        yield return Case("Float", SparkplugValue.FromFloat(12.5f), "12.5", "12.5");
        yield return Case("Float NaN", SparkplugValue.FromFloat(float.NaN), "NaN", "\"NaN\"");
        yield return Case("Double", SparkplugValue.FromDouble(Math.PI), "3.141592653589793", "3.141592653589793");
        yield return Case("Double -inf", SparkplugValue.FromDouble(double.NegativeInfinity), "-Infinity", "\"-Infinity\"");
        yield return Case("Boolean", SparkplugValue.FromBoolean(true), "true", "true");
        yield return Case("String", SparkplugValue.FromString("pump \"1\""), "\"pump \\\"1\\\"\"", "\"pump \\\"1\\\"\"");
        yield return Case("DateTime", SparkplugValue.FromDateTimeMilliseconds(1_700_000_000_123), "2023-11-14T22:13:20.123Z", "\"2023-11-14T22:13:20.123Z\"");
        yield return Case("Text", SparkplugValue.FromText("a\tb"), "\"a\\tb\"", "\"a\\tb\"");
        yield return Case("UUID", SparkplugValue.FromUuid(Guid.Parse("4b0c2d8e-1f3a-4c5d-9e6f-7a8b9c0d1e2f")),
            "\"4b0c2d8e-1f3a-4c5d-9e6f-7a8b9c0d1e2f\"", "\"4b0c2d8e-1f3a-4c5d-9e6f-7a8b9c0d1e2f\"");
        yield return Case("Bytes", SparkplugValue.FromBytes([0, 1, 0xFE]), "3 bytes: 0001FE", "\"0001FE\"");
        yield return Case("File", SparkplugValue.FromFile("hi"u8.ToArray()), "2 bytes: 6869", "\"6869\"");
        yield return Case("Int8Array", SparkplugValue.FromInt8Array([-1, 2]), "[-1, 2]", "[-1,2]");
        yield return Case("Int16Array", SparkplugValue.FromInt16Array([short.MinValue, 2]), "[-32768, 2]", "[-32768,2]");
        yield return Case("Int32Array", SparkplugValue.FromInt32Array([-3, 4]), "[-3, 4]", "[-3,4]");
        yield return Case("Int64Array", SparkplugValue.FromInt64Array([long.MinValue]), "[-9223372036854775808]", "[-9223372036854775808]");
        yield return Case("UInt8Array", SparkplugValue.FromUInt8Array([0, 255]), "[0, 255]", "[0,255]");
        yield return Case("UInt16Array", SparkplugValue.FromUInt16Array([65535]), "[65535]", "[65535]");
        yield return Case("UInt32Array", SparkplugValue.FromUInt32Array([uint.MaxValue]), "[4294967295]", "[4294967295]");
        yield return Case("UInt64Array", SparkplugValue.FromUInt64Array([ulong.MaxValue]), "[18446744073709551615]", "[18446744073709551615]");
        yield return Case("FloatArray", SparkplugValue.FromFloatArray([1.5f, -2f]), "[1.5, -2]", "[1.5,-2]");
        yield return Case("DoubleArray", SparkplugValue.FromDoubleArray([0.25, double.NaN]), "[0.25, NaN]", "[0.25,\"NaN\"]");
        yield return Case("BooleanArray", SparkplugValue.FromBooleanArray([true, false, true]), "[true, false, true]", "[true,false,true]");
        yield return Case("StringArray", SparkplugValue.FromStringArray(["a", "b c"]), "[\"a\", \"b c\"]", "[\"a\",\"b c\"]");
        yield return Case("DateTimeArray", SparkplugValue.FromDateTimeArray([1_700_000_000_123]), "[2023-11-14T22:13:20.123Z]", "[\"2023-11-14T22:13:20.123Z\"]");
        yield return Case("DataSet", SparkplugValue.FromDataSet(new SparkplugDataSet()
                .AddColumn("a", SparkplugDataType.Int32).AddColumn("b", SparkplugDataType.String)
                .AddRow(SparkplugValue.FromInt32(1), SparkplugValue.FromString("x"))
                .AddRow(SparkplugValue.Null(SparkplugDataType.Int32), SparkplugValue.FromString("y"))),
            "2 columns [a:Int32, b:String] × 2 rows", "{\"columns\":[\"a\",\"b\"],\"types\":[\"Int32\",\"String\"],\"rows\":[[1,\"x\"],[null,\"y\"]]}");
    }

    private static object[] Case(string name, SparkplugValue value, string text, string json) => [name, value, text, json];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Format_EveryDatatype_TextShowsNameTypeAndValue(string name, SparkplugValue value, string text, string json)
    {
        _ = json;
        var message = new SparkplugMessageInterpreter().Feed(Topic, Payload(1, Metric("m", value)));

        var lines = Lines(message);
        Assert.Equal($"  m  {SparkplugDataTypes.GetName(value.DataType)}  = {text}", lines[1]);
        Assert.True(message.Kind == MonitoredMessageKind.Sparkplug, name);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Format_EveryDatatype_JsonCarriesTheExactValue(string name, SparkplugValue value, string text, string json)
    {
        _ = (name, text);
        var message = new SparkplugMessageInterpreter().Feed(Topic, Payload(1, Metric("m", value)));

        var metric = Json(message).GetProperty("metrics")[0];
        Assert.Equal("m", metric.GetProperty("name").GetString());
        Assert.Equal(SparkplugDataTypes.GetName(value.DataType), metric.GetProperty("datatype").GetString());
        Assert.Equal(json, metric.GetProperty("value").GetRawText());
    }

    [Fact]
    public void Cases_CoverEveryMetricDatatype()
    {
        var covered = Cases().Select(c => ((SparkplugValue)c[1]).DataType).ToHashSet();
        var metricTypes = Enum.GetValues<SparkplugDataType>()
            .Where(t => t is not (SparkplugDataType.Unknown or SparkplugDataType.PropertySet or SparkplugDataType.PropertySetList))
            .Where(t => t != SparkplugDataType.Template); // MonitorTemplateUnitTests
        Assert.Empty(metricTypes.Except(covered));
    }

    [Fact]
    public void Format_DataSet_RowsIndentedUnderTheMetric()
    {
        var dataSet = new SparkplugDataSet().AddColumn("a", SparkplugDataType.Int32).AddColumn("b", SparkplugDataType.String)
            .AddRow(SparkplugValue.FromInt32(1), SparkplugValue.FromString("x"))
            .AddRow(SparkplugValue.Null(SparkplugDataType.Int32), SparkplugValue.FromString("y"));
        var lines = Lines(new SparkplugMessageInterpreter().Feed(Topic, Payload(1, Metric("t", SparkplugValue.FromDataSet(dataSet)))));

        Assert.Equal(["      [1, \"x\"]", "      [null, \"y\"]"], lines[2..]);
    }

    [Fact]
    public void Format_NullValue_ShowsNullAndTheNullFlag()
    {
        var message = new SparkplugMessageInterpreter().Feed(Topic, Payload(1, Metric("Fault/Code", SparkplugValue.Null(SparkplugDataType.Int16), units: "code")));

        Assert.Equal("  Fault/Code  Int16  = null  [null]", Lines(message)[1]);
        var metric = Json(message).GetProperty("metrics")[0];
        Assert.Equal(System.Text.Json.JsonValueKind.Null, metric.GetProperty("value").ValueKind);
        Assert.True(metric.GetProperty("null").GetBoolean());
    }

    [Fact]
    public void Format_HistoricalAndTransient_FlagsWithTheMetricsOwnTime()
    {
        var metric = Metric("Rotor/Speed", SparkplugValue.FromFloat(7f), units: "RPM");
        metric.IsHistorical = true;
        metric.IsTransient = true;
        metric.Timestamp = 1_700_000_000_123;
        var message = new SparkplugMessageInterpreter().Feed("spBv1.0/G/DDATA/E/D", Payload(4, metric));

        Assert.Equal("  Rotor/Speed  Float  = 7 RPM  [historical @2023-11-14 22:13:20.123, transient]", Lines(message)[1]);
        var json = Json(message).GetProperty("metrics")[0];
        Assert.True(json.GetProperty("historical").GetBoolean());
        Assert.True(json.GetProperty("transient").GetBoolean());
        Assert.Equal(1_700_000_000_123UL, json.GetProperty("timestamp").GetUInt64());
        Assert.Equal("RPM", json.GetProperty("units").GetString());
    }

    [Fact]
    public void Format_Header_TimeTypeIdsSeqAndMetricCount()
    {
        var message = new SparkplugMessageInterpreter().Feed("spBv1.0/Demo/DDATA/Gateway01/Turbine1",
            Payload(42, Metric("a", SparkplugValue.FromInt32(1)), Metric("b", SparkplugValue.FromInt32(2))));

        Assert.Equal("2025-06-01 10:00:00.123  DDATA   Demo/Gateway01/Turbine1  seq=42  2 metrics", Lines(message)[0]);
        var json = Json(message);
        Assert.Equal("DDATA", json.GetProperty("type").GetString());
        Assert.Equal("Demo", json.GetProperty("group").GetString());
        Assert.Equal("Gateway01", json.GetProperty("node").GetString());
        Assert.Equal("Turbine1", json.GetProperty("device").GetString());
        Assert.Equal(42UL, json.GetProperty("seq").GetUInt64());
        Assert.Equal("2025-06-01T10:00:00.123Z", json.GetProperty("time").GetString());
    }

    [Fact]
    public void Format_NodeDeath_ShowsBdSeqInTheHeader()
    {
        var death = new SparkplugPayload { Timestamp = 1 };
        death.Metrics.Add(Metric(SparkplugNames.BdSeq, SparkplugValue.FromInt64(7)));
        var message = new SparkplugMessageInterpreter().Feed("spBv1.0/Demo/NDEATH/Gateway01", death);

        Assert.Equal(7UL, message.BdSeq);
        Assert.Contains("NDEATH  Demo/Gateway01  bdSeq=7", Lines(message)[0], StringComparison.Ordinal);
        Assert.DoesNotContain("seq=", Lines(message)[0].Replace("bdSeq=", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(7UL, Json(message).GetProperty("bdSeq").GetUInt64());
    }

    [Fact]
    public void Format_Color_OnlyWhenAsked()
    {
        var message = new SparkplugMessageInterpreter().Feed(Topic, Payload(1, Metric("m", SparkplugValue.FromInt32(1))));

        Assert.DoesNotContain('\u001b', Text.Format(message));
        var colored = new MonitorTextFormatter(color: true, TimeZoneInfo.Utc).Format(message);
        Assert.Contains("\u001b[32mDBIRTH", colored, StringComparison.Ordinal);
    }
}
