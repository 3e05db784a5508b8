using System.Buffers;

namespace EdgeNode.Mqtt.Protocol;

/// <summary>
/// The Variable Byte Integer (3.1.1 §2.2.3 Remaining Length, 5.0 §1.5.5): 7 bits per byte, least significant group
/// first, high bit = continuation, at most 4 bytes (0…268,435,455).
/// </summary>
internal static class MqttVariableByteInteger
{
    /// <summary>Largest encodable value (0xFF,0xFF,0xFF,0x7F).</summary>
    public const int MaxValue = 268_435_455;

    public static int Size(int value) => value switch
    {
        < 0 => throw new ArgumentOutOfRangeException(nameof(value)),
        < 128 => 1,
        < 16_384 => 2,
        < 2_097_152 => 3,
        <= MaxValue => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "exceeds the MQTT variable byte integer maximum"),
    };

    public static int Write(Span<byte> destination, int value)
    {
        var size = Size(value);
        var i = 0;
        do
        {
            var digit = (byte)(value & 0x7F);
            value >>= 7;
            if (value > 0)
            {
                digit |= 0x80;
            }

            destination[i++] = digit;
        }
        while (value > 0);

        return size;
    }

    /// <summary>
    /// Reads one value. <see cref="OperationStatus.NeedMoreData"/> leaves the reader where it was;
    /// <see cref="OperationStatus.InvalidData"/> means a fifth byte or a non-minimal encoding ([MQTT-1.5.5-1]: the encoded
    /// value MUST use the minimum number of bytes).
    /// </summary>
    public static OperationStatus TryRead(ref SequenceReader<byte> reader, out int value, out int size)
    {
        value = 0;
        size = 0;
        var start = reader.Consumed;
        var multiplier = 0;
        while (true)
        {
            if (!reader.TryRead(out var b))
            {
                reader.Rewind(reader.Consumed - start);
                return OperationStatus.NeedMoreData;
            }

            size++;
            value |= (b & 0x7F) << multiplier;
            if ((b & 0x80) == 0)
            {
                // A zero last byte after a continuation is an over-long encoding of a shorter value.
                return size > 1 && b == 0 ? OperationStatus.InvalidData : OperationStatus.Done;
            }

            if (size == 4)
            {
                return OperationStatus.InvalidData;
            }

            multiplier += 7;
        }
    }
}
