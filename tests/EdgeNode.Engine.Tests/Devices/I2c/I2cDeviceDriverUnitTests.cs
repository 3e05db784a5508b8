using EdgeNode.Configuration;
using EdgeNode.Engine.Devices;
using EdgeNode.Engine.Devices.I2c;
using EdgeNode.I2c;
using EdgeNode.I2c.Testing;
using EdgeNode.Modbus;
using EdgeNode.Sparkplug;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Engine.Tests.Devices.I2c;

public sealed class I2cDeviceDriverUnitTests : IAsyncDisposable
{
    private readonly SimulatedI2cBus _sim = new("/dev/i2c-1");
    private readonly List<string> _opened = [];
    private readonly I2cDeviceDriverFactory _factory;
    private readonly List<IDeviceDriver> _drivers = [];

    public I2cDeviceDriverUnitTests()
    {
        _factory = new I2cDeviceDriverFactory(NullLoggerFactory.Instance, path =>
        {
            _opened.Add(path);
            return new I2cBus(_sim, new I2cBusOptions { RetryDelayMs = 0 });
        });
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var driver in _drivers)
        {
            await driver.DisposeAsync();
        }
    }

    internal static I2cSensorConfig Sensor(I2cSensorKind type, int address, params (string Key, string Value)[] options) => new()
    {
        Type = type,
        Address = address,
        Options = options.ToDictionary(o => o.Key, o => o.Value),
    };

    internal static MetricConfig Metric(string name, int sensor, string channel, string? units = null, double? scale = null) => new()
    {
        Name = name,
        Type = MetricDataType.Float64,
        Units = units,
        Scale = scale,
        I2c = new I2cMetricConfig { Sensor = sensor, Channel = channel },
    };

    internal static DeviceConfig Device(string id, string bus, IReadOnlyList<I2cSensorConfig> sensors, params MetricConfig[] metrics) => new()
    {
        Id = id,
        Kind = DeviceKind.I2c,
        I2c = new I2cDeviceConfig { Bus = bus, Sensors = sensors },
        Metrics = metrics,
    };

    private IDeviceDriver Create(DeviceConfig device)
    {
        var driver = _factory.Create(device);
        _drivers.Add(driver);
        return driver;
    }

    private static async Task<(DeviceReadResult Result, DeviceReading Reading)> ReadAsync(IDeviceDriver driver)
    {
        var reading = new DeviceReading(driver.Config.Metrics.Count);
        var result = await driver.ReadAsync(reading, CancellationToken.None);
        return (result, reading);
    }

    private static double Double(DeviceReading reading, int index)
    {
        Assert.True(reading.Good[index], $"metric {index} was not read");
        Assert.Equal(SparkplugDataType.Double, reading.Values[index].DataType);
        return reading.Values[index].AsDouble();
    }

    [Fact]
    public async Task ReadAsync_Bme280_DatasheetExampleInCelsiusHectopascalAndPercent()
    {
        var chip = _sim.Add(new SimulatedBme280());
        var driver = Create(Device("Cabinet", "1", [Sensor(I2cSensorKind.Bme280, 0x76)],
            Metric("Cabinet/Temperature", 0, "temperature", "°C"),
            Metric("Cabinet/Pressure", 0, "pressure", "hPa"),
            Metric("Cabinet/Humidity", 0, "humidity", "%RH")));

        var (result, reading) = await ReadAsync(driver);

        Assert.Equal(DeviceReadResult.Ok, result);
        Assert.Equal(25.08, Double(reading, 0), 6);       // BMP280 datasheet §3.12: adc_T 519888 → 25.08 °C
        Assert.Equal(1006.5325, Double(reading, 1), 4);   // adc_P 415148 → 100653.25 Pa (Q24.8) → hPa
        Bme280Compensation.CompensateTemperature(chip.AdcTemperature, SimulatedBme280.DatasheetCalibration, out var tFine);
        Assert.Equal(Bme280Compensation.CompensateHumidity(chip.AdcHumidity, tFine, SimulatedBme280.DatasheetCalibration) / 1024.0,
            Double(reading, 2), 9);
        Assert.Equal([SparkplugDataType.Double, SparkplugDataType.Double, SparkplugDataType.Double], driver.DataTypes);
        Assert.NotEqual(0, reading.TimestampMs);
    }

    [Fact]
    public async Task ReadAsync_Bme280Oversampling_ProgramsCtrlMeas()
    {
        var chip = _sim.Add(new SimulatedBme280());
        var driver = Create(Device("Cabinet", "1",
            [Sensor(I2cSensorKind.Bme280, 0x76, ("temperatureOversampling", "4"), ("pressureOversampling", "4"), ("humidityOversampling", "16"),
                ("filter", "8"))],
            Metric("T", 0, "temperature")));

        await ReadAsync(driver);

        Assert.Equal(0b011_011_01, chip.LastCtrlMeas); // osrs_t ×4, osrs_p ×4, forced mode
        Assert.Equal(0b101, chip[0xF2]);                // ctrl_hum osrs_h ×16
        Assert.Equal(0b011, chip[0xF5] >> 2 & 0b111);   // config filter coefficient 8
    }

    [Fact]
    public async Task ReadAsync_Ina219_DatasheetExample10Amps11Point98Volts119Point8Watts()
    {
        var chip = _sim.Add(new SimulatedIna219(0x40));
        chip.ShuntVoltageRegister = 0x07D0; // 2000 × 10 µV = 20 mV (datasheet §8.5.1 example)
        chip.BusVoltageRegister = 0x5D98;   // 2995 × 4 mV = 11.98 V
        var driver = Create(Device("Cabinet", "1",
            [Sensor(I2cSensorKind.Ina219, 0x40, ("shuntOhms", "0.002"), ("maxCurrentA", "15"), ("currentLsbA", "0.001"),
                ("shuntRangeMv", "40"), ("busRangeV", "16"))],
            Metric("Supply/Voltage", 0, "busVoltage", "V"),
            Metric("Supply/Shunt", 0, "shuntVoltage", "mV"),
            Metric("Supply/Current", 0, "current", "A"),
            Metric("Supply/Power", 0, "power", "W")));

        var (result, reading) = await ReadAsync(driver);

        Assert.Equal(DeviceReadResult.Ok, result);
        Assert.Equal(0x5000, chip[0x05]); // calibration = trunc(0.04096 / (0.001 × 0.002))
        Assert.Equal(11.98, Double(reading, 0), 9);
        Assert.Equal(20.0, Double(reading, 1), 9);
        Assert.Equal(10.0, Double(reading, 2), 9);
        Assert.Equal(119.8, Double(reading, 3), 9);
    }

    [Fact]
    public async Task ReadAsync_Ads1115_ConvertsOnlyTheInputsMetricsReadAtTheGivenGainAndRate()
    {
        var chip = _sim.Add(new SimulatedAds1115(0x48));
        chip.SetInputVolts(0, 1.5);
        chip.SetInputVolts(2, 0.25);
        var driver = Create(Device("Cabinet", "1", [Sensor(I2cSensorKind.Ads1115, 0x48, ("gain", "2.048"), ("dataRate", "860"))],
            Metric("Analog/Level", 0, "ain2"), Metric("Analog/Pressure", 0, "AIN0", scale: 10)));

        var (result, reading) = await ReadAsync(driver);

        Assert.Equal(DeviceReadResult.Ok, result);
        Assert.Equal(2, chip.Conversions);
        Assert.Equal(Ads1115.SingleShotConfig(Ads1115Input.Ain0, Ads1115Gain.Fsr2048mV, Ads1115DataRate.Sps860), chip.LastConfigWritten);
        Assert.Equal(0.25, Double(reading, 0), 9);  // code 4000 × 2.048 / 32768
        Assert.Equal(15.0, Double(reading, 1), 9);  // code 24000 → 1.5 V, × scale 10
    }

    [Fact]
    public async Task ReadAsync_Sht3x_ValuesAreTheDatasheetConversionOfTheRawWords()
    {
        var chip = _sim.Add(new SimulatedSht3x(0x44));
        chip.RawTemperature = 0x6666;
        chip.RawHumidity = 0x8000;
        var driver = Create(Device("Cabinet", "1", [Sensor(I2cSensorKind.Sht3x, 0x44, ("repeatability", "medium"))],
            Metric("T", 0, "temperature"), Metric("RH", 0, "humidity")));

        var (_, reading) = await ReadAsync(driver);

        Assert.Equal(-45 + 175 * 0x6666 / 65535.0, Double(reading, 0), 9);
        Assert.Equal(100 * 0x8000 / 65535.0, Double(reading, 1), 9);
        Assert.Contains((ushort)0x240B, chip.Commands); // single shot, medium repeatability, no clock stretching
    }

    [Fact]
    public async Task ReadAsync_RegisterSensor_DecodesEachMetricPerItsTypeOrderBitAndScale()
    {
        var chip = _sim.Add(new SimulatedRegisterDevice(0x20));
        chip.SetRegisters(0x10, [0x12, 0x34]);             // uint16 0x1234
        chip.SetRegisters(0x20, [0xFF, 0x38]);             // int16 -200, × 0.1
        chip.SetRegisters(0x30, [0b0000_1000]);            // status byte, bit 3 set
        chip.SetRegisters(0x40, [0xFE]);                   // int8 -2 (length 1)
        chip.SetRegisters(0x50, [0x00, 0x00, 0x41, 0x20]); // float32 10.0 with the low word first (CDAB)
        MetricConfig Register(string name, string register, MetricDataType type, int length = 0, int? bit = null,
            double? scale = null, ByteOrderSetting order = ByteOrderSetting.ABCD) => new()
            {
                Name = name,
                Type = type,
                Bit = bit,
                Scale = scale,
                Order = order,
                I2c = new I2cMetricConfig { Sensor = 0, Channel = register, Length = length },
            };
        var driver = Create(Device("Expander", "1", [Sensor(I2cSensorKind.Register, 0x20)],
            Register("Counter", "0x10", MetricDataType.UInt16),
            Register("Temp", "32", MetricDataType.Int16, scale: 0.1),
            Register("Alarm", "0x30", MetricDataType.Bool, bit: 3),
            Register("Trim", "0x40", MetricDataType.Int16, length: 1),
            Register("Flow", "0x50", MetricDataType.Float32, order: ByteOrderSetting.CDAB)));

        var (result, reading) = await ReadAsync(driver);

        Assert.Equal(DeviceReadResult.Ok, result);
        Assert.Equal([SparkplugDataType.UInt16, SparkplugDataType.Double, SparkplugDataType.Boolean, SparkplugDataType.Int16,
            SparkplugDataType.Float], driver.DataTypes);
        Assert.Equal(SparkplugValue.FromUInt16(0x1234), reading.Values[0]);
        Assert.Equal(-20.0, Double(reading, 1), 9);
        Assert.Equal(SparkplugValue.FromBoolean(true), reading.Values[2]);
        Assert.Equal(SparkplugValue.FromInt16(-2), reading.Values[3]);
        Assert.Equal(SparkplugValue.FromFloat(10f), reading.Values[4]);
        Assert.All(reading.Good, Assert.True);
    }

    [Fact]
    public async Task ReadAsync_EverySensorNacks_IsDead()
    {
        var bme = _sim.Add(new SimulatedBme280());
        var ina = _sim.Add(new SimulatedIna219(0x40));
        bme.Present = false;
        ina.Present = false;
        var driver = Create(Device("Cabinet", "1", [Sensor(I2cSensorKind.Bme280, 0x76), Sensor(I2cSensorKind.Ina219, 0x40)],
            Metric("T", 0, "temperature"), Metric("I", 1, "current")));

        var (result, reading) = await ReadAsync(driver);

        Assert.False(result.Responded);
        Assert.Contains("0x76", result.Error, StringComparison.Ordinal);
        Assert.Contains("0x40", result.Error, StringComparison.Ordinal);
        Assert.Equal([false, false], reading.Good);
    }

    [Fact]
    public async Task ReadAsync_OneOfTwoSensorsNacks_AnswersWithOnlyItsMetricsUnread()
    {
        _sim.Add(new SimulatedBme280());
        var ina = _sim.Add(new SimulatedIna219(0x40));
        ina.SetBusVolts(24);
        ina.Present = false;
        var driver = Create(Device("Cabinet", "1", [Sensor(I2cSensorKind.Bme280, 0x76), Sensor(I2cSensorKind.Ina219, 0x40)],
            Metric("T", 0, "temperature"), Metric("V", 1, "busVoltage"), Metric("P", 0, "pressure")));

        var (result, reading) = await ReadAsync(driver);

        Assert.True(result.Responded);
        Assert.Contains("0x40", result.Error, StringComparison.Ordinal);
        Assert.Equal([true, false, true], reading.Good);
        Assert.Equal(25.08, Double(reading, 0), 6);
    }

    [Fact]
    public async Task ReadAsync_SensorBack_AnswersAgainWithItsValues()
    {
        var ina = _sim.Add(new SimulatedIna219(0x40));
        ina.SetBusVolts(12);
        var driver = Create(Device("Cabinet", "1", [Sensor(I2cSensorKind.Ina219, 0x40)], Metric("V", 0, "busVoltage")));
        ina.Present = false;
        var (gone, _) = await ReadAsync(driver);
        ina.Present = true;
        ina.PowerCycle(); // it lost its calibration while away
        ina.SetBusVolts(12);

        var (back, reading) = await ReadAsync(driver);

        Assert.False(gone.Responded);
        Assert.Equal(DeviceReadResult.Ok, back);
        Assert.Equal(12.0, Double(reading, 0), 9);
    }

    [Fact]
    public async Task ReadAsync_ChipOfAnotherModel_AnswersButItsMetricsAreUnread()
    {
        _sim.Add(new SimulatedBme280(model: Bme280Model.Bme280));
        var driver = Create(Device("Cabinet", "1", [Sensor(I2cSensorKind.Bmp280, 0x76)], Metric("T", 0, "temperature")));

        var (result, reading) = await ReadAsync(driver);

        Assert.True(result.Responded);
        Assert.Contains("BME280", result.Error, StringComparison.Ordinal);
        Assert.False(reading.Good[0]);
    }

    [Fact]
    public async Task WriteAsync_AnyValue_IsRejectedAsReadOnly()
    {
        _sim.Add(new SimulatedBme280());
        var driver = Create(Device("Cabinet", "1", [Sensor(I2cSensorKind.Bme280, 0x76)], Metric("T", 0, "temperature")));

        var result = await driver.WriteAsync(0, SparkplugValue.FromDouble(20), CancellationToken.None);

        Assert.Equal(DeviceWriteStatus.Rejected, result.Status);
        Assert.Contains("read-only", result.Error, StringComparison.Ordinal);
        Assert.Null(driver.Events);
    }

    [Fact]
    public async Task Create_DevicesOnOneBus_ShareItAndTheLastDisposeClosesIt()
    {
        _sim.Add(new SimulatedBme280());
        _sim.Add(new SimulatedIna219(0x40));
        var climate = _factory.Create(Device("Climate", "1", [Sensor(I2cSensorKind.Bme280, 0x76)], Metric("T", 0, "temperature")));
        var power = _factory.Create(Device("Power", "/dev/i2c-1", [Sensor(I2cSensorKind.Ina219, 0x40)], Metric("V", 0, "busVoltage")));

        _sim.TransferDuration = TimeSpan.FromMilliseconds(1); // widens the window in which overlapping transfers would show
        for (var scan = 0; scan < 5; scan++)
        {
            // Each device is read by its own loop, as the engine does; one driver is never read twice at once.
            await Task.WhenAll(Task.Run(() => ReadAsync(climate)), Task.Run(() => ReadAsync(power)));
        }

        await climate.DisposeAsync();
        var stillOpen = !_sim.IsDisposed;
        await power.DisposeAsync();

        Assert.Equal(["/dev/i2c-1"], _opened);
        Assert.Equal(1, _sim.MaxConcurrentTransfers);
        Assert.True(stillOpen);
        Assert.True(_sim.IsDisposed);
    }

    [Fact]
    public void Create_AddressOfAnotherDevice_ThrowsNamingIt()
    {
        Create(Device("Climate", "1", [Sensor(I2cSensorKind.Bme280, 0x76)], Metric("T", 0, "temperature")));

        var ex = Assert.Throws<ArgumentException>(() =>
            Create(Device("Weather", "1", [Sensor(I2cSensorKind.Bme280, 0x76)], Metric("P", 0, "pressure"))));

        Assert.Contains("0x76", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'Climate'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_UnknownChannelsAndABadOptionValue_ReportsEveryProblemAtOnce()
    {
        var ex = Assert.Throws<ArgumentException>(() => Create(Device("Cabinet", "1",
            [
                Sensor(I2cSensorKind.Ina219, 0x40, ("maxCurrentA", "lots")),
                Sensor(I2cSensorKind.Ads1115, 0x48),
            ],
            Metric("V", 0, "voltage"), Metric("A5", 1, "ain5"))));

        Assert.Contains("sensor 0 (ina219 at 0x40): invalid option value", ex.Message, StringComparison.Ordinal);
        Assert.Contains("metric 'V'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("BusVoltage", ex.Message, StringComparison.Ordinal);
        Assert.Contains("metric 'A5'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("AIN0-AIN1", ex.Message, StringComparison.Ordinal);
        Assert.True(_sim.IsDisposed); // the bus lease was returned, and it was the bus's only one
    }

    [Fact]
    public void Create_Ina219ShuntThatCannotHoldTheCurrent_ThrowsWithTheDatasheetLimit()
    {
        var ex = Assert.Throws<ArgumentException>(() => Create(Device("Cabinet", "1",
            [Sensor(I2cSensorKind.Ina219, 0x40, ("shuntOhms", "0.1"), ("maxCurrentA", "5"))], Metric("I", 0, "current"))));

        Assert.Contains("maxCurrentA", ex.Message, StringComparison.Ordinal);
        Assert.Contains("320 mV", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_StringRegister_ThrowsNamingTheMetric()
    {
        var metric = new MetricConfig
        {
            Name = "Serial",
            Type = MetricDataType.String,
            I2c = new I2cMetricConfig { Sensor = 0, Channel = "0x00", Length = 8 },
        };

        var ex = Assert.Throws<ArgumentException>(() => Create(Device("Expander", "1", [Sensor(I2cSensorKind.Register, 0x20)], metric)));

        Assert.Contains("metric 'Serial'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_AddressBoundToAKernelDriver_ThrowsAddressInUse()
    {
        _sim.ClaimByKernel(0x76);

        var ex = Assert.Throws<I2cException>(() =>
            Create(Device("Cabinet", "1", [Sensor(I2cSensorKind.Bme280, 0x76)], Metric("T", 0, "temperature"))));

        Assert.Equal(I2cStatus.AddressInUse, ex.Status);
        Assert.Contains("Cabinet", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1", "/dev/i2c-1")]
    [InlineData("i2c-3", "/dev/i2c-3")]
    [InlineData("/dev/i2c-cabinet", "/dev/i2c-cabinet")]
    public void BusPath_NumberNameOrPath_IsTheDevicePath(string bus, string path) =>
        Assert.Equal(path, I2cDeviceDriverFactory.BusPath(bus));

    [Theory]
    [InlineData("Pa", "hPa", 0.01)]
    [InlineData("Pa", "kPa", 0.001)]
    [InlineData("V", "mV", 1000)]
    [InlineData("A", "mA", 1000)]
    [InlineData("°C", "°C", 1)]
    [InlineData("Pa", null, 1)]
    public void UnitFactor_ChannelToMetricUnits_ConvertsTheKnownPairs(string channel, string? metric, double factor) =>
        Assert.Equal(factor, I2cSensorBuilder.UnitFactor(channel, metric));
}
