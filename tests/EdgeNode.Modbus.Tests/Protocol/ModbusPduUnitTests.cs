namespace EdgeNode.Modbus.Tests.Protocol;

/// <summary>Request and response vectors from the Modbus Application Protocol Specification V1.1b3 §6 examples.</summary>
public class ModbusPduUnitTests
{
    private static byte[] Encode(Func<byte[], int> encode)
    {
        var pdu = new byte[ModbusPdu.MaxLength];
        return pdu[..encode(pdu)];
    }

    [Fact]
    public void EncodeRead_ReadCoilsExample_MatchesSpec() =>
        // §6.1: read coils 20–38 = address 0x13, quantity 0x13.
        Assert.Equal(Convert.FromHexString("0100130013"), Encode(p => ModbusPdu.EncodeRead(p, ModbusFunctionCode.ReadCoils, 0x13, 0x13)));

    [Fact]
    public void EncodeRead_ReadHoldingRegistersExample_MatchesSpec() =>
        // §6.3: registers 108–110 = address 0x6B, quantity 3.
        Assert.Equal(Convert.FromHexString("03006B0003"), Encode(p => ModbusPdu.EncodeRead(p, ModbusFunctionCode.ReadHoldingRegisters, 0x6B, 3)));

    [Fact]
    public void EncodeWriteSingleCoil_On_UsesFF00() =>
        // §6.5: coil 173 ON.
        Assert.Equal(Convert.FromHexString("0500ACFF00"), Encode(p => ModbusPdu.EncodeWriteSingleCoil(p, 0xAC, true)));

    [Fact]
    public void EncodeWriteSingleRegister_Example_MatchesSpec() =>
        // §6.6: register 2 = 0x0003.
        Assert.Equal(Convert.FromHexString("0600010003"), Encode(p => ModbusPdu.EncodeWriteSingleRegister(p, 1, 3)));

    [Fact]
    public void EncodeWriteMultipleCoils_Example_PacksLsbFirst()
    {
        // §6.11: 10 coils from 20: CD 01.
        bool[] coils = [true, false, true, true, false, false, true, true, true, false];
        Assert.Equal(Convert.FromHexString("0F0013000A02CD01"), Encode(p => ModbusPdu.EncodeWriteMultipleCoils(p, 0x13, coils)));
    }

    [Fact]
    public void EncodeWriteMultipleRegisters_Example_MatchesSpec() =>
        // §6.12: registers 2–3 = 0x000A, 0x0102.
        Assert.Equal(Convert.FromHexString("100001000204000A0102"),
            Encode(p => ModbusPdu.EncodeWriteMultipleRegisters(p, 1, [0x000A, 0x0102])));

    [Fact]
    public void EncodeMaskWriteRegister_Example_MatchesSpec() =>
        // §6.16: register 5, AND 0x00F2, OR 0x0025.
        Assert.Equal(Convert.FromHexString("16000400F20025"), Encode(p => ModbusPdu.EncodeMaskWriteRegister(p, 4, 0x00F2, 0x0025)));

    [Fact]
    public void EncodeReadWriteMultipleRegisters_Example_MatchesSpec() =>
        // §6.17: read 6 from 4, write 3 at 15 with 0x00FF.
        Assert.Equal(Convert.FromHexString("1700030006000E00030600FF00FF00FF"),
            Encode(p => ModbusPdu.EncodeReadWriteMultipleRegisters(p, 3, 6, 14, [0xFF, 0xFF, 0xFF])));

    [Fact]
    public void Validate_ReadCoilsExampleResponse_IsOkAndBitsDecodeLsbFirst()
    {
        var request = Convert.FromHexString("0100130013");
        var response = Convert.FromHexString("0103CD6B05");
        Assert.Equal(ModbusStatus.Ok, ModbusPdu.Validate(request, response, out _, out _));
        var bits = new bool[19];
        ModbusPdu.ReadBits(response.AsSpan(2), bits);
        // CD = 1100 1101: coils 20..27 = 1,0,1,1,0,0,1,1
        Assert.Equal([true, false, true, true, false, false, true, true], bits[..8]);
        // 05 = coils 36..38 = 1,0,1
        Assert.Equal([true, false, true], bits[16..]);
    }

    [Fact]
    public void Validate_ReadHoldingRegistersExampleResponse_DecodesRegisters()
    {
        var request = Convert.FromHexString("03006B0003");
        var response = Convert.FromHexString("0306022B00000064");
        Assert.Equal(ModbusStatus.Ok, ModbusPdu.Validate(request, response, out _, out _));
        var registers = new ushort[3];
        ModbusPdu.ReadRegisters(response.AsSpan(2), registers);
        Assert.Equal(new ushort[] { 0x022B, 0x0000, 0x0064 }, registers);
    }

    [Fact]
    public void Validate_ExceptionResponse_ReturnsCode()
    {
        // §7: read of an address that does not exist → 0x81 0x02.
        var status = ModbusPdu.Validate(Convert.FromHexString("0104A10001"), [0x81, 0x02], out var code, out _);
        Assert.Equal(ModbusStatus.Exception, status);
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, code);
    }

    [Fact]
    public void Validate_WrongByteCount_IsInvalidWithReason()
    {
        var status = ModbusPdu.Validate(Convert.FromHexString("03006B0003"), Convert.FromHexString("0304022B0000"), out _, out var error);
        Assert.Equal(ModbusStatus.InvalidResponse, status);
        Assert.Contains("byte count 4", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_OtherFunction_IsInvalid() =>
        Assert.Equal(ModbusStatus.InvalidResponse, ModbusPdu.Validate(Convert.FromHexString("03006B0003"), [0x04, 0x02, 0, 1], out _, out _));

    [Fact]
    public void Validate_WriteSingleRegisterEcho_IsOk_AndDifferentValueIsInvalid()
    {
        var request = Convert.FromHexString("0600010003");
        Assert.Equal(ModbusStatus.Ok, ModbusPdu.Validate(request, request, out _, out _));
        Assert.Equal(ModbusStatus.InvalidResponse, ModbusPdu.Validate(request, Convert.FromHexString("0600010004"), out _, out _));
    }

    [Fact]
    public void Validate_WriteMultipleRegistersResponse_ChecksAddressAndQuantity()
    {
        var request = Convert.FromHexString("100001000204000A0102");
        Assert.Equal(ModbusStatus.Ok, ModbusPdu.Validate(request, Convert.FromHexString("1000010002"), out _, out _));
        Assert.Equal(ModbusStatus.InvalidResponse, ModbusPdu.Validate(request, Convert.FromHexString("1000010003"), out _, out _));
    }

    [Fact]
    public void Validate_ReadWriteMultipleExampleResponse_IsOk() =>
        // §6.17 response: 6 registers read.
        Assert.Equal(ModbusStatus.Ok, ModbusPdu.Validate(Convert.FromHexString("1700030006000E00030600FF00FF00FF"),
            Convert.FromHexString("170C00FE0ACD00010003000D00FF"), out _, out _));

    [Theory]
    [InlineData("03", 0x03, 0)]         // need the byte count
    [InlineData("0306", 0x03, 8)]
    [InlineData("83", 0x03, 2)]         // exception
    [InlineData("04", 0x03, -1)]        // another function
    [InlineData("05", 0x05, 5)]
    [InlineData("10", 0x10, 5)]
    [InlineData("16", 0x16, 7)]
    [InlineData("0102", 0x01, 4)]
    public void PredictResponseLength_FirstBytes_GivesPduLength(string start, byte function, int expected) =>
        Assert.Equal(expected, ModbusPdu.PredictResponseLength(Convert.FromHexString(start), function));
}
