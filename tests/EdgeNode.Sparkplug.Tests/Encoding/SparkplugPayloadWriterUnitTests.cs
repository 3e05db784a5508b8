using System.Buffers;

namespace EdgeNode.Sparkplug.Tests.Encoding;

public sealed class SparkplugPayloadWriterUnitTests
{
    private delegate void WriterBody(ref SparkplugPayloadWriter writer);

    private static byte[] Write(SparkplugEncodingOptions? options, WriterBody body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new SparkplugPayloadWriter(buffer, options);
        body(ref writer);
        Assert.Equal(buffer.WrittenCount, writer.BytesWritten);
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] WriteMetric(SparkplugEncodingOptions? options, SparkplugMetricData metric) =>
        Write(options, (ref SparkplugPayloadWriter w) => w.WriteMetric(metric));

    [Fact]
    public void WriteMetric_NDeathBdSeq_GoldenBytesWithoutSeq()
    {
        // timestamp=1000 (08 E8 07); metric { name "bdSeq" (0A 05 …), datatype 4 (20 04), long_value 3 (58 03) }; no seq.
        var bytes = Write(null, (ref SparkplugPayloadWriter w) =>
        {
            w.WriteTimestamp(1000);
            w.WriteMetric(new SparkplugMetricData { Name = SparkplugNames.BdSeq, Value = SparkplugValue.FromInt64(3) });
        });

        Assert.Equal("08E807120B0A0562645365712004" + "5803", TestData.ToHex(bytes));
        var google = TestData.ParseWithGoogle(bytes);
        Assert.False(google.HasSeq); // [tck-id-payloads-ndeath-seq]
        Assert.Equal(3UL, google.Metrics[0].LongValue);
    }

    [Fact]
    public void BdSeqAndRebirth_Factories_MatchTheSpecShapes()
    {
        var bytes = Write(null, (ref SparkplugPayloadWriter w) =>
        {
            w.WriteTimestamp(1000);
            w.WriteMetric(SparkplugMetricData.BdSeq(3));
            w.WriteMetric(SparkplugMetricData.NodeControlRebirth(1000));
            w.WriteSeq(0);
        });

        var google = TestData.ParseWithGoogle(bytes);
        Assert.Equal("bdSeq", google.Metrics[0].Name);
        Assert.Equal(4U, google.Metrics[0].Datatype);
        Assert.Equal(3UL, google.Metrics[0].LongValue);
        Assert.Equal("Node Control/Rebirth", google.Metrics[1].Name);
        Assert.False(google.Metrics[1].HasAlias);
        Assert.Equal(11U, google.Metrics[1].Datatype);
        Assert.True(google.Metrics[1].HasBooleanValue);
        Assert.False(google.Metrics[1].BooleanValue);
        Assert.True(google.HasSeq);
    }

    [Fact]
    public void WriteSeq_Zero_IsSerializedForNBirth()
    {
        var bytes = Write(null, (ref SparkplugPayloadWriter w) =>
        {
            w.WriteTimestamp(1);
            w.WriteSeq(0);
        });

        Assert.Equal("08011800", TestData.ToHex(bytes));
        var google = TestData.ParseWithGoogle(bytes);
        Assert.True(google.HasSeq); // [tck-id-payloads-nbirth-seq]
        Assert.Equal(0UL, google.Seq);
    }

    [Theory]
    [InlineData(SparkplugDataType.Int8, -1L, "50FFFFFFFF0F")]
    [InlineData(SparkplugDataType.Int8, -128L, "5080FFFFFF0F")]
    [InlineData(SparkplugDataType.Int16, -2L, "50FEFFFFFF0F")]
    [InlineData(SparkplugDataType.Int32, int.MinValue, "508080808008")]
    [InlineData(SparkplugDataType.Int64, -1L, "58FFFFFFFFFFFFFFFFFF01")]
    [InlineData(SparkplugDataType.UInt8, 255L, "50FF01")]
    [InlineData(SparkplugDataType.UInt16, 65535L, "50FFFF03")]
    [InlineData(SparkplugDataType.Int32, 0L, "5000")]
    public void WriteMetric_SignedAndUnsigned_SignExtendedIntoUnsignedField(SparkplugDataType type, long value, string valueHex)
    {
        var metric = new SparkplugMetricData { Value = SparkplugValue.FromRawInteger(type, (ulong)value), OmitDataType = true };

        var bytes = WriteMetric(null, metric);

        // 12 <len> <value field>: the metric holds only the value.
        Assert.Equal("12" + (valueHex.Length / 2).ToString("X2", System.Globalization.CultureInfo.InvariantCulture) + valueHex, TestData.ToHex(bytes));
    }

    [Fact]
    public void WriteMetric_UInt32Default_UsesIntValue()
    {
        var bytes = WriteMetric(null, new SparkplugMetricData { Value = SparkplugValue.FromUInt32(uint.MaxValue) });

        var metric = TestData.ParseWithGoogle(bytes).Metrics[0];
        Assert.Equal(Protobuf.Payload.Types.Metric.ValueOneofCase.IntValue, metric.ValueCase);
        Assert.Equal(uint.MaxValue, metric.IntValue);
        Assert.Equal(7U, metric.Datatype);
    }

    [Fact]
    public void WriteMetric_UInt32TahuCompatible_UsesLongValueEverywhere()
    {
        var props = new SparkplugPropertySet { { "limit", SparkplugValue.FromUInt32(7) } };
        var bytes = WriteMetric(SparkplugEncodingOptions.TahuCompatible, new SparkplugMetricData { Value = SparkplugValue.FromUInt32(uint.MaxValue), Properties = props });

        var metric = TestData.ParseWithGoogle(bytes).Metrics[0];
        Assert.Equal(Protobuf.Payload.Types.Metric.ValueOneofCase.LongValue, metric.ValueCase);
        Assert.Equal((ulong)uint.MaxValue, metric.LongValue);
        Assert.Equal(7UL, metric.Properties.Values[0].LongValue);
    }

    [Fact]
    public void WriteMetric_Null_WritesIsNullAndNoValue()
    {
        var bytes = WriteMetric(null, SparkplugMetricData.Birth("m", 5, TestData.Timestamp, SparkplugValue.Null(SparkplugDataType.Double)));

        var metric = TestData.ParseWithGoogle(bytes).Metrics[0];
        Assert.True(metric.HasIsNull);
        Assert.True(metric.IsNull);
        Assert.Equal(Protobuf.Payload.Types.Metric.ValueOneofCase.None, metric.ValueCase);
        Assert.Equal(10U, metric.Datatype);
    }

    [Fact]
    public void Data_ByAlias_OmitsNameAndDataType()
    {
        var bytes = WriteMetric(null, SparkplugMetricData.Data(42, TestData.Timestamp, SparkplugValue.FromFloat(1.5f), isHistorical: true));

        var metric = TestData.ParseWithGoogle(bytes).Metrics[0];
        Assert.False(metric.HasName);
        Assert.False(metric.HasDatatype); // [tck-id-payloads-metric-datatype-not-req]
        Assert.Equal(42UL, metric.Alias);
        Assert.Equal(TestData.Timestamp, metric.Timestamp);
        Assert.True(metric.IsHistorical);
        Assert.False(metric.HasIsTransient);
        Assert.Equal(1.5f, metric.FloatValue);
    }

    [Fact]
    public void Birth_WithProperties_WritesParallelKeysAndTypedValues()
    {
        var props = new SparkplugPropertySet
        {
            { SparkplugNames.EngUnit, SparkplugValue.FromString("kW") },
            { SparkplugNames.EngLow, SparkplugValue.FromDouble(0) },
            { SparkplugNames.EngHigh, SparkplugValue.FromDouble(3000) },
            { SparkplugNames.Description, SparkplugValue.Null(SparkplugDataType.String) },
        };

        var bytes = WriteMetric(null, SparkplugMetricData.Birth("Power", 3, TestData.Timestamp, SparkplugValue.FromDouble(1234.5), props));

        var set = TestData.ParseWithGoogle(bytes).Metrics[0].Properties;
        Assert.Equal(["engUnit", "engLow", "engHigh", "description"], set.Keys);
        Assert.Equal(12U, set.Values[0].Type);
        Assert.Equal("kW", set.Values[0].StringValue);
        Assert.Equal(3000d, set.Values[2].DoubleValue);
        Assert.True(set.Values[3].IsNull);
        Assert.Equal(Protobuf.Payload.Types.PropertyValue.ValueOneofCase.None, set.Values[3].ValueCase);
    }

    [Fact]
    public void WriteMetric_SizeMismatchImpossible_GetMetricSizeMatchesWritten()
    {
        var metric = SparkplugMetricData.Birth("Ünïcødé/名前", 1, TestData.Timestamp, SparkplugValue.FromString("😀 emoji"));

        var bytes = WriteMetric(null, metric);

        Assert.Equal(SparkplugPayloadWriter.GetMetricSize(metric), bytes.Length);
    }

    [Fact]
    public void WriteMetric_CyclicTemplate_ThrowsInsteadOfOverflowingTheStack()
    {
        var template = SparkplugTemplate.Definition();
        template.Metrics.Add(new SparkplugMetric("self", SparkplugValue.FromTemplate(template)));
        var metric = new SparkplugMetricData { Name = "t", Value = SparkplugValue.FromTemplate(template) };

        Assert.Throws<InvalidOperationException>(() => WriteMetric(null, metric));
    }

    [Fact]
    public void WriteMetric_PropertySetAsMetricValue_ThrowsBecauseMetricsHaveNoSuchField()
    {
        var metric = new SparkplugMetricData { Name = "p", Value = SparkplugValue.FromPropertySet([]) };

        var ex = Assert.Throws<InvalidOperationException>(() => WriteMetric(null, metric));
        Assert.Contains("PropertySet", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteMetric_Template_AlwaysWritesIsDefinition()
    {
        var instance = SparkplugTemplate.Instance("Motor");
        instance.Metrics.Add(new SparkplugMetric("Speed", SparkplugValue.FromFloat(3)) { Timestamp = 5 });
        instance.Parameters.Add(new SparkplugTemplateParameter("Make", SparkplugValue.FromString("Acme")));

        var bytes = WriteMetric(null, new SparkplugMetricData { Name = "Motor1", Value = SparkplugValue.FromTemplate(instance) });

        var template = TestData.ParseWithGoogle(bytes).Metrics[0].TemplateValue;
        Assert.True(template.HasIsDefinition); // [tck-id-payloads-template-is-definition]
        Assert.False(template.IsDefinition);
        Assert.Equal("Motor", template.TemplateRef);
        Assert.Equal("Speed", template.Metrics[0].Name);
        Assert.Equal("Acme", template.Parameters[0].StringValue);
        Assert.Equal(12U, template.Parameters[0].Type);
    }

    [Fact]
    public void WriteMetric_DataSet_WritesColumnsTypesRowsAndEmptyNullCells()
    {
        var ds = new SparkplugDataSet()
            .AddColumn("i", SparkplugDataType.Int32)
            .AddColumn("s", SparkplugDataType.String)
            .AddRow(SparkplugValue.FromInt32(-1), SparkplugValue.FromString("a"))
            .AddRow(SparkplugValue.Null(SparkplugDataType.Int32), SparkplugValue.FromString(""));

        var bytes = WriteMetric(null, new SparkplugMetricData { Name = "ds", Value = SparkplugValue.FromDataSet(ds) });

        var google = TestData.ParseWithGoogle(bytes).Metrics[0].DatasetValue;
        Assert.True(google.HasNumOfColumns); // [tck-id-payloads-dataset-column-size]
        Assert.Equal(2UL, google.NumOfColumns);
        Assert.Equal([3U, 12U], google.Types_);
        Assert.Equal(uint.MaxValue, google.Rows[0].Elements[0].IntValue);
        Assert.Equal(Protobuf.Payload.Types.DataSet.Types.DataSetValue.ValueOneofCase.None, google.Rows[1].Elements[0].ValueCase);
        Assert.Equal("", google.Rows[1].Elements[1].StringValue);
    }

    [Fact]
    public void WriteMetric_SteadyState_AllocatesNothing()
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        var props = new SparkplugPropertySet { { "engUnit", SparkplugValue.FromString("RPM") } };
        var birth = SparkplugMetricData.Birth("Rotor/Speed", 7, TestData.Timestamp, SparkplugValue.FromFloat(12.5f), props);
        var data = SparkplugMetricData.Data(7, TestData.Timestamp, SparkplugValue.FromDouble(3.25));

        void WriteOnce()
        {
            buffer.ResetWrittenCount();
            var writer = new SparkplugPayloadWriter(buffer);
            writer.WriteTimestamp(TestData.Timestamp);
            for (var i = 0; i < 100; i++)
            {
                writer.WriteMetric(birth);
                writer.WriteMetric(data);
            }

            writer.WriteSeq(9);
        }

        WriteOnce();
        var before = GC.GetAllocatedBytesForCurrentThread();
        WriteOnce();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }
}
