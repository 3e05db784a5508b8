using System.Buffers;

namespace EdgeNode.Sparkplug.Tests.Decoding;

public sealed class SparkplugPayloadDecodeUnitTests
{
    [Fact]
    public void TryDecode_UInt32InEitherField_SameValue()
    {
        // Spec form: datatype 7, int_value 0xFFFFFFFF. Tahu/Ignition form: datatype 7, long_value 0xFFFFFFFF.
        var spec = TestData.Hex("12 08 20 07 50 FF FF FF FF 0F");
        var tahu = TestData.Hex("12 08 20 07 58 FF FF FF FF 0F");

        Assert.Equal(uint.MaxValue, TestData.Decode(spec).Metrics[0].Value.AsUInt32());
        Assert.Equal(uint.MaxValue, TestData.Decode(tahu).Metrics[0].Value.AsUInt32());
    }

    [Theory]
    [InlineData("20 01 50 FF FF FF FF 0F", SparkplugDataType.Int8, -1L)]
    [InlineData("20 02 50 80 80 FE FF 0F", SparkplugDataType.Int16, -32768L)]
    [InlineData("20 03 50 80 80 80 80 08", SparkplugDataType.Int32, int.MinValue)]
    [InlineData("20 04 58 FF FF FF FF FF FF FF FF 7F", SparkplugDataType.Int64, long.MaxValue)]
    [InlineData("20 04 58 80 80 80 80 80 80 80 80 80 01", SparkplugDataType.Int64, long.MinValue)]
    [InlineData("20 01 58 FF FF FF FF FF FF FF FF FF 01", SparkplugDataType.Int8, -1L)] // Int8 in long_value, 64-bit sign extension
    [InlineData("20 04 50 FF FF FF FF 0F", SparkplugDataType.Int64, -1L)]              // Int64 squeezed into int_value
    public void TryDecode_SignedValues_CastToDeclaredWidth(string metricHex, SparkplugDataType type, long expected)
    {
        var metric = TestData.Hex(metricHex);
        var payload = TestData.Decode([0x12, (byte)metric.Length, .. metric]);

        var value = payload.Metrics[0].Value;
        Assert.Equal(type, value.DataType);
        Assert.True(value.TryGetInt64(out var actual));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void TryDecode_NoDataType_NaturalTypeThenReinterpret()
    {
        // DATA by alias: alias 5, int_value 0xFFFFFFFE, no datatype.
        var payload = TestData.Decode(TestData.Hex("12 08 10 05 50 FE FF FF FF 0F"));
        var metric = payload.Metrics[0];

        Assert.True(metric.OmitDataType);
        Assert.Equal(SparkplugDataType.Unknown, metric.DataType);
        Assert.Equal(SparkplugValue.FromUInt32(0xFFFFFFFE), metric.Value);
        Assert.True(metric.Value.TryReinterpret(SparkplugDataType.Int16, out var asInt16, out _));
        Assert.Equal(SparkplugValue.FromInt16(-2), asInt16);
    }

    [Fact]
    public void TryDecode_NDeath_HasNoSeqAndBdSeq()
    {
        var payload = TestData.Decode(TestData.Hex("08E807120B0A0562645365712004" + "5803"));

        Assert.Null(payload.Seq);
        Assert.Equal(1000UL, payload.Timestamp);
        Assert.Equal(SparkplugValue.FromInt64(3), payload.FindMetric(SparkplugNames.BdSeq)!.Value);
    }

    [Fact]
    public void TryDecode_FieldsOutOfOrderPackedTypesAndUnknownFields_Accepted()
    {
        // seq before timestamp; an unknown field 99 (varint) and an extension field 6 in the payload; in the metric,
        // value before datatype; a DataSet with packed types and rows before types.
        var dataSet = TestData.Hex("22 04 0A 02 08 07" + "08 01" + "12 01 61" + "1A 01 03");
        var metricBody = TestData.Hex("58 2A 20 04 0A 01 6D");
        var dsMetric = (byte[])[0x0A, 0x01, 0x64, 0x20, 0x10, 0x8A, 0x01, (byte)dataSet.Length, .. dataSet];
        byte[] bytes =
        [
            0x18, 0x05, 0x98, 0x06, 0x01, 0x30, 0x07, 0x08, 0x02,
            0x12, (byte)metricBody.Length, .. metricBody,
            0x12, (byte)dsMetric.Length, .. dsMetric,
        ];

        var payload = TestData.Decode(bytes);

        Assert.Equal(5UL, payload.Seq);
        Assert.Equal(2UL, payload.Timestamp);
        Assert.Equal(SparkplugValue.FromInt64(42), payload.Metrics[0].Value);
        var ds = payload.Metrics[1].Value.AsDataSet();
        Assert.Equal([SparkplugDataType.Int32], ds.Types);
        Assert.Equal(SparkplugValue.FromInt32(7), ds.Rows[0][0]);
    }

    [Fact]
    public void TryDecode_MultiSegmentSequence_SameAsContiguous()
    {
        var payload = new SparkplugPayload { Timestamp = 1, Seq = 2 };
        for (var i = 0; i < 20; i++)
        {
            payload.Metrics.Add(new SparkplugMetric($"m{i}", SparkplugValue.FromString(new string('x', i * 7))) { Alias = (ulong)i });
        }

        var bytes = payload.ToByteArray();
        var sequence = Segments.Split(bytes, 13);

        Assert.False(sequence.IsSingleSegment);
        Assert.True(SparkplugPayload.TryDecode(sequence, out var decoded, out var error), error);
        TestData.AssertPayloadsEqual(payload, decoded);
    }

    [Theory]
    [InlineData("12", "truncated metric 0")]
    [InlineData("12 05 0A", "truncated metric 0")]
    [InlineData("12 03 0A 05 61", "metric 0: truncated name")]
    [InlineData("12 04 20 0A 50 01", "metric 0: datatype Double cannot be carried in int_value of a Metric")]
    [InlineData("12 04 20 63 50 01", "metric 0: unknown datatype 99")]
    [InlineData("12 04 20 00 50 01", "metric 0: unknown datatype 0")]
    [InlineData("12 06 20 18 82 01 01 01", "metric 0: Int32Array of 1 bytes is not a whole number of 4-byte elements")]
    [InlineData("12 06 4A 04 0A 02 6B 31", "metric 0: properties: 1 keys but 0 values")]
    [InlineData("0B", "unsupported wire type 3")]
    [InlineData("08 FF FF FF FF FF FF FF FF FF FF 01", "truncated payload timestamp")]
    [InlineData("00", "field number 0")]
    public void TryDecode_Malformed_FalseWithReason(string hex, string reason)
    {
        Assert.False(SparkplugPayload.TryDecode(TestData.Hex(hex), out var payload, out var error));
        Assert.Null(payload);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_NamedMetricError_NamesTheMetric()
    {
        var bytes = TestData.Hex("12 08 0A 02 6D 31 20 0A 50 01");

        Assert.False(SparkplugPayload.TryDecode(bytes, out _, out var error));
        Assert.Equal("metric 0: 'm1': datatype Double cannot be carried in int_value of a Metric", error);
    }

    [Fact]
    public void TryDecode_DeeplyNestedPropertySets_RejectedNotStackOverflow()
    {
        // PropertySet { keys: ["k"], values: [ { type 20, propertyset_value: <inner> } ] } nested 2000 times.
        byte[] inner = [];
        for (var i = 0; i < 2000; i++)
        {
            byte[] value = [0x08, 0x14, 0x4A, .. Varint(inner.Length), .. inner];
            inner = [0x0A, 0x01, 0x6B, 0x12, .. Varint(value.Length), .. value];
        }

        byte[] metric = [0x0A, 0x01, 0x6D, 0x4A, .. Varint(inner.Length), .. inner];
        byte[] bytes = [0x12, .. Varint(metric.Length), .. metric];

        Assert.False(SparkplugPayload.TryDecode(bytes, out _, out var error));
        Assert.Contains("nesting deeper than 32 levels", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_HugeLengthPrefix_FailsWithoutAllocating()
    {
        // A metric claiming 2^62 bytes.
        var bytes = TestData.Hex("12 80 80 80 80 80 80 80 80 40");

        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.False(SparkplugPayload.TryDecode(bytes, out _, out _));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4096);
    }

    [Fact]
    public void TryDecode_RandomGarbage_NeverThrowsAndMemoryStaysBounded()
    {
        var random = new Random(12345);
        var valid = ValidPayloads();
        for (var i = 0; i < 20_000; i++)
        {
            byte[] input;
            if (i % 2 == 0)
            {
                input = new byte[random.Next(0, 300)];
                random.NextBytes(input);
            }
            else
            {
                // Mutations of valid payloads reach deep into the decoder: flip bytes, truncate, splice.
                var source = valid[random.Next(valid.Count)];
                input = (byte[])source.Clone();
                var flips = random.Next(1, 4);
                for (var f = 0; f < flips && input.Length > 0; f++)
                {
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                }

                if (random.Next(3) == 0 && input.Length > 0)
                {
                    input = input[..random.Next(input.Length)];
                }
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            var ok = SparkplugPayload.TryDecode(input, out var payload, out var error);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.True(ok ? payload is not null && error is null : payload is null && !string.IsNullOrEmpty(error));
            Assert.True(allocated <= (256L * input.Length) + 16_384, $"decode of {input.Length} bytes allocated {allocated} bytes");
        }
    }

    [Fact]
    public void IsRebirthRequest_TckRebirthNcmd_True()
    {
        // The TCK's NCMD: name + datatype Boolean + boolean_value true, no payload timestamp (ReceiveCommandTest).
        var ncmd = new SparkplugPayload();
        ncmd.Metrics.Add(new SparkplugMetric(SparkplugNames.NodeControlRebirth, SparkplugValue.FromBoolean(true)));
        var noDataType = new SparkplugPayload();
        noDataType.Metrics.Add(new SparkplugMetric(SparkplugNames.NodeControlRebirth, SparkplugValue.FromBoolean(true)) { OmitDataType = true });
        var falseValue = new SparkplugPayload();
        falseValue.Metrics.Add(new SparkplugMetric(SparkplugNames.NodeControlRebirth, SparkplugValue.FromBoolean(false)));

        Assert.True(TestData.Decode(ncmd.ToByteArray()).IsRebirthRequest());
        Assert.True(TestData.Decode(noDataType.ToByteArray()).IsRebirthRequest());
        Assert.False(TestData.Decode(falseValue.ToByteArray()).IsRebirthRequest());
    }

    [Fact]
    public void Decode_Malformed_ThrowsProtocolViolation()
    {
        Assert.Throws<SparkplugProtocolViolationException>(() => SparkplugPayload.Decode(TestData.Hex("12 05")));
    }

    private static List<byte[]> ValidPayloads()
    {
        var list = new List<byte[]>();
        foreach (var value in SampleValues.All())
        {
            var metric = new SparkplugMetric("m", value.Value) { Alias = 3, Timestamp = TestData.Timestamp, Properties = SampleValues.Properties() };
            list.Add(TestData.EncodeMetric(metric));
        }

        return list;
    }

    private static byte[] Varint(int value)
    {
        var bytes = new List<byte>();
        var v = (uint)value;
        while (v >= 0x80)
        {
            bytes.Add((byte)(v | 0x80));
            v >>= 7;
        }

        bytes.Add((byte)v);
        return [.. bytes];
    }
}

/// <summary>Builds multi-segment sequences.</summary>
internal sealed class Segments : ReadOnlySequenceSegment<byte>
{
    private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Split(byte[] bytes, int size)
    {
        var first = new Segments(bytes.AsMemory(0, Math.Min(size, bytes.Length)), 0);
        var last = first;
        for (var offset = size; offset < bytes.Length; offset += size)
        {
            var next = new Segments(bytes.AsMemory(offset, Math.Min(size, bytes.Length - offset)), offset);
            last.Next = next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
