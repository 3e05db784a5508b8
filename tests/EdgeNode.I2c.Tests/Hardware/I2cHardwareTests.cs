using System.Globalization;

namespace EdgeNode.I2c.Tests.Hardware;

/// <summary>
/// A real I2C bus with sensors (see README.md in this folder). Filtered out of CI by the trait; run on a gateway with
/// <c>dotnet test --filter feature=i2c</c>.
/// </summary>
[Trait("feature", "i2c")]
public class I2cHardwareTests
{
    private static int BusNumber => int.Parse(Environment.GetEnvironmentVariable("EDGENODE_I2C_BUS") ?? "1", CultureInfo.InvariantCulture);

    private static int Address(string variable, int fallback) =>
        Environment.GetEnvironmentVariable(variable) is { } text ? Convert.ToInt32(text, 16) : fallback;

    [Fact]
    public void Scan_Gateway_FindsTheBme280()
    {
        using var bus = I2cBus.Open(BusNumber);
        Assert.Contains(Address("EDGENODE_I2C_BME280", Bme280.DefaultAddress), bus.Scan());
    }

    [Fact]
    public async Task Bme280_Read_PlausibleIndoorValues()
    {
        using var bus = I2cBus.Open(BusNumber);
        var sensor = new Bme280(bus.CreateDevice(Address("EDGENODE_I2C_BME280", Bme280.DefaultAddress)));
        var m = await sensor.ReadAsync();
        Assert.InRange(m.TemperatureCelsius, -20, 60);
        Assert.InRange(m.PressurePascals, 70_000, 110_000);
        if (sensor.DetectedModel == Bme280Model.Bme280)
        {
            Assert.InRange(m.HumidityPercent, 1, 100);
        }

        var again = sensor.Read();
        Assert.InRange(again.TemperatureCelsius - m.TemperatureCelsius, -2, 2);
    }

    [Fact]
    public void AbsentAddress_Read_NotRespondingAfterRetries()
    {
        using var bus = I2cBus.Open(BusNumber, new I2cBusOptions { Retries = 1 });
        var result = bus.CreateDevice(Address("EDGENODE_I2C_ABSENT", 0x6F)).TryRead(new byte[1]);
        Assert.Equal(I2cStatus.NotResponding, result.Status);
        Assert.Equal(2, bus.TransferCount);
    }

    [Fact]
    public void WriteRead_ChipIdRegister_RepeatedStartWorksOnThisAdapter()
    {
        using var bus = I2cBus.Open(BusNumber);
        var device = bus.CreateDevice(Address("EDGENODE_I2C_BME280", Bme280.DefaultAddress));
        Assert.Contains(device.ReadRegister(0xD0), new byte[] { Bme280.Bme280ChipId, Bme280.Bmp280ChipId });
    }
}
