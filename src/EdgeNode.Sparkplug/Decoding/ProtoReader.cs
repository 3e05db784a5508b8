using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace EdgeNode.Sparkplug;

/// <summary>
/// Protobuf wire reader over a span. Every read is bounds-checked and reports failure by returning false, so garbage
/// input never throws: lengths are checked against the bytes that remain before anything is sliced or allocated.
/// </summary>
internal ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    internal ProtoReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    internal readonly bool End => _position >= _buffer.Length;

    internal readonly int Position => _position;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryReadTag(out int fieldNumber, out int wireType, out string? error)
    {
        // Fast path: every field number below 16 has a one-byte tag.
        var pos = _position;
        if ((uint)pos < (uint)_buffer.Length)
        {
            var b = _buffer[pos];
            if (b < 0x80 && b >= 8)
            {
                _position = pos + 1;
                fieldNumber = b >> 3;
                wireType = b & 7;
                error = null;
                return true;
            }
        }

        return TryReadTagSlow(out fieldNumber, out wireType, out error);
    }

    private bool TryReadTagSlow(out int fieldNumber, out int wireType, out string? error)
    {
        fieldNumber = 0;
        wireType = 0;
        if (!TryReadVarint(out var tag) || tag > uint.MaxValue)
        {
            error = $"truncated or oversized field tag at byte {_position}";
            return false;
        }

        fieldNumber = (int)(tag >> 3);
        wireType = (int)(tag & 7);
        if (fieldNumber == 0)
        {
            error = $"field number 0 at byte {_position}";
            return false;
        }

        error = null;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryReadVarint(out ulong value)
    {
        // Fast path: datatypes, lengths, flags and small numbers are one byte.
        var pos = _position;
        if ((uint)pos < (uint)_buffer.Length && _buffer[pos] < 0x80)
        {
            value = _buffer[pos];
            _position = pos + 1;
            return true;
        }

        return TryReadVarintSlow(out value);
    }

    private bool TryReadVarintSlow(out ulong value)
    {
        value = 0;
        var shift = 0;
        var buffer = _buffer;
        var pos = _position;
        for (var i = 0; i < 10; i++)
        {
            if (pos >= buffer.Length)
            {
                return false;
            }

            var b = buffer[pos++];
            if (i == 9 && b > 1)
            {
                return false; // more than 64 bits
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                _position = pos;
                return true;
            }

            shift += 7;
        }

        return false;
    }

    internal bool TryReadFixed32(out uint value)
    {
        if (_buffer.Length - _position < 4)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.Slice(_position, 4));
        _position += 4;
        return true;
    }

    internal bool TryReadFixed64(out ulong value)
    {
        if (_buffer.Length - _position < 8)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt64LittleEndian(_buffer.Slice(_position, 8));
        _position += 8;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryReadLengthDelimited(out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!TryReadVarint(out var length) || length > (ulong)(_buffer.Length - _position))
        {
            return false;
        }

        value = _buffer.Slice(_position, (int)length);
        _position += (int)length;
        return true;
    }

    internal bool TryReadString(out string value)
    {
        if (!TryReadLengthDelimited(out var bytes))
        {
            value = "";
            return false;
        }

        // proto2 strings are not validated; malformed UTF-8 becomes U+FFFD rather than an error.
        value = bytes.IsEmpty ? "" : Encoding.UTF8.GetString(bytes);
        return true;
    }

    /// <summary>A string the decoder expects to meet again (a metric name, a property text): shared through <see cref="DecodedStrings"/>.</summary>
    internal bool TryReadSharedString(out string value)
    {
        if (!TryReadLengthDelimited(out var bytes))
        {
            value = "";
            return false;
        }

        value = DecodedStrings.Get(bytes);
        return true;
    }

    /// <summary>Skips a field this decoder does not use (unknown fields, extensions, a known field with another wire type).</summary>
    internal bool TrySkip(int wireType, out string? error)
    {
        error = null;
        var ok = wireType switch
        {
            WireFields.WireVarint => TryReadVarint(out _),
            WireFields.WireFixed64 => TryReadFixed64(out _),
            WireFields.WireLengthDelimited => TryReadLengthDelimited(out _),
            WireFields.WireFixed32 => TryReadFixed32(out _),
            _ => false,
        };

        if (!ok)
        {
            error = wireType is WireFields.WireStartGroup or WireFields.WireEndGroup or 6 or 7
                ? $"unsupported wire type {wireType} at byte {_position}"
                : $"truncated field at byte {_position}";
        }

        return ok;
    }
}
