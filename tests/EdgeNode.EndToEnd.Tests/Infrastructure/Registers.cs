using System.Buffers.Binary;
using System.Text;

namespace EdgeNode.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Register images of values, written straight from the contract's byte-order rules (bytes A..D most significant
/// first; ABCD = registers in address order, high byte first; CDAB = word order reversed, so the lowest register holds
/// the least significant word; BADC = the two bytes of each register swapped; DCBA = both), so the tests do not
/// borrow the node's own encoder.
/// </summary>
internal static class Registers
{
    public static ushort[] Int16(short value) => [unchecked((ushort)value)];

    public static ushort[] UInt16(ushort value) => [value];

    public static ushort[] Int32(int value, string order = "ABCD") => Words(BigEndian(4, b => BinaryPrimitives.WriteInt32BigEndian(b, value)), order);

    public static ushort[] UInt32(uint value, string order = "ABCD") => Words(BigEndian(4, b => BinaryPrimitives.WriteUInt32BigEndian(b, value)), order);

    public static ushort[] Int64(long value, string order = "ABCD") => Words(BigEndian(8, b => BinaryPrimitives.WriteInt64BigEndian(b, value)), order);

    public static ushort[] UInt64(ulong value, string order = "ABCD") => Words(BigEndian(8, b => BinaryPrimitives.WriteUInt64BigEndian(b, value)), order);

    public static ushort[] Float32(float value, string order = "ABCD") => Words(BigEndian(4, b => BinaryPrimitives.WriteSingleBigEndian(b, value)), order);

    public static ushort[] Float64(double value, string order = "ABCD") => Words(BigEndian(8, b => BinaryPrimitives.WriteDoubleBigEndian(b, value)), order);

    /// <summary>Two ASCII characters per register, high byte first, padded with NULs; BADC/DCBA swap each register's bytes.</summary>
    public static ushort[] String(string text, int lengthInRegisters, string order = "ABCD")
    {
        var bytes = new byte[lengthInRegisters * 2];
        Encoding.ASCII.GetBytes(text).AsSpan(0, Math.Min(text.Length, bytes.Length)).CopyTo(bytes);
        var words = new ushort[lengthInRegisters];
        var swap = order is "BADC" or "DCBA";
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = swap ? (ushort)(bytes[(2 * i) + 1] << 8 | bytes[2 * i]) : (ushort)(bytes[2 * i] << 8 | bytes[(2 * i) + 1]);
        }

        return words;
    }

    private static byte[] BigEndian(int size, Action<byte[]> write)
    {
        var bytes = new byte[size];
        write(bytes);
        return bytes;
    }

    private static ushort[] Words(byte[] bigEndian, string order)
    {
        var words = new ushort[bigEndian.Length / 2];
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = (ushort)(bigEndian[2 * i] << 8 | bigEndian[(2 * i) + 1]);
        }

        if (order is "BADC" or "DCBA")
        {
            for (var i = 0; i < words.Length; i++)
            {
                words[i] = (ushort)(words[i] << 8 | words[i] >> 8);
            }
        }

        if (order is "CDAB" or "DCBA")
        {
            Array.Reverse(words);
        }

        return words;
    }
}
