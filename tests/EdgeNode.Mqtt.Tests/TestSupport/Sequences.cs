using System.Buffers;
using EdgeNode.Mqtt.Packets;
using EdgeNode.Mqtt.Protocol;

namespace EdgeNode.Mqtt.Tests.TestSupport;

/// <summary>Byte helpers for codec tests.</summary>
internal static class Sequences
{
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    public static byte[] Encode(Action<IBufferWriter<byte>> encode)
    {
        var writer = new ArrayBufferWriter<byte>();
        encode(writer);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>The bytes split into segments of <paramref name="segmentSize"/> (1 = every byte its own segment).</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] bytes, int segmentSize)
    {
        if (bytes.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        Segment? first = null;
        Segment? last = null;
        for (var i = 0; i < bytes.Length; i += segmentSize)
        {
            var chunk = bytes.AsMemory(i, Math.Min(segmentSize, bytes.Length - i));
            last = last is null ? first = new Segment(chunk, 0) : last.Append(chunk);
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    public static MqttFrame Frame(byte[] packet, int maxPacketSize = int.MaxValue)
    {
        Assert.True(MqttPacketDecoder.TryDecode(new ReadOnlySequence<byte>(packet), maxPacketSize, out var frame, out _, out _));
        return frame;
    }

    /// <summary>Decodes a frame with the decoder for its type (both directions), as a fuzz target.</summary>
    public static object DecodeAny(in MqttFrame frame, MqttProtocolVersion version) => frame.Type switch
    {
        MqttPacketType.Connect => MqttPacketDecoder.DecodeConnect(frame),
        MqttPacketType.ConnAck => MqttPacketDecoder.DecodeConnAck(frame, version),
        MqttPacketType.Publish => MqttPacketDecoder.DecodePublish(frame, version),
        MqttPacketType.PubAck or MqttPacketType.PubRec or MqttPacketType.PubRel or MqttPacketType.PubComp => MqttPacketDecoder.DecodeAck(frame, version),
        MqttPacketType.Subscribe => MqttPacketDecoder.DecodeSubscribe(frame, version),
        MqttPacketType.SubAck => MqttPacketDecoder.DecodeSubAck(frame, version),
        MqttPacketType.Unsubscribe => MqttPacketDecoder.DecodeUnsubscribe(frame, version),
        MqttPacketType.UnsubAck => MqttPacketDecoder.DecodeUnsubAck(frame, version),
        MqttPacketType.Disconnect => MqttPacketDecoder.DecodeDisconnect(frame, version),
        MqttPacketType.Auth => MqttPacketDecoder.DecodeAuth(frame, version),
        _ => Empty(frame),
    };

    private static object Empty(in MqttFrame frame)
    {
        MqttPacketDecoder.DecodeEmpty(frame);
        return frame.Type;
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
