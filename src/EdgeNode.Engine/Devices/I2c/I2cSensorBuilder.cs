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
/// with its options converted by <see cref="ConfigMapping"/> (the INA219 limits the loader checks are held equal to the
/// driver's by ConfigMappingTests), and for each metric where its value comes from. Every problem found is
/// reported in one <see cref="ArgumentException"/> naming the device, sensor and metric.
/// </summary>
internal static class I2cSensorBuilder
{
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
    /// <exception cref="ArgumentException">The configuration names an unknown channel, or an option value is out of range.</exception>
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
        var factories = new List<(int Index, Func<I2cDevice, II2cSensor> Create)>();
        for (var s = 0; s < i2c.Sensors.Count; s++)
        {
            var sensor = i2c.Sensors[s];
            var name = $"sensor {s} ({sensor.Type.ToString().ToLowerInvariant()} at 0x{sensor.Address:X2})";
            var before = problems.Count;
            if (sensor.Address is < 0x03 or > 0x77)
            {
                problems.Add($"{name}: address 0x{sensor.Address:X2} is not a 7-bit device address (0x03..0x77)");
            }

            Func<I2cDevice, II2cSensor>? create;
            try
            {
                create = sensor.Type == I2cSensorKind.Register
                    ? RegisterSensor(device, sensor, metricsOf[s], s, bindings, problems, logger)
                    : NamedSensor(device, sensor, metricsOf[s], s, name, bindings, problems, logger);
            }
            catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException or KeyNotFoundException)
            {
                // The loader validated the options; a hand-built configuration may not have been.
                problems.Add($"{name}: invalid option value ({ex.Message})");
                create = null;
            }

            // A sensor no metric reads is checked but not polled: it would only cost bus time.
            if (problems.Count == before && create is not null && metricsOf[s].Count > 0)
            {
                factories.Add((s, create));
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"I2C device '{device.Id}': {string.Join("; ", problems)}", nameof(device));
        }

        var slots = new I2cSensorSlot?[i2c.Sensors.Count];
        foreach (var (index, create) in factories)
        {
            var sensor = create(bus.CreateDevice(i2c.Sensors[index].Address));
            slots[index] = new I2cSensorSlot(sensor, $"{sensor.Model} at 0x{sensor.Device.Address:X2} on {bus.Name}");
        }

        return (slots, bindings);
    }

    private static Func<I2cDevice, II2cSensor>? NamedSensor(DeviceConfig device, I2cSensorConfig sensor, List<int> metrics, int s,
        string name, I2cMetricBinding[] bindings, List<string> problems, ILogger logger)
    {
        var channels = I2cSensorCatalog.Channels(sensor.Type);
        var used = new List<string>();
        foreach (var m in metrics)
        {
            var metric = device.Metrics[m];
            var wanted = metric.I2c!.Channel.Trim();
            var channel = channels.FirstOrDefault(c => string.Equals(c.Name, wanted, StringComparison.OrdinalIgnoreCase));
            if (channel is null)
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

        switch (sensor.Type)
        {
            case I2cSensorKind.Bme280:
            case I2cSensorKind.Bmp280:
                var bme = sensor.ToBme280Options();
                if (bme.TemperatureOversampling == Bme280Oversampling.Skipped)
                {
                    problems.Add($"{name}: temperature cannot be skipped (pressure and humidity are compensated with it)");
                }

                if (bme.PressureOversampling == Bme280Oversampling.Skipped && used.Contains("Pressure"))
                {
                    problems.Add($"{name}: pressure is skipped (pressureOversampling 0) but a metric reads it");
                }

                if (bme.HumidityOversampling == Bme280Oversampling.Skipped && used.Contains("Humidity"))
                {
                    problems.Add($"{name}: humidity is skipped (humidityOversampling 0) but a metric reads it");
                }

                return device => new Bme280(device, bme, logger);

            case I2cSensorKind.Sht3x:
                var sht = sensor.ToSht3xOptions();
                return device => new Sht3x(device, sht, logger);

            case I2cSensorKind.Ads1115:
                // Only the inputs that metrics read are converted: each conversion costs a data-rate period.
                var ads = sensor.ToAds1115Options(used);
                return ads.Channels.Count == 0 ? null : device => new Ads1115(device, ads, logger);

            case I2cSensorKind.Ina219:
                var ina = sensor.ToIna219Options();
                var inaProblems = ina.Validate();
                problems.AddRange(inaProblems.Select(p => $"{name}: {p.Replace("maxExpectedCurrentAmps", "maxCurrentA", StringComparison.Ordinal)}"));
                if (inaProblems.Count == 0)
                {
                    Ina219Calibration.Compute(ina);
                }

                return device => new Ina219(device, ina, logger);

            default:
                problems.Add($"{name}: no driver for sensor type {sensor.Type}");
                return null;
        }
    }

    private static Func<I2cDevice, II2cSensor>? RegisterSensor(DeviceConfig device, I2cSensorConfig sensor, List<int> metrics, int s,
        I2cMetricBinding[] bindings, List<string> problems, ILogger logger)
    {
        // The trigger and its delay as the catalog reads them; the registers are built here, unscaled, so that unscaled
        // metrics keep their integer type (the catalog's definitions scale into a double).
        var common = sensor.ToRegisterReaderOptions(s, []);
        var addressBytes = sensor.Options.TryGetValue("registerAddressBytes", out var text)
            ? int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture)
            : 1;
        var registers = new List<I2cRegisterDefinition>();
        foreach (var m in metrics)
        {
            var metric = device.Metrics[m];
            var source = metric.I2c!;
            var at = $"metric '{metric.Name}'";
            var register = addressBytes == 0 ? 0 : I2cSensorCatalog.RegisterNumber(source.Channel);
            if (addressBytes is < 0 or > 2 || (addressBytes > 0 && (register < 0 || register >= 1 << (8 * addressBytes))))
            {
                problems.Add($"{at}: register {source.Channel} does not fit registerAddressBytes {addressBytes}");
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
                RegisterAddressBytes = addressBytes,
                Type = type,
                ByteOrder = metric.Order.ToI2c(),
                Units = metric.Units ?? "",
            });
            bindings[m] = new I2cMetricBinding(s, metric.Name, 1, metric.IsScaled, metric.Scale ?? 1, metric.Offset ?? 0,
                MetricTypes.ToSparkplug(metric), metric.Type, metric.Bit);
        }

        if (registers.Count == 0)
        {
            return null;
        }

        var readerOptions = common with { Registers = registers };
        problems.AddRange(readerOptions.Validate());
        return device => new I2cRegisterReader(device, readerOptions, logger);
    }

    /// <summary>
    /// The bytes a register metric reads: its type's size, or with <c>length: 1</c> an 8-bit value for int16/uint16;
    /// bool reads a byte, or a 16-bit word with <c>length: 2</c> or a bit above 7.
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
}
