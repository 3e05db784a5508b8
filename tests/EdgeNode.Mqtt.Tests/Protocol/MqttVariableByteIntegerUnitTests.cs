using System.Buffers;
using EdgeNode.Mqtt.Packets;
using EdgeNode.Mqtt.Protocol;
using EdgeNode.Mqtt.Tests.TestSupport;

namespace EdgeNode.Mqtt.Tests.Protocol;

public sealed class MqttVariableByteIntegerUnitTests
{
    // MQTT 3.1.1 §2.2.3 Table 2.4 / 5.0 §1.5.5 Table 1-1: the boundaries of each encoded length.
    public static TheoryData<int, string> SpecTable() => new()
    {
        { 0, "00" },
        { 127, "7F" },
        { 128, "8001" },
        { 16_383, "FF7F" },
        { 16_384, "808001" },
        { 2_097_151, "FFFF7F" },
        { 2_097_152, "80808001" },
        { 268_435_455, "FFFFFF7F" },
    };

    [Theory]
    [MemberData(nameof(SpecTable))]
    public void Write_SpecBoundaries_MatchSpecTable(int value, string hex)
    {
        var buffer = new byte[4];
        var size = MqttVariableByteInteger.Write(buffer, value);
        Assert.Equal(hex, Convert.ToHexString(buffer, 0, size));
        Assert.Equal(size, MqttVariableByteInteger.Size(value));
    }

    [Theory]
    [MemberData(nameof(SpecTable))]
    public void TryRead_SpecBoundaries_RoundTrip(int value, string hex)
    {
        var bytes = Sequences.Hex(hex);
        var reader = new SequenceReader<byte>(Sequences.Segmented(bytes, 1));
        Assert.Equal(OperationStatus.Done, MqttVariableByteInteger.TryRead(ref reader, out var read, out var size));
        Assert.Equal(value, read);
        Assert.Equal(bytes.Length, size);
    }

    [Theory]
    [InlineData(268_435_456)]
    [InlineData(-1)]
    public void Size_OutOfRange_Throws(int value) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => MqttVariableByteInteger.Size(value));

    [Theory]
    [InlineData("FFFFFFFF01")] // five bytes
    [InlineData("FFFFFF8001")]
    [InlineData("8000")] // zero in two bytes
    [InlineData("FF8000")] // 127 in three bytes
    [InlineData("80808000")]
    public void TryRead_OverlongOrNonMinimal_IsInvalid(string hex)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Sequences.Hex(hex)));
        Assert.Equal(OperationStatus.InvalidData, MqttVariableByteInteger.TryRead(ref reader, out _, out _));
    }

    [Theory]
    [InlineData("80")]
    [InlineData("FFFF")]
    [InlineData("FFFFFF")]
    public void TryRead_Partial_NeedsMoreDataAndConsumesNothing(string hex)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Sequences.Hex(hex)));
        Assert.Equal(OperationStatus.NeedMoreData, MqttVariableByteInteger.TryRead(ref reader, out _, out _));
        Assert.Equal(0, reader.Consumed);
    }

    // A real PUBLISH whose remaining length sits on each side of every boundary frames and round-trips.
    [Theory]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(16_383)]
    [InlineData(16_384)]
    [InlineData(2_097_151)]
    [InlineData(2_097_152)]
    public void TryDecode_PublishWithRemainingLengthAtBoundary_RoundTrips(int remainingLength)
    {
        var topic = "t"u8.ToArray();
        var payload = new byte[remainingLength - 2 - topic.Length];
        Random.Shared.NextBytes(payload);
        var packet = Sequences.Encode(w => MqttPacketEncoder.EncodePublish(w, MqttProtocolVersion.V311, topic, payload,
            MqttQualityOfService.AtMostOnce, false, false, 0));
        Assert.Equal(1 + MqttVariableByteInteger.Size(remainingLength) + remainingLength, packet.Length);

        var sequence = Sequences.Segmented(packet, 4096);
        Assert.True(MqttPacketDecoder.TryDecode(sequence, packet.Length, out var frame, out var consumed, out _));
        Assert.Equal(remainingLength, frame.RemainingLength);
        Assert.Equal(sequence.End, consumed);
        var decoded = MqttPacketDecoder.DecodePublish(frame, MqttProtocolVersion.V311);
        Assert.Equal("t", decoded.Topic);
        Assert.True(decoded.Payload.Span.SequenceEqual(payload));

        // One byte short: a partial packet, nothing consumed.
        Assert.False(MqttPacketDecoder.TryDecode(sequence.Slice(0, packet.Length - 1), packet.Length, out _, out var partialConsumed, out _));
        Assert.Equal(sequence.Start, partialConsumed);
    }

    [Fact]
    public void TryDecode_MaximumRemainingLengthHeader_WaitsForBodyWhenAllowed()
    {
        // 268,435,455 bytes are never buffered in a test: the header alone decides.
        var header = Sequences.Hex("30FFFFFF7F");
        Assert.False(MqttPacketDecoder.TryDecode(new ReadOnlySequence<byte>(header), MqttClientOptions.ProtocolMaxPacketSize, out _, out _, out _));
    }

    [Fact]
    public void TryDecode_MaximumRemainingLengthHeader_RefusedAsTooLargeBeforeBody()
    {
        var header = Sequences.Hex("30FFFFFF7F");
        var ex = Assert.Throws<MqttProtocolViolationException>(() =>
            MqttPacketDecoder.TryDecode(new ReadOnlySequence<byte>(header), MqttClientOptions.DefaultMaxPacketSize, out _, out _, out _));
        Assert.Equal(MqttDisconnectReasonCode.PacketTooLarge, ex.ReasonCode);
    }

    [Fact]
    public void TryDecode_FiveByteRemainingLength_IsMalformed()
    {
        var ex = Assert.Throws<MqttProtocolViolationException>(() =>
            MqttPacketDecoder.TryDecode(new ReadOnlySequence<byte>(Sequences.Hex("30FFFFFFFF01")), int.MaxValue, out _, out _, out _));
        Assert.Equal(MqttDisconnectReasonCode.MalformedPacket, ex.ReasonCode);
    }

    [Fact]
    public void TryDecode_TwoPacketsInOneBuffer_FramesTheFirstOnly()
    {
        var bytes = Sequences.Hex("D000 4002000A");
        Assert.True(MqttPacketDecoder.TryDecode(new ReadOnlySequence<byte>(bytes), 100, out var frame, out var consumed, out _));
        Assert.Equal(MqttPacketType.PingResp, frame.Type);
        Assert.Equal(2, new ReadOnlySequence<byte>(bytes).Slice(0, consumed).Length);
    }
}
