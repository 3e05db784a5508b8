using EdgeNode.Engine;
using EdgeNode.I2c;
using EdgeNode.I2c.Testing;
using EdgeNode.Modbus;

namespace EdgeNode.Configuration.Tests;

/// <summary>I2C devices: sensors with driver options and channels, flattened into the device's metrics.</summary>
public class I2cTests
{
    private const string Head = """
        node: { groupId: G, edgeNodeId: E }
        mqtt: { servers: [ "mqtt://b" ] }
        devices:
          - id: Env
            i2c: { bus: 1 }
            sensors:

        """;

    private const string Full = Head + """
              - type: bme280
                address: 0x76
                pressureOversampling: 4
                filter: 2
                metrics:
                  - { name: Cabinet/Temperature, channel: temperature, deadband: 0.2 }
                  - { name: Cabinet/Humidity, channel: Humidity, units: "%", engLow: 0, engHigh: 100 }
              - type: ads1115
                address: 0x48
                gain: 2.048
                dataRate: 250
                metrics:
                  - { name: Supply/Sense, channel: ain0 }
                  - { name: Bridge, channel: AIN0-AIN1, description: strain bridge }
              - type: ina219
                address: 0x40
                shuntOhms: 0.01
                maxCurrentA: 20
                averaging: 16
                metrics:
                  - { name: Load/Current, channel: current, deadband: 0.05 }
                  - { name: Load/Power, channel: POWER }
              - type: sht3x
                address: 0x45
                repeatability: medium
                clockStretching: false
                metrics: [ { name: Outside/Temperature, channel: temperature } ]
              - type: register
                address: 0x20
                registerAddressBytes: 1
                triggerCommand: [ 0x01, 2 ]
                triggerDelayMs: 5
                metrics:
                  - { name: Raw/Status, register: 0x00, type: uint16, length: 1 }
                  - { name: Raw/Level, register: 0x10, type: int32, order: CDAB, scale: 0.5, offset: -3, units: mm }
        """;

    [Fact]
    public void Sensors_AreFlattenedIntoTheDevicesMetrics()
    {
        var config = ConfigAssert.Valid(TempConfig.LoadText(Full));
        var device = Assert.Single(config.Devices);

        Assert.Equal(DeviceKind.I2c, device.Kind);
        Assert.Equal("1", device.I2c!.Bus);
        Assert.Equal([I2cSensorKind.Bme280, I2cSensorKind.Ads1115, I2cSensorKind.Ina219, I2cSensorKind.Sht3x, I2cSensorKind.Register],
            device.I2c.Sensors.Select(s => s.Type));
        Assert.Equal([0x76, 0x48, 0x40, 0x45, 0x20], device.I2c.Sensors.Select(s => s.Address));
        Assert.Equal(
        [
            "Cabinet/Temperature 0 Temperature °C", "Cabinet/Humidity 0 Humidity %", "Supply/Sense 1 AIN0 V", "Bridge 1 AIN0-AIN1 V",
            "Load/Current 2 Current A", "Load/Power 2 Power W", "Outside/Temperature 3 Temperature °C", "Raw/Status 4 0x00 ", "Raw/Level 4 0x10 mm",
        ], device.Metrics.Select(m => $"{m.Name} {m.I2c!.Sensor} {m.I2c.Channel} {m.Units}"));

        var humidity = device.Metrics[1];
        Assert.Equal(MetricDataType.Float64, humidity.Type);
        Assert.Equal((0.0, 100.0), (humidity.EngLow!.Value, humidity.EngHigh!.Value));
        Assert.Equal(0.2, device.Metrics[0].Deadband);
        Assert.Equal("strain bridge", device.Metrics[3].Description);
        Assert.All(device.Metrics, m => Assert.False(m.Writable));

        var level = device.Metrics[8];
        Assert.Equal(new I2cMetricConfig { Sensor = 4, Channel = "0x10", Length = 4 }, level.I2c);
        Assert.Equal((MetricDataType.Int32, ByteOrderSetting.CDAB, 0.5, -3.0), (level.Type, level.Order, level.Scale!.Value, level.Offset!.Value));
        Assert.Equal(1, device.Metrics[7].I2c!.Length);
    }

    [Fact]
    public void Options_AreKeptNormalized_AndConvertToTheDriversRecords()
    {
        var sensors = ConfigAssert.Valid(TempConfig.LoadText(Full)).Devices[0].I2c!.Sensors;

        Assert.Equal(new Dictionary<string, string> { ["pressureOversampling"] = "4", ["filter"] = "2" }, sensors[0].Options);
        Assert.Equal(new Bme280Options { Model = Bme280Model.Bme280, PressureOversampling = Bme280Oversampling.X4, Filter = Bme280Filter.X2 },
            sensors[0].ToBme280Options());

        var ads = sensors[1].ToAds1115Options(["AIN0", "AIN0-AIN1"]);
        Assert.Equal(Ads1115DataRate.Sps250, ads.DataRate);
        Assert.Equal([new Ads1115Channel("AIN0", Ads1115Input.Ain0, Ads1115Gain.Fsr2048mV), new Ads1115Channel("AIN0-AIN1", Ads1115Input.Ain0MinusAin1, Ads1115Gain.Fsr2048mV)],
            ads.Channels);

        var ina = sensors[2].ToIna219Options();
        Assert.Equal((0.01, 20.0, Ina219Adc.Samples16, Ina219Adc.Samples16, Ina219BusRange.V32, (Ina219ShuntRange?)null),
            (ina.ShuntOhms, ina.MaxExpectedCurrentAmps, ina.BusAdc, ina.ShuntAdc, ina.BusRange, ina.ShuntRange));

        Assert.Equal(new Sht3xOptions { Repeatability = Sht3xRepeatability.Medium, ClockStretching = false }, sensors[3].ToSht3xOptions());
        Assert.Equal("0x01 0x02", sensors[4].Options["triggerCommand"]);
    }

    [Fact]
    public void RegisterSensor_ReadsThroughTheDriverAsConfigured()
    {
        var config = ConfigAssert.Valid(TempConfig.LoadText(Full));
        var device = config.Devices[0];
        var options = device.I2c!.Sensors[4].ToRegisterReaderOptions(4, device.Metrics);
        Assert.Equal([0x01, 0x02], options.TriggerCommand);
        Assert.Equal(5, options.TriggerDelayMs);
        Assert.Equal([I2cValueType.UInt8, I2cValueType.Int32], options.Registers.Select(r => r.Type));

        using var sim = new SimulatedI2cBus();
        var chip = sim.Add(new SimulatedRegisterDevice(0x20));
        chip.SetRegisters(0x00, [0xAB]);
        chip.SetRegisters(0x10, [0x00, 0x64, 0x00, 0x00]); // CDAB: low word 0x0064 first → 100
        using var bus = new I2cBus(sim);
        var reader = new I2cRegisterReader(bus.CreateDevice(0x20), options);
        var values = reader.Read().Values;

        Assert.Equal([0xAB, (100 * 0.5) - 3], values);
    }

    [Fact]
    public void CatalogChannels_AreTheDriversChannels()
    {
        using var sim = new SimulatedI2cBus();
        using var bus = new I2cBus(sim);
        static string[] Names(II2cSensor s) => s.Channels.Select(c => $"{c.Name} {c.Units}").ToArray();
        static string[] Catalog(I2cSensorKind k) => I2cSensorCatalog.Channels(k).Select(c => $"{c.Name} {c.Units}").ToArray();

        Assert.Equal(Catalog(I2cSensorKind.Bme280), Names(new Bme280(bus.CreateDevice(0x76), new Bme280Options { Model = Bme280Model.Bme280 })));
        Assert.Equal(Catalog(I2cSensorKind.Bmp280), Names(new Bme280(bus.CreateDevice(0x77), new Bme280Options { Model = Bme280Model.Bmp280 })));
        Assert.Equal(Catalog(I2cSensorKind.Sht3x), Names(new Sht3x(bus.CreateDevice(0x44))));
        Assert.Equal(Catalog(I2cSensorKind.Ina219), Names(new Ina219(bus.CreateDevice(0x40))));
        var every = new I2cSensorConfig { Type = I2cSensorKind.Ads1115, Address = 0x48 }.ToAds1115Options(I2cSensorCatalog.Ads1115Inputs);
        Assert.Equal(Catalog(I2cSensorKind.Ads1115), Names(new Ads1115(bus.CreateDevice(0x48), every)));
        Assert.Equal(new Ads1115Options().Channels.Select(c => c.Name), I2cSensorCatalog.Ads1115Inputs.Take(4));
        Assert.Equal(ConfigMapping.Ads1115Inputs.Keys, I2cSensorCatalog.Ads1115Inputs);
    }

    [Fact]
    public void Bme280Options_FromTheFile_DriveTheSimulatedChip()
    {
        var config = ConfigAssert.Valid(TempConfig.LoadText(Full));
        using var sim = new SimulatedI2cBus();
        sim.Add(new SimulatedBme280(0x76));
        using var bus = new I2cBus(sim);
        var sensor = new Bme280(bus.CreateDevice(0x76), config.Devices[0].I2c!.Sensors[0].ToBme280Options());

        var measurement = sensor.Read();

        Assert.InRange(measurement.TemperatureCelsius, 25.0, 25.2); // the datasheet's worked example: 25.08 °C
    }

    /// <summary>A device with one sensor (line 7, "-" at column 7) whose body follows.</summary>
    private static ConfigLoadResult Sensor(string body) => TempConfig.LoadText(Head + body);

    [Theory]
    [InlineData("bme280", "0x40", "0x40 is not an address a bme280 can have (0x76, 0x77)")]
    [InlineData("sht3x", "0x46", "0x46 is not an address a sht3x can have (0x44, 0x45)")]
    [InlineData("ads1115", "0x4C", "0x4C is not an address a ads1115 can have (0x48, 0x49, 0x4A, 0x4B)")]
    [InlineData("register", "0x78", "0x78 is outside 3..119")]
    [InlineData("register", "2", "2 is outside 3..119")]
    public void SensorAddress_IsOneTheChipCanHave(string type, string address, string message) =>
        ConfigAssert.Single(Sensor($"""
                  - type: {type}
                    address: {address}
                    metrics: [ {"{"} name: X, channel: temperature, register: 1, type: uint16 {"}"} ]
            """.Replace(", register: 1, type: uint16", type == "register" ? ", register: 1, type: uint16" : "", StringComparison.Ordinal)
               .Replace("channel: temperature, ", type == "register" ? "" : type == "ads1115" ? "channel: AIN0, " : "channel: temperature, ", StringComparison.Ordinal)),
            8, 18, "devices[0].sensors[0].address: " + message);

    [Fact]
    public void UnknownSensorType_ListsTheDrivers() =>
        ConfigAssert.Single(Sensor("""
                  - { type: bme680, address: 0x76, metrics: [ { name: X, channel: temperature } ] }
            """), 7, 17, "devices[0].sensors[0].type: unknown sensor type 'bme680' (expected bme280, bmp280, sht3x, ads1115, ina219, register)");

    [Fact]
    public void UnknownChannel_SuggestsAndListsTheDriversChannels() =>
        ConfigAssert.Single(Sensor("""
                  - { type: bme280, address: 0x76, metrics: [ { name: X, channel: temprature } ] }
            """), 7, 71, "devices[0].sensors[0].metrics[0].channel: unknown channel 'temprature' for bme280 (did you mean 'Temperature'?) (expected Temperature, Pressure, Humidity)");

    [Fact]
    public void Bmp280_HasNoHumidity() =>
        ConfigAssert.Single(Sensor("""
                  - { type: bmp280, address: 0x77, metrics: [ { name: X, channel: humidity } ] }
            """), 7, 71, "unknown channel 'humidity' for bmp280", "(expected Temperature, Pressure)");

    [Fact]
    public void SkippedMeasurement_CannotBeAMetric() =>
        ConfigAssert.Single(Sensor("""
                  - { type: bme280, address: 0x76, pressureOversampling: 0, metrics: [ { name: X, channel: pressure } ] }
            """), 7, 96, "devices[0].sensors[0].metrics[0].channel: bme280 channel Pressure is not measured: pressureOversampling is 0 (skipped)");

    [Theory]
    [InlineData("{ type: bme280, address: 0x76, gain: 2.048, metrics: [ { name: X, channel: temperature } ] }", "gain", "devices[0].sensors[0]: unknown key 'gain'")]
    [InlineData("{ type: bmp280, address: 0x76, humidityOversampling: 1, metrics: [ { name: X, channel: temperature } ] }", "humidityOversampling", "devices[0].sensors[0]: unknown key 'humidityOversampling'")]
    [InlineData("{ type: bme280, address: 0x76, filter: 3, metrics: [ { name: X, channel: temperature } ] }", "3,", "devices[0].sensors[0].filter: 3 is not one of 0, 2, 4, 8, 16")]
    [InlineData("{ type: ads1115, address: 0x48, gain: 3.3, metrics: [ { name: X, channel: AIN0 } ] }", "3.3", "devices[0].sensors[0].gain: '3.3' is not one of 6.144, 4.096, 2.048, 1.024, 0.512, 0.256")]
    [InlineData("{ type: ads1115, address: 0x48, dataRate: 100, metrics: [ { name: X, channel: AIN0 } ] }", "100", "devices[0].sensors[0].dataRate: 100 is not one of 8, 16, 32, 64, 128, 250, 475, 860")]
    [InlineData("{ type: sht3x, address: 0x44, repeatability: best, metrics: [ { name: X, channel: humidity } ] }", "best", "devices[0].sensors[0].repeatability: 'best' is not one of high, medium, low")]
    [InlineData("{ type: ina219, address: 0x40, shuntOhms: 0, metrics: [ { name: X, channel: current } ] }", "0, metrics", "devices[0].sensors[0].shuntOhms: 0 must be above 0")]
    [InlineData("{ type: ina219, address: 0x40, shuntOhms: 0.1, maxCurrentA: 10, metrics: [ { name: X, channel: current } ] }", "10,", "devices[0].sensors[0].maxCurrentA: 10 A through 0.1 Ω drops 1000 mV, beyond the INA219's ±320 mV shunt range")]
    [InlineData("{ type: register, address: 0x20, triggerCommand: [ 256 ], metrics: [ { name: X, register: 1, type: uint16 } ] }", "256", "devices[0].sensors[0].triggerCommand[0]: 256 is outside 0..255")]
    [InlineData("{ type: bme280, address: 0x76, metrics: [] }", "[]", "devices[0].sensors[0].metrics: a sensor needs at least one metric")]
    [InlineData("{ type: bme280, address: 0x76, metrics: [ { name: X, channel: temperature, scale: 2 } ] }", "scale", "devices[0].sensors[0].metrics[0]: unknown key 'scale'")]
    [InlineData("{ type: register, address: 0x20, metrics: [ { name: X, register: 256, type: uint16 } ] }", "256", "devices[0].sensors[0].metrics[0].register: 256 is outside 0..255")]
    [InlineData("{ type: register, address: 0x20, metrics: [ { name: X, register: 1, type: int32, length: 2 } ] }", "2 }", "devices[0].sensors[0].metrics[0].length: int32 is 4 bytes; length is 4")]
    [InlineData("{ type: register, address: 0x20, metrics: [ { name: X, register: 1, type: bool } ] }", "bool", "devices[0].sensors[0].metrics[0].type: register sensors read numbers")]
    [InlineData("{ type: register, address: 0x20, metrics: [ { name: X, register: 1, type: uint16, length: 1, order: BADC } ] }", "BADC", "devices[0].sensors[0].metrics[0].order: a one-byte value has no byte order")]
    [InlineData("{ type: register, address: 0x20, registerAddressBytes: 0, metrics: [ { name: X, register: 1, type: uint16 } ] }", "register:", "devices[0].sensors[0].metrics[0].register: the sensor's registerAddressBytes is 0")]
    public void SensorSettings_AreChecked(string flow, string at, string message)
    {
        var line = "      - " + flow;
        ConfigAssert.Single(Sensor(line + "\n"), 7, line.IndexOf(at, StringComparison.Ordinal) + 1, message);
    }

    [Fact]
    public void RegisterNumbers_FitTwoAddressBytes() =>
        ConfigAssert.Valid(Sensor("""
                  - { type: register, address: 0x50, registerAddressBytes: 2, metrics: [ { name: X, register: 0x1F00, type: float64, order: DCBA } ] }
            """));

    [Fact]
    public void SameAddressTwiceOnABus_IsReported()
    {
        var result = TempConfig.LoadText("""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://b" ] }
            devices:
              - id: A
                i2c: { bus: 1 }
                sensors:
                  - { type: bme280, address: 0x76, metrics: [ { name: T, channel: temperature } ] }
                  - { type: bme280, address: 0x76, metrics: [ { name: U, channel: temperature } ] }
              - id: B
                i2c: { bus: /dev/i2c-1 }
                sensors:
                  - { type: sht3x, address: 0x44, metrics: [ { name: T, channel: temperature } ] }
              - id: C
                i2c: { bus: "/dev/i2c-1" }
                sensors:
                  - { type: sht3x, address: 0x44, metrics: [ { name: T, channel: temperature } ] }
            """);

        Assert.Equal(
        [
            "8:34 devices[0].sensors[1].address: 0x76 is already used by devices[0].sensors[0] (line 7)",
            "16:33 devices[2].sensors[0].address: 0x44 on bus /dev/i2c-1 is already used by devices[1].sensors[0]",
        ], result.Errors.Select(e => $"{e.Line}:{e.Column} {e.Message}"));
    }

    [Fact]
    public void MetricNames_AreUniqueAcrossTheDevicesSensors() =>
        ConfigAssert.Single(Sensor("""
                  - { type: bme280, address: 0x76, metrics: [ { name: T, channel: temperature } ] }
                  - { type: sht3x, address: 0x44, metrics: [ { name: T, channel: temperature } ] }
            """), 8, 58, "devices[0].sensors[1].metrics[0].name: duplicate metric name 'T' (also devices[0].sensors[0].metrics[0], line 7)");

    [Fact]
    public void I2cDevice_ListsMetricsUnderItsSensors() =>
        ConfigAssert.Single(TempConfig.LoadText("""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://b" ] }
            devices:
              - id: A
                i2c: { bus: 1 }
                metrics: [ { name: T, channel: temperature } ]
                sensors: [ { type: sht3x, address: 0x44, metrics: [ { name: T, channel: temperature } ] } ]
            """), 6, 5, "devices[0].metrics: an i2c device lists its metrics under each of its sensors:");

    [Theory]
    [InlineData("bus: i2c-1", "'i2c-1' is neither a bus number (1) nor a device path (/dev/i2c-1)")]
    [InlineData("bus: -1", "-1 is outside 0..1023")]
    public void Bus_IsANumberOrAPath(string bus, string message) =>
        ConfigAssert.Single(TempConfig.LoadText($$"""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://b" ] }
            devices:
              - id: A
                i2c: { {{bus}} }
                sensors: [ { type: sht3x, address: 0x44, metrics: [ { name: T, channel: temperature } ] } ]
            """), 5, 17, "devices[0].i2c.bus: " + message);
}
