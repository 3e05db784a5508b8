using System.Buffers;
using System.Text;

namespace EdgeNode.Mqtt.Protocol;

/// <summary>
/// Reads MQTT data types from one packet's body (a slice of the receive buffer, possibly multi-segment). Every read
/// that runs past the body throws a Malformed Packet violation instead of reading into the next packet.
/// </summary>
internal ref struct MqttBodyReader(ReadOnlySequence<byte> body)
{
    // Strict decoder: invalid sequences, overlong forms and encoded surrogates throw ([MQTT-1.5.4-1]).
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private SequenceReader<byte> _reader = new(body);

    public readonly long Remaining => _reader.Remaining;

    public readonly bool End => _reader.End;

    public byte ReadByte() =>
        _reader.TryRead(out var value) ? value : throw MqttProtocolViolationException.Malformed("packet ends inside a field");

    public ushort ReadUInt16() =>
        _reader.TryReadBigEndian(out short value)
            ? (ushort)value
            : throw MqttProtocolViolationException.Malformed("packet ends inside a two byte integer");

    public uint ReadUInt32() =>
        _reader.TryReadBigEndian(out int value)
            ? (uint)value
            : throw MqttProtocolViolationException.Malformed("packet ends inside a four byte integer");

    public int ReadVariableByteInteger()
    {
        return MqttVariableByteInteger.TryRead(ref _reader, out var value, out _) switch
        {
            OperationStatus.Done => value,
            OperationStatus.NeedMoreData => throw MqttProtocolViolationException.Malformed("packet ends inside a variable byte integer"),
            _ => throw MqttProtocolViolationException.Malformed("invalid variable byte integer (more than 4 bytes or not minimal)"),
        };
    }

    /// <summary>A UTF-8 Encoded String (§1.5.4): well-formed UTF-8 without U+0000 ([MQTT-1.5.4-2]).</summary>
    public string ReadString()
    {
        var length = ReadUInt16();
        if (length > _reader.Remaining)
        {
            throw MqttProtocolViolationException.Malformed($"string of {length} bytes runs past the packet");
        }

        string value;
        try
        {
            var unread = _reader.UnreadSpan;
            if (unread.Length >= length)
            {
                value = s_strictUtf8.GetString(unread[..length]);
            }
            else
            {
                var rented = ArrayPool<byte>.Shared.Rent(length);
                try
                {
                    _reader.UnreadSequence.Slice(0, length).CopyTo(rented);
                    value = s_strictUtf8.GetString(rented, 0, length);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }
        }
        catch (DecoderFallbackException ex)
        {
            throw new MqttProtocolViolationException("string is not well-formed UTF-8", ex);
        }

        _reader.Advance(length);
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw MqttProtocolViolationException.Malformed("string contains U+0000");
        }

        return value;
    }

    /// <summary>Binary Data (§1.5.6), copied out of the receive buffer.</summary>
    public byte[] ReadBinary()
    {
        var length = ReadUInt16();
        return ReadBytes(length);
    }

    public byte[] ReadBytes(long length)
    {
        if (length > _reader.Remaining)
        {
            throw MqttProtocolViolationException.Malformed($"field of {length} bytes runs past the packet");
        }

        var bytes = length == 0 ? [] : _reader.UnreadSequence.Slice(0, length).ToArray();
        _reader.Advance(length);
        return bytes;
    }

    public byte[] ReadRest() => ReadBytes(_reader.Remaining);

    /// <summary>Reads the Property Length and returns a reader over exactly the property block (§2.2.2.1).</summary>
    public MqttBodyReader ReadPropertyBlock()
    {
        var length = ReadVariableByteInteger();
        if (length > _reader.Remaining)
        {
            throw MqttProtocolViolationException.Malformed($"property length {length} runs past the packet");
        }

        var block = _reader.UnreadSequence.Slice(0, length);
        _reader.Advance(length);
        return new MqttBodyReader(block);
    }

    public readonly void EnsureEnd(string packet)
    {
        if (!_reader.End)
        {
            throw MqttProtocolViolationException.Malformed($"{packet} has {_reader.Remaining} unexpected trailing bytes");
        }
    }
}
