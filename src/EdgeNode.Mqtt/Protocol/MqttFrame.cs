using System.Buffers;
using EdgeNode.Mqtt.Packets;

namespace EdgeNode.Mqtt.Protocol;

/// <summary>
/// One complete control packet located in a receive buffer: its type, the fixed-header flags and the body (variable
/// header + payload). The body is a slice of the caller's buffer: decode it before advancing the reader.
/// </summary>
internal readonly struct MqttFrame(MqttPacketType type, byte flags, ReadOnlySequence<byte> body, int length)
{
    public MqttPacketType Type { get; } = type;

    /// <summary>The low nibble of the first byte.</summary>
    public byte Flags { get; } = flags;

    public ReadOnlySequence<byte> Body { get; } = body;

    /// <summary>Total bytes of the packet (fixed header + remaining length).</summary>
    public int Length { get; } = length;

    public int RemainingLength => (int)Body.Length;
}

/// <summary>
/// The head of an incoming PUBLISH larger than the client's maximum packet size: enough to acknowledge and report it;
/// its <see cref="Remaining"/> bytes are read and discarded, never buffered.
/// </summary>
internal readonly record struct MqttOversizedPublish(string Topic, MqttQualityOfService QoS, bool Retain, ushort PacketId, long Size, long Remaining);
