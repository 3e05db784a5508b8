using EdgeNode.I2c.Testing;

namespace EdgeNode.I2c.Tests.Sensors;

public class I2cRegisterReaderUnitTests
{
    [Theory]
    [InlineData(new byte[] { 0x12, 0x34 }, I2cValueType.UInt16, I2cByteOrder.Abcd, 0x1234)]
    [InlineData(new byte[] { 0x12, 0x34 }, I2cValueType.UInt16, I2cByteOrder.Dcba, 0x3412)]
    [InlineData(new byte[] { 0xFF, 0xFE }, I2cValueType.Int16, I2cByteOrder.Abcd, -2)]
    [InlineData(new byte[] { 0x80 }, I2cValueType.Int8, I2cByteOrder.Abcd, -128)]
    [InlineData(new byte[] { 0x80 }, I2cValueType.UInt8, I2cByteOrder.Dcba, 128)]
    [InlineData(new byte[] { 0x01, 0x02, 0x03, 0x04 }, I2cValueType.UInt32, I2cByteOrder.Abcd, 0x01020304)]
    [InlineData(new byte[] { 0x03, 0x04, 0x01, 0x02 }, I2cValueType.UInt32, I2cByteOrder.Cdab, 0x01020304)]
    [InlineData(new byte[] { 0x02, 0x01, 0x04, 0x03 }, I2cValueType.UInt32, I2cByteOrder.Badc, 0x01020304)]
    [InlineData(new byte[] { 0x04, 0x03, 0x02, 0x01 }, I2cValueType.UInt32, I2cByteOrder.Dcba, 0x01020304)]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFE }, I2cValueType.Int32, I2cByteOrder.Abcd, -2)]
    [InlineData(new byte[] { 0x41, 0x20, 0x00, 0x00 }, I2cValueType.Float32, I2cByteOrder.Abcd, 10.0)]
    [InlineData(new byte[] { 0x00, 0x00, 0x20, 0x41 }, I2cValueType.Float32, I2cByteOrder.Dcba, 10.0)]
    [InlineData(new byte[] { 7, 8, 5, 6, 3, 4, 1, 2 }, I2cValueType.UInt64, I2cByteOrder.Cdab, 0x0102030405060708)]
    [InlineData(new byte[] { 0x40, 0x24, 0, 0, 0, 0, 0, 0 }, I2cValueType.Float64, I2cByteOrder.Abcd, 10.0)]
    public void Decode_TypeAndOrder(byte[] bytes, I2cValueType type, I2cByteOrder order, double expected) =>
        Assert.Equal(expected, I2cRegisterReader.Decode(bytes, type, order));

    [Fact]
    public void Read_ScaledRegistersWithEightAndSixteenBitPointers()
    {
        var sim = new SimulatedI2cBus();
        var chip = sim.Add(new SimulatedRegisterDevice(0x5A));
        chip.SetRegisters(0x07, [0xFF, 0x38]); // -200 → -200 × 0.02 - 273.15 ... (an MLX-like scaled temperature)
        chip.SetRegisters(0x10, [0x00, 0x00, 0x01, 0x00]);
        using var bus = new I2cBus(sim);
        var reader = new I2cRegisterReader(bus.CreateDevice(0x5A), new I2cRegisterReaderOptions
        {
            Registers =
            [
                new I2cRegisterDefinition { Name = "Object", Register = 0x07, Type = I2cValueType.Int16, Scale = 0.02, Offset = -273.15, Units = "°C" },
                new I2cRegisterDefinition { Name = "Counter", Register = 0x10, Type = I2cValueType.UInt32 },
            ],
        });
        var values = reader.Read().Values;
        Assert.Equal(-200 * 0.02 - 273.15, values[0], 9);
        Assert.Equal(256, values[1]);
        Assert.Equal(["°C", ""], reader.Channels.Select(c => c.Units));
    }

    [Fact]
    public void Read_TwoByteRegisterAddressAndTrigger_SentAsConfigured()
    {
        var sim = new SimulatedI2cBus();
        var chip = sim.Add(new SimulatedRegisterDevice(0x50));
        chip.SetRegisters(0x01, [0x2A]);
        using var bus = new I2cBus(sim);
        var reader = new I2cRegisterReader(bus.CreateDevice(0x50), new I2cRegisterReaderOptions
        {
            // A 16-bit address 0x0001 as an EEPROM takes it: the simulated 8-bit device takes 0x00 as the pointer,
            // stores 0x01 at 0x00 and reads on from 0x01 — proof that both address bytes went out, high byte first.
            Registers = [new I2cRegisterDefinition { Name = "W", Register = 0x0001, RegisterAddressBytes = 2, Type = I2cValueType.UInt8 }],
            TriggerCommand = [0x30, 0x99],
            TriggerDelayMs = 1,
        });
        Assert.True(reader.TryRead(out var values).IsOk);
        Assert.Equal(0x99, chip[0x30]);
        Assert.Equal(0x01, chip[0x00]);
        Assert.Equal(0x2A, values.Values[0]);
    }

    [Fact]
    public void Options_Invalid_NamesEachProblem()
    {
        var problems = new I2cRegisterReaderOptions
        {
            Registers =
            [
                new I2cRegisterDefinition { Name = "", Register = 300 },
                new I2cRegisterDefinition { Name = "x", RegisterAddressBytes = 3, Scale = double.NaN },
            ],
            TriggerDelayMs = -1,
        }.Validate();
        Assert.Contains("registers[0].name: must not be empty", problems);
        Assert.Contains("registers[0].register: 300 does not fit 1 byte(s)", problems);
        Assert.Contains("registers[1].registerAddressBytes: 3 is not 0, 1 or 2", problems);
        Assert.Contains("registers[1].scale/offset: must be finite numbers", problems);
        Assert.Contains("triggerDelayMs: -1 is outside 0..10000", problems);
    }
}
