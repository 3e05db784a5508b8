using EdgeNode.Configuration.Yaml;

namespace EdgeNode.Configuration.Loading;

internal sealed partial class ConfigReader
{
    internal static readonly string[] GpioKeys = ["chip"];
    internal static readonly string[] GpioMetricKeys =
    [
        "name", "line", "direction", "bias", "activeLow", "debounceMs", "edge", "initial", "drive", "type", "deadband", "maxIntervalMs",
        "description",
    ];

    /// <summary>Lines one kernel request can hold (GPIO_V2_LINES_MAX); a device's lines are requested together.</summary>
    internal const int MaxGpioLinesPerDevice = 64;

    internal static readonly Words<GpioDirectionSetting> Directions = new(("input", GpioDirectionSetting.Input), ("output", GpioDirectionSetting.Output));

    internal static readonly Words<GpioBiasSetting> Biases = new(
        ("as-is", GpioBiasSetting.AsIs), ("disabled", GpioBiasSetting.Disabled), ("pull-up", GpioBiasSetting.PullUp), ("pull-down", GpioBiasSetting.PullDown));

    internal static readonly Words<GpioEdgeSetting> Edges = new(
        ("none", GpioEdgeSetting.None), ("rising", GpioEdgeSetting.Rising), ("falling", GpioEdgeSetting.Falling), ("both", GpioEdgeSetting.Both));

    internal static readonly Words<GpioDriveSetting> Drives = new(
        ("push-pull", GpioDriveSetting.PushPull), ("open-drain", GpioDriveSetting.OpenDrain), ("open-source", GpioDriveSetting.OpenSource));

    private DeviceConfig? ReadGpioDevice(MapView d, string? id, DeviceEntry entry)
    {
        var gpio = d.Sub("gpio", GpioKeys);
        var chip = gpio?.Name("chip", required: true);
        var list = d.List("metrics", required: true);
        if (list is null)
        {
            return null;
        }

        if (list.Items.Count == 0)
        {
            _main.Error(list, d.At("metrics"), "a device needs at least one metric");
            return null;
        }

        if (list.Items.Count > MaxGpioLinesPerDevice)
        {
            _main.Error(list, d.At("metrics"), $"{list.Items.Count} lines; a gpio device requests at most {MaxGpioLinesPerDevice} (split it in two devices)");
        }

        var parsed = new List<ParsedMetric>();
        var names = new List<NameRef>();
        var ok = true;
        for (var i = 0; i < list.Items.Count; i++)
        {
            var metric = ReadGpioMetric(list.Items[i], $"{d.At("metrics")}[{i}]", names);
            if (metric is null)
            {
                ok = false;
                continue;
            }

            parsed.Add(metric.Value.Metric);
            var line = metric.Value.Metric.Metric.Gpio!.Line;
            var duplicate = entry.GpioLines.FirstOrDefault(l => l.Line == line);
            if (duplicate.Node is not null)
            {
                _main.Error(metric.Value.LineNode, $"{metric.Value.Metric.Path}.line",
                    $"line {line} is already used by {duplicate.Path} (line {duplicate.Node.Start.Line})");
                ok = false;
                continue;
            }

            entry.GpioLines.Add((line, metric.Value.LineNode, metric.Value.Metric.Path));
        }

        entry.GpioChip = chip;
        var before = _sink.Count;
        CheckUniqueNames(_main, names);
        if (!ok || _sink.Count != before || chip is null || id is null || list.Items.Count > MaxGpioLinesPerDevice)
        {
            return null;
        }

        return new DeviceConfig
        {
            Id = id,
            Kind = DeviceKind.Gpio,
            Gpio = new GpioDeviceConfig { Chip = chip },
            Metrics = parsed.Select(p => p.Metric).ToList(),
        };
    }

    private (ParsedMetric Metric, YNode LineNode)? ReadGpioMetric(YNode node, string path, List<NameRef> names)
    {
        var m = MapView.Open(_main, node, path, GpioMetricKeys);
        if (m is null)
        {
            return null;
        }

        var name = MetricName(m, names);
        var line = ReadGpioLine(m);
        var direction = m.Word("direction", "direction", Directions);
        var bias = m.Word("bias", "bias", Biases);
        var activeLow = m.Bool("activeLow");
        var debounce = m.Int("debounceMs", 0, GpioMetricConfig.MaxDebounceMs);
        var edge = m.Word("edge", "edge", Edges);
        var initial = m.Bool("initial");
        var drive = m.Word("drive", "drive", Drives);
        var type = m.Word("type", "type", DataTypes);
        var look = ReadPresentation(m, MetricDataType.Bool);
        var ok = name is not null && line is not null && look is not null;
        foreach (var (key, value) in new (string, object?)[]
                 {
                     ("direction", direction), ("bias", bias), ("activeLow", activeLow), ("debounceMs", debounce), ("edge", edge),
                     ("initial", initial), ("drive", drive), ("type", type),
                 })
        {
            ok &= !m.Has(key) || value is not null;
        }

        if (type is { } t && t != MetricDataType.Bool)
        {
            ok = Fail(m, "type", $"a gpio line is bool, not {TypeName(t)}");
        }

        var output = direction == GpioDirectionSetting.Output;
        if (m.WasMisspelled("direction"))
        {
            // the direction is unknown: the rules between it and the other settings cannot be judged
        }
        else if (output)
        {
            // The kernel refuses edge detection and debounce on outputs (gpio_v2_line_flags_validate).
            ok = !m.Has("edge") ? ok : Fail(m, "edge", "edge detection is for inputs (this line is an output)");
            ok = !m.Has("debounceMs") ? ok : Fail(m, "debounceMs", "debounce is for inputs (this line is an output)");
        }
        else
        {
            ok = !m.Has("initial") ? ok : Fail(m, "initial", "an initial value is for outputs (set direction: output)");
            ok = !m.Has("drive") ? ok : Fail(m, "drive", "drive is for outputs (set direction: output)");
        }

        if (!ok)
        {
            return null;
        }

        var metric = new MetricConfig
        {
            Name = name!,
            Type = MetricDataType.Bool,
            Writable = output,
            Gpio = new GpioMetricConfig
            {
                Line = line!,
                Direction = direction ?? GpioDirectionSetting.Input,
                Bias = bias ?? GpioBiasSetting.AsIs,
                ActiveLow = activeLow ?? false,
                DebounceMs = debounce ?? 0,
                Edge = output ? GpioEdgeSetting.None : edge ?? GpioEdgeSetting.Both,
                Initial = initial ?? false,
                Drive = drive ?? GpioDriveSetting.PushPull,
            },
        };
        return (new ParsedMetric(look!.ApplyTo(metric), m.Node("name")!, m.Path), m.Node("line")!);
    }

    /// <summary>A line offset (a plain number, kept as decimal text) or a line name.</summary>
    private static string? ReadGpioLine(MapView m)
    {
        var node = m.Required("line");
        if (node is null)
        {
            return null;
        }

        if (node is YScalar { IsPlain: true } s && Numbers.LooksLikeNumber(s.Value))
        {
            return m.File.TryInt(node, m.At("line"), 0, 65535, out var offset)
                ? offset.ToString(System.Globalization.CultureInfo.InvariantCulture)
                : null;
        }

        return m.File.TryText(node, m.At("line"), out var name) && !string.IsNullOrWhiteSpace(name) ? name : null;
    }

    /// <summary>Two devices on one chip cannot both request a line (the kernel says EBUSY at start).</summary>
    private void CheckGpioLinesAcrossDevices(IEnumerable<DeviceEntry> devices)
    {
        var owners = new Dictionary<(string Chip, string Line), (string Path, YNode Node)>();
        foreach (var device in devices)
        {
            if (device.GpioChip is not { } chip)
            {
                continue;
            }

            foreach (var (line, node, path) in device.GpioLines)
            {
                if (!owners.TryAdd((ChipKey(chip), line), (path, node)))
                {
                    var first = owners[(ChipKey(chip), line)];
                    _main.Error(node, $"{path}.line", $"line {line} of chip '{chip}' is already used by {first.Path} (line {first.Node.Start.Line})");
                }
            }
        }

        // "/dev/gpiochip0" and "gpiochip0" name the same chip; labels cannot be matched without the hardware.
        static string ChipKey(string chip) => chip.StartsWith("/dev/", StringComparison.Ordinal) ? chip[5..] : chip;
    }
}
