using System.Globalization;
using EdgeNode.Configuration.Yaml;

namespace EdgeNode.Configuration.Loading;

internal sealed partial class ConfigReader
{
    internal static readonly string[] I2cKeys = ["bus"];
    internal static readonly string[] SensorCommonKeys = ["type", "address", "metrics"];
    internal static readonly string[] I2cChannelMetricKeys = ["name", "channel", "units", "deadband", "maxIntervalMs", "description", "engLow", "engHigh"];
    internal static readonly string[] I2cRegisterMetricKeys =
    [
        "name", "register", "type", "length", "order", "scale", "offset", "units", "deadband", "maxIntervalMs", "description", "engLow",
        "engHigh",
    ];

    internal static readonly Words<I2cSensorKind> SensorKinds = new(
        ("bme280", I2cSensorKind.Bme280), ("bmp280", I2cSensorKind.Bmp280), ("sht3x", I2cSensorKind.Sht3x), ("ads1115", I2cSensorKind.Ads1115),
        ("ina219", I2cSensorKind.Ina219), ("register", I2cSensorKind.Register));

    /// <summary>One driver option: its key and how to read it into the normalized text kept in <see cref="I2cSensorConfig.Options"/>.</summary>
    private sealed record OptionSpec(string Key, Func<MapView, string, string?> Read);

    private static OptionSpec Choice(string key, params int[] values) => new(key, (m, k) =>
    {
        var value = m.Int(k, int.MinValue, int.MaxValue);
        if (value is null)
        {
            return null;
        }

        if (!values.Contains(value.Value))
        {
            m.File.Error(m.Node(k)!, m.At(k), $"{value} is not one of {string.Join(", ", values)}");
            return null;
        }

        return value.Value.ToString(CultureInfo.InvariantCulture);
    });

    private static OptionSpec TextChoice(string key, params string[] values) => new(key, (m, k) =>
    {
        var value = m.Text(k);
        if (value is null)
        {
            return null;
        }

        var match = values.FirstOrDefault(v => string.Equals(v, value.Trim(), StringComparison.OrdinalIgnoreCase));
        if (match is null)
        {
            m.File.Error(m.Node(k)!, m.At(k), $"'{value}' is not one of {string.Join(", ", values)}");
        }

        return match;
    });

    private static OptionSpec Positive(string key, double max) => new(key, (m, k) =>
        m.Number(k, 0, max, minExclusive: true) is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : null);

    private static readonly OptionSpec[] BmeOptions =
    [
        Choice("temperatureOversampling", 1, 2, 4, 8, 16), Choice("pressureOversampling", 0, 1, 2, 4, 8, 16),
        Choice("humidityOversampling", 0, 1, 2, 4, 8, 16), Choice("filter", 0, 2, 4, 8, 16),
    ];

    private static IReadOnlyList<OptionSpec> Options(I2cSensorKind kind) => kind switch
    {
        I2cSensorKind.Bme280 => BmeOptions,
        I2cSensorKind.Bmp280 => BmeOptions.Where(o => o.Key != "humidityOversampling").ToArray(),
        I2cSensorKind.Sht3x =>
        [
            TextChoice("repeatability", "high", "medium", "low"),
            new("clockStretching", (m, k) => m.Bool(k) is { } b ? (b ? "true" : "false") : null),
        ],
        I2cSensorKind.Ads1115 =>
        [
            TextChoice("gain", "6.144", "4.096", "2.048", "1.024", "0.512", "0.256"),
            Choice("dataRate", 8, 16, 32, 64, 128, 250, 475, 860),
        ],
        I2cSensorKind.Ina219 =>
        [
            Positive("shuntOhms", 100), Positive("maxCurrentA", 1000), Positive("currentLsbA", 1), Choice("busRangeV", 16, 32),
            Choice("shuntRangeMv", 40, 80, 160, 320), Choice("averaging", 1, 2, 4, 8, 16, 32, 64, 128),
        ],
        _ =>
        [
            Choice("registerAddressBytes", 0, 1, 2),
            new("triggerCommand", ReadTriggerCommand),
            new("triggerDelayMs", (m, k) => m.Int(k, 0, 10_000)?.ToString(CultureInfo.InvariantCulture)),
        ],
    };

    private static string? ReadTriggerCommand(MapView m, string key)
    {
        var list = m.List(key);
        if (list is null)
        {
            return null;
        }

        var bytes = new List<string>();
        for (var i = 0; i < list.Items.Count; i++)
        {
            if (!m.File.TryInt(list.Items[i], $"{m.At(key)}[{i}]", 0, 255, out var b))
            {
                return null;
            }

            bytes.Add($"0x{b:X2}");
        }

        if (bytes.Count == 0)
        {
            m.File.Error(list, m.At(key), "give the bytes to write, e.g. [0x2C, 0x06], or leave triggerCommand out");
            return null;
        }

        return string.Join(' ', bytes);
    }

    private DeviceConfig? ReadI2cDevice(MapView d, string? id, DeviceEntry entry)
    {
        var i2c = d.Sub("i2c", I2cKeys);
        var bus = i2c is null ? null : ReadBus(i2c);
        entry.I2cBus = bus;
        d.Forbid("metrics", "an i2c device lists its metrics under each of its sensors:");
        var list = d.List("sensors", required: true);
        if (list is null)
        {
            return null;
        }

        if (list.Items.Count == 0)
        {
            _main.Error(list, d.At("sensors"), "an i2c device needs at least one sensor");
            return null;
        }

        var sensors = new List<I2cSensorConfig>();
        var metrics = new List<ParsedMetric>();
        var names = new List<NameRef>();
        var ok = true;
        for (var i = 0; i < list.Items.Count; i++)
        {
            var path = $"{d.At("sensors")}[{i}]";
            var sensor = ReadSensor(list.Items[i], path, i, metrics, names, entry);
            ok &= sensor is not null;
            if (sensor is not null)
            {
                sensors.Add(sensor);
            }
        }

        var before = _sink.Count;
        CheckUniqueNames(_main, names);
        if (!ok || _sink.Count != before || bus is null || id is null || d.Has("metrics"))
        {
            return null;
        }

        return new DeviceConfig
        {
            Id = id,
            Kind = DeviceKind.I2c,
            I2c = new I2cDeviceConfig { Bus = bus, Sensors = sensors },
            Metrics = metrics.Select(m => m.Metric).ToList(),
        };
    }

    /// <summary>A bus number (kept as decimal text) or a device path such as /dev/i2c-1.</summary>
    private static string? ReadBus(MapView i2c)
    {
        var node = i2c.Required("bus");
        if (node is null)
        {
            return null;
        }

        if (node is YScalar { IsPlain: true } s && Numbers.LooksLikeNumber(s.Value))
        {
            return i2c.File.TryInt(node, i2c.At("bus"), 0, 1023, out var number) ? number.ToString(CultureInfo.InvariantCulture) : null;
        }

        if (!i2c.File.TryText(node, i2c.At("bus"), out var path))
        {
            return null;
        }

        if (!path.StartsWith('/'))
        {
            i2c.File.Error(node, i2c.At("bus"), $"'{path}' is neither a bus number (1) nor a device path (/dev/i2c-1)");
            return null;
        }

        return path;
    }

    private I2cSensorConfig? ReadSensor(YNode node, string path, int index, List<ParsedMetric> metrics, List<NameRef> names, DeviceEntry entry)
    {
        // The type decides which option keys exist, so peek at it before the keys are checked.
        I2cSensorKind? peeked = null;
        if (node is YMap raw && raw.Entries.FirstOrDefault(e => e.Key.Value == "type").Value is YScalar t && SensorKinds.TryGet(t.Value, out var k))
        {
            peeked = k;
        }

        var allowedOptions = peeked is { } known
            ? Options(known)
            : Enum.GetValues<I2cSensorKind>().SelectMany(Options).DistinctBy(o => o.Key).ToArray();
        var s = MapView.Open(_main, node, path, [.. SensorCommonKeys, .. allowedOptions.Select(o => o.Key)]);
        if (s is null)
        {
            return null;
        }

        var kind = s.Word("type", "sensor type", SensorKinds, required: true);
        var address = s.Int("address", 0x03, 0x77, required: true);
        var ok = kind is not null && address is not null;
        if (kind is { } kk && address is { } a && !I2cSensorCatalog.Addresses(kk).Contains(a))
        {
            ok = Fail(s, "address", $"0x{a:X2} is not an address a {SensorKinds.Canonical[(int)kk]} can have " +
                                    $"({string.Join(", ", I2cSensorCatalog.Addresses(kk).Select(x => $"0x{x:X2}"))})");
        }

        if (ok)
        {
            var duplicate = entry.I2cAddresses.FirstOrDefault(x => x.Address == address);
            if (duplicate.Node is not null)
            {
                ok = Fail(s, "address", $"0x{address:X2} is already used by {duplicate.Path} (line {duplicate.Node.Start.Line})");
            }
            else
            {
                entry.I2cAddresses.Add((address!.Value, s.Node("address")!, path));
            }
        }

        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var option in allowedOptions)
        {
            if (!s.Has(option.Key) || s.Value(option.Key) is null)
            {
                continue;
            }

            if (option.Read(s, option.Key) is { } value)
            {
                options[option.Key] = value;
            }
            else
            {
                ok = false;
            }
        }

        if (kind is null || !ok)
        {
            return null;
        }

        var sensor = new I2cSensorConfig { Type = kind.Value, Address = address!.Value, Options = options };
        if (kind == I2cSensorKind.Ina219)
        {
            ok &= CheckIna219(s, sensor);
        }

        var list = s.List("metrics", required: true);
        if (list is null)
        {
            return null;
        }

        if (list.Items.Count == 0)
        {
            _main.Error(list, s.At("metrics"), "a sensor needs at least one metric");
            return null;
        }

        var channels = AvailableChannels(sensor);
        // -1: misspelled (already reported), so the register width is unknown and registers are checked only loosely
        var addressBytes = options.TryGetValue("registerAddressBytes", out var ab) ? int.Parse(ab, CultureInfo.InvariantCulture)
            : s.WasMisspelled("registerAddressBytes") ? -1 : 1;
        for (var i = 0; i < list.Items.Count; i++)
        {
            var metricPath = $"{s.At("metrics")}[{i}]";
            var metric = kind == I2cSensorKind.Register
                ? ReadRegisterMetric(list.Items[i], metricPath, index, addressBytes, names)
                : ReadChannelMetric(list.Items[i], metricPath, index, sensor, channels, names);
            if (metric is null)
            {
                ok = false;
                continue;
            }

            metrics.Add(metric);
        }

        return ok ? sensor : null;
    }

    /// <summary>The channels this sensor will report, given options that skip measurements, with why others are missing.</summary>
    private static List<(I2cChannelInfo Channel, string? Missing)> AvailableChannels(I2cSensorConfig sensor)
    {
        var result = new List<(I2cChannelInfo, string?)>();
        foreach (var channel in I2cSensorCatalog.Channels(sensor.Type))
        {
            string? missing = null;
            if (channel.Name == "Pressure" && sensor.Options.GetValueOrDefault("pressureOversampling") == "0")
            {
                missing = "pressureOversampling is 0 (skipped)";
            }
            else if (channel.Name == "Humidity" && sensor.Options.GetValueOrDefault("humidityOversampling") == "0")
            {
                missing = "humidityOversampling is 0 (skipped)";
            }

            result.Add((channel, missing));
        }

        return result;
    }

    private ParsedMetric? ReadChannelMetric(YNode node, string path, int sensorIndex, I2cSensorConfig sensor,
        List<(I2cChannelInfo Channel, string? Missing)> channels, List<NameRef> names)
    {
        var m = MapView.Open(_main, node, path, I2cChannelMetricKeys);
        if (m is null)
        {
            return null;
        }

        var name = MetricName(m, names);
        var channelText = m.Name("channel", required: true);
        var look = ReadPresentation(m, MetricDataType.Float64);
        I2cChannelInfo? channel = null;
        if (channelText is not null)
        {
            var match = channels.FirstOrDefault(c => string.Equals(c.Channel.Name, channelText.Trim(), StringComparison.OrdinalIgnoreCase));
            var kindName = SensorKinds.Canonical[(int)sensor.Type];
            if (match.Channel is null)
            {
                var known = channels.Select(c => c.Channel.Name).ToList();
                _main.Error(m.Node("channel")!, m.At("channel"), $"unknown channel '{channelText}' for {kindName}{Suggest.Hint(channelText, known)} " +
                                                                  $"(expected {string.Join(", ", known)})");
            }
            else if (match.Missing is not null)
            {
                _main.Error(m.Node("channel")!, m.At("channel"), $"{kindName} channel {match.Channel.Name} is not measured: {match.Missing}");
            }
            else
            {
                channel = match.Channel;
            }
        }

        if (name is null || channel is null || look is null)
        {
            return null;
        }

        var metric = new MetricConfig
        {
            Name = name,
            Type = MetricDataType.Float64,
            Units = channel.Units,
            I2c = new I2cMetricConfig { Sensor = sensorIndex, Channel = channel.Name },
        };
        return new ParsedMetric(look.ApplyTo(metric), m.Node("name")!, m.Path);
    }

    private ParsedMetric? ReadRegisterMetric(YNode node, string path, int sensorIndex, int addressBytes, List<NameRef> names)
    {
        var m = MapView.Open(_main, node, path, I2cRegisterMetricKeys);
        if (m is null)
        {
            return null;
        }

        var name = MetricName(m, names);
        string? register = null;
        if (addressBytes == 0)
        {
            m.Forbid("register", "the sensor's registerAddressBytes is 0 (plain reads): there is no register to name");
        }
        else if (m.Int("register", 0, addressBytes == 1 ? 0xFF : 0xFFFF, required: addressBytes > 0) is not null)
        {
            register = ((YScalar)m.Value("register")!).Value.Trim();
        }

        var type = m.Word("type", "type", DataTypes, required: true);
        var length = m.Int("length", 1, 8);
        var order = m.Word("order", "byte order", Orders);
        var scale = m.Number("scale");
        var offset = m.Number("offset");
        var look = ReadPresentation(m, type);
        var ok = name is not null && (register is not null || addressBytes <= 0) && type is not null && look is not null &&
                 !(m.Has("length") && length is null) && !(m.Has("order") && order is null) && !(m.Has("scale") && scale is null) &&
                 !(m.Has("offset") && offset is null) && !(addressBytes == 0 && m.Has("register"));
        var bytes = 0;
        if (type is { } t)
        {
            if (!IsNumeric(t))
            {
                ok = Fail(m, "type", $"register sensors read numbers (int16, uint16, int32, uint32, int64, uint64, float32, float64), not {TypeName(t)}");
            }
            else
            {
                var size = t switch
                {
                    MetricDataType.Int16 or MetricDataType.UInt16 => 2,
                    MetricDataType.Int32 or MetricDataType.UInt32 or MetricDataType.Float32 => 4,
                    _ => 8,
                };
                bytes = length ?? size;
                if (length is { } l && l != size && !(l == 1 && size == 2))
                {
                    ok = Fail(m, "length", $"{TypeName(t)} is {size} bytes; length is {size}" + (size == 2 ? " (or 1 for an 8-bit register)" : ""));
                }

                if (m.Has("order") && bytes == 1)
                {
                    ok = Fail(m, "order", "a one-byte value has no byte order");
                }
            }
        }

        if (scale == 0)
        {
            ok = Fail(m, "scale", "must not be 0");
        }

        if (!ok)
        {
            return null;
        }

        var metric = new MetricConfig
        {
            Name = name!,
            Type = type!.Value,
            Order = order ?? ByteOrderSetting.ABCD,
            Scale = scale,
            Offset = offset,
            I2c = new I2cMetricConfig { Sensor = sensorIndex, Channel = register ?? "0", Length = bytes },
        };
        return new ParsedMetric(look!.ApplyTo(metric), m.Node("name")!, m.Path);
    }

    /// <summary>The INA219's calibration must fit its registers: what the driver would refuse at start is an error now.</summary>
    private static bool CheckIna219(MapView s, I2cSensorConfig sensor)
    {
        var problems = I2cSensorCatalog.Ina219Problems(sensor);
        foreach (var problem in problems)
        {
            var text = problem.Replace("maxExpectedCurrentAmps", "maxCurrentA", StringComparison.Ordinal)
                .Replace("currentLsbAmps", "currentLsbA", StringComparison.Ordinal);
            var key = new[] { "maxCurrentA", "currentLsbA", "shuntOhms" }.FirstOrDefault(k => text.StartsWith(k + ":", StringComparison.Ordinal) && s.Has(k))
                      ?? new[] { "maxCurrentA", "shuntOhms", "currentLsbA" }.FirstOrDefault(s.Has);
            if (key is not null && text.StartsWith(key + ":", StringComparison.Ordinal))
            {
                text = text[(key.Length + 1)..].Trim();
            }

            if (key is null)
            {
                s.File.Error(s.Start, s.Path, text);
            }
            else
            {
                s.File.Error(s.Node(key)!, s.At(key), text);
            }
        }

        return problems.Count == 0;
    }

    /// <summary>Two devices on one bus cannot both own an address.</summary>
    private void CheckI2cAddressesAcrossDevices(IEnumerable<DeviceEntry> devices)
    {
        var owners = new Dictionary<(string Bus, int Address), string>();
        foreach (var device in devices)
        {
            if (device.I2cBus is not { } bus)
            {
                continue;
            }

            var key = bus.StartsWith("/dev/i2c-", StringComparison.Ordinal) ? bus["/dev/i2c-".Length..] : bus;
            foreach (var (address, node, path) in device.I2cAddresses)
            {
                if (!owners.TryAdd((key, address), path))
                {
                    _main.Error(node, $"{path}.address", $"0x{address:X2} on bus {bus} is already used by {owners[(key, address)]}");
                }
            }
        }
    }
}
