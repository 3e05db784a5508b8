using System.Buffers.Binary;
using System.Text;

namespace EdgeNode.Modbus;

/// <summary>
/// Registers ↔ values for the contract's types ("Value rules"), pure and allocation-free except for strings.
/// Registers are host-order ushorts as read from the wire (big-endian per register, Modbus Application Protocol §4.2).
/// </summary>
internal static class ModbusValueCodec
{
    /// <summary>Decodes a register-table point from its registers (<paramref name="registers"/>.Length ≥ point.Count).</summary>
    public static ModbusValue Decode(ModbusPoint point, ReadOnlySpan<ushort> registers)
    {
        var order = point.Order;
        switch (point.DataType)
        {
            case ModbusDataType.Bool:
                return ModbusValue.FromBool(point.Bit is { } bit ? ((registers[0] >> bit) & 1) != 0 : registers[0] != 0);
            case ModbusDataType.Int16:
                return Scale(point, (short)Compose(registers[..1], order));
            case ModbusDataType.UInt16:
                return ScaleUnsigned(point, (ushort)Compose(registers[..1], order));
            case ModbusDataType.Int32:
                return Scale(point, (int)(uint)Compose(registers[..2], order));
            case ModbusDataType.UInt32:
                return ScaleUnsigned(point, (uint)Compose(registers[..2], order));
            case ModbusDataType.Int64:
                return Scale(point, (long)Compose(registers[..4], order));
            case ModbusDataType.UInt64:
            {
                var raw = Compose(registers[..4], order);
                return point.IsScaled ? ScaleDouble(point, raw) : ModbusValue.FromUInt64(raw);
            }

            case ModbusDataType.Float32:
            {
                var value = (double)BitConverter.UInt32BitsToSingle((uint)Compose(registers[..2], order));
                return point.IsScaled ? ScaleDouble(point, value) : ModbusValue.FromDouble(value);
            }

            case ModbusDataType.Float64:
            {
                var value = BitConverter.UInt64BitsToDouble(Compose(registers[..4], order));
                return point.IsScaled ? ScaleDouble(point, value) : ModbusValue.FromDouble(value);
            }

            case ModbusDataType.String:
                return ModbusValue.FromString(DecodeString(registers[..point.Length], order));
            default:
                throw new ArgumentOutOfRangeException(nameof(point), point.DataType, "unknown data type");
        }
    }

    /// <summary>
    /// Composes registers into an integer per the byte order: CDAB/DCBA reverse the register order (the lowest register
    /// holds the least significant word), BADC/DCBA swap the bytes inside each register.
    /// </summary>
    public static ulong Compose(ReadOnlySpan<ushort> registers, ModbusByteOrder order)
    {
        var wordSwap = order is ModbusByteOrder.CDAB or ModbusByteOrder.DCBA;
        var byteSwap = order is ModbusByteOrder.BADC or ModbusByteOrder.DCBA;
        var n = registers.Length;
        ulong value = 0;
        for (var i = 0; i < n; i++)
        {
            var word = wordSwap ? registers[n - 1 - i] : registers[i];
            if (byteSwap)
            {
                word = BinaryPrimitives.ReverseEndianness(word);
            }

            value = (value << 16) | word;
        }

        return value;
    }

    /// <summary>The inverse of <see cref="Compose"/>: splits the low 16 × n bits of <paramref name="value"/> into registers.</summary>
    public static void Split(ulong value, Span<ushort> registers, ModbusByteOrder order)
    {
        var wordSwap = order is ModbusByteOrder.CDAB or ModbusByteOrder.DCBA;
        var byteSwap = order is ModbusByteOrder.BADC or ModbusByteOrder.DCBA;
        var n = registers.Length;
        for (var i = 0; i < n; i++)
        {
            var word = (ushort)(value >> (16 * (n - 1 - i)));
            if (byteSwap)
            {
                word = BinaryPrimitives.ReverseEndianness(word);
            }

            registers[wordSwap ? n - 1 - i : i] = word;
        }
    }

    /// <summary>Two ASCII characters per register, high byte first (BADC/DCBA: low byte first); trailing NULs trimmed.</summary>
    public static string DecodeString(ReadOnlySpan<ushort> registers, ModbusByteOrder order)
    {
        var byteSwap = order is ModbusByteOrder.BADC or ModbusByteOrder.DCBA;
        Span<byte> bytes = stackalloc byte[registers.Length * 2];
        for (var i = 0; i < registers.Length; i++)
        {
            var word = byteSwap ? BinaryPrimitives.ReverseEndianness(registers[i]) : registers[i];
            BinaryPrimitives.WriteUInt16BigEndian(bytes[(2 * i)..], word);
        }

        var length = bytes.Length;
        while (length > 0 && bytes[length - 1] == 0)
        {
            length--;
        }

        // Latin-1 keeps every byte (ASCII is its lower half): a device's non-ASCII byte shows up instead of vanishing.
        return length == 0 ? string.Empty : Encoding.Latin1.GetString(bytes[..length]);
    }

    /// <summary>Encodes a value into the point's registers (not for bool points); false with a reason when it does not fit.</summary>
    public static bool TryEncode(ModbusPoint point, ModbusValue value, Span<ushort> registers, out string? error)
    {
        error = null;
        var order = point.Order;
        switch (point.DataType)
        {
            case ModbusDataType.Int16:
                if (!TryRawInteger(point, value, short.MinValue, short.MaxValue, out var i16, out error))
                {
                    return false;
                }

                Split((ushort)(short)i16, registers[..1], order);
                return true;
            case ModbusDataType.UInt16:
                if (!TryRawInteger(point, value, ushort.MinValue, ushort.MaxValue, out var u16, out error))
                {
                    return false;
                }

                Split((ushort)u16, registers[..1], order);
                return true;
            case ModbusDataType.Int32:
                if (!TryRawInteger(point, value, int.MinValue, int.MaxValue, out var i32, out error))
                {
                    return false;
                }

                Split((uint)(int)i32, registers[..2], order);
                return true;
            case ModbusDataType.UInt32:
                if (!TryRawInteger(point, value, uint.MinValue, uint.MaxValue, out var u32, out error))
                {
                    return false;
                }

                Split((uint)u32, registers[..2], order);
                return true;
            case ModbusDataType.Int64:
                if (!TryRawInteger(point, value, long.MinValue, long.MaxValue, out var i64, out error))
                {
                    return false;
                }

                Split((ulong)(long)i64, registers[..4], order);
                return true;
            case ModbusDataType.UInt64:
                if (!TryRawInteger(point, value, ulong.MinValue, ulong.MaxValue, out var u64, out error))
                {
                    return false;
                }

                Split((ulong)u64, registers[..4], order);
                return true;
            case ModbusDataType.Float32:
            {
                if (!TryRawFloat(point, value, out var raw, out error))
                {
                    return false;
                }

                if (double.IsFinite(raw) && Math.Abs(raw) > float.MaxValue)
                {
                    error = $"{raw} does not fit float32";
                    return false;
                }

                Split(BitConverter.SingleToUInt32Bits((float)raw), registers[..2], order);
                return true;
            }

            case ModbusDataType.Float64:
            {
                if (!TryRawFloat(point, value, out var raw, out error))
                {
                    return false;
                }

                Split(BitConverter.DoubleToUInt64Bits(raw), registers[..4], order);
                return true;
            }

            case ModbusDataType.String:
                return TryEncodeString(point, value, registers[..point.Length], out error);
            default:
                error = $"type {point.DataType} is not written as registers";
                return false;
        }
    }

    /// <summary>A boolean to write: a bool, or the integers 0 and 1.</summary>
    public static bool TryGetBool(ModbusValue value, out bool result, out string? error)
    {
        error = null;
        result = false;
        switch (value.Kind)
        {
            case ModbusValueKind.Bool:
                result = value.AsBool;
                return true;
            case ModbusValueKind.Int64 when value.AsInt64 is 0 or 1:
                result = value.AsInt64 == 1;
                return true;
            case ModbusValueKind.UInt64 when value.AsUInt64 is 0 or 1:
                result = value.AsUInt64 == 1;
                return true;
            default:
                error = $"a bool point takes true/false (or 0/1), not {value.Kind} {value}";
                return false;
        }
    }

    private static ModbusValue Scale(ModbusPoint point, long raw) =>
        point.IsScaled ? ScaleDouble(point, raw) : ModbusValue.FromInt64(raw);

    private static ModbusValue ScaleUnsigned(ModbusPoint point, ulong raw) =>
        point.IsScaled ? ScaleDouble(point, raw) : ModbusValue.FromUInt64(raw);

    private static ModbusValue ScaleDouble(ModbusPoint point, double raw) =>
        ModbusValue.FromDouble(raw * (point.Scale ?? 1.0) + (point.Offset ?? 0.0));

    /// <summary>
    /// The raw integer for a write: scaled points invert (raw = (value − offset) / scale, rounded to nearest with ties
    /// away from zero); the result must fit [min, max] or the write is refused.
    /// </summary>
    private static bool TryRawInteger(ModbusPoint point, ModbusValue value, Int128 min, Int128 max, out Int128 raw, out string? error)
    {
        raw = 0;
        error = null;
        double number;
        if (!point.IsScaled && value.Kind == ModbusValueKind.Int64)
        {
            raw = value.AsInt64;
        }
        else if (!point.IsScaled && value.Kind == ModbusValueKind.UInt64)
        {
            raw = value.AsUInt64;
        }
        else if (value.Kind is ModbusValueKind.Int64 or ModbusValueKind.UInt64 or ModbusValueKind.Double)
        {
            number = value.ToDouble();
            if (point.IsScaled)
            {
                number = (number - (point.Offset ?? 0.0)) / (point.Scale ?? 1.0);
            }

            if (!double.IsFinite(number) || Math.Abs(number) >= 1.8e19)
            {
                error = $"{value} gives raw {number}, which does not fit {point.DataType}";
                return false;
            }

            raw = (Int128)Math.Round(number, MidpointRounding.AwayFromZero);
        }
        else
        {
            error = $"a {point.DataType} point takes a number, not {value.Kind}";
            return false;
        }

        if (raw < min || raw > max)
        {
            error = $"{value} gives raw {raw}, outside {point.DataType} ({min}–{max})";
            return false;
        }

        return true;
    }

    private static bool TryRawFloat(ModbusPoint point, ModbusValue value, out double raw, out string? error)
    {
        error = null;
        raw = 0;
        if (value.Kind is not (ModbusValueKind.Int64 or ModbusValueKind.UInt64 or ModbusValueKind.Double))
        {
            error = $"a {point.DataType} point takes a number, not {value.Kind}";
            return false;
        }

        raw = value.ToDouble();
        if (point.IsScaled)
        {
            raw = (raw - (point.Offset ?? 0.0)) / (point.Scale ?? 1.0);
        }

        return true;
    }

    private static bool TryEncodeString(ModbusPoint point, ModbusValue value, Span<ushort> registers, out string? error)
    {
        error = null;
        if (value.Kind != ModbusValueKind.String)
        {
            error = $"a string point takes a string, not {value.Kind}";
            return false;
        }

        var text = value.AsString;
        if (text.Length > registers.Length * 2)
        {
            error = $"\"{text}\" has {text.Length} characters; the point holds {registers.Length * 2}";
            return false;
        }

        Span<byte> bytes = stackalloc byte[registers.Length * 2];
        bytes.Clear();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] > 0xFF)
            {
                error = $"character '{text[i]}' at {i} is not a single byte (ASCII/Latin-1)";
                return false;
            }

            bytes[i] = (byte)text[i];
        }

        var byteSwap = point.Order is ModbusByteOrder.BADC or ModbusByteOrder.DCBA;
        for (var i = 0; i < registers.Length; i++)
        {
            var word = BinaryPrimitives.ReadUInt16BigEndian(bytes[(2 * i)..]);
            registers[i] = byteSwap ? BinaryPrimitives.ReverseEndianness(word) : word;
        }

        return true;
    }
}
