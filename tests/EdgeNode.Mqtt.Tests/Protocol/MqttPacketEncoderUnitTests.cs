using System.Text;
using EdgeNode.Mqtt.Packets;
using EdgeNode.Mqtt.Protocol;
using EdgeNode.Mqtt.Tests.TestSupport;

namespace EdgeNode.Mqtt.Tests.Protocol;

/// <summary>Golden bytes assembled by hand from the packet layouts of MQTT 3.1.1 §3 and 5.0 §3.</summary>
public sealed class MqttPacketEncoderUnitTests
{
    private static string Hex(Action<System.Buffers.IBufferWriter<byte>> encode) => Convert.ToHexString(Sequences.Encode(encode));

    [Fact]
    public void EncodeConnect_V311WithWillUserAndPassword_MatchesGoldenBytes()
    {
        var packet = new MqttConnectPacket
        {
            ClientId = "c1",
            CleanSession = true,
            KeepAliveSeconds = 60,
            Will = new MqttWill { Topic = "w/t", Payload = "bye"u8.ToArray(), QoS = MqttQualityOfService.AtLeastOnce },
            Username = "u",
            Password = "p"u8.ToArray(),
        };

        // flags: username 0x80 | password 0x40 | will QoS 1 0x08 | will 0x04 | clean 0x02 = 0xCE
        Assert.Equal("101E00044D51545404CE003C00026331" + "0003772F74" + "0003627965" + "000175" + "000170",
            Hex(w => MqttPacketEncoder.EncodeConnect(w, packet)));
    }

    [Fact]
    public void EncodeConnect_V311WithoutCredentials_HasNoPasswordFlag()
    {
        var packet = new MqttConnectPacket { ClientId = "c1", KeepAliveSeconds = 30 };
        Assert.Equal("100E00044D5154540402001E00026331", Hex(w => MqttPacketEncoder.EncodeConnect(w, packet)));
    }

    [Fact]
    public void EncodeConnect_V500WithProperties_MatchesGoldenBytes()
    {
        var packet = new MqttConnectPacket
        {
            ProtocolVersion = MqttProtocolVersion.V500,
            ClientId = "c1",
            KeepAliveSeconds = 10,
            ReceiveMaximum = 100,
            MaximumPacketSize = 1_048_576,
        };

        // properties: Receive Maximum 0x21 0x0064, Maximum Packet Size 0x27 0x00100000 (length 8)
        Assert.Equal("101700044D5154540502000A08" + "210064" + "2700100000" + "00026331", Hex(w => MqttPacketEncoder.EncodeConnect(w, packet)));
    }

    [Fact]
    public void EncodeConnect_V500WillWithDelay_CarriesWillProperties()
    {
        var packet = new MqttConnectPacket
        {
            ProtocolVersion = MqttProtocolVersion.V500,
            ClientId = "c",
            Will = new MqttWill { Topic = "t", Payload = "x"u8.ToArray(), QoS = MqttQualityOfService.AtLeastOnce, Retain = true, DelayInterval = 5 },
        };

        // flags: will retain 0x20 | QoS1 0x08 | will 0x04 | clean 0x02 = 0x2E; will properties: 0x18 00000005 (length 5)
        Assert.Equal("101A00044D515454052E000000" + "000163" + "05" + "1800000005" + "000174" + "000178",
            Hex(w => MqttPacketEncoder.EncodeConnect(w, packet)));
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311, MqttQualityOfService.AtMostOnce, false, 0, "30070003612F626869")]
    [InlineData(MqttProtocolVersion.V311, MqttQualityOfService.AtLeastOnce, true, 10, "33090003612F62000A6869")]
    [InlineData(MqttProtocolVersion.V311, MqttQualityOfService.ExactlyOnce, false, 0xFFFF, "34090003612F62FFFF6869")]
    [InlineData(MqttProtocolVersion.V500, MqttQualityOfService.AtMostOnce, false, 0, "30080003612F62006869")]
    [InlineData(MqttProtocolVersion.V500, MqttQualityOfService.AtLeastOnce, false, 10, "320A0003612F62000A006869")]
    public void EncodePublish_QosAndVersions_MatchGoldenBytes(MqttProtocolVersion version, MqttQualityOfService qos, bool retain, int id, string hex)
    {
        Assert.Equal(hex, Hex(w => MqttPacketEncoder.EncodePublish(w, version, "a/b"u8, "hi"u8, qos, retain, false, (ushort)id)));
        Assert.Equal(hex.Length / 2, MqttPacketEncoder.GetPublishSize(version, 3, 2, qos));
    }

    [Fact]
    public void EncodePublish_Duplicate_SetsDupFlag() =>
        Assert.Equal("3A090003612F62000A6869",
            Hex(w => MqttPacketEncoder.EncodePublish(w, MqttProtocolVersion.V311, "a/b"u8, "hi"u8, MqttQualityOfService.AtLeastOnce, false, true, 10)));

    [Theory]
    [InlineData(MqttProtocolVersion.V311, 4, 0, "4002000A")]
    [InlineData(MqttProtocolVersion.V311, 5, 0, "5002000A")]
    [InlineData(MqttProtocolVersion.V311, 6, 0, "6202000A")] // [MQTT-3.6.1-1] flags 0010
    [InlineData(MqttProtocolVersion.V311, 7, 0, "7002000A")]
    [InlineData(MqttProtocolVersion.V500, 4, 0, "4002000A")] // success: short form
    [InlineData(MqttProtocolVersion.V500, 4, 0x10, "4004000A1000")]
    [InlineData(MqttProtocolVersion.V500, 7, 0x92, "7004000A9200")]
    public void EncodeAck_VersionsAndReasons_MatchGoldenBytes(MqttProtocolVersion version, int type, int reason, string hex) =>
        Assert.Equal(hex, Hex(w => MqttPacketEncoder.EncodeAck(w, version, (MqttPacketType)type, 10, (byte)reason)));

    [Fact]
    public void EncodeAck_V500WithReasonString_AddsReasonStringProperty() =>
        Assert.Equal("4008000A8704" + "1F000178",
            Hex(w => MqttPacketEncoder.EncodeAck(w, MqttProtocolVersion.V500, MqttPacketType.PubAck, 10, 0x87, "x")));

    [Fact]
    public void EncodeSubscribe_V311_MatchesGoldenBytes()
    {
        var packet = new MqttSubscribePacket { PacketId = 1, Filters = [new MqttTopicFilter("a/#", MqttQualityOfService.AtLeastOnce)] };
        Assert.Equal("820800010003612F2301", Hex(w => MqttPacketEncoder.EncodeSubscribe(w, MqttProtocolVersion.V311, packet)));
    }

    [Fact]
    public void EncodeSubscribe_V500Options_MatchGoldenBytes()
    {
        var packet = new MqttSubscribePacket
        {
            PacketId = 1,
            Filters =
            [
                new MqttTopicFilter("a/#", MqttQualityOfService.AtLeastOnce)
                {
                    NoLocal = true,
                    RetainAsPublished = true,
                    RetainHandling = MqttRetainHandling.DoNotSend,
                },
            ],
        };

        // options: QoS 1 | No Local 0x04 | Retain As Published 0x08 | Retain Handling 2 << 4 = 0x2D
        Assert.Equal("82090001000003612F232D", Hex(w => MqttPacketEncoder.EncodeSubscribe(w, MqttProtocolVersion.V500, packet)));
    }

    [Fact]
    public void EncodeUnsubscribe_V311_MatchesGoldenBytes()
    {
        var packet = new MqttUnsubscribePacket { PacketId = 2, Filters = ["a/#"] };
        Assert.Equal("A20700020003612F23", Hex(w => MqttPacketEncoder.EncodeUnsubscribe(w, MqttProtocolVersion.V311, packet)));
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311, MqttDisconnectReasonCode.NormalDisconnection, "E000")]
    [InlineData(MqttProtocolVersion.V311, MqttDisconnectReasonCode.DisconnectWithWillMessage, "E000")] // 3.1.1 has no reason code
    [InlineData(MqttProtocolVersion.V500, MqttDisconnectReasonCode.NormalDisconnection, "E000")]
    [InlineData(MqttProtocolVersion.V500, MqttDisconnectReasonCode.DisconnectWithWillMessage, "E00104")]
    public void EncodeDisconnect_VersionsAndReasons_MatchGoldenBytes(MqttProtocolVersion version, MqttDisconnectReasonCode reason, string hex) =>
        Assert.Equal(hex, Hex(w => MqttPacketEncoder.EncodeDisconnect(w, version, reason)));

    [Fact]
    public void EncodePingReq_IsTwoBytes() => Assert.Equal("C000", Hex(w => MqttPacketEncoder.EncodePingReq(w)));

    [Fact]
    public void EncodeString_MultiByteUtf8_LengthIsInBytes()
    {
        var topic = Encoding.UTF8.GetBytes("ä/€"); // 2 + 1 + 3 bytes
        Assert.Equal("300A0006" + Convert.ToHexString(topic) + "6869",
            Hex(w => MqttPacketEncoder.EncodePublish(w, MqttProtocolVersion.V311, topic, "hi"u8, MqttQualityOfService.AtMostOnce, false, false, 0)));
    }
}
