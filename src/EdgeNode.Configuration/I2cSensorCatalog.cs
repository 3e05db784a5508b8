using System.Globalization;
using EdgeNode.I2c;
using EdgeNode.Modbus;

namespace EdgeNode.Configuration;

/// <summary>
/// What the configuration knows about each I2C sensor driver: its channels, the addresses the chip can have, and how
/// the validated <see cref="I2cSensorConfig.Options"/> become the driver's option record.
/// </summary>
public static class I2cSensorCatalog
{
    private static readonly I2cSensorChannel Temperature = new("Temperature", "°C");
    private static readonly I2cSensorChannel Pressure = new("Pressure", "Pa");
    private static readonly I2cSensorChannel Humidity = new("Humidity", "%RH");

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

    /// <summary>
    /// Every channel a driver can report (names as the drivers name them; a metric's <c>channel</c> is matched without
    /// regard to case and stored in this spelling). Empty for <see cref="I2cSensorKind.Register"/>: its metrics name registers.
    /// </summary>
    public static IReadOnlyList<I2cSensorChannel> Channels(I2cSensorKind kind) => kind switch
    {
        I2cSensorKind.Bme280 => [Temperature, Pressure, Humidity],
        I2cSensorKind.Bmp280 => [Temperature, Pressure],
        I2cSensorKind.Sht3x => [Temperature, Humidity],
        I2cSensorKind.Ads1115 => Ads1115Inputs.Keys.Select(k => new I2cSensorChannel(k, "V")).ToArray(),
        I2cSensorKind.Ina219 => [new("BusVoltage", "V"), new("ShuntVoltage", "V"), new("Current", "A"), new("Power", "W")],
        _ => [],
    };

    /// <summary>The 7-bit addresses the chip can be strapped to (any of 0x03..0x77 for register devices).</summary>
    public static IReadOnlyList<int> Addresses(I2cSensorKind kind) => kind switch
    {
        I2cSensorKind.Bme280 or I2cSensorKind.Bmp280 => [0x76, 0x77],
        I2cSensorKind.Sht3x => [0x44, 0x45],
        I2cSensorKind.Ads1115 => [0x48, 0x49, 0x4A, 0x4B],
        I2cSensorKind.Ina219 => Enumerable.Range(0x40, 16).ToArray(),
        _ => Enumerable.Range(0x03, 0x77 - 0x03 + 1).ToArray(),
    };

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
                Register = addressBytes == 0 ? 0 : RegisterNumber(m.I2c!.Channel),
                RegisterAddressBytes = addressBytes,
                Type = RegisterValueType(m.Type, m.I2c!.Length),
                ByteOrder = m.Order switch
                {
                    ModbusByteOrder.CDAB => I2cByteOrder.Cdab,
                    ModbusByteOrder.BADC => I2cByteOrder.Badc,
                    ModbusByteOrder.DCBA => I2cByteOrder.Dcba,
                    _ => I2cByteOrder.Abcd,
                },
                Scale = m.Scale ?? 1,
                Offset = m.Offset ?? 0,
                Units = m.Units ?? "",
            }).ToArray(),
            TriggerCommand = sensor.Options.TryGetValue("triggerCommand", out var bytes)
                ? bytes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(b => (byte)RegisterNumber(b)).ToArray()
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

    /// <summary>A register number as written in the file (decimal or 0x hex).</summary>
    public static int RegisterNumber(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Trim();
        return s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? int.Parse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
            : int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture);
    }

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
