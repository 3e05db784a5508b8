using System.Buffers.Binary;
using System.Text;
using EdgeNode.Storage.Segments;
using FsCheck.Xunit;

namespace EdgeNode.Storage.Tests.Segments;

public sealed class SegmentCodecUnitTests
{
    private static readonly StoreMetric[] s_metrics =
    [
        null!,
        new(1, "Turbine1", "Rotor/Speed", 9, null),
        new(2, null, "Node Control/Rebirth", 11, null),
        new(300, "Turbine2", "Power/Active", 10, null),
    ];

    private static StoreMetric? Lookup(int id) => id switch { 1 => s_metrics[1], 2 => s_metrics[2], 300 => s_metrics[3], _ => null };

    [Theory]
    [InlineData(0UL, 1)]
    [InlineData(127UL, 1)]
    [InlineData(128UL, 2)]
    [InlineData(16383UL, 2)]
    [InlineData(16384UL, 3)]
    [InlineData(2097151UL, 3)]
    [InlineData(2097152UL, 4)]
    [InlineData(ulong.MaxValue, 10)]
    public void Varint_Boundaries_HaveProtobufLengths(ulong value, int length)
    {
        Span<byte> buffer = stackalloc byte[10];
        Assert.Equal(length, Varint.Write(buffer, value));
        Assert.Equal(length, Varint.Length(value));
        var position = 0;
        Assert.True(Varint.TryRead(buffer[..length], ref position, out var read));
        Assert.Equal(value, read);
        Assert.Equal(length, position);
    }

    [Fact]
    public void Varint_300_IsSpecBytes()
    {
        // The protobuf encoding guide's example: 300 = 0xAC 0x02.
        Span<byte> buffer = stackalloc byte[10];
        var length = Varint.Write(buffer, 300);
        Assert.Equal(new byte[] { 0xAC, 0x02 }, buffer[..length].ToArray());
    }

    [Theory]
    [InlineData(0L, 0UL)]
    [InlineData(-1L, 1UL)]
    [InlineData(1L, 2UL)]
    [InlineData(-2L, 3UL)]
    [InlineData(2147483647L, 4294967294UL)]
    [InlineData(long.MinValue, ulong.MaxValue)]
    public void ZigZag_KnownValues_MatchProtobuf(long value, ulong encoded)
    {
        Assert.Equal(encoded, Varint.ZigZag(value));
        Assert.Equal(value, Varint.UnZigZag(encoded));
    }

    [Property]
    public bool Varint_AnyValue_RoundTrips(ulong value)
    {
        Span<byte> buffer = stackalloc byte[10];
        var length = Varint.Write(buffer, value);
        var position = 0;
        return Varint.TryRead(buffer[..length], ref position, out var read) && read == value && position == length;
    }

    [Fact]
    public void Varint_TruncatedOrOverlong_IsRejected()
    {
        var position = 0;
        Assert.False(Varint.TryRead([0x80, 0x80], ref position, out _));
        position = 0;
        Assert.False(Varint.TryRead([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02], ref position, out _));
        position = 0;
        Assert.False(Varint.TryRead([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x81, 0x00], ref position, out _));
    }

    [Fact]
    public void Crc32C_CheckString_IsCastagnoliCheckValue()
    {
        // The CRC catalogue's check value of CRC-32C (iSCSI) over "123456789".
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0xE3069283u, Crc32C.ComputeSoftware("123456789"u8));
    }

    [Property]
    public bool Crc32C_HardwareAndSoftware_Agree(byte[] data) =>
        Crc32C.Compute(data ?? []) == Crc32C.ComputeSoftware(data ?? []);

    [Fact]
    public void Segment_OneInteger_IsGoldenBytes()
    {
        var writer = new SegmentWriter();
        writer.Write(1, 1000, StoredValue.FromInt64(5));
        writer.Write(1, 1000, StoredValue.FromInt64(-3));
        var segment = writer.Seal(7);

        // version 1 | id 1, tag Int64, zigzag(1000)=2000 → D0 0F, zigzag(5)=10 | id 1, tag Int64|SameTimestamp, zigzag(-3)=5
        byte[] body = [0x01, 0x01, 0x03, 0xD0, 0x0F, 0x0A, 0x01, 0x13, 0x05];
        Assert.Equal(body, segment.Data[..^4]);
        Assert.Equal(Crc32C.Compute(body), BinaryPrimitives.ReadUInt32LittleEndian(segment.Data.AsSpan(^4)));
        Assert.Equal((7L, 2, 1000L, 1000L), (segment.Id, segment.Count, segment.MinTimestampMs, segment.MaxTimestampMs));
    }

    public static TheoryData<StoredValue> Values() =>
    [
        StoredValue.Null,
        StoredValue.FromBoolean(true),
        StoredValue.FromBoolean(false),
        StoredValue.FromInt64(0),
        StoredValue.FromInt64(long.MinValue),
        StoredValue.FromInt64(long.MaxValue),
        StoredValue.FromUInt64(ulong.MaxValue),
        StoredValue.FromFloat(1.5f),
        StoredValue.FromFloat(float.NaN),
        StoredValue.FromFloat(BitConverter.Int32BitsToSingle(0x7FC00123)),
        StoredValue.FromFloat(-0.0f),
        StoredValue.FromDouble(1234.0),
        StoredValue.FromDouble(-0.0),
        StoredValue.FromDouble(0.1),
        StoredValue.FromDouble(0.5),
        StoredValue.FromDouble(9007199254740993.0),
        StoredValue.FromDouble(-9007199254740992.0),
        StoredValue.FromDouble(double.PositiveInfinity),
        StoredValue.FromDouble(BitConverter.Int64BitsToDouble(0x7FF8000000000ABC)),
        StoredValue.FromDouble(double.Epsilon),
        StoredValue.FromString(""),
        StoredValue.FromString("Grüße 風力 🌬"),
        StoredValue.FromString(new string('x', 100_000)),
        StoredValue.FromBytes([]),
        StoredValue.FromBytes([0, 1, 2, 255]),
    ];

    [Theory]
    [MemberData(nameof(Values))]
    public void Segment_EveryKind_RoundTripsBitExact(StoredValue value)
    {
        var changes = RoundTrip([(1, 1_700_000_000_123, value), (300, 1_700_000_000_100, value)]);
        Assert.Equal(2, changes.Count);
        foreach (var change in changes)
        {
            Assert.Equal(value.Kind, change.Value.Kind);
            Assert.True(value == change.Value, $"{value} came back as {change.Value}");
        }

        Assert.Equal(1_700_000_000_100, changes[1].TimestampMs);
        Assert.Same(s_metrics[3], changes[1].Metric);
    }

    [Theory]
    [InlineData(1234.0, 2)]       // a whole double is a zigzag varint
    [InlineData(0.5, 4)]          // exactly a float: 4 bytes
    [InlineData(0.1, 8)]          // neither: 8 bytes
    public void Segment_Doubles_UseShortestExactEncoding(double value, int payload)
    {
        var writer = new SegmentWriter();
        writer.Write(1, 0, StoredValue.FromDouble(value));
        writer.Write(1, 0, StoredValue.FromDouble(value));
        var before = writer.Length;
        writer.Write(1, 0, StoredValue.FromDouble(value));
        Assert.Equal(2 + payload, writer.Length - before); // id + tag (same timestamp) + payload
    }

    [Fact]
    public void Segment_FlippedBit_FailsChecksum()
    {
        var segment = Encode([(1, 5, StoredValue.FromDouble(42.5))]);
        segment.Data[3] ^= 0x10;
        var changes = new List<StoredChange>();
        var error = SegmentReader.TryDecode(segment.Data, 1, Lookup, changes);
        Assert.Contains("checksum", error, StringComparison.Ordinal);
        Assert.Empty(changes);
    }

    [Fact]
    public void Segment_UnknownMetricOrWrongCount_IsReportedNotThrown()
    {
        var unknown = Encode([(99, 5, StoredValue.FromInt64(1))]);
        var changes = new List<StoredChange> { new(s_metrics[1], 1, StoredValue.Null) };
        Assert.Contains("not in the catalog", SegmentReader.TryDecode(unknown.Data, 1, Lookup, changes), StringComparison.Ordinal);
        Assert.Single(changes); // left as it was

        var two = Encode([(1, 5, StoredValue.FromInt64(1)), (2, 6, StoredValue.FromBoolean(true))]);
        Assert.Contains("row says 3", SegmentReader.TryDecode(two.Data, 3, Lookup, changes), StringComparison.Ordinal);
        Assert.Single(changes);
        Assert.Contains("too short", SegmentReader.TryDecode([1, 2], 0, Lookup, changes), StringComparison.Ordinal);
    }

    [Fact]
    public void Segment_TruncatedBodyWithValidCrc_IsReported()
    {
        // A body cut inside a double, re-checksummed: the decoder must notice the truncation itself.
        var full = Encode([(1, 5, StoredValue.FromDouble(0.1))]).Data;
        var body = full[..^6];
        var data = new byte[body.Length + 4];
        body.CopyTo(data, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(body.Length), Crc32C.Compute(body));
        Assert.Contains("truncated", SegmentReader.TryDecode(data, 1, Lookup, []), StringComparison.Ordinal);
    }

    [Property(MaxTest = 200)]
    public bool Segment_AnyChanges_RoundTrip(long[] timestamps, double[] doubles, long[] integers, string[] strings)
    {
        var input = new List<(int, long, StoredValue)>();
        timestamps ??= [];
        for (var i = 0; i < timestamps.Length; i++)
        {
            var value = (i % 5) switch
            {
                0 when doubles is { Length: > 0 } => StoredValue.FromDouble(doubles[i % doubles.Length]),
                1 when integers is { Length: > 0 } => StoredValue.FromInt64(integers[i % integers.Length]),
                2 when strings is { Length: > 0 } => StoredValue.FromString(strings[i % strings.Length] ?? ""),
                3 => StoredValue.FromBoolean(i % 2 == 0),
                _ => StoredValue.Null,
            };
            input.Add((i % 2 == 0 ? 1 : 300, timestamps[i], value));
        }

        var output = RoundTrip(input);
        return output.Count == input.Count && output.Select((c, i) =>
            c.TimestampMs == input[i].Item2 && c.Metric.Id == input[i].Item1 && Same(c.Value, input[i].Item3)).All(x => x);
    }

    private static bool Same(StoredValue actual, StoredValue expected) =>
        expected.Kind == StoredValueKind.String
            // Strings travel as UTF-8: unpaired surrogates become U+FFFD, as in every UTF-8 protocol.
            ? actual.AsString() == Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(expected.AsString()))
            : actual == expected;

    private static SealedSegment Encode(IEnumerable<(int Id, long Ts, StoredValue Value)> changes)
    {
        var writer = new SegmentWriter(16);
        foreach (var (id, ts, value) in changes)
        {
            writer.Write(id, ts, value);
        }

        return writer.Seal(1);
    }

    private static List<StoredChange> RoundTrip(IReadOnlyList<(int Id, long Ts, StoredValue Value)> input)
    {
        var segment = Encode(input);
        var changes = new List<StoredChange>();
        var error = SegmentReader.TryDecode(segment.Data, input.Count, Lookup, changes);
        Assert.Null(error);
        return changes;
    }
}
