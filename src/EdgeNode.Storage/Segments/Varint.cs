using System.Runtime.CompilerServices;

namespace EdgeNode.Storage.Segments;

/// <summary>
/// Unsigned LEB128 varints (7 bits per byte, least significant group first, high bit = more) and ZigZag for signed
/// values — the same encoding protobuf uses, so 0..127 take one byte, 128..16383 two, up to ten for 64 bits.
/// </summary>
internal static class Varint
{
    public const int MaxLength64 = 10;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    public static int Length(ulong value)
    {
        var length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }

        return length;
    }

    /// <summary>Writes <paramref name="value"/> at <paramref name="destination"/>[0..]; the span must hold 10 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Write(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Reads a varint; false when the source ends inside it or it is longer than 10 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryRead(ReadOnlySpan<byte> source, ref int position, out ulong value)
    {
        value = 0;
        var shift = 0;
        while (position < source.Length)
        {
            var b = source[position++];
            if (shift == 63 && b > 1)
            {
                return false; // an 11th bit group or overflow of the 64-bit range
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }

            shift += 7;
            if (shift > 63)
            {
                return false;
            }
        }

        return false;
    }
}
