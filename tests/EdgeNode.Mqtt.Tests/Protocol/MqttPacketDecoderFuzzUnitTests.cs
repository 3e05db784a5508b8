using System.Buffers;
using EdgeNode.Mqtt.Packets;
using EdgeNode.Mqtt.Protocol;
using EdgeNode.Mqtt.Tests.TestSupport;

namespace EdgeNode.Mqtt.Tests.Protocol;

/// <summary>
/// Random, truncated and mutated bytes fed to the decoder: it may frame, ask for more bytes or report a protocol
/// violation — never any other exception, and never a frame larger than the limit (bounded memory).
/// </summary>
public sealed class MqttPacketDecoderFuzzUnitTests
{
    private const int MaxPacketSize = 4096;

    private static readonly byte[][] s_corpus = BuildCorpus();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Decoder_RandomBytes_FramesOrViolationsOnly(int seed)
    {
        var random = new Random(seed);
        var buffer = new byte[96];
        for (var i = 0; i < 60_000; i++)
        {
            var length = random.Next(0, buffer.Length);
            random.NextBytes(buffer.AsSpan(0, length));
            if (random.Next(4) == 0)
            {
                // Bias towards plausible first bytes and short lengths so bodies get decoded too.
                buffer[0] = (byte)((random.Next(1, 16) << 4) | random.Next(0, 4));
                if (length > 1)
                {
                    buffer[1] = (byte)random.Next(0, Math.Max(1, length - 1));
                }
            }

            Exercise(buffer.AsSpan(0, length).ToArray(), random.Next(1, 8));
        }
    }

    [Fact]
    public void Decoder_MutatedValidPackets_FramesOrViolationsOnly()
    {
        var random = new Random(42);
        foreach (var packet in s_corpus)
        {
            for (var i = 0; i < 2_000; i++)
            {
                var mutated = packet.ToArray();
                var flips = random.Next(1, 4);
                for (var f = 0; f < flips; f++)
                {
                    mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
                }

                Exercise(mutated, random.Next(1, 8));
            }
        }
    }

    [Fact]
    public void Decoder_TruncatedValidPackets_NeverFrameAndNeverThrow()
    {
        foreach (var packet in s_corpus)
        {
            for (var length = 0; length < packet.Length; length++)
            {
                var prefix = Sequences.Segmented(packet.AsSpan(0, length).ToArray(), 5);
                Assert.False(MqttPacketDecoder.TryDecode(prefix, MaxPacketSize, out _, out _, out _));
            }
        }
    }

    [Fact]
    public void Decoder_ValidPacketsBodyCutShort_AreViolations()
    {
        // Rewrite the remaining length to drop the body's last byte: the frame is complete but the body is short.
        foreach (var packet in s_corpus.Where(p => p[1] is > 1 and < 128))
        {
            var shorter = packet.AsSpan(0, packet.Length - 1).ToArray();
            shorter[1]--;
            var frame = Sequences.Frame(shorter);
            foreach (var version in new[] { MqttProtocolVersion.V311, MqttProtocolVersion.V500 })
            {
                try
                {
                    Sequences.DecodeAny(frame, version);
                }
                catch (MqttProtocolViolationException)
                {
                    // expected for most; some (PUBLISH payload, SUBACK code list) legitimately get shorter
                }
            }
        }
    }

    private static void Exercise(byte[] bytes, int segment)
    {
        var sequence = Sequences.Segmented(bytes, segment);
        while (true)
        {
            MqttFrame frame;
            SequencePosition consumed;
            try
            {
                if (!MqttPacketDecoder.TryDecode(sequence, MaxPacketSize, out frame, out consumed, out _))
                {
                    return;
                }
            }
            catch (MqttProtocolViolationException)
            {
                return;
            }

            Assert.True(frame.Length <= MaxPacketSize);
            foreach (var version in new[] { MqttProtocolVersion.V311, MqttProtocolVersion.V500 })
            {
                try
                {
                    Sequences.DecodeAny(frame, version);
                }
                catch (MqttProtocolViolationException)
                {
                    // the only acceptable failure
                }
            }

            sequence = sequence.Slice(consumed);
        }
    }

    private static byte[][] BuildCorpus()
    {
        var list = new List<byte[]>();
        foreach (var v in new[] { MqttProtocolVersion.V311, MqttProtocolVersion.V500 })
        {
            list.Add(Sequences.Encode(w => MqttPacketEncoder.EncodeConnect(w, new MqttConnectPacket
            {
                ProtocolVersion = v,
                ClientId = "client",
                Username = "u",
                Password = "p"u8.ToArray(),
                Will = new MqttWill { Topic = "w", Payload = "x"u8.ToArray(), QoS = MqttQualityOfService.AtLeastOnce, DelayInterval = 3 },
                ReceiveMaximum = 10,
                MaximumPacketSize = 1000,
                SessionExpiryInterval = 5,
                UserProperties = [new MqttUserProperty("a", "b")],
            })));
            var connAck = new MqttConnAckPacket
            {
                SessionPresent = false,
                RawCode = 0,
                ReceiveMaximum = 5,
                MaximumQoS = MqttQualityOfService.AtLeastOnce,
                ReasonString = "ok",
                ServerKeepAlive = 5,
                AssignedClientIdentifier = "id",
                UserProperties = [new MqttUserProperty("k", "v")],
            };
            list.Add(Sequences.Encode(w => MqttPacketEncoder.EncodeConnAck(w, v, connAck)));
            list.Add(Sequences.Encode(w => MqttPacketEncoder.EncodePublish(w, v, "a/b/c"u8, "payload"u8, MqttQualityOfService.ExactlyOnce, true, true, 9)));
            list.Add(Sequences.Encode(w => MqttPacketEncoder.EncodeAck(w, v, MqttPacketType.PubAck, 9, 0x10, "why")));
            list.Add(Sequences.Encode(w => MqttPacketEncoder.EncodeAck(w, v, MqttPacketType.PubRel, 9)));
            list.Add(Sequences.Encode(w => MqttPacketEncoder.EncodeSubscribe(w, v, new MqttSubscribePacket
            {
                PacketId = 3,
                SubscriptionIdentifier = 7,
                Filters = [new MqttTopicFilter("a/#", MqttQualityOfService.AtLeastOnce) { NoLocal = true }, new MqttTopicFilter("+/b", MqttQualityOfService.AtMostOnce)],
            })));
            list.Add(Sequences.Encode(w => MqttPacketEncoder.EncodeSubAck(w, v, 3, [1, 0, 0x80], "r")));
            list.Add(Sequences.Encode(w => MqttPacketEncoder.EncodeUnsubscribe(w, v, new MqttUnsubscribePacket { PacketId = 4, Filters = ["a/#"] })));
            list.Add(Sequences.Encode(w => MqttPacketEncoder.EncodeUnsubAck(w, v, 4, [0, 0x11])));
            list.Add(Sequences.Encode(w => MqttPacketEncoder.EncodeDisconnect(w, v, MqttDisconnectReasonCode.ServerMoved, "moved", "h:1")));
            list.Add(Sequences.Encode(w => MqttPacketEncoder.EncodePingResp(w)));
        }

        return [.. list];
    }
}
