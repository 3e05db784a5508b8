using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace EdgeNode.Modbus.Tests.Data;

/// <summary>The contract's "Value rules": orders name the bytes of a value A (most significant) to D.</summary>
public class ModbusValueCodecUnitTests
{
    private static ModbusPoint Holding(ModbusDataType type, ModbusByteOrder order = ModbusByteOrder.ABCD, double? scale = null,
        double? offset = null, int length = 0, int? bit = null) =>
        new() { Table = ModbusTable.HoldingRegister, Address = 0, DataType = type, Order = order, Scale = scale, Offset = offset, Length = length, Bit = bit };

    [Theory]
    [InlineData(ModbusByteOrder.ABCD, new ushort[] { 0x1234, 0x5678 })]
    [InlineData(ModbusByteOrder.CDAB, new ushort[] { 0x5678, 0x1234 })]
    [InlineData(ModbusByteOrder.BADC, new ushort[] { 0x3412, 0x7856 })]
    [InlineData(ModbusByteOrder.DCBA, new ushort[] { 0x7856, 0x3412 })]
    public void Decode_UInt32InEveryOrder_Is0x12345678(ModbusByteOrder order, ushort[] registers) =>
        Assert.Equal(0x12345678UL, ModbusValueCodec.Decode(Holding(ModbusDataType.UInt32, order), registers).AsUInt64);

    [Theory]
    [InlineData(ModbusByteOrder.ABCD, new ushort[] { 0x0102, 0x0304, 0x0506, 0x0708 })]
    [InlineData(ModbusByteOrder.CDAB, new ushort[] { 0x0708, 0x0506, 0x0304, 0x0102 })]
    [InlineData(ModbusByteOrder.BADC, new ushort[] { 0x0201, 0x0403, 0x0605, 0x0807 })]
    [InlineData(ModbusByteOrder.DCBA, new ushort[] { 0x0807, 0x0605, 0x0403, 0x0201 })]
    public void Decode_UInt64InEveryOrder_IsSameValue(ModbusByteOrder order, ushort[] registers) =>
        // CDAB over four registers: the lowest register holds the least significant word.
        Assert.Equal(0x0102030405060708UL, ModbusValueCodec.Decode(Holding(ModbusDataType.UInt64, order), registers).AsUInt64);

    [Fact]
    public void Decode_Int16Negative_IsSigned() =>
        Assert.Equal(-2L, ModbusValueCodec.Decode(Holding(ModbusDataType.Int16), [0xFFFE]).AsInt64);

    [Fact]
    public void Decode_Int16Badc_SwapsBytes() =>
        Assert.Equal(0x0201L, ModbusValueCodec.Decode(Holding(ModbusDataType.Int16, ModbusByteOrder.BADC), [0x0102]).AsInt64);

    [Fact]
    public void Decode_UInt16_IsUnsigned() =>
        Assert.Equal(65534UL, ModbusValueCodec.Decode(Holding(ModbusDataType.UInt16), [0xFFFE]).AsUInt64);

    [Fact]
    public void Decode_Int32Cdab_NegativeValue()
    {
        // -100000 = 0xFFFE7960; CDAB puts the low word first.
        Assert.Equal(-100000L, ModbusValueCodec.Decode(Holding(ModbusDataType.Int32, ModbusByteOrder.CDAB), [0x7960, 0xFFFE]).AsInt64);
    }

    [Fact]
    public void Decode_Int64_MinValue() =>
        Assert.Equal(long.MinValue, ModbusValueCodec.Decode(Holding(ModbusDataType.Int64), [0x8000, 0, 0, 0]).AsInt64);

    [Fact]
    public void Decode_Float32_IEEE754()
    {
        // 123.456f = 0x42F6E979
        Assert.Equal((double)123.456f, ModbusValueCodec.Decode(Holding(ModbusDataType.Float32), [0x42F6, 0xE979]).AsDouble);
        Assert.Equal((double)123.456f, ModbusValueCodec.Decode(Holding(ModbusDataType.Float32, ModbusByteOrder.CDAB), [0xE979, 0x42F6]).AsDouble);
    }

    [Fact]
    public void Decode_Float64_IEEE754()
    {
        // 1.5 = 0x3FF8000000000000
        Assert.Equal(1.5, ModbusValueCodec.Decode(Holding(ModbusDataType.Float64), [0x3FF8, 0, 0, 0]).AsDouble);
        Assert.Equal(1.5, ModbusValueCodec.Decode(Holding(ModbusDataType.Float64, ModbusByteOrder.DCBA), [0, 0, 0, 0xF83F]).AsDouble);
    }

    [Fact]
    public void Decode_Scaled_IsRawTimesScalePlusOffsetAsDouble()
    {
        var value = ModbusValueCodec.Decode(Holding(ModbusDataType.Int16, scale: 0.1, offset: -40), [0xFFF6]); // raw -10
        Assert.Equal(ModbusValueKind.Double, value.Kind);
        Assert.Equal(-41.0, value.AsDouble, 9);
    }

    [Fact]
    public void Decode_OffsetOnly_IsScaled() =>
        Assert.Equal(ModbusValueKind.Double, ModbusValueCodec.Decode(Holding(ModbusDataType.UInt16, offset: 1), [1]).Kind);

    [Theory]
    [InlineData(0, true)]
    [InlineData(4, false)]
    [InlineData(15, true)]
    public void Decode_BoolBitOfRegister_ReadsThatBit(int bit, bool expected) =>
        Assert.Equal(expected, ModbusValueCodec.Decode(Holding(ModbusDataType.Bool, bit: bit), [0x8001]).AsBool);

    [Fact]
    public void Decode_BoolWithoutBit_IsNonZero()
    {
        Assert.True(ModbusValueCodec.Decode(Holding(ModbusDataType.Bool), [0x0100]).AsBool);
        Assert.False(ModbusValueCodec.Decode(Holding(ModbusDataType.Bool), [0]).AsBool);
    }

    [Fact]
    public void Decode_String_HighByteFirstTrailingNulsTrimmed() =>
        Assert.Equal("ABC", ModbusValueCodec.Decode(Holding(ModbusDataType.String, length: 3), [0x4142, 0x4300, 0x0000]).AsString);

    [Theory]
    [InlineData(ModbusByteOrder.BADC)]
    [InlineData(ModbusByteOrder.DCBA)]
    public void Decode_StringSwapped_SwapsEachRegister(ModbusByteOrder order) =>
        Assert.Equal("ABCD", ModbusValueCodec.Decode(Holding(ModbusDataType.String, order, length: 2), [0x4241, 0x4443]).AsString);

    [Fact]
    public void Decode_StringCdab_KeepsRegisterOrder() =>
        Assert.Equal("ABCD", ModbusValueCodec.Decode(Holding(ModbusDataType.String, ModbusByteOrder.CDAB, length: 2), [0x4142, 0x4344]).AsString);

    [Fact]
    public void Decode_StringAllNul_IsEmpty() =>
        Assert.Equal("", ModbusValueCodec.Decode(Holding(ModbusDataType.String, length: 2), [0, 0]).AsString);

    [Fact]
    public void TryEncode_ScaledInt16_InvertsAndRoundsToNearest()
    {
        var registers = new ushort[1];
        // (20.06 - 0) / 0.1 = 200.6 → 201
        Assert.True(ModbusValueCodec.TryEncode(Holding(ModbusDataType.Int16, scale: 0.1), 20.06, registers, out _));
        Assert.Equal(201, registers[0]);
        // (−41 − (−40)) / 0.1 = −10
        Assert.True(ModbusValueCodec.TryEncode(Holding(ModbusDataType.Int16, scale: 0.1, offset: -40), -41.0, registers, out _));
        Assert.Equal(0xFFF6, registers[0]);
    }

    [Fact]
    public void TryEncode_TieRounding_IsAwayFromZero()
    {
        var registers = new ushort[1];
        Assert.True(ModbusValueCodec.TryEncode(Holding(ModbusDataType.Int16, scale: 1.0), 2.5, registers, out _));
        Assert.Equal(3, registers[0]);
        Assert.True(ModbusValueCodec.TryEncode(Holding(ModbusDataType.Int16, scale: 1.0), -2.5, registers, out _));
        Assert.Equal(unchecked((ushort)-3), registers[0]);
    }

    [Theory]
    [InlineData(ModbusDataType.Int16, 32768.0)]
    [InlineData(ModbusDataType.Int16, -32769.0)]
    [InlineData(ModbusDataType.UInt16, -1.0)]
    [InlineData(ModbusDataType.UInt16, 65536.0)]
    [InlineData(ModbusDataType.Int32, 2147483648.0)]
    [InlineData(ModbusDataType.UInt32, 4294967296.0)]
    [InlineData(ModbusDataType.UInt64, -1.0)]
    [InlineData(ModbusDataType.Float32, 1e39)]
    public void TryEncode_RawOutsideType_IsRefused(ModbusDataType type, double value)
    {
        var registers = new ushort[4];
        Assert.False(ModbusValueCodec.TryEncode(Holding(type), value, registers, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void TryEncode_ScaledOutOfRange_IsRefused()
    {
        // 4000 / 0.1 = 40000 > int16 max
        Assert.False(ModbusValueCodec.TryEncode(Holding(ModbusDataType.Int16, scale: 0.1), 4000.0, new ushort[1], out var error));
        Assert.Contains("outside Int16", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryEncode_UInt64Max_FromUInt64IsExact()
    {
        var registers = new ushort[4];
        Assert.True(ModbusValueCodec.TryEncode(Holding(ModbusDataType.UInt64), ulong.MaxValue, registers, out _));
        Assert.All(registers, r => Assert.Equal(0xFFFF, r));
    }

    [Fact]
    public void TryEncode_Int64FromInt64_IsExactBeyondDoublePrecision()
    {
        var registers = new ushort[4];
        const long value = 9007199254740993; // 2^53 + 1: not representable as double
        Assert.True(ModbusValueCodec.TryEncode(Holding(ModbusDataType.Int64, ModbusByteOrder.CDAB), value, registers, out _));
        Assert.Equal(value, ModbusValueCodec.Decode(Holding(ModbusDataType.Int64, ModbusByteOrder.CDAB), registers).AsInt64);
    }

    [Fact]
    public void TryEncode_StringWithSwap_PadsWithNul()
    {
        var registers = new ushort[3];
        Assert.True(ModbusValueCodec.TryEncode(Holding(ModbusDataType.String, ModbusByteOrder.BADC, length: 3), "ABC", registers, out _));
        Assert.Equal(new ushort[] { 0x4241, 0x0043, 0 }, registers);
    }

    [Fact]
    public void TryEncode_StringTooLong_IsRefused() =>
        Assert.False(ModbusValueCodec.TryEncode(Holding(ModbusDataType.String, length: 1), "ABC", new ushort[1], out _));

    [Fact]
    public void TryEncode_StringForNumber_IsRefused() =>
        Assert.False(ModbusValueCodec.TryEncode(Holding(ModbusDataType.UInt16), "12", new ushort[1], out _));

    [Theory]
    [InlineData(true, true)]
    [InlineData(1L, true)]
    [InlineData(0L, false)]
    public void TryGetBool_BoolOrZeroOne_Accepted(object input, bool expected)
    {
        ModbusValue value = input is bool b ? b : (long)input;
        Assert.True(ModbusValueCodec.TryGetBool(value, out var result, out _));
        Assert.Equal(expected, result);
    }

    [Fact]
    public void TryGetBool_Two_IsRefused() => Assert.False(ModbusValueCodec.TryGetBool(2L, out _, out _));

    [Property]
    public void ComposeSplit_AnyValueAnyOrder_RoundTrips(ulong value, byte orderIndex, bool fourRegisters)
    {
        var order = (ModbusByteOrder)(orderIndex % 4);
        var registers = new ushort[fourRegisters ? 4 : 2];
        var expected = fourRegisters ? value : value & 0xFFFFFFFF;
        ModbusValueCodec.Split(expected, registers, order);
        Assert.Equal(expected, ModbusValueCodec.Compose(registers, order));
    }

    [Property]
    public Property EncodeDecode_Int32AnyOrder_RoundTrips(int value, byte orderIndex)
    {
        var point = Holding(ModbusDataType.Int32, (ModbusByteOrder)(orderIndex % 4));
        var registers = new ushort[2];
        var encoded = ModbusValueCodec.TryEncode(point, (long)value, registers, out _);
        return (encoded && ModbusValueCodec.Decode(point, registers).AsInt64 == value).ToProperty();
    }

    [Property]
    public Property EncodeDecode_Float64AnyOrder_RoundTripsBits(double value, byte orderIndex)
    {
        var point = Holding(ModbusDataType.Float64, (ModbusByteOrder)(orderIndex % 4));
        var registers = new ushort[4];
        var encoded = ModbusValueCodec.TryEncode(point, value, registers, out _);
        var decoded = ModbusValueCodec.Decode(point, registers).AsDouble;
        return (encoded && BitConverter.DoubleToInt64Bits(decoded) == BitConverter.DoubleToInt64Bits(value)).ToProperty();
    }
}
