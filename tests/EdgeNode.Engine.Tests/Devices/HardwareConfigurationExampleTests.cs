using EdgeNode.Configuration;
using EdgeNode.Engine.Devices;
using EdgeNode.Engine.Devices.Gpio;
using EdgeNode.Engine.Devices.I2c;
using EdgeNode.Gpio.Testing;
using EdgeNode.I2c;
using EdgeNode.I2c.Testing;
using EdgeNode.Sparkplug;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Engine.Tests.Devices;

/// <summary>
/// The README's "GPIO and I2C" example, loaded by the real configuration loader and driven through the GPIO and I2C
/// factories (fake kernel, simulated bus): what a technician copies must be valid and must do what the README says.
/// </summary>
public sealed class HardwareConfigurationExampleTests : IDisposable
{
    // Kept identical to the README's example (between the node/mqtt header and the end).
    internal const string ReadmeDevices = """
        devices:
          - id: Cabinet
            gpio:
              chip: pinctrl-bcm2711          # Raspberry Pi 4; a Pi 5 says pinctrl-rp1; gpiochip0 works too
            metrics:
              - { name: Door/Open, line: GPIO17, bias: pull-up, activeLow: true, debounceMs: 20 }
              - { name: Fan/Relay, line: GPIO27, direction: output, initial: false }
          - id: CabinetClimate
            scanMs: 5000
            i2c:
              bus: 1                          # /dev/i2c-1: header pins 3 (SDA) and 5 (SCL)
            sensors:
              - type: bme280
                address: 0x76
                metrics:
                  - { name: Air/Temperature, channel: temperature, deadband: 0.2 }
                  - { name: Air/Pressure, channel: pressure, units: hPa, deadband: 0.5 }
                  - { name: Air/Humidity, channel: humidity, deadband: 1 }
              - type: ina219
                address: 0x40
                shuntOhms: 0.1
                maxCurrentA: 2
                metrics:
                  - { name: Supply/Voltage, channel: busVoltage, deadband: 0.05 }
                  - { name: Supply/Current, channel: current, units: mA, deadband: 10 }
                  - { name: Supply/Power, channel: power }
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("edgenode-hwcfg-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private EdgeNodeConfig Load()
    {
        var path = Path.Combine(_dir, "edgenode.yaml");
        File.WriteAllText(path, $"""
            node:
              groupId: Site
              edgeNodeId: Gateway
            mqtt:
              servers: [ mqtt://127.0.0.1:1883 ]
            {ReadmeDevices}
            """);
        var result = EdgeNodeConfigLoader.Load(path);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Config!;
    }

    [Fact]
    public async Task ReadmeExample_GpioDevice_RequestsTheDoorAndRelayAndFollowsThem()
    {
        var config = Load();
        var kernel = new FakeGpioKernel();
        var chip = kernel.AddRaspberryPi4Chip();
        chip.SetInputLevel(17, high: true); // door closed: contact open, pull-up
        await using var driver = new GpioDeviceDriverFactory(NullLoggerFactory.Instance, kernel).Create(config.Devices[0]);

        var request = Assert.Single(kernel.Requests);
        Assert.Equal([17, 27], request.Offsets);
        Assert.Equal(EdgeNode.Gpio.GpioLineSettings.Input(EdgeNode.Gpio.GpioEdge.Both, EdgeNode.Gpio.GpioBias.PullUp, activeLow: true, debounceMs: 20),
            request.SettingsOf(0));
        Assert.True(config.Devices[0].Metrics[1].Writable);

        chip.SetInputLevel(17, high: false);
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var edge = await driver.Events!.ReadAsync(guard.Token);
        var written = await driver.WriteAsync(1, SparkplugValue.FromBoolean(true), CancellationToken.None);

        Assert.Equal(new DeviceEvent(0, SparkplugValue.FromBoolean(true), edge.TimestampMs), edge);
        Assert.Equal(DeviceWriteResult.Written, written);
        Assert.True(chip.GetOutputLevel(27));
    }

    [Fact]
    public async Task ReadmeExample_I2cDevice_ReadsEveryMetricInItsUnits()
    {
        var config = Load();
        var sim = new SimulatedI2cBus("/dev/i2c-1");
        sim.Add(new SimulatedBme280());
        var ina = sim.Add(new SimulatedIna219(0x40));
        ina.SetShuntVolts(0.0123); // 123 mA through 0.1 Ω
        ina.SetBusVolts(24);
        var opened = new List<string>();
        await using var driver = new I2cDeviceDriverFactory(NullLoggerFactory.Instance, path =>
        {
            opened.Add(path);
            return new I2cBus(sim, new I2cBusOptions { RetryDelayMs = 0 });
        }).Create(config.Devices[1]);

        var reading = new DeviceReading(driver.Config.Metrics.Count);
        var result = await driver.ReadAsync(reading, CancellationToken.None);

        Assert.Equal(DeviceReadResult.Ok, result);
        Assert.Equal(["/dev/i2c-1"], opened);
        Assert.Equal(["°C", "hPa", "%RH", "V", "mA", "W"], driver.Config.Metrics.Select(m => m.Units));
        Assert.All(reading.Good, Assert.True);
        Assert.Equal(25.08, reading.Values[0].AsDouble(), 6);
        Assert.Equal(1006.5325, reading.Values[1].AsDouble(), 4);
        Assert.InRange(reading.Values[2].AsDouble(), 1, 99);
        Assert.Equal(24.0, reading.Values[3].AsDouble(), 3);
        // Current_LSB = 2 A / 2^15 (datasheet Eq. 2): the device's current and power registers are within a few LSB.
        Assert.Equal(123.0, reading.Values[4].AsDouble(), tolerance: 0.2);
        Assert.Equal(24 * 0.123, reading.Values[5].AsDouble(), tolerance: 0.01);
    }
}
