using System.Buffers;
using EdgeNode.Mqtt.Packets;
using EdgeNode.Mqtt.Protocol;
using EdgeNode.Mqtt.Tests.TestSupport;

namespace EdgeNode.Mqtt.Tests.Protocol;

/// <summary>Encode → frame → decode gives back the packet, for both versions and for any segmentation of the bytes.</summary>
public sealed class MqttPacketRoundTripUnitTests
{
    public static TheoryData<MqttProtocolVersion, int> VersionsAndSegments() => new()
    {
        { MqttProtocolVersion.V311, int.MaxValue },
        { MqttProtocolVersion.V311, 1 },
        { MqttProtocolVersion.V311, 3 },
        { MqttProtocolVersion.V500, int.MaxValue },
        { MqttProtocolVersion.V500, 1 },
        { MqttProtocolVersion.V500, 3 },
    };

    private static MqttFrame Frame(byte[] bytes, int segment)
    {
        var sequence = Sequences.Segmented(bytes, Math.Min(segment, Math.Max(1, bytes.Length)));
        Assert.True(MqttPacketDecoder.TryDecode(sequence, int.MaxValue, out var frame, out var consumed, out _));
        Assert.Equal(sequence.End, consumed);
        return frame;
    }

    [Theory]
    [MemberData(nameof(VersionsAndSegments))]
    public void Connect_AllFields_RoundTrip(MqttProtocolVersion version, int segment)
    {
        var packet = new MqttConnectPacket
        {
            ProtocolVersion = version,
            ClientId = "Gateway01-ü",
            CleanSession = true,
            KeepAliveSeconds = 30,
            Username = "edge",
            Password = "secret"u8.ToArray(),
            Will = new MqttWill { Topic = "spBv1.0/G/NDEATH/E", Payload = new byte[] { 1, 2, 3 }, QoS = MqttQualityOfService.AtLeastOnce, Retain = false, DelayInterval = version == MqttProtocolVersion.V500 ? 7u : 0 },
            SessionExpiryInterval = version == MqttProtocolVersion.V500 ? 60u : 0,
            ReceiveMaximum = version == MqttProtocolVersion.V500 ? (ushort)50 : ushort.MaxValue,
            MaximumPacketSize = version == MqttProtocolVersion.V500 ? 4096u : 0,
            UserProperties = version == MqttProtocolVersion.V500 ? [new MqttUserProperty("k", "v")] : null,
        };
        var decoded = MqttPacketDecoder.DecodeConnect(Frame(Sequences.Encode(w => MqttPacketEncoder.EncodeConnect(w, packet)), segment));
        Assert.Equal(packet.ProtocolVersion, decoded.ProtocolVersion);
        Assert.Equal(packet.ClientId, decoded.ClientId);
        Assert.Equal(packet.KeepAliveSeconds, decoded.KeepAliveSeconds);
        Assert.Equal(packet.Username, decoded.Username);
        Assert.Equal(packet.Password!.Value.ToArray(), decoded.Password!.Value.ToArray());
        Assert.Equal(packet.Will.Topic, decoded.Will!.Topic);
        Assert.Equal(packet.Will.Payload.ToArray(), decoded.Will.Payload.ToArray());
        Assert.Equal(packet.Will.QoS, decoded.Will.QoS);
        Assert.Equal(packet.Will.DelayInterval, decoded.Will.DelayInterval);
        Assert.Equal(packet.SessionExpiryInterval, decoded.SessionExpiryInterval);
        Assert.Equal(packet.ReceiveMaximum, decoded.ReceiveMaximum);
        Assert.Equal(packet.MaximumPacketSize, decoded.MaximumPacketSize);
    }

    [Theory]
    [MemberData(nameof(VersionsAndSegments))]
    public void ConnAck_RoundTrip(MqttProtocolVersion version, int segment)
    {
        var packet = new MqttConnAckPacket { SessionPresent = true, RawCode = 0 };
        if (version == MqttProtocolVersion.V500)
        {
            packet.ReceiveMaximum = 20;
            packet.MaximumQoS = MqttQualityOfService.AtLeastOnce;
            packet.RetainAvailable = false;
            packet.MaximumPacketSize = 1000;
            packet.AssignedClientIdentifier = "auto-1";
            packet.ReasonString = "welcome";
            packet.ServerKeepAlive = 15;
            packet.UserProperties = [new MqttUserProperty("a", "b")];
        }

        var decoded = MqttPacketDecoder.DecodeConnAck(Frame(Sequences.Encode(w => MqttPacketEncoder.EncodeConnAck(w, version, packet)), segment), version);
        Assert.True(decoded.SessionPresent);
        Assert.Equal(packet.ReceiveMaximum, decoded.ReceiveMaximum);
        Assert.Equal(packet.MaximumQoS, decoded.MaximumQoS);
        Assert.Equal(packet.RetainAvailable, decoded.RetainAvailable);
        Assert.Equal(packet.MaximumPacketSize, decoded.MaximumPacketSize);
        Assert.Equal(packet.AssignedClientIdentifier, decoded.AssignedClientIdentifier);
        Assert.Equal(packet.ReasonString, decoded.ReasonString);
        Assert.Equal(packet.ServerKeepAlive, decoded.ServerKeepAlive);
    }

    [Theory]
    [MemberData(nameof(VersionsAndSegments))]
    public void Publish_RoundTrip(MqttProtocolVersion version, int segment)
    {
        foreach (var qos in new[] { MqttQualityOfService.AtMostOnce, MqttQualityOfService.AtLeastOnce, MqttQualityOfService.ExactlyOnce })
        {
            var payload = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
            var id = qos == MqttQualityOfService.AtMostOnce ? (ushort)0 : (ushort)65535;
            var bytes = Sequences.Encode(w => MqttPacketEncoder.EncodePublish(w, version, "spBv1.0/G/DDATA/E/D"u8, payload, qos, true, qos > 0, id));
            var decoded = MqttPacketDecoder.DecodePublish(Frame(bytes, segment), version);
            Assert.Equal("spBv1.0/G/DDATA/E/D", decoded.Topic);
            Assert.Equal(payload, decoded.Payload.ToArray());
            Assert.Equal(qos, decoded.QoS);
            Assert.True(decoded.Retain);
            Assert.Equal(qos > 0, decoded.Duplicate);
            Assert.Equal(id, decoded.PacketId);
        }
    }

    [Theory]
    [MemberData(nameof(VersionsAndSegments))]
    public void SubscribeAndAcks_RoundTrip(MqttProtocolVersion version, int segment)
    {
        var subscribe = new MqttSubscribePacket
        {
            PacketId = 9,
            Filters = [new MqttTopicFilter("spBv1.0/G/NCMD/E", MqttQualityOfService.AtLeastOnce), new MqttTopicFilter("spBv1.0/G/DCMD/E/+", MqttQualityOfService.ExactlyOnce)],
        };
        var decoded = MqttPacketDecoder.DecodeSubscribe(Frame(Sequences.Encode(w => MqttPacketEncoder.EncodeSubscribe(w, version, subscribe)), segment), version);
        Assert.Equal(9, decoded.PacketId);
        Assert.Equal(subscribe.Filters, decoded.Filters);

        var suback = MqttPacketDecoder.DecodeSubAck(Frame(Sequences.Encode(w => MqttPacketEncoder.EncodeSubAck(w, version, 9, [1, 0x80], version == MqttProtocolVersion.V500 ? "partly" : null)), segment), version);
        Assert.Equal(new byte[] { 1, 0x80 }, suback.ReasonCodes);

        var unsubscribe = new MqttUnsubscribePacket { PacketId = 10, Filters = ["a/#", "b/+"] };
        var decodedUnsub = MqttPacketDecoder.DecodeUnsubscribe(Frame(Sequences.Encode(w => MqttPacketEncoder.EncodeUnsubscribe(w, version, unsubscribe)), segment), version);
        Assert.Equal(unsubscribe.Filters, decodedUnsub.Filters);

        var unsuback = MqttPacketDecoder.DecodeUnsubAck(Frame(Sequences.Encode(w => MqttPacketEncoder.EncodeUnsubAck(w, version, 10, [0, 0x11])), segment), version);
        Assert.Equal(10, unsuback.PacketId);
        Assert.Equal(version == MqttProtocolVersion.V500 ? new byte[] { 0, 0x11 } : [], unsuback.ReasonCodes);

        foreach (var type in new[] { MqttPacketType.PubAck, MqttPacketType.PubRec, MqttPacketType.PubRel, MqttPacketType.PubComp })
        {
            var reason = version == MqttProtocolVersion.V500 && type != MqttPacketType.PubRel && type != MqttPacketType.PubComp ? (byte)0x10 : (byte)0;
            var ack = MqttPacketDecoder.DecodeAck(Frame(Sequences.Encode(w => MqttPacketEncoder.EncodeAck(w, version, type, 77, reason)), segment), version);
            Assert.Equal(new MqttAckPacket(type, 77, reason, null), ack);
        }
    }

    [Theory]
    [InlineData(MqttDisconnectReasonCode.NormalDisconnection)]
    [InlineData(MqttDisconnectReasonCode.DisconnectWithWillMessage)]
    [InlineData(MqttDisconnectReasonCode.ServerMoved)]
    public void Disconnect_V500_RoundTrip(MqttDisconnectReasonCode reason)
    {
        var bytes = Sequences.Encode(w => MqttPacketEncoder.EncodeDisconnect(w, MqttProtocolVersion.V500, reason, "bye", "other:1883"));
        var decoded = MqttPacketDecoder.DecodeDisconnect(Frame(bytes, 2), MqttProtocolVersion.V500);
        Assert.Equal(reason, decoded.ReasonCode);
        Assert.Equal("bye", decoded.ReasonString);
        Assert.Equal("other:1883", decoded.ServerReference);
    }

    [Fact]
    public void TryDecode_EveryPrefixOfAPacket_NeedsMoreData()
    {
        var bytes = Sequences.Encode(w => MqttPacketEncoder.EncodePublish(w, MqttProtocolVersion.V500, "a/b"u8, new byte[200], MqttQualityOfService.AtLeastOnce, false, false, 3));
        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = new ReadOnlySequence<byte>(bytes, 0, length);
            Assert.False(MqttPacketDecoder.TryDecode(prefix, int.MaxValue, out _, out var consumed, out var examined));
            Assert.Equal(prefix.Start, consumed);
            Assert.Equal(prefix.End, examined);
        }
    }
}
