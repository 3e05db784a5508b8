using EdgeNode.Configuration;
using EdgeNode.Gpio;
using EdgeNode.I2c;
using EdgeNode.Modbus;
using EdgeNode.Serial;

namespace EdgeNode.Engine.Tests.Configuration;

/// <summary>
/// EdgeNode.Configuration describes devices in its own types and repeats a few of the drivers' limits so that
/// <c>validate</c> can judge a file without them (baud rates, debounce, INA219 calibration). These tests hold each copy
/// equal to the driver's own rule, and every description to a valid transport setting. Server URLs and Sparkplug ids
/// are not repeated: the configuration, the MQTT client and the codec share EdgeNode.Addressing's rules.
/// </summary>
public sealed class ConfigMappingTests
{
    [Fact]
    public void Limits_RepeatedInTheConfiguration_EqualTheDrivers()
    {
        Assert.Equal(SerialPortSettingsValidator.MinBaudRate, SerialLineConfig.MinBaudRate);
        Assert.Equal(SerialPortSettingsValidator.MaxBaudRate, SerialLineConfig.MaxBaudRate);
        Assert.Equal(GpioLineRequestOptionsValidator.MaxDebounceMs, GpioMetricConfig.MaxDebounceMs);
        Assert.Equal(I2cSensorCatalog.Ina219DefaultShuntOhms, new Ina219Options().ShuntOhms);
        Assert.Equal(I2cSensorCatalog.Ina219DefaultMaxCurrentA, new Ina219Options().MaxExpectedCurrentAmps);
    }

    public static TheoryData<string?, string?, string?> Ina219Settings()
    {
        var data = new TheoryData<string?, string?, string?>();
        string?[] shunts = [null, "0.1", "0.01", "0.002", "1", "100", "100.5", "0", "-1", "0.32"];
        string?[] currents = [null, "3.2", "20", "0.001", "1", "0", "-2", "32", "400"];
        string?[] lsbs = [null, "0.0001", "1", "0", "-0.5", "10", "0.00000001"];
        foreach (var s in shunts)
        {
            foreach (var c in currents)
            {
                foreach (var l in lsbs)
                {
                    data.Add(s, c, l);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Ina219Settings))]
    public void Ina219Problems_AnySettings_AreWhatTheDriverRefuses(string? shuntOhms, string? maxCurrentA, string? currentLsbA)
    {
        var options = new Dictionary<string, string>();
        void Set(string key, string? value)
        {
            if (value is not null)
            {
                options[key] = value;
            }
        }

        Set("shuntOhms", shuntOhms);
        Set("maxCurrentA", maxCurrentA);
        Set("currentLsbA", currentLsbA);
        var sensor = new I2cSensorConfig { Type = I2cSensorKind.Ina219, Address = 0x40, Options = options };

        var driverOptions = sensor.ToIna219Options();
        var expected = driverOptions.Validate().ToList();
        if (expected.Count == 0)
        {
            try
            {
                Ina219Calibration.Compute(driverOptions);
            }
            catch (ArgumentException ex)
            {
                expected.Add(ex.Message.Replace("Invalid INA219 options: ", "", StringComparison.Ordinal).Split(" (Parameter", 2)[0]);
            }
        }

        Assert.Equal(expected, I2cSensorCatalog.Ina219Problems(sensor));
    }

    [Fact]
    public void Enums_EverySetting_MapsToTheTransportsValueOfTheSameName()
    {
        foreach (var table in Enum.GetValues<ModbusTableSetting>())
        {
            Assert.Equal(table.ToString(), table.ToModbus().ToString());
        }

        foreach (var order in Enum.GetValues<ByteOrderSetting>())
        {
            Assert.Equal(order.ToString(), order.ToModbus().ToString());
            Assert.Equal(order.ToString(), order.ToI2c().ToString().ToUpperInvariant());
        }

        foreach (var type in Enum.GetValues<MetricDataType>())
        {
            Assert.Equal(type.ToString(), type.ToModbus().ToString());
        }

        foreach (var parity in Enum.GetValues<SerialParitySetting>())
        {
            Assert.Equal(parity.ToString(), new SerialLineConfig { PortName = "/dev/x", Parity = parity }.ToSerial().Parity.ToString());
        }

        foreach (var bias in Enum.GetValues<GpioBiasSetting>())
        {
            Assert.Equal(bias.ToString(), new GpioMetricConfig { Line = "1", Bias = bias }.ToLineSettings().Bias.ToString());
        }

        foreach (var edge in Enum.GetValues<GpioEdgeSetting>())
        {
            Assert.Equal(edge.ToString(), new GpioMetricConfig { Line = "1", Edge = edge }.ToLineSettings().Edge.ToString());
        }

        foreach (var drive in Enum.GetValues<GpioDriveSetting>())
        {
            var settings = new GpioMetricConfig { Line = "1", Direction = GpioDirectionSetting.Output, Drive = drive }.ToLineSettings();
            Assert.Equal((GpioDirection.Output, drive.ToString()), (settings.Direction, settings.Drive.ToString()));
        }
    }

    [Fact]
    public void ModbusLink_Described_BecomesTheSameLinkForEqualDescriptions()
    {
        var rs485 = new Rs485Config { RtsOnSend = false, RtsAfterSend = true, DelayRtsBeforeSendMs = 1, DelayRtsAfterSendMs = 2, RxDuringTx = true, TerminateBus = true };
        var line = new SerialLineConfig { PortName = "/dev/ttyAMA0", BaudRate = 9600, Parity = SerialParitySetting.Even, DataBits = 7, StopBits = 2, Rs485 = rs485 };

        var rtu = ModbusLinkConfig.ForRtu(line).ToModbus();
        var tcp = ModbusLinkConfig.ForTcp("10.0.0.7").ToModbus();

        Assert.Equal(ModbusLinkSettings.ForRtu(new SerialPortSettings
        {
            PortName = "/dev/ttyAMA0", BaudRate = 9600, Parity = SerialParity.Even, DataBits = 7, StopBits = SerialStopBits.Two,
            Rs485 = new Rs485Settings { RtsOnSend = false, RtsAfterSend = true, DelayRtsBeforeSendMs = 1, DelayRtsAfterSendMs = 2, RxDuringTx = true, TerminateBus = true },
        }), rtu);
        Assert.Empty(rtu.Validate());
        Assert.Equal(ModbusLinkSettings.ForTcp("10.0.0.7", 502), tcp);
        // The link pool shares a master between devices whose links are equal: mapping keeps value equality.
        Assert.Equal(rtu, ModbusLinkConfig.ForRtu(line with { }).ToModbus());
        Assert.Equal(line.ToString(), rtu.Serial!.ToString());
    }
}
