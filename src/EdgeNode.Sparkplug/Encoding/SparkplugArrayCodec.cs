using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace EdgeNode.Sparkplug;

/// <summary>
/// The array datatypes' <c>bytes_value</c> forms (Sparkplug 3.0 §6.4.16 "Array Types"): packed little-endian elements;
/// BooleanArray = 4-byte little-endian count then the bits, first element in the most significant bit of the first
/// byte, padded to a byte boundary; StringArray = UTF-8 strings each terminated by 0x00; DateTimeArray = int64 ms.
/// The specification's FloatArray/DoubleArray examples print big-endian bytes and its DateTimeArray example drops
/// bytes; we follow the normative text (little-endian, 8 bytes per DateTime), as Eclipse Tahu does.
/// </summary>
internal static class SparkplugArrayCodec
{
    /// <summary>Bytes the array value occupies in <c>bytes_value</c>.</summary>
    internal static int GetEncodedLength(in SparkplugValue value)
    {
        var type = value.DataType;
        var reference = value.Ref!;
        switch (type)
        {
            case SparkplugDataType.BooleanArray:
                return checked(4 + ((((bool[])reference).Length + 7) / 8));
            case SparkplugDataType.StringArray:
                var total = 0;
                foreach (var s in (string[])reference)
                {
                    total = ProtoSize.Add(total, ProtoSize.Add(ProtoSize.Utf8(s), 1));
                }

                return total;
            default:
                return checked(((Array)reference).Length * SparkplugDataTypes.GetArrayElementSize(type));
        }
    }

    /// <summary>Writes the array value into <paramref name="destination"/> (exactly <see cref="GetEncodedLength"/> bytes).</summary>
    internal static void EncodeTo(in SparkplugValue value, Span<byte> destination)
    {
        var reference = value.Ref!;
        switch (value.DataType)
        {
            case SparkplugDataType.Int8Array:
                MemoryMarshal.AsBytes(((sbyte[])reference).AsSpan()).CopyTo(destination);
                break;
            case SparkplugDataType.UInt8Array:
                ((byte[])reference).CopyTo(destination);
                break;
            case SparkplugDataType.Int16Array:
                WriteLittleEndian<short>((short[])reference, destination, static (d, v) => BinaryPrimitives.WriteInt16LittleEndian(d, v));
                break;
            case SparkplugDataType.UInt16Array:
                WriteLittleEndian<ushort>((ushort[])reference, destination, static (d, v) => BinaryPrimitives.WriteUInt16LittleEndian(d, v));
                break;
            case SparkplugDataType.Int32Array:
                WriteLittleEndian<int>((int[])reference, destination, static (d, v) => BinaryPrimitives.WriteInt32LittleEndian(d, v));
                break;
            case SparkplugDataType.UInt32Array:
                WriteLittleEndian<uint>((uint[])reference, destination, static (d, v) => BinaryPrimitives.WriteUInt32LittleEndian(d, v));
                break;
            case SparkplugDataType.Int64Array or SparkplugDataType.DateTimeArray:
                WriteLittleEndian<long>((long[])reference, destination, static (d, v) => BinaryPrimitives.WriteInt64LittleEndian(d, v));
                break;
            case SparkplugDataType.UInt64Array:
                WriteLittleEndian<ulong>((ulong[])reference, destination, static (d, v) => BinaryPrimitives.WriteUInt64LittleEndian(d, v));
                break;
            case SparkplugDataType.FloatArray:
                WriteLittleEndian<float>((float[])reference, destination, static (d, v) => BinaryPrimitives.WriteSingleLittleEndian(d, v));
                break;
            case SparkplugDataType.DoubleArray:
                WriteLittleEndian<double>((double[])reference, destination, static (d, v) => BinaryPrimitives.WriteDoubleLittleEndian(d, v));
                break;
            case SparkplugDataType.BooleanArray:
                var bools = (bool[])reference;
                BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)bools.Length);
                var bits = destination.Slice(4, (bools.Length + 7) / 8);
                bits.Clear();
                for (var i = 0; i < bools.Length; i++)
                {
                    if (bools[i])
                    {
                        bits[i >> 3] |= (byte)(0x80 >> (i & 7));
                    }
                }

                break;
            case SparkplugDataType.StringArray:
                var position = 0;
                foreach (var s in (string[])reference)
                {
                    position += Encoding.UTF8.GetBytes(s, destination.Slice(position));
                    destination[position++] = 0;
                }

                break;
            default:
                throw new ArgumentException($"{value.DataType} is not an array type.", nameof(value));
        }
    }

    /// <summary>The bytes of an array value (allocates; for conversions and tests).</summary>
    internal static byte[] Encode(in SparkplugValue value)
    {
        var bytes = new byte[GetEncodedLength(value)];
        EncodeTo(value, bytes);
        return bytes;
    }

    /// <summary>Parses <c>bytes_value</c> as <paramref name="type"/>; false with a reason when the length does not fit.</summary>
    internal static bool TryDecode(SparkplugDataType type, ReadOnlySpan<byte> bytes, out SparkplugValue value, out string? error)
    {
        value = default;
        error = null;
        var size = SparkplugDataTypes.GetArrayElementSize(type);
        if (size > 0 && bytes.Length % size != 0)
        {
            error = $"{SparkplugDataTypes.GetName(type)} of {bytes.Length} bytes is not a whole number of {size}-byte elements";
            return false;
        }

        switch (type)
        {
            case SparkplugDataType.Int8Array:
                value = SparkplugValue.Array(type, MemoryMarshal.Cast<byte, sbyte>(bytes).ToArray());
                return true;
            case SparkplugDataType.UInt8Array:
                value = SparkplugValue.Array(type, bytes.ToArray());
                return true;
            case SparkplugDataType.Int16Array:
                value = SparkplugValue.Array(type, ReadLittleEndian(bytes, static s => BinaryPrimitives.ReadInt16LittleEndian(s)));
                return true;
            case SparkplugDataType.UInt16Array:
                value = SparkplugValue.Array(type, ReadLittleEndian(bytes, static s => BinaryPrimitives.ReadUInt16LittleEndian(s)));
                return true;
            case SparkplugDataType.Int32Array:
                value = SparkplugValue.Array(type, ReadLittleEndian(bytes, static s => BinaryPrimitives.ReadInt32LittleEndian(s)));
                return true;
            case SparkplugDataType.UInt32Array:
                value = SparkplugValue.Array(type, ReadLittleEndian(bytes, static s => BinaryPrimitives.ReadUInt32LittleEndian(s)));
                return true;
            case SparkplugDataType.Int64Array or SparkplugDataType.DateTimeArray:
                value = SparkplugValue.Array(type, ReadLittleEndian(bytes, static s => BinaryPrimitives.ReadInt64LittleEndian(s)));
                return true;
            case SparkplugDataType.UInt64Array:
                value = SparkplugValue.Array(type, ReadLittleEndian(bytes, static s => BinaryPrimitives.ReadUInt64LittleEndian(s)));
                return true;
            case SparkplugDataType.FloatArray:
                value = SparkplugValue.Array(type, ReadLittleEndian(bytes, static s => BinaryPrimitives.ReadSingleLittleEndian(s)));
                return true;
            case SparkplugDataType.DoubleArray:
                value = SparkplugValue.Array(type, ReadLittleEndian(bytes, static s => BinaryPrimitives.ReadDoubleLittleEndian(s)));
                return true;
            case SparkplugDataType.BooleanArray:
                return TryDecodeBooleans(bytes, out value, out error);
            case SparkplugDataType.StringArray:
                return TryDecodeStrings(bytes, out value, out error);
            default:
                error = $"{SparkplugDataTypes.GetName(type)} is not an array type";
                return false;
        }
    }

    private static bool TryDecodeBooleans(ReadOnlySpan<byte> bytes, out SparkplugValue value, out string? error)
    {
        value = default;
        if (bytes.Length < 4)
        {
            error = $"BooleanArray of {bytes.Length} bytes lacks its 4-byte count";
            return false;
        }

        var count = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        var bits = bytes[4..];
        if (count > (ulong)bits.Length * 8)
        {
            error = $"BooleanArray claims {count} values but carries {bits.Length * 8} bits";
            return false;
        }

        var bools = new bool[count];
        for (var i = 0; i < bools.Length; i++)
        {
            bools[i] = (bits[i >> 3] & (0x80 >> (i & 7))) != 0;
        }

        value = SparkplugValue.Array(SparkplugDataType.BooleanArray, bools);
        error = null;
        return true;
    }

    private static bool TryDecodeStrings(ReadOnlySpan<byte> bytes, out SparkplugValue value, out string? error)
    {
        value = default;
        if (bytes.Length > 0 && bytes[^1] != 0)
        {
            error = "StringArray does not end with a NUL terminator";
            return false;
        }

        var count = bytes.Count((byte)0);
        var strings = new string[count];
        for (var i = 0; i < count; i++)
        {
            var end = bytes.IndexOf((byte)0);
            strings[i] = Encoding.UTF8.GetString(bytes[..end]);
            bytes = bytes[(end + 1)..];
        }

        value = SparkplugValue.Array(SparkplugDataType.StringArray, strings);
        error = null;
        return true;
    }

    private delegate void LittleEndianWriter<in T>(Span<byte> destination, T value);

    private delegate T LittleEndianReader<out T>(ReadOnlySpan<byte> source);

    private static void WriteLittleEndian<T>(T[] values, Span<byte> destination, LittleEndianWriter<T> write)
        where T : unmanaged
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(destination);
            return;
        }

        var size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        for (var i = 0; i < values.Length; i++)
        {
            write(destination.Slice(i * size, size), values[i]);
        }
    }

    private static T[] ReadLittleEndian<T>(ReadOnlySpan<byte> bytes, LittleEndianReader<T> read)
        where T : unmanaged
    {
        if (BitConverter.IsLittleEndian)
        {
            return MemoryMarshal.Cast<byte, T>(bytes).ToArray();
        }

        var size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        var values = new T[bytes.Length / size];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = read(bytes.Slice(i * size, size));
        }

        return values;
    }
}
