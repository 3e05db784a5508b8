using System.Globalization;
using EdgeNode.Configuration;
using EdgeNode.I2c;
using EdgeNode.Sparkplug;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Engine.Devices.I2c;

/// <summary>How one metric's value comes out of its sensor's read.</summary>
/// <param name="Sensor">Index of the sensor in the device.</param>
/// <param name="Channel">The sensor channel's name (case-insensitive).</param>
/// <param name="Factor">Unit conversion from the channel's unit to the metric's (1 when none).</param>
/// <param name="Scaled">The metric has scale/offset: value × Scale + Offset, published as Double.</param>
/// <param name="Scale">Scale of a scaled metric.</param>
/// <param name="Offset">Offset of a scaled metric.</param>
/// <param name="Published">The Sparkplug datatype published.</param>
/// <param name="RegisterType">For register metrics without scale: the configuration type the raw value is published as.</param>
/// <param name="Bit">For bool register metrics: the bit tested (null: any bit set).</param>
internal readonly record struct I2cMetricBinding(int Sensor, string Channel, double Factor, bool Scaled, double Scale, double Offset,
    SparkplugDataType Published, MetricDataType? RegisterType, int? Bit)
{
    /// <summary>The published value of a raw channel value; false for values that cannot be published (NaN, out of range).</summary>
    public bool TryConvert(double raw, out SparkplugValue value)
    {
        value = default;
        if (!double.IsFinite(raw))
        {
            return false;
        }

        if (RegisterType is not { } type || Scaled)
        {
            var engineering = raw * Factor;
            value = SparkplugValue.FromDouble(Scaled ? engineering * Scale + Offset : engineering);
            return true;
        }

        // Raw register values are integers decoded exactly into a double (64-bit ones beyond 2^53 lose their low bits).
        value = type switch
        {
            MetricDataType.Bool => SparkplugValue.FromBoolean(Bit is { } bit ? ((ulong)(long)raw >> bit & 1) != 0 : raw != 0),
            MetricDataType.Int16 => SparkplugValue.FromInt16((short)raw),
            MetricDataType.UInt16 => SparkplugValue.FromUInt16((ushort)raw),
            MetricDataType.Int32 => SparkplugValue.FromInt32((int)raw),
            MetricDataType.UInt32 => SparkplugValue.FromUInt32((uint)raw),
            MetricDataType.Int64 => SparkplugValue.FromInt64((long)raw),
            MetricDataType.UInt64 => SparkplugValue.FromUInt64(raw >= 18446744073709551615.0 ? ulong.MaxValue : (ulong)raw),
            MetricDataType.Float32 => SparkplugValue.FromFloat((float)raw),
            _ => SparkplugValue.FromDouble(raw),
        };
        return true;
    }
}

/// <summary>One sensor of an I2C device with the buffer its reads fill.</summary>
internal sealed class I2cSensorSlot(II2cSensor sensor, string description)
{
    public II2cSensor Sensor { get; } = sensor;

    /// <summary>"BME280 at 0x76 on /dev/i2c-1" for messages.</summary>
    public string Description { get; } = description;

    public double[] Values { get; set; } = new double[Math.Max(1, sensor.Channels.Count)];

    public I2cResult LastResult { get; set; }

    /// <summary>The sensor failed in the previous scan (logged once per outage).</summary>
    public bool Failing { get; set; }

    /// <summary>The index of channel <paramref name="name"/> in the sensor's current channel list, or -1.</summary>
    public int IndexOf(string name)
    {
        var channels = Sensor.Channels;
        for (var i = 0; i < channels.Count; i++)
        {
            if (string.Equals(channels[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>
/// Builds the sensor drivers of an I2C device from its configuration: the driver per <see cref="I2cSensorConfig.Type"/>
/// with its options parsed from the configuration's strings, and for each metric where its value comes from. Every
/// problem found is reported in one <see cref="ArgumentException"/> naming the device, sensor, metric and option.
/// </summary>
internal static class I2cSensorBuilder
{
    /// <summary>Option names each sensor type accepts (camelCase, as in the configuration file).</summary>
    public static IReadOnlyList<string> OptionsOf(I2cSensorKind kind) => kind switch
    {
        I2cSensorKind.Bme280 => ["temperatureOversampling", "pressureOversampling", "humidityOversampling", "filter"],
        I2cSensorKind.Bmp280 => ["temperatureOversampling", "pressureOversampling", "filter"],
        I2cSensorKind.Sht3x => ["repeatability", "clockStretching"],
        I2cSensorKind.Ads1115 => ["gain", "dataRate"],
        I2cSensorKind.Ina219 => ["shuntOhms", "maxCurrentA", "currentLsbA", "busRangeV", "shuntRangeMv", "averaging"],
        I2cSensorKind.Register => ["registerAddressBytes", "triggerCommand", "triggerDelayMs"],
        _ => [],
    };

    /// <summary>Channel names each sensor type offers, with their units.</summary>
    public static IReadOnlyList<(string Name, string Units)> ChannelsOf(I2cSensorKind kind) => kind switch
    {
        I2cSensorKind.Bme280 => [("temperature", "°C"), ("pressure", "Pa"), ("humidity", "%RH")],
        I2cSensorKind.Bmp280 => [("temperature", "°C"), ("pressure", "Pa")],
        I2cSensorKind.Sht3x => [("temperature", "°C"), ("humidity", "%RH")],
        I2cSensorKind.Ads1115 =>
        [
            ("ain0", "V"), ("ain1", "V"), ("ain2", "V"), ("ain3", "V"),
            ("ain0-ain1", "V"), ("ain0-ain3", "V"), ("ain1-ain3", "V"), ("ain2-ain3", "V"),
        ],
        I2cSensorKind.Ina219 => [("busVoltage", "V"), ("shuntVoltage", "V"), ("current", "A"), ("power", "W")],
        _ => [],
    };

    /// <summary>
    /// Conversions from a channel's unit to a metric's <c>units</c> (applied only when the metric has no scale/offset,
    /// which would otherwise convert twice): the datasheets' Pa, V, A, W to what cabinets are usually labelled in.
    /// </summary>
    public static double UnitFactor(string channelUnits, string? metricUnits) => (channelUnits, metricUnits) switch
    {
        ("Pa", "hPa" or "mbar") => 0.01,
        ("Pa", "kPa") => 0.001,
        ("Pa", "bar") => 1e-5,
        ("V", "mV") or ("A", "mA") or ("W", "mW") => 1000,
        _ => 1,
    };

    /// <summary>Creates every sensor of <paramref name="device"/> on <paramref name="bus"/> and binds each metric to one.</summary>
    /// <exception cref="ArgumentException">The configuration names an unknown channel or option, or a value is out of range.</exception>
    /// <exception cref="I2cException">A kernel driver owns a sensor's address.</exception>
    public static (I2cSensorSlot?[] Sensors, I2cMetricBinding[] Metrics) Build(DeviceConfig device, I2cBus bus, ILogger logger)
    {
        var i2c = device.I2c ?? throw new ArgumentException($"Device '{device.Id}' has no i2c section.", nameof(device));
        var problems = new List<string>();
        var metricsOf = new List<int>[i2c.Sensors.Count];
        for (var s = 0; s < metricsOf.Length; s++)
        {
            metricsOf[s] = [];
        }

        for (var m = 0; m < device.Metrics.Count; m++)
        {
            var source = device.Metrics[m].I2c;
            if (source is null)
            {
                problems.Add($"metric '{device.Metrics[m].Name}': names no I2C sensor");
            }
            else if (source.Sensor < 0 || source.Sensor >= i2c.Sensors.Count)
            {
                problems.Add($"metric '{device.Metrics[m].Name}': sensor {source.Sensor} does not exist (the device has {i2c.Sensors.Count})");
            }
            else
            {
                metricsOf[source.Sensor].Add(m);
            }
        }

        var bindings = new I2cMetricBinding[device.Metrics.Count];
        var factories = new List<(int Index, Func<I2cDevice, II2cSensor> Create, string Name)>();
        for (var s = 0; s < i2c.Sensors.Count; s++)
        {
            var sensor = i2c.Sensors[s];
            var name = $"sensor {s} ({sensor.Type.ToString().ToLowerInvariant()} at 0x{sensor.Address:X2})";
            var before = problems.Count;
            if (sensor.Address is < 0x03 or > 0x77)
            {
                problems.Add($"{name}: address 0x{sensor.Address:X2} is not a 7-bit device address (0x03..0x77)");
            }

            foreach (var key in sensor.Options.Keys.Where(k => !OptionsOf(sensor.Type).Contains(k, StringComparer.Ordinal)))
            {
                var known = OptionsOf(sensor.Type);
                problems.Add($"{name}: unknown option '{key}'" + (known.Count == 0 ? "; this sensor takes none" : $"; known: {string.Join(", ", known)}"));
            }

            var create = sensor.Type == I2cSensorKind.Register
                ? RegisterSensor(device, sensor, metricsOf[s], s, name, bindings, problems, logger)
                : NamedSensor(device, sensor, metricsOf[s], s, name, bindings, problems, logger);
            // A sensor no metric reads is checked but not polled: it would only cost bus time.
            if (problems.Count == before && create is not null && metricsOf[s].Count > 0)
            {
                factories.Add((s, create, name));
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"I2C device '{device.Id}': {string.Join("; ", problems)}", nameof(device));
        }

        var slots = new I2cSensorSlot?[i2c.Sensors.Count];
        foreach (var (index, create, _) in factories)
        {
            var sensor = create(bus.CreateDevice(i2c.Sensors[index].Address));
            slots[index] = new I2cSensorSlot(sensor, $"{sensor.Model} at 0x{sensor.Device.Address:X2} on {bus.Name}");
        }

        return (slots, bindings);
    }

    private static Func<I2cDevice, II2cSensor>? NamedSensor(DeviceConfig device, I2cSensorConfig sensor, List<int> metrics, int s,
        string name, I2cMetricBinding[] bindings, List<string> problems, ILogger logger)
    {
        var channels = ChannelsOf(sensor.Type);
        var used = new List<string>();
        foreach (var m in metrics)
        {
            var metric = device.Metrics[m];
            var wanted = metric.I2c!.Channel.Trim();
            var channel = channels.FirstOrDefault(c => string.Equals(c.Name, wanted, StringComparison.OrdinalIgnoreCase));
            if (channel.Name is null)
            {
                problems.Add($"metric '{metric.Name}': {name} has no channel '{wanted}'; it has {string.Join(", ", channels.Select(c => c.Name))}");
                continue;
            }

            if (!used.Contains(channel.Name))
            {
                used.Add(channel.Name);
            }

            bindings[m] = new I2cMetricBinding(s, channel.Name, metric.IsScaled ? 1 : UnitFactor(channel.Units, metric.Units),
                metric.IsScaled, metric.Scale ?? 1, metric.Offset ?? 0, SparkplugDataType.Double, null, null);
        }

        var options = new OptionReader(sensor.Options, name, problems);
        switch (sensor.Type)
        {
            case I2cSensorKind.Bme280:
            case I2cSensorKind.Bmp280:
                var bme = new Bme280Options
                {
                    Model = sensor.Type == I2cSensorKind.Bme280 ? Bme280Model.Bme280 : Bme280Model.Bmp280,
                    TemperatureOversampling = options.Oversampling("temperatureOversampling", Bme280Oversampling.X1),
                    PressureOversampling = options.Oversampling("pressureOversampling", Bme280Oversampling.X1),
                    HumidityOversampling = sensor.Type == I2cSensorKind.Bmp280
                        ? Bme280Oversampling.Skipped
                        : options.Oversampling("humidityOversampling", Bme280Oversampling.X1),
                    Filter = options.Filter("filter"),
                };
                if (bme.TemperatureOversampling == Bme280Oversampling.Skipped)
                {
                    problems.Add($"{name}: temperature cannot be skipped (pressure and humidity are compensated with it)");
                }

                if (bme.PressureOversampling == Bme280Oversampling.Skipped && used.Contains("pressure"))
                {
                    problems.Add($"{name}: pressure is skipped (pressureOversampling) but a metric reads it");
                }

                if (bme.HumidityOversampling == Bme280Oversampling.Skipped && used.Contains("humidity"))
                {
                    problems.Add($"{name}: humidity is skipped (humidityOversampling) but a metric reads it");
                }

                return device => new Bme280(device, bme, logger);

            case I2cSensorKind.Sht3x:
                var sht = new Sht3xOptions
                {
                    Repeatability = options.Enum("repeatability", Sht3xRepeatability.High),
                    ClockStretching = options.Bool("clockStretching", false),
                };
                return device => new Sht3x(device, sht, logger);

            case I2cSensorKind.Ads1115:
                var gain = options.Gain("gain");
                var ads = new Ads1115Options
                {
                    // Only the inputs that metrics read are converted: each conversion costs a data-rate period.
                    Channels = [.. used.Select(c => new Ads1115Channel(c, AdsInput(c), gain))],
                    DataRate = options.DataRate("dataRate"),
                };
                return ads.Channels.Count == 0 ? null : device => new Ads1115(device, ads, logger);

            case I2cSensorKind.Ina219:
                var defaults = new Ina219Options();
                var adc = options.Averaging("averaging");
                var ina = new Ina219Options
                {
                    ShuntOhms = options.Double("shuntOhms", defaults.ShuntOhms),
                    MaxExpectedCurrentAmps = options.Double("maxCurrentA", defaults.MaxExpectedCurrentAmps),
                    CurrentLsbAmps = options.Has("currentLsbA") ? options.Double("currentLsbA", 0) : null,
                    BusRange = options.BusRange("busRangeV"),
                    ShuntRange = options.ShuntRange("shuntRangeMv"),
                    BusAdc = adc,
                    ShuntAdc = adc,
                };
                var inaProblems = ina.Validate();
                problems.AddRange(inaProblems.Select(p => $"{name}: {p.Replace("maxExpectedCurrentAmps", "maxCurrentA", StringComparison.Ordinal)}"));
                if (inaProblems.Count == 0)
                {
                    try
                    {
                        Ina219Calibration.Compute(ina);
                    }
                    catch (ArgumentException ex)
                    {
                        problems.Add($"{name}: {ex.Message}");
                    }
                }

                return device => new Ina219(device, ina, logger);

            default:
                problems.Add($"{name}: no driver for sensor type {sensor.Type}");
                return null;
        }
    }

    private static Ads1115Input AdsInput(string channel) => channel switch
    {
        "ain0" => Ads1115Input.Ain0,
        "ain1" => Ads1115Input.Ain1,
        "ain2" => Ads1115Input.Ain2,
        "ain3" => Ads1115Input.Ain3,
        "ain0-ain1" => Ads1115Input.Ain0MinusAin1,
        "ain0-ain3" => Ads1115Input.Ain0MinusAin3,
        "ain1-ain3" => Ads1115Input.Ain1MinusAin3,
        _ => Ads1115Input.Ain2MinusAin3,
    };

    private static Func<I2cDevice, II2cSensor>? RegisterSensor(DeviceConfig device, I2cSensorConfig sensor, List<int> metrics, int s,
        string name, I2cMetricBinding[] bindings, List<string> problems, ILogger logger)
    {
        var options = new OptionReader(sensor.Options, name, problems);
        var addressBytes = options.Int("registerAddressBytes", 1, 0, 2);
        var trigger = options.Bytes("triggerCommand");
        var triggerDelay = options.Int("triggerDelayMs", 0, 0, 10_000);
        var registers = new List<I2cRegisterDefinition>();
        foreach (var m in metrics)
        {
            var metric = device.Metrics[m];
            var source = metric.I2c!;
            var at = $"metric '{metric.Name}'";
            if (!TryParseRegister(source.Channel, out var register))
            {
                problems.Add($"{at}: register '{source.Channel}' is not a number (e.g. 0x0E or 14)");
                continue;
            }

            var bytes = addressBytes;
            if (bytes > 0 && register >= 1 << (8 * bytes))
            {
                problems.Add($"{at}: register 0x{register:X} does not fit registerAddressBytes {bytes}");
                continue;
            }

            if (!TryRegisterType(metric, source.Length, out var type, out var error))
            {
                problems.Add($"{at}: {error}");
                continue;
            }

            registers.Add(new I2cRegisterDefinition
            {
                // Metric names are unique within a device, so they name the reader's channels.
                Name = metric.Name,
                Register = register,
                RegisterAddressBytes = bytes,
                Type = type,
                ByteOrder = metric.Order switch
                {
                    EdgeNode.Modbus.ModbusByteOrder.CDAB => I2cByteOrder.Cdab,
                    EdgeNode.Modbus.ModbusByteOrder.BADC => I2cByteOrder.Badc,
                    EdgeNode.Modbus.ModbusByteOrder.DCBA => I2cByteOrder.Dcba,
                    _ => I2cByteOrder.Abcd,
                },
                Units = metric.Units ?? "",
            });
            bindings[m] = new I2cMetricBinding(s, metric.Name, 1, metric.IsScaled, metric.Scale ?? 1, metric.Offset ?? 0,
                metric.IsScaled ? SparkplugDataType.Double : Published(metric.Type), metric.Type, metric.Bit);
        }

        if (registers.Count == 0)
        {
            return null;
        }

        var readerOptions = new I2cRegisterReaderOptions { Registers = registers, TriggerCommand = trigger, TriggerDelayMs = triggerDelay };
        problems.AddRange(readerOptions.Validate().Select(p => $"{name}: {p}"));
        return device => new I2cRegisterReader(device, readerOptions, logger);
    }

    /// <summary>A register address as written: hexadecimal with 0x (0x0E), else decimal (14).</summary>
    internal static bool TryParseRegister(string text, out int register)
    {
        var t = text.Trim();
        return t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? int.TryParse(t.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out register) && register >= 0
            : int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out register);
    }

    /// <summary>
    /// The bytes a register metric reads: its type's size, or with <c>length: 1</c> an 8-bit value for int16/uint16 (and
    /// bool); bool reads a byte, or a 16-bit word with <c>length: 2</c> or a bit above 7.
    /// </summary>
    internal static bool TryRegisterType(MetricConfig metric, int length, out I2cValueType type, out string? error)
    {
        error = null;
        (type, var size) = metric.Type switch
        {
            MetricDataType.Bool => metric.Bit > 7 || length == 2 ? (I2cValueType.UInt16, 2) : (I2cValueType.UInt8, 1),
            MetricDataType.Int16 => length == 1 ? (I2cValueType.Int8, 1) : (I2cValueType.Int16, 2),
            MetricDataType.UInt16 => length == 1 ? (I2cValueType.UInt8, 1) : (I2cValueType.UInt16, 2),
            MetricDataType.Int32 => (I2cValueType.Int32, 4),
            MetricDataType.UInt32 => (I2cValueType.UInt32, 4),
            MetricDataType.Int64 => (I2cValueType.Int64, 8),
            MetricDataType.UInt64 => (I2cValueType.UInt64, 8),
            MetricDataType.Float32 => (I2cValueType.Float32, 4),
            MetricDataType.Float64 => (I2cValueType.Float64, 8),
            _ => (I2cValueType.UInt8, -1),
        };
        if (size < 0)
        {
            error = $"type {metric.Type.ToString().ToLowerInvariant()} cannot be read from I2C registers (numbers and bool only)";
            return false;
        }

        if (length != 0 && length != size)
        {
            error = $"length {length} does not fit type {metric.Type.ToString().ToLowerInvariant()} ({size} byte(s))";
            return false;
        }

        if (metric.Bit is { } bit && (metric.Type != MetricDataType.Bool || bit is < 0 or > 15))
        {
            error = $"bit {bit} needs type bool and 0..15";
            return false;
        }

        return true;
    }

    internal static SparkplugDataType Published(MetricDataType type) => type switch
    {
        MetricDataType.Bool => SparkplugDataType.Boolean,
        MetricDataType.Int16 => SparkplugDataType.Int16,
        MetricDataType.UInt16 => SparkplugDataType.UInt16,
        MetricDataType.Int32 => SparkplugDataType.Int32,
        MetricDataType.UInt32 => SparkplugDataType.UInt32,
        MetricDataType.Int64 => SparkplugDataType.Int64,
        MetricDataType.UInt64 => SparkplugDataType.UInt64,
        MetricDataType.Float32 => SparkplugDataType.Float,
        MetricDataType.Float64 => SparkplugDataType.Double,
        _ => SparkplugDataType.String,
    };

    /// <summary>Reads driver options from their configuration strings, adding a problem for each bad value.</summary>
    private sealed class OptionReader(IReadOnlyDictionary<string, string> options, string sensor, List<string> problems)
    {
        public bool Has(string key) => options.ContainsKey(key);

        private bool TryGet(string key, out string value)
        {
            if (options.TryGetValue(key, out var raw) && raw is not null)
            {
                value = raw.Trim();
                return true;
            }

            value = "";
            return false;
        }

        private T Bad<T>(string key, string value, string expected, T fallback)
        {
            problems.Add($"{sensor}: option {key}: '{value}' is not {expected}");
            return fallback;
        }

        public double Double(string key, double fallback)
        {
            if (!TryGet(key, out var text))
            {
                return fallback;
            }

            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
                ? value
                : Bad(key, text, "a number", fallback);
        }

        public int Int(string key, int fallback, int min, int max)
        {
            if (!TryGet(key, out var text))
            {
                return fallback;
            }

            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
                ? value
                : Bad(key, text, $"an integer {min}..{max}", fallback);
        }

        public bool Bool(string key, bool fallback)
        {
            if (!TryGet(key, out var text))
            {
                return fallback;
            }

            return bool.TryParse(text, out var value) ? value : Bad(key, text, "true or false", fallback);
        }

        public T Enum<T>(string key, T fallback)
            where T : struct, Enum
        {
            if (!TryGet(key, out var text))
            {
                return fallback;
            }

            return System.Enum.TryParse<T>(text, ignoreCase: true, out var value) && System.Enum.IsDefined(value) && !text.Any(char.IsDigit)
                ? value
                : Bad(key, text, string.Join(", ", System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant())), fallback);
        }

        /// <summary>1, 2, 4, 8, 16 (or x1..x16); 0 or skip leaves the value unmeasured.</summary>
        public Bme280Oversampling Oversampling(string key, Bme280Oversampling fallback)
        {
            if (!TryGet(key, out var text))
            {
                return fallback;
            }

            return text.TrimStart('x', 'X') switch
            {
                "0" or "skip" or "skipped" or "off" => Bme280Oversampling.Skipped,
                "1" => Bme280Oversampling.X1,
                "2" => Bme280Oversampling.X2,
                "4" => Bme280Oversampling.X4,
                "8" => Bme280Oversampling.X8,
                "16" => Bme280Oversampling.X16,
                _ => Bad(key, text, "1, 2, 4, 8, 16 or skip", fallback),
            };
        }

        /// <summary>IIR coefficient: off (0), 2, 4, 8, 16.</summary>
        public Bme280Filter Filter(string key)
        {
            if (!TryGet(key, out var text))
            {
                return Bme280Filter.Off;
            }

            return text.TrimStart('x', 'X') switch
            {
                "0" or "1" or "off" => Bme280Filter.Off,
                "2" => Bme280Filter.X2,
                "4" => Bme280Filter.X4,
                "8" => Bme280Filter.X8,
                "16" => Bme280Filter.X16,
                _ => Bad(key, text, "off, 2, 4, 8 or 16", Bme280Filter.Off),
            };
        }

        /// <summary>Full-scale range in volts: 6.144, 4.096, 2.048, 1.024, 0.512, 0.256 (a V suffix or ± is fine).</summary>
        public Ads1115Gain Gain(string key)
        {
            if (!TryGet(key, out var text))
            {
                return Ads1115Gain.Fsr4096mV;
            }

            var number = text.TrimStart('±', '+').TrimEnd('V', 'v').Trim();
            return number switch
            {
                "6.144" => Ads1115Gain.Fsr6144mV,
                "4.096" => Ads1115Gain.Fsr4096mV,
                "2.048" => Ads1115Gain.Fsr2048mV,
                "1.024" => Ads1115Gain.Fsr1024mV,
                "0.512" or ".512" => Ads1115Gain.Fsr512mV,
                "0.256" or ".256" => Ads1115Gain.Fsr256mV,
                _ => Bad(key, text, "a full-scale range of 6.144, 4.096, 2.048, 1.024, 0.512 or 0.256 (volts)", Ads1115Gain.Fsr4096mV),
            };
        }

        /// <summary>Samples per second: 8, 16, 32, 64, 128, 250, 475, 860.</summary>
        public Ads1115DataRate DataRate(string key)
        {
            if (!TryGet(key, out var text))
            {
                return Ads1115DataRate.Sps128;
            }

            return text switch
            {
                "8" => Ads1115DataRate.Sps8,
                "16" => Ads1115DataRate.Sps16,
                "32" => Ads1115DataRate.Sps32,
                "64" => Ads1115DataRate.Sps64,
                "128" => Ads1115DataRate.Sps128,
                "250" => Ads1115DataRate.Sps250,
                "475" => Ads1115DataRate.Sps475,
                "860" => Ads1115DataRate.Sps860,
                _ => Bad(key, text, "8, 16, 32, 64, 128, 250, 475 or 860 (samples per second)", Ads1115DataRate.Sps128),
            };
        }

        /// <summary>16 or 32 (volts).</summary>
        public Ina219BusRange BusRange(string key)
        {
            if (!TryGet(key, out var text))
            {
                return Ina219BusRange.V32;
            }

            return text.TrimEnd('V', 'v').Trim() switch
            {
                "16" => Ina219BusRange.V16,
                "32" => Ina219BusRange.V32,
                _ => Bad(key, text, "16 or 32 (volts)", Ina219BusRange.V32),
            };
        }

        /// <summary>40, 80, 160 or 320 (millivolts); absent picks the smallest that holds maxCurrentA × shuntOhms.</summary>
        public Ina219ShuntRange? ShuntRange(string key)
        {
            if (!TryGet(key, out var text))
            {
                return null;
            }

            var number = text.EndsWith("mV", StringComparison.OrdinalIgnoreCase) ? text[..^2].Trim() : text;
            return number switch
            {
                "40" => Ina219ShuntRange.Mv40,
                "80" => Ina219ShuntRange.Mv80,
                "160" => Ina219ShuntRange.Mv160,
                "320" => Ina219ShuntRange.Mv320,
                _ => Bad<Ina219ShuntRange?>(key, text, "40, 80, 160 or 320 (millivolts)", null),
            };
        }

        /// <summary>Samples averaged per conversion, for both ADCs: 1 (12-bit), 2, 4, … 128.</summary>
        public Ina219Adc Averaging(string key)
        {
            if (!TryGet(key, out var text))
            {
                return Ina219Adc.Bits12;
            }

            return text switch
            {
                "1" => Ina219Adc.Bits12,
                "2" => Ina219Adc.Samples2,
                "4" => Ina219Adc.Samples4,
                "8" => Ina219Adc.Samples8,
                "16" => Ina219Adc.Samples16,
                "32" => Ina219Adc.Samples32,
                "64" => Ina219Adc.Samples64,
                "128" => Ina219Adc.Samples128,
                _ => Bad(key, text, "1, 2, 4, 8, 16, 32, 64 or 128", Ina219Adc.Bits12),
            };
        }

        /// <summary>Hex bytes: "0x2C06", "2C 06", "0x2C 0x06".</summary>
        public IReadOnlyList<byte> Bytes(string key)
        {
            if (!TryGet(key, out var text) || text.Length == 0)
            {
                return [];
            }

            var hex = string.Concat(text.Split([' ', ',', ':'], StringSplitOptions.RemoveEmptyEntries)
                .Select(part => part.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? part[2..] : part));
            if (hex.Length == 0 || hex.Length % 2 != 0 || hex.Length > 64 || !hex.All(char.IsAsciiHexDigit))
            {
                return Bad<IReadOnlyList<byte>>(key, text, "hexadecimal bytes such as 0x2C06 or '2C 06'", []);
            }

            return Convert.FromHexString(hex);
        }
    }
}
