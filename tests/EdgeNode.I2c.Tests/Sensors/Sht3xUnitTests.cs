using EdgeNode.I2c.Testing;

namespace EdgeNode.I2c.Tests.Sensors;

public class Sht3xUnitTests
{
    private static (I2cBus Bus, SimulatedSht3x Chip) Rig()
    {
        var sim = new SimulatedI2cBus();
        var chip = sim.Add(new SimulatedSht3x());
        return (new I2cBus(sim, new I2cBusOptions { RetryDelayMs = 0 }), chip);
    }

    [Fact]
    public void Crc8_DatasheetExample_BeefIs92() => Assert.Equal(0x92, Sht3x.Crc8([0xBE, 0xEF]));

    [Theory]
    [InlineData(0, -45.0)]
    [InlineData(65535, 130.0)]
    [InlineData(26214, 25.0)] // 0x6666: -45 + 175 × 26214 / 65535 (= 0.4 exactly)
    public void ConvertTemperature_Formula4_13(int raw, double celsius) =>
        Assert.Equal(celsius, Sht3x.ConvertTemperature((ushort)raw), 4);

    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(65535, 100.0)]
    [InlineData(32768, 50.00076)]
    public void ConvertHumidity_Formula4_13(int raw, double percent) =>
        Assert.Equal(percent, Sht3x.ConvertHumidity((ushort)raw), 4);

    [Theory]
    [InlineData(Sht3xRepeatability.High, false, 0x2400)]
    [InlineData(Sht3xRepeatability.Medium, false, 0x240B)]
    [InlineData(Sht3xRepeatability.Low, false, 0x2416)]
    [InlineData(Sht3xRepeatability.High, true, 0x2C06)]
    [InlineData(Sht3xRepeatability.Medium, true, 0x2C0D)]
    [InlineData(Sht3xRepeatability.Low, true, 0x2C10)]
    public void MeasurementCommand_Table9(Sht3xRepeatability repeatability, bool stretching, int command) =>
        Assert.Equal(command, Sht3x.MeasurementCommand(repeatability, stretching));

    [Fact]
    public void Read_SingleShot_ResetStatusThenMeasure()
    {
        var (bus, chip) = Rig();
        using (bus)
        {
            chip.TemperatureCelsius = 21.5;
            chip.HumidityPercent = 43.2;
            var sensor = new Sht3x(bus.CreateDevice(0x44));
            var m = sensor.Read();
            Assert.Equal(21.5, m.TemperatureCelsius, 2);
            Assert.Equal(43.2, m.HumidityPercent, 2);
            Assert.Equal([Sht3x.SoftResetCommand, Sht3x.ReadStatusCommand, (ushort)0x2400], chip.Commands);
            Assert.Equal(0x8010, sensor.Status);
        }
    }

    [Fact]
    public async Task ReadAsync_SensorStillMeasuring_PollsPastTheNacks()
    {
        var (bus, chip) = Rig();
        using (bus)
        {
            chip.NotReadyReads = 3;
            var sensor = new Sht3x(bus.CreateDevice(0x44), new Sht3xOptions { Repeatability = Sht3xRepeatability.Low });
            var m = await sensor.ReadAsync();
            Assert.Equal(25, m.TemperatureCelsius, 2);
            Assert.Equal((ushort)0x2416, chip.Commands[^1]);
        }
    }

    [Fact]
    public void Read_CorruptCrc_InvalidDataButDeviceResponded()
    {
        var (bus, chip) = Rig();
        using (bus)
        {
            var sensor = new Sht3x(bus.CreateDevice(0x44));
            Assert.True(sensor.TryRead(out _).IsOk);
            chip.CorruptCrc = true;
            var result = sensor.TryRead(out _);
            Assert.Equal(I2cStatus.InvalidData, result.Status);
            Assert.True(result.DeviceResponded);
            Assert.Contains("CRC mismatch on the temperature word", result.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Read_Absent_NotResponding()
    {
        using var bus = new I2cBus(new SimulatedI2cBus(), new I2cBusOptions { RetryDelayMs = 0 });
        var result = new Sht3x(bus.CreateDevice(0x45)).TryRead(out _);
        Assert.Equal(I2cStatus.NotResponding, result.Status);
    }

    [Fact]
    public void Read_NeverReady_TimesOutAfterBoundedPolls()
    {
        var (bus, chip) = Rig();
        using (bus)
        {
            chip.NotReadyReads = 1000;
            var result = new Sht3x(bus.CreateDevice(0x44)).TryRead(out _);
            Assert.Equal(I2cStatus.Timeout, result.Status);
            Assert.Contains("did not finish", result.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void GenericRead_TwoChannels_FilledInOrder()
    {
        var (bus, chip) = Rig();
        using (bus)
        {
            chip.TemperatureCelsius = -10;
            chip.HumidityPercent = 90;
            II2cSensor sensor = new Sht3x(bus.CreateDevice(0x44), new Sht3xOptions { ClockStretching = true });
            var values = new double[2];
            Assert.True(sensor.Read(values).IsOk);
            Assert.Equal(-10, values[0], 2);
            Assert.Equal(90, values[1], 2);
            Assert.Equal(["°C", "%RH"], sensor.Channels.Select(c => c.Units));
        }
    }
}
