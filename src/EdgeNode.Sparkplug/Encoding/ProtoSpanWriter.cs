using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace EdgeNode.Sparkplug;

/// <summary>Protobuf wire primitives over a span whose exact size was computed first (no bounds growth, no copies).</summary>
internal ref struct ProtoSpanWriter
{
    private readonly Span<byte> _span;
    private int _position;

    internal ProtoSpanWriter(Span<byte> span)
    {
        _span = span;
        _position = 0;
    }

    internal readonly int Position => _position;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void WriteTag(int fieldNumber, int wireType) => WriteVarint((uint)((fieldNumber << 3) | wireType));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void WriteVarint(ulong value)
    {
        var span = _span;
        var pos = _position;
        while (value >= 0x80)
        {
            span[pos++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[pos++] = (byte)value;
        _position = pos;
    }

    internal void WriteFixed32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_span.Slice(_position, 4), value);
        _position += 4;
    }

    internal void WriteFixed64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_span.Slice(_position, 8), value);
        _position += 8;
    }

    /// <summary>Writes the length prefix and the UTF-8 bytes of <paramref name="value"/>.</summary>
    internal void WriteString(string value)
    {
        if (value.Length <= 42)
        {
            // At most 126 UTF-8 bytes: the length prefix is one byte, so encode first and fill the prefix in after,
            // without counting the string a second time.
            var written = Encoding.UTF8.GetBytes(value, _span.Slice(_position + 1));
            _span[_position] = (byte)written;
            _position += 1 + written;
            return;
        }

        var byteCount = Encoding.UTF8.GetByteCount(value);
        WriteVarint((uint)byteCount);
        _position += Encoding.UTF8.GetBytes(value, _span.Slice(_position, byteCount));
    }

    internal void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteVarint((uint)value.Length);
        value.CopyTo(_span.Slice(_position));
        _position += value.Length;
    }

    /// <summary>Hands out the next <paramref name="length"/> bytes for the caller to fill.</summary>
    internal Span<byte> Reserve(int length)
    {
        var slice = _span.Slice(_position, length);
        _position += length;
        return slice;
    }
}

/// <summary>Protobuf wire sizes.</summary>
internal static class ProtoSize
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Varint(ulong value) => ((BitOperations.Log2(value | 1) * 9) + 73) >> 6;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Tag(int fieldNumber) => Varint((uint)(fieldNumber << 3));

    /// <summary>Length prefix plus content.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int LengthDelimited(int length) => Varint((uint)length) + length;

    /// <summary>UTF-8 length of a string. Lone surrogates become U+FFFD, as the encoder writes them.</summary>
    internal static int Utf8(string value) => Encoding.UTF8.GetByteCount(value);

    /// <summary>Adds sizes, throwing when a message would exceed the 2 GiB protobuf limit.</summary>
    internal static int Add(int a, int b)
    {
        var sum = (long)a + b;
        return sum <= int.MaxValue ? (int)sum : throw new InvalidOperationException("The Sparkplug payload would exceed 2 GiB.");
    }
}
