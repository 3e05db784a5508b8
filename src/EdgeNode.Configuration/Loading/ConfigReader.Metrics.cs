using EdgeNode.Configuration.Yaml;

namespace EdgeNode.Configuration.Loading;

internal sealed partial class ConfigReader
{
    internal static readonly string[] ModbusMetricKeys =
    [
        "name", "table", "address", "type", "order", "bit", "length", "scale", "offset", "units", "deadband", "maxIntervalMs",
        "writable", "description", "engLow", "engHigh",
    ];

    /// <summary>Longest string in registers: one read request (Modbus PDU limit).</summary>
    internal const int MaxStringRegisters = 125;

    internal static readonly Words<ModbusTableSetting> Tables = new(
        ("coil", ModbusTableSetting.Coil), ("discrete", ModbusTableSetting.DiscreteInput), ("input", ModbusTableSetting.InputRegister),
        ("holding", ModbusTableSetting.HoldingRegister));

    internal static readonly Words<MetricDataType> DataTypes = new(
        ("bool", MetricDataType.Bool), ("int16", MetricDataType.Int16), ("uint16", MetricDataType.UInt16), ("int32", MetricDataType.Int32),
        ("uint32", MetricDataType.UInt32), ("int64", MetricDataType.Int64), ("uint64", MetricDataType.UInt64),
        ("float32", MetricDataType.Float32), ("float64", MetricDataType.Float64), ("string", MetricDataType.String));

    internal static readonly Words<ByteOrderSetting> Orders = new(
        ("ABCD", ByteOrderSetting.ABCD), ("CDAB", ByteOrderSetting.CDAB), ("BADC", ByteOrderSetting.BADC), ("DCBA", ByteOrderSetting.DCBA));

    /// <summary>A metric as read, with where its name is (for duplicate reports).</summary>
    private sealed record ParsedMetric(MetricConfig Metric, YNode NameNode, string Path);

    /// <summary>A metric's name and where it is, collected even when the rest of the metric is wrong (duplicates are still reported).</summary>
    private sealed record NameRef(string Name, YNode Node, string Path);

    internal static string TypeName(MetricDataType type) => DataTypes.Canonical[(int)type];

    internal static string TableName(ModbusTableSetting table) => Tables.Canonical[(int)table];

    internal static bool IsNumeric(MetricDataType type) => type is not (MetricDataType.Bool or MetricDataType.String);

    internal static bool IsBitTable(ModbusTableSetting table) => table is ModbusTableSetting.Coil or ModbusTableSetting.DiscreteInput;

    internal static bool IsWritableTable(ModbusTableSetting table) => table is ModbusTableSetting.Coil or ModbusTableSetting.HoldingRegister;

    /// <summary>Registers (or bits) a Modbus metric spans.</summary>
    internal static int RegisterCount(ModbusTableSetting table, MetricDataType type, int length) => IsBitTable(table) ? 1 : type switch
    {
        MetricDataType.Int32 or MetricDataType.UInt32 or MetricDataType.Float32 => 2,
        MetricDataType.Int64 or MetricDataType.UInt64 or MetricDataType.Float64 => 4,
        MetricDataType.String => length,
        _ => 1,
    };

    /// <summary>A Modbus metric (of a device or a type): every field and every rule between fields.</summary>
    private static ParsedMetric? ReadModbusMetric(ConfigFile file, YNode node, string path, List<NameRef> names)
    {
        var m = MapView.Open(file, node, path, ModbusMetricKeys);
        if (m is null)
        {
            return null;
        }

        var name = MetricName(m, names);
        var table = m.Word("table", "table", Tables, required: true);
        var address = m.Int("address", 0, 65535, required: true);
        var type = m.Word("type", "type", DataTypes, required: true);
        var order = m.Word("order", "byte order", Orders);
        var bit = m.Int("bit", 0, 15);
        var length = m.Int("length", 1, MaxStringRegisters);
        var scale = m.Number("scale");
        var offset = m.Number("offset");
        var writable = m.Bool("writable");
        var look = ReadPresentation(m, type);
        var ok = name is not null && table is not null && address is not null && type is not null && look is not null;

        if (table is { } t && type is { } ty)
        {
            if (IsBitTable(t) && ty != MetricDataType.Bool)
            {
                ok = Fail(m, "type", $"the {TableName(t)} table holds bits; use type bool");
            }

            if (m.Has("order") && ty is MetricDataType.Bool or MetricDataType.Int16 or MetricDataType.UInt16)
            {
                ok = Fail(m, "order", $"only for 32- and 64-bit types and strings (this metric is {TypeName(ty)})");
            }

            if (m.Has("bit") && (ty != MetricDataType.Bool || IsBitTable(t)))
            {
                ok = Fail(m, "bit", IsBitTable(t)
                    ? $"only for type bool on the input or holding table (the {TableName(t)} table is already bits)"
                    : $"only for type bool on the input or holding table (this metric is {TypeName(ty)})");
            }

            if (address is { } a && (ty != MetricDataType.String || length is not null))
            {
                var count = RegisterCount(t, ty, length ?? 0);
                if (a + count > 65536)
                {
                    ok = Fail(m, "address", $"{a} + {count} registers runs past 65535");
                }
            }
        }

        if (writable == true && table is { } wt && !IsWritableTable(wt))
        {
            ok = Fail(m, "writable", $"the {TableName(wt)} table is read-only; only coil and holding can be written");
        }

        if (type is { } dt)
        {
            if (dt == MetricDataType.String && !m.Has("length"))
            {
                m.ReportMissing("length", "missing required key 'length' (registers of the string, 2 characters each)");
                ok = false;
            }
            else if (dt != MetricDataType.String && m.Has("length"))
            {
                ok = Fail(m, "length", $"only for type string (this metric is {TypeName(dt)})");
            }

            foreach (var key in (string[])["scale", "offset"])
            {
                if (m.Has(key) && !IsNumeric(dt))
                {
                    ok = Fail(m, key, $"only for numeric types (this metric is {TypeName(dt)})");
                }
            }
        }

        if (scale == 0)
        {
            ok = Fail(m, "scale", "must not be 0");
        }

        if (!ok || (m.Has("scale") && scale is null) || (m.Has("offset") && offset is null) || (m.Has("order") && order is null) ||
            (m.Has("bit") && bit is null) || (m.Has("length") && length is null) || (m.Has("writable") && writable is null))
        {
            return null;
        }

        var metric = new MetricConfig
        {
            Name = name!,
            Type = type!.Value,
            Table = table,
            Address = address!.Value,
            Order = order ?? ByteOrderSetting.ABCD,
            Bit = bit,
            Length = length ?? 0,
            Scale = scale,
            Offset = offset,
            Writable = writable ?? false,
        };
        return new ParsedMetric(look!.ApplyTo(metric), m.Node("name")!, m.Path);
    }

    private static bool Fail(MapView m, string key, string message)
    {
        m.File.Error(m.Node(key) ?? (YNode)m.Map, m.At(key), message);
        return false;
    }

    /// <summary>The fields every metric kind shares: units, deadband, maxIntervalMs, description, engLow, engHigh.</summary>
    private sealed record Presentation(string? Units, double? Deadband, int? MaxIntervalMs, string? Description, double? EngLow, double? EngHigh)
    {
        public MetricConfig ApplyTo(MetricConfig metric) => metric with
        {
            Units = Units ?? metric.Units,
            Deadband = Deadband ?? metric.Deadband,
            MaxIntervalMs = MaxIntervalMs ?? metric.MaxIntervalMs,
            Description = Description ?? metric.Description,
            EngLow = EngLow ?? metric.EngLow,
            EngHigh = EngHigh ?? metric.EngHigh,
        };
    }

    /// <summary>
    /// Reads the shared fields present in <paramref name="m"/>; null when one is wrong. <paramref name="type"/> (when known)
    /// rules out a deadband or limits on booleans and strings; <paramref name="existing"/> is what an override changes.
    /// </summary>
    private static Presentation? ReadPresentation(MapView m, MetricDataType? type, MetricConfig? existing = null)
    {
        var units = m.Text("units");
        var deadband = m.Number("deadband", 0, double.MaxValue);
        var maxInterval = m.Int("maxIntervalMs", MinScanMs, MaxMs);
        var description = m.Text("description");
        var engLow = m.Number("engLow");
        var engHigh = m.Number("engHigh");
        var ok = !(m.Has("deadband") && deadband is null) && !(m.Has("maxIntervalMs") && maxInterval is null) &&
                 !(m.Has("engLow") && engLow is null) && !(m.Has("engHigh") && engHigh is null) &&
                 !(m.Value("units") is not null && units is null) && !(m.Value("description") is not null && description is null);

        if (type is { } t && !IsNumeric(t))
        {
            foreach (var key in (string[])["deadband", "engLow", "engHigh"])
            {
                if (m.Has(key))
                {
                    ok = Fail(m, key, key == "deadband"
                        ? $"not for type {TypeName(t)} (every change of a {TypeName(t)} is reported)"
                        : $"only for numeric types (this metric is {TypeName(t)})");
                }
            }
        }

        var low = engLow ?? existing?.EngLow;
        var high = engHigh ?? existing?.EngHigh;
        if (ok && low is { } lo && high is { } hi && lo > hi)
        {
            ok = Fail(m, m.Has("engHigh") ? "engHigh" : "engLow",
                $"engHigh {Numbers.Format(hi)} is below engLow {Numbers.Format(lo)}");
        }

        return ok ? new Presentation(units, deadband, maxInterval, description, engLow, engHigh) : null;
    }

    /// <summary>Metric names the node uses itself (Sparkplug node/device control); a device metric must not look like them.</summary>
    internal static readonly string[] ReservedPrefixes = ["Node Control/", "Device Control/"];

    internal static readonly string[] ReservedNames = ["bdSeq"];

    private static string? MetricName(MapView m, List<NameRef> names)
    {
        var name = m.Name("name", required: true);
        if (name is null || !CheckMetricName(m.File, m.Node("name")!, m.At("name"), name))
        {
            return null;
        }

        names.Add(new NameRef(name, m.Node("name")!, m.Path));
        return name;
    }

    /// <summary>A Sparkplug metric name: folders separated by '/', none of them empty, not one of the node's own names.</summary>
    private static bool CheckMetricName(ConfigFile file, YNode node, string path, string name)
    {
        if (ReservedPrefixes.FirstOrDefault(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase)) is { } prefix)
        {
            file.Error(node, path, $"'{name}' starts with '{prefix}', which the node reserves for Sparkplug control metrics");
            return false;
        }

        if (ReservedNames.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            file.Error(node, path, $"'{name}' is reserved by Sparkplug");
            return false;
        }

        if (name.StartsWith('/') || name.EndsWith('/') || name.Contains("//", StringComparison.Ordinal))
        {
            file.Error(node, path, $"'{name}' has an empty folder level ('/' at the start or end, or '//')");
            return false;
        }

        if (name.Contains('\0', StringComparison.Ordinal))
        {
            file.Error(node, path, $"'{name}' contains U+0000");
            return false;
        }

        return true;
    }

    /// <summary>Reports every metric whose name an earlier one of the same device (or type) already has.</summary>
    private static void CheckUniqueNames(ConfigFile file, IEnumerable<NameRef> names)
    {
        var seen = new Dictionary<string, NameRef>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!seen.TryAdd(name.Name, name))
            {
                var first = seen[name.Name];
                file.Error(name.Node, $"{name.Path}.name", $"duplicate metric name '{name.Name}' (also {first.Path}, line {first.Node.Start.Line})");
            }
        }
    }
}
