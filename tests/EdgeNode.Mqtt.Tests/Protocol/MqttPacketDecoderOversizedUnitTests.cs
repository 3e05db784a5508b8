using System.Buffers;
using EdgeNode.Mqtt.Packets;
using EdgeNode.Mqtt.Protocol;
using EdgeNode.Mqtt.Tests.TestSupport;

namespace EdgeNode.Mqtt.Tests.Protocol;

/// <summary>Framing of a PUBLISH larger than the maximum packet size when the caller skips it (issue 17).</summary>
public sealed class MqttPacketDecoderOversizedUnitTests
{
    [Fact]
    public void TryDecode_OversizedPublishHeaderOnly_WaitsForTheTopic()
    {
        var header = new ReadOnlySequence<byte>(Sequences.Hex("3280808001"));
        Assert.False(MqttPacketDecoder.TryDecode(header, 1024, skipOversizedPublish: true, out _, out var oversized, out var consumed, out _));
        Assert.Equal(0, oversized.Size);
        Assert.Equal(header.Start, consumed);
    }

    [Fact]
    public void TryDecode_OversizedQos1PublishHead_ReturnsTopicPacketIdAndWhatToDiscard()
    {
        // QoS 1, retained, remaining length 2,097,152: topic "a/b", packet id 0x0102, then (not sent) the body
        var bytes = new ReadOnlySequence<byte>(Sequences.Hex("3380808001" + "0003612F62" + "0102" + "FFFF"));
        Assert.True(MqttPacketDecoder.TryDecode(bytes, 1024, skipOversizedPublish: true, out var frame, out var oversized, out var consumed, out _));

        Assert.Equal(default, frame.Type);
        Assert.Equal("a/b", oversized.Topic);
        Assert.Equal(MqttQualityOfService.AtLeastOnce, oversized.QoS);
        Assert.True(oversized.Retain);
        Assert.Equal(0x0102, oversized.PacketId);
        Assert.Equal(5 + 2_097_152, oversized.Size);
        Assert.Equal(2_097_152 - 7, oversized.Remaining);
        Assert.Equal(12, bytes.Slice(0, consumed).Length);
    }

    [Fact]
    public void TryDecode_OversizedSubAck_StillRefused()
    {
        var ex = Assert.Throws<MqttProtocolViolationException>(() =>
            MqttPacketDecoder.TryDecode(new ReadOnlySequence<byte>(Sequences.Hex("9080808001")), 1024, skipOversizedPublish: true, out _, out _, out _, out _));
        Assert.Equal(MqttDisconnectReasonCode.PacketTooLarge, ex.ReasonCode);
    }

    [Fact]
    public void TryDecode_PublishWithinTheLimit_IsAFrameAsBefore()
    {
        var bytes = new ReadOnlySequence<byte>(Sequences.Hex("30050001616869"));
        Assert.True(MqttPacketDecoder.TryDecode(bytes, 1024, skipOversizedPublish: true, out var frame, out var oversized, out _, out _));
        Assert.Equal(MqttPacketType.Publish, frame.Type);
        Assert.Equal(0, oversized.Size);
    }
}
