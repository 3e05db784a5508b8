namespace EdgeNode.Modbus.Tests.Protocol;

public class Crc16UnitTests
{
    [Fact]
    public void Compute_CheckString_IsCrc16ModbusCheckValue() =>
        // CRC-16/MODBUS catalogue check value for "123456789".
        Assert.Equal(0x4B37, Crc16.Compute("123456789"u8));

    [Fact]
    public void Append_ReadCoilsSpecFrame_AppendsLowByteFirst()
    {
        // NModbus' spec frame: slave 17, Read Coils, address 19, quantity 37 → CRC bytes 14, 132 (0x840E).
        var frame = new byte[8];
        new byte[] { 17, 1, 0, 19, 0, 37 }.CopyTo(frame, 0);
        Assert.Equal(8, Crc16.Append(frame, 6));
        Assert.Equal(new byte[] { 17, 1, 0, 19, 0, 37, 14, 132 }, frame);
    }

    [Fact]
    public void Check_ReadHoldingRegistersFrame_AcceptsAndRejectsFlippedBit()
    {
        byte[] frame = [0x01, 0x03, 0x00, 0x00, 0x00, 0x0A, 0xC5, 0xCD];
        Assert.True(Crc16.Check(frame));
        frame[7] ^= 0x01;
        Assert.False(Crc16.Check(frame));
    }

    [Fact]
    public void Check_TooShort_IsFalse() => Assert.False(Crc16.Check([0x01, 0x02]));
}
