using System.Buffers;
using EdgeNode.Mqtt.Packets;
using EdgeNode.Mqtt.Protocol;
using EdgeNode.Mqtt.Tests.TestSupport;

namespace EdgeNode.Mqtt.Tests.Protocol;

public sealed class MqttPacketDecoderUnitTests
{
    private const MqttProtocolVersion V3 = MqttProtocolVersion.V311;
    private const MqttProtocolVersion V5 = MqttProtocolVersion.V500;

    private static MqttFrame F(string hex) => Sequences.Frame(Sequences.Hex(hex));

    private static MqttProtocolViolationException Violation(Func<object> decode) =>
        Assert.Throws<MqttProtocolViolationException>(decode);

    [Theory]
    [InlineData("20020100", true, MqttConnectResultCode.Success)]
    [InlineData("20020001", false, MqttConnectResultCode.UnsupportedProtocolVersion)]
    [InlineData("20020002", false, MqttConnectResultCode.ClientIdentifierNotValid)]
    [InlineData("20020003", false, MqttConnectResultCode.ServerUnavailable)]
    [InlineData("20020004", false, MqttConnectResultCode.BadUserNameOrPassword)]
    [InlineData("20020005", false, MqttConnectResultCode.NotAuthorized)]
    public void DecodeConnAck_V311ReturnCodes_MapToReasonCodes(string hex, bool sessionPresent, MqttConnectResultCode code)
    {
        var packet = MqttPacketDecoder.DecodeConnAck(F(hex), V3);
        Assert.Equal(sessionPresent, packet.SessionPresent);
        Assert.Equal(code, packet.ReasonCode);
        Assert.Equal(Sequences.Hex(hex)[3], packet.RawCode);
    }

    [Theory]
    [InlineData("20020006")] // reserved return code
    [InlineData("20020105")] // session present with a refusal [MQTT-3.2.2-4]
    [InlineData("20020200")] // reserved acknowledge flag
    [InlineData("2003000000")] // trailing byte in 3.1.1
    [InlineData("200100")] // too short
    public void DecodeConnAck_V311Invalid_IsViolation(string hex) => Violation(() => MqttPacketDecoder.DecodeConnAck(F(hex), V3));

    [Fact]
    public void DecodeConnAck_V500Properties_AreRead()
    {
        // Receive Maximum 20, Maximum QoS 1, Server Keep Alive 5, Retain Available 0, Reason String "hi", user property a=b
        var packet = MqttPacketDecoder.DecodeConnAck(F("2019 0000 16 210014 2401 130005 2500 1F00026869 260001610001" + "62"), V5);
        Assert.Equal(MqttConnectResultCode.Success, packet.ReasonCode);
        Assert.Equal(20, packet.ReceiveMaximum);
        Assert.Equal(MqttQualityOfService.AtLeastOnce, packet.MaximumQoS);
        Assert.Equal((ushort)5, packet.ServerKeepAlive);
        Assert.False(packet.RetainAvailable);
        Assert.Equal("hi", packet.ReasonString);
        Assert.Equal(new MqttUserProperty("a", "b"), Assert.Single(packet.UserProperties!));
    }

    [Theory]
    [InlineData("2003008600", MqttConnectResultCode.BadUserNameOrPassword)]
    [InlineData("2003008700", MqttConnectResultCode.NotAuthorized)]
    [InlineData("2003009C00", MqttConnectResultCode.UseAnotherServer)]
    public void DecodeConnAck_V500Refusals_AreReadAsResults(string hex, MqttConnectResultCode code) =>
        Assert.Equal(code, MqttPacketDecoder.DecodeConnAck(F(hex), V5).ReasonCode);

    [Theory]
    [InlineData("2003000100")] // 0x01 is not a CONNACK reason code
    [InlineData("20070000" + "0321000A" + "00")] // a trailing byte after the properties
    [InlineData("2008000005" + "2101002101")] // Receive Maximum twice (and truncated)
    [InlineData("200600000321" + "0000")] // Receive Maximum 0
    [InlineData("2005000002" + "2402")] // Maximum QoS 2 is not allowed
    [InlineData("2005000002" + "0101")] // Payload Format Indicator is not a CONNACK property
    [InlineData("2005000002" + "2502")] // Retain Available must be 0 or 1
    public void DecodeConnAck_V500Invalid_IsViolation(string hex) => Violation(() => MqttPacketDecoder.DecodeConnAck(F(hex), V5));

    [Fact]
    public void DecodePublish_V500Properties_AreRead()
    {
        var props = "0101" + "0200000E10" + "03000474657874" + "080001" + "72" + "09000201FF" + "0B05" + "260001610001" + "62";
        var propsLength = Sequences.Hex(props).Length;
        var body = "0003612F62" + "0007" + propsLength.ToString("X2") + props + "6869";
        var packet = MqttPacketDecoder.DecodePublish(F($"33{Sequences.Hex(body).Length:X2}{body}"), V5);
        Assert.Equal("a/b", packet.Topic);
        Assert.Equal(MqttQualityOfService.AtLeastOnce, packet.QoS);
        Assert.True(packet.Retain);
        Assert.Equal(7, packet.PacketId);
        Assert.Equal((byte)1, packet.PayloadFormatIndicator);
        Assert.Equal(3600u, packet.MessageExpiryInterval);
        Assert.Equal("text", packet.ContentType);
        Assert.Equal("r", packet.ResponseTopic);
        Assert.Equal(new byte[] { 1, 0xFF }, packet.CorrelationData!.Value.ToArray());
        Assert.Equal([5u], packet.SubscriptionIdentifiers!);
        Assert.Equal(new MqttUserProperty("a", "b"), Assert.Single(packet.UserProperties!));
        Assert.Equal("hi", System.Text.Encoding.UTF8.GetString(packet.Payload.Span));
    }

    [Theory]
    [InlineData("36070003612F626869")] // QoS 3
    [InlineData("38070003612F626869")] // DUP at QoS 0
    [InlineData("32070003612F2B0001")] // '+' in a topic name [MQTT-3.3.2-2]
    [InlineData("320700032F2F230001")] // '#' in a topic name
    [InlineData("32050000000001")] // empty topic [MQTT-4.7.3-1] ... and id
    [InlineData("32050001610000")] // packet id 0 [MQTT-2.3.1-1]
    [InlineData("30050003C3286869")] // invalid UTF-8 (0xC3 0x28) ... and short
    [InlineData("3006000361006268")] // U+0000 in the topic [MQTT-1.5.4-2]
    [InlineData("3007000A612F626869")] // topic length runs past the packet
    public void DecodePublish_Invalid_IsViolation(string hex) => Violation(() => MqttPacketDecoder.DecodePublish(F(hex), V3));

    [Theory]
    [InlineData("30070001610303" + "0001")] // V5: Content Type string runs past the property block
    [InlineData("300700016104" + "23000A")] // V5: property block longer than the packet
    [InlineData("300900016104" + "2300002300")] // V5: Topic Alias 0 / twice
    [InlineData("3006000161020B00")] // V5: Subscription Identifier 0
    [InlineData("300600016102" + "1100")] // V5: Session Expiry Interval is not a PUBLISH property
    public void DecodePublish_V500InvalidProperties_IsViolation(string hex) => Violation(() => MqttPacketDecoder.DecodePublish(F(hex), V5));

    [Theory]
    [InlineData("4002000A", V3, 10, 0)]
    [InlineData("4002000A", V5, 10, 0)]
    [InlineData("4003000A10", V5, 10, 0x10)]
    [InlineData("4004000A8700", V5, 10, 0x87)]
    [InlineData("7003FFFF92", V5, 0xFFFF, 0x92)]
    public void DecodeAck_Forms_AreRead(string hex, MqttProtocolVersion version, int id, int reason)
    {
        var ack = MqttPacketDecoder.DecodeAck(F(hex), version);
        Assert.Equal(id, ack.PacketId);
        Assert.Equal(reason, ack.ReasonCode);
    }

    [Theory]
    [InlineData("40020000", V3)] // packet id 0
    [InlineData("4003000A00", V3)] // 3.1.1 PUBACK is exactly 2 bytes
    [InlineData("4003000A01", V5)] // 0x01 is not a PUBACK reason
    [InlineData("7003000A10", V5)] // 0x10 is not a PUBCOMP reason
    [InlineData("4001000A", V5)]
    public void DecodeAck_Invalid_IsViolation(string hex, MqttProtocolVersion version) => Violation(() => MqttPacketDecoder.DecodeAck(F(hex), version));

    [Theory]
    [InlineData("62020001")] // PUBREL ok
    public void TryDecode_PubRelWithReservedFlags_Frames(string hex) => Assert.Equal(MqttPacketType.PubRel, F(hex).Type);

    [Theory]
    [InlineData("60020001")] // PUBREL must have flags 0010 [MQTT-3.6.1-1]
    [InlineData("80050001000161")] // SUBSCRIBE flags 0000
    [InlineData("A1050001000161")] // UNSUBSCRIBE flags 0001
    [InlineData("4102000A")] // PUBACK with flags
    [InlineData("D100")] // PINGRESP with flags
    [InlineData("0000")] // reserved type 0
    public void TryDecode_ReservedFlagsOrType_IsMalformed(string hex)
    {
        var ex = Assert.Throws<MqttProtocolViolationException>(() =>
            MqttPacketDecoder.TryDecode(new ReadOnlySequence<byte>(Sequences.Hex(hex)), 100, out _, out _, out _));
        Assert.Equal(MqttDisconnectReasonCode.MalformedPacket, ex.ReasonCode);
    }

    [Fact]
    public void TryDecode_InvalidHeaderInFirstByte_FailsBeforeLengthArrives()
    {
        // Only one byte buffered: a bad type/flags nibble is refused at once, not after waiting for more.
        Assert.Throws<MqttProtocolViolationException>(() =>
            MqttPacketDecoder.TryDecode(new ReadOnlySequence<byte>([0x36]), 100, out _, out _, out _));
    }

    [Theory]
    [InlineData("9003000101", V3, new byte[] { 1 })]
    [InlineData("9006000A00000180", V5, new byte[] { 0, 1, 0x80 })]
    [InlineData("90060001" + "00" + "8797A2", V5, new byte[] { 0x87, 0x97, 0xA2 })]
    public void DecodeSubAck_Codes_AreRead(string hex, MqttProtocolVersion version, byte[] codes) =>
        Assert.Equal(codes, MqttPacketDecoder.DecodeSubAck(F(hex), version).ReasonCodes);

    [Theory]
    [InlineData("9003000103", V3)] // 3 is no SUBACK code
    [InlineData("9003000187", V3)] // 0x87 only exists in 5.0
    [InlineData("90020001", V3)] // no codes
    [InlineData("9004000100" + "03", V5)]
    public void DecodeSubAck_Invalid_IsViolation(string hex, MqttProtocolVersion version) =>
        Violation(() => MqttPacketDecoder.DecodeSubAck(F(hex), version));

    [Fact]
    public void DecodeUnsubAck_V311_HasNoCodes() => Assert.Empty(MqttPacketDecoder.DecodeUnsubAck(F("B0020005"), V3).ReasonCodes);

    [Fact]
    public void DecodeUnsubAck_V500_ReadsCodes() => Assert.Equal(new byte[] { 0x00, 0x11 }, MqttPacketDecoder.DecodeUnsubAck(F("B00500050000" + "11"), V5).ReasonCodes);

    [Theory]
    [InlineData("E000", MqttDisconnectReasonCode.NormalDisconnection)]
    [InlineData("E0018B", MqttDisconnectReasonCode.ServerShuttingDown)]
    [InlineData("E0028E00", MqttDisconnectReasonCode.SessionTakenOver)]
    public void DecodeDisconnect_V500_ReadsReason(string hex, MqttDisconnectReasonCode code) =>
        Assert.Equal(code, MqttPacketDecoder.DecodeDisconnect(F(hex), V5).ReasonCode);

    [Fact]
    public void DecodeDisconnect_V500WithReasonAndReference_ReadsThem()
    {
        var packet = MqttPacketDecoder.DecodeDisconnect(F("E00C9C0A" + "1F000178" + "1C0003683A31"), V5);
        Assert.Equal(MqttDisconnectReasonCode.UseAnotherServer, packet.ReasonCode);
        Assert.Equal("x", packet.ReasonString);
        Assert.Equal("h:1", packet.ServerReference);
    }

    [Theory]
    [InlineData("E00101")] // 0x01 is no DISCONNECT reason
    [InlineData("E002000102")] // ... and garbage
    public void DecodeDisconnect_V500Invalid_IsViolation(string hex) => Violation(() => MqttPacketDecoder.DecodeDisconnect(F(hex), V5));

    [Fact]
    public void DecodeEmpty_PingRespWithBody_IsViolation() => Assert.Throws<MqttProtocolViolationException>(() => MqttPacketDecoder.DecodeEmpty(F("D00100")));

    [Fact]
    public void DecodeAuth_V311_IsMalformed() => Violation(() => MqttPacketDecoder.DecodeAuth(F("F000"), V3));
}
