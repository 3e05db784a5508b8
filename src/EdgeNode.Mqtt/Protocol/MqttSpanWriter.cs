using System.Buffers.Binary;
using System.Text;

namespace EdgeNode.Mqtt.Protocol;

/// <summary>Writes MQTT data types into a span already sized to the exact packet length.</summary>
internal ref struct MqttSpanWriter(Span<byte> span)
{
    private readonly Span<byte> _span = span;
    private int _position;

    public readonly int Position => _position;

    public void WriteByte(byte value) => _span[_position++] = value;

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_span[_position..], value);
        _position += 2;
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_span[_position..], value);
        _position += 4;
    }

    public void WriteVariableByteInteger(int value) => _position += MqttVariableByteInteger.Write(_span[_position..], value);

    /// <summary>A UTF-8 Encoded String: 2-byte length then the bytes (§1.5.4).</summary>
    public void WriteString(string value)
    {
        var count = Encoding.UTF8.GetBytes(value, _span[(_position + 2)..]);
        BinaryPrimitives.WriteUInt16BigEndian(_span[_position..], (ushort)count);
        _position += 2 + count;
    }

    /// <summary>Binary Data or a pre-encoded string: 2-byte length then the bytes (§1.5.6).</summary>
    public void WriteBinary(ReadOnlySpan<byte> value)
    {
        WriteUInt16((ushort)value.Length);
        Write(value);
    }

    public void Write(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_span[_position..]);
        _position += value.Length;
    }

    public void WriteUserProperties(IReadOnlyList<MqttUserProperty>? properties)
    {
        if (properties is null)
        {
            return;
        }

        foreach (var p in properties)
        {
            WriteByte(MqttPropertyId.UserProperty);
            WriteString(p.Name);
            WriteString(p.Value);
        }
    }
}
