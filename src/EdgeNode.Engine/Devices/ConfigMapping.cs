using System.Globalization;
using EdgeNode.Configuration;
using EdgeNode.Gpio;
using EdgeNode.I2c;
using EdgeNode.Modbus;
using EdgeNode.Serial;

namespace EdgeNode.Engine;

/// <summary>
/// Where the configuration's descriptions become the transports' settings: EdgeNode.Configuration describes devices in
/// its own types and references no transport; the engine maps them here, in one place, when it builds drivers.
/// </summary>
public static class ConfigMapping
{
    /// <summary>ADS1115 channel names and the multiplexer setting each selects (single-ended and differential).</summary>
    public static IReadOnlyDictionary<string, Ads1115Input> Ads1115Inputs { get; } = new Dictionary<string, Ads1115Input>(StringComparer.Ordinal)
    {
        ["AIN0"] = Ads1115Input.Ain0,
        ["AIN1"] = Ads1115Input.Ain1,
        ["AIN2"] = Ads1115Input.Ain2,
        ["AIN3"] = Ads1115Input.Ain3,
        ["AIN0-AIN1"] = Ads1115Input.Ain0MinusAin1,
        ["AIN0-AIN3"] = Ads1115Input.Ain0MinusAin3,
        ["AIN1-AIN3"] = Ads1115Input.Ain1MinusAin3,
        ["AIN2-AIN3"] = Ads1115Input.Ain2MinusAin3,
    };

    /// <summary>The Modbus table.</summary>
    public static ModbusTable ToModbus(this ModbusTableSetting table) => table switch
    {
        ModbusTableSetting.Coil => ModbusTable.Coil,
        ModbusTableSetting.DiscreteInput => ModbusTable.DiscreteInput,
        ModbusTableSetting.InputRegister => ModbusTable.InputRegister,
        ModbusTableSetting.HoldingRegister => ModbusTable.HoldingRegister,
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, "not a Modbus table"),
    };

    /// <summary>The Modbus byte order.</summary>
    public static ModbusByteOrder ToModbus(this ByteOrderSetting order) => order switch
    {
        ByteOrderSetting.ABCD => ModbusByteOrder.ABCD,
        ByteOrderSetting.CDAB => ModbusByteOrder.CDAB,
        ByteOrderSetting.BADC => ModbusByteOrder.BADC,
        ByteOrderSetting.DCBA => ModbusByteOrder.DCBA,
        _ => throw new ArgumentOutOfRangeException(nameof(order), order, "not a byte order"),
    };

    /// <summary>The I2C register reader's byte order.</summary>
    public static I2cByteOrder ToI2c(this ByteOrderSetting order) => order switch
    {
        ByteOrderSetting.ABCD => I2cByteOrder.Abcd,
        ByteOrderSetting.CDAB => I2cByteOrder.Cdab,
        ByteOrderSetting.BADC => I2cByteOrder.Badc,
        ByteOrderSetting.DCBA => I2cByteOrder.Dcba,
        _ => throw new ArgumentOutOfRangeException(nameof(order), order, "not a byte order"),
    };

    /// <summary>The Modbus data type a metric type reads as.</summary>
    public static ModbusDataType ToModbus(this MetricDataType type) => type switch
    {
        MetricDataType.Bool => ModbusDataType.Bool,
        MetricDataType.Int16 => ModbusDataType.Int16,
        MetricDataType.UInt16 => ModbusDataType.UInt16,
        MetricDataType.Int32 => ModbusDataType.Int32,
        MetricDataType.UInt32 => ModbusDataType.UInt32,
        MetricDataType.Int64 => ModbusDataType.Int64,
        MetricDataType.UInt64 => ModbusDataType.UInt64,
        MetricDataType.Float32 => ModbusDataType.Float32,
        MetricDataType.Float64 => ModbusDataType.Float64,
        MetricDataType.String => ModbusDataType.String,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a metric type"),
    };

    /// <summary>The Modbus point of a Modbus metric.</summary>
    public static ModbusPoint ToModbusPoint(this MetricConfig metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return new ModbusPoint
        {
            Table = (metric.Table ?? throw new InvalidOperationException($"metric '{metric.Name}' has no Modbus table")).ToModbus(),
            Address = metric.Address,
            DataType = metric.Type.ToModbus(),
            Order = metric.Order.ToModbus(),
            Bit = metric.Bit,
            Length = metric.Length,
            Scale = metric.Scale,
            Offset = metric.Offset,
        };
    }

    /// <summary>The Modbus link (one master per distinct link).</summary>
    public static ModbusLinkSettings ToModbus(this ModbusLinkConfig link)
    {
        ArgumentNullException.ThrowIfNull(link);
        return link.Kind switch
        {
            ModbusLinkKind.Tcp => ModbusLinkSettings.ForTcp(link.Host ?? throw new InvalidOperationException("a tcp link without a host"), link.Port),
            ModbusLinkKind.Rtu => ModbusLinkSettings.ForRtu((link.Serial ?? throw new InvalidOperationException("an rtu link without a serial line")).ToSerial()),
            _ => throw new ArgumentOutOfRangeException(nameof(link), link.Kind, "not a Modbus link kind"),
        };
    }

    /// <summary>The serial port settings of an RTU line.</summary>
    public static SerialPortSettings ToSerial(this SerialLineConfig line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return new SerialPortSettings
        {
            PortName = line.PortName,
            BaudRate = line.BaudRate,
            Parity = line.Parity switch
            {
                SerialParitySetting.None => SerialParity.None,
                SerialParitySetting.Odd => SerialParity.Odd,
                SerialParitySetting.Even => SerialParity.Even,
                _ => throw new ArgumentOutOfRangeException(nameof(line), line.Parity, "not a parity"),
            },
            DataBits = line.DataBits,
            StopBits = line.StopBits == 2 ? SerialStopBits.Two : SerialStopBits.One,
            Rs485 = line.Rs485 is { } r ? new Rs485Settings
            {
                Enabled = r.Enabled,
                RtsOnSend = r.RtsOnSend,
                RtsAfterSend = r.RtsAfterSend,
                DelayRtsBeforeSendMs = r.DelayRtsBeforeSendMs,
                DelayRtsAfterSendMs = r.DelayRtsAfterSendMs,
                RxDuringTx = r.RxDuringTx,
                TerminateBus = r.TerminateBus,
            } : null,
        };
    }

    /// <summary>The line settings the GPIO driver requests for this metric.</summary>
    public static GpioLineSettings ToLineSettings(this GpioMetricConfig gpio)
    {
        ArgumentNullException.ThrowIfNull(gpio);
        var bias = gpio.Bias switch
        {
            GpioBiasSetting.AsIs => GpioBias.AsIs,
            GpioBiasSetting.Disabled => GpioBias.Disabled,
            GpioBiasSetting.PullUp => GpioBias.PullUp,
            GpioBiasSetting.PullDown => GpioBias.PullDown,
            _ => throw new ArgumentOutOfRangeException(nameof(gpio), gpio.Bias, "not a bias"),
        };
        if (gpio.Direction == GpioDirectionSetting.Output)
        {
            var drive = gpio.Drive switch
            {
                GpioDriveSetting.PushPull => GpioDrive.PushPull,
                GpioDriveSetting.OpenDrain => GpioDrive.OpenDrain,
                GpioDriveSetting.OpenSource => GpioDrive.OpenSource,
                _ => throw new ArgumentOutOfRangeException(nameof(gpio), gpio.Drive, "not a drive"),
            };
            return GpioLineSettings.Output(gpio.Initial, drive, gpio.ActiveLow) with { Bias = bias };
        }

        var edge = gpio.Edge switch
        {
            GpioEdgeSetting.None => GpioEdge.None,
            GpioEdgeSetting.Rising => GpioEdge.Rising,
            GpioEdgeSetting.Falling => GpioEdge.Falling,
            GpioEdgeSetting.Both => GpioEdge.Both,
            _ => throw new ArgumentOutOfRangeException(nameof(gpio), gpio.Edge, "not an edge"),
        };
        return GpioLineSettings.Input(edge, bias, gpio.ActiveLow, gpio.DebounceMs);
    }

    /// <summary>BME280/BMP280 options: <c>temperatureOversampling</c>, <c>pressureOversampling</c>, <c>humidityOversampling</c> (1, 2, 4, 8, 16; 0 skips), <c>filter</c> (0 = off, 2, 4, 8, 16).</summary>
    public static Bme280Options ToBme280Options(this I2cSensorConfig sensor)
    {
        ArgumentNullException.ThrowIfNull(sensor);
        var defaults = new Bme280Options();
        return new Bme280Options
        {
            Model = sensor.Type == I2cSensorKind.Bmp280 ? Bme280Model.Bmp280 : Bme280Model.Bme280,
            TemperatureOversampling = Oversampling(sensor, "temperatureOversampling") ?? defaults.TemperatureOversampling,
            PressureOversampling = Oversampling(sensor, "pressureOversampling") ?? defaults.PressureOversampling,
            HumidityOversampling = sensor.Type == I2cSensorKind.Bmp280
                ? Bme280Oversampling.Skipped
                : Oversampling(sensor, "humidityOversampling") ?? defaults.HumidityOversampling,
            Filter = Int(sensor, "filter") switch
            {
                null => defaults.Filter,
                0 => Bme280Filter.Off,
                2 => Bme280Filter.X2,
                4 => Bme280Filter.X4,
                8 => Bme280Filter.X8,
                _ => Bme280Filter.X16,
            },
        };
    }

    /// <summary>SHT3x options: <c>repeatability</c> (high, medium, low), <c>clockStretching</c> (true/false).</summary>
    public static Sht3xOptions ToSht3xOptions(this I2cSensorConfig sensor)
    {
        ArgumentNullException.ThrowIfNull(sensor);
        return new Sht3xOptions
        {
            Repeatability = sensor.Options.GetValueOrDefault("repeatability") switch
            {
                "medium" => Sht3xRepeatability.Medium,
                "low" => Sht3xRepeatability.Low,
                _ => Sht3xRepeatability.High,
            },
            ClockStretching = sensor.Options.GetValueOrDefault("clockStretching") == "true",
        };
    }

    /// <summary>
    /// ADS1115 options for the channels the device's metrics use (in the order given): <c>gain</c> (full scale in volts:
    /// 6.144, 4.096, 2.048, 1.024, 0.512, 0.256; default 4.096) applies to each, <c>dataRate</c> in samples per second.
    /// </summary>
    public static Ads1115Options ToAds1115Options(this I2cSensorConfig sensor, IEnumerable<string> channels)
    {
        ArgumentNullException.ThrowIfNull(sensor);
        ArgumentNullException.ThrowIfNull(channels);
        var gain = sensor.Options.GetValueOrDefault("gain") switch
        {
            "6.144" => Ads1115Gain.Fsr6144mV,
            "2.048" => Ads1115Gain.Fsr2048mV,
            "1.024" => Ads1115Gain.Fsr1024mV,
            "0.512" => Ads1115Gain.Fsr512mV,
            "0.256" => Ads1115Gain.Fsr256mV,
            _ => Ads1115Gain.Fsr4096mV,
        };
        return new Ads1115Options
        {
            Channels = channels.Distinct(StringComparer.Ordinal).Select(c => new Ads1115Channel(c, Ads1115Inputs[c], gain)).ToArray(),
            DataRate = Int(sensor, "dataRate") switch
            {
                8 => Ads1115DataRate.Sps8,
                16 => Ads1115DataRate.Sps16,
                32 => Ads1115DataRate.Sps32,
                64 => Ads1115DataRate.Sps64,
                250 => Ads1115DataRate.Sps250,
                475 => Ads1115DataRate.Sps475,
                860 => Ads1115DataRate.Sps860,
                _ => Ads1115DataRate.Sps128,
            },
        };
    }

    /// <summary>
    /// INA219 options: <c>shuntOhms</c> (default 0.1), <c>maxCurrentA</c> (default 3.2), <c>currentLsbA</c>, <c>busRangeV</c>
    /// (16 or 32), <c>shuntRangeMv</c> (40, 80, 160, 320; default: the smallest that holds maxCurrentA), <c>averaging</c>
    /// (samples per conversion for both ADCs: 1, 2, 4, 8, 16, 32, 64, 128).
    /// </summary>
    public static Ina219Options ToIna219Options(this I2cSensorConfig sensor)
    {
        ArgumentNullException.ThrowIfNull(sensor);
        var defaults = new Ina219Options();
        var adc = Int(sensor, "averaging") switch
        {
            null or 1 => Ina219Adc.Bits12,
            2 => Ina219Adc.Samples2,
            4 => Ina219Adc.Samples4,
            8 => Ina219Adc.Samples8,
            16 => Ina219Adc.Samples16,
            32 => Ina219Adc.Samples32,
            64 => Ina219Adc.Samples64,
            _ => Ina219Adc.Samples128,
        };
        return new Ina219Options
        {
            ShuntOhms = Double(sensor, "shuntOhms") ?? defaults.ShuntOhms,
            MaxExpectedCurrentAmps = Double(sensor, "maxCurrentA") ?? defaults.MaxExpectedCurrentAmps,
            CurrentLsbAmps = Double(sensor, "currentLsbA"),
            BusRange = Int(sensor, "busRangeV") == 16 ? Ina219BusRange.V16 : Ina219BusRange.V32,
            ShuntRange = Int(sensor, "shuntRangeMv") switch
            {
                null => null,
                40 => Ina219ShuntRange.Mv40,
                80 => Ina219ShuntRange.Mv80,
                160 => Ina219ShuntRange.Mv160,
                _ => Ina219ShuntRange.Mv320,
            },
            BusAdc = adc,
            ShuntAdc = adc,
        };
    }

    /// <summary>
    /// Register-reader options from the metrics of this sensor (those whose <see cref="I2cMetricConfig.Sensor"/> is
    /// <paramref name="sensorIndex"/>): options <c>registerAddressBytes</c> (0, 1, 2; default 1), <c>triggerCommand</c>
    /// (bytes, stored as "0x2C 0x06"), <c>triggerDelayMs</c>. A metric's type int16/uint16 with length 1 reads one byte.
    /// </summary>
    public static I2cRegisterReaderOptions ToRegisterReaderOptions(this I2cSensorConfig sensor, int sensorIndex, IEnumerable<MetricConfig> metrics)
    {
        ArgumentNullException.ThrowIfNull(sensor);
        ArgumentNullException.ThrowIfNull(metrics);
        var addressBytes = Int(sensor, "registerAddressBytes") ?? 1;
        return new I2cRegisterReaderOptions
        {
            Registers = metrics.Where(m => m.I2c?.Sensor == sensorIndex).Select(m => new I2cRegisterDefinition
            {
                Name = m.Name,
                Register = addressBytes == 0 ? 0 : I2cSensorCatalog.RegisterNumber(m.I2c!.Channel),
                RegisterAddressBytes = addressBytes,
                Type = RegisterValueType(m.Type, m.I2c!.Length),
                ByteOrder = m.Order.ToI2c(),
                Scale = m.Scale ?? 1,
                Offset = m.Offset ?? 0,
                Units = m.Units ?? "",
            }).ToArray(),
            TriggerCommand = sensor.Options.TryGetValue("triggerCommand", out var bytes)
                ? bytes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(b => (byte)I2cSensorCatalog.RegisterNumber(b)).ToArray()
                : [],
            TriggerDelayMs = Int(sensor, "triggerDelayMs") ?? 0,
        };
    }

    /// <summary>The register reader's value type for a metric type and its length in bytes (1 = an 8-bit register).</summary>
    public static I2cValueType RegisterValueType(MetricDataType type, int lengthBytes) => type switch
    {
        MetricDataType.Int16 => lengthBytes == 1 ? I2cValueType.Int8 : I2cValueType.Int16,
        MetricDataType.UInt16 => lengthBytes == 1 ? I2cValueType.UInt8 : I2cValueType.UInt16,
        MetricDataType.Int32 => I2cValueType.Int32,
        MetricDataType.UInt32 => I2cValueType.UInt32,
        MetricDataType.Int64 => I2cValueType.Int64,
        MetricDataType.UInt64 => I2cValueType.UInt64,
        MetricDataType.Float32 => I2cValueType.Float32,
        MetricDataType.Float64 => I2cValueType.Float64,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "register sensors read numbers"),
    };

    private static Bme280Oversampling? Oversampling(I2cSensorConfig sensor, string key) => Int(sensor, key) switch
    {
        null => null,
        0 => Bme280Oversampling.Skipped,
        1 => Bme280Oversampling.X1,
        2 => Bme280Oversampling.X2,
        4 => Bme280Oversampling.X4,
        8 => Bme280Oversampling.X8,
        _ => Bme280Oversampling.X16,
    };

    private static int? Int(I2cSensorConfig sensor, string key) =>
        sensor.Options.TryGetValue(key, out var text) ? int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture) : null;

    private static double? Double(I2cSensorConfig sensor, string key) =>
        sensor.Options.TryGetValue(key, out var text) ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) : null;
}
