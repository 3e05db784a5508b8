using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace EdgeNode.Configuration.Tests;

/// <summary>A key written by <see cref="YamlWriter"/> and where it is.</summary>
internal sealed record KeyAt(int Line, int Column, string Key);

/// <summary>Writes block-style YAML one key per line and remembers every key's position.</summary>
internal sealed class YamlWriter
{
    private readonly StringBuilder _text = new();
    private int _line;

    public List<KeyAt> Keys { get; } = [];

    public string Text => _text.ToString();

    /// <summary><c>key: value</c> (or <c>key:</c> opening a block) at <paramref name="indent"/>; with <paramref name="item"/>, as <c>- key: value</c>.</summary>
    public YamlWriter Key(int indent, string key, string? value = null, bool item = false)
    {
        _line++;
        var prefix = new string(' ', indent) + (item ? "- " : "");
        Keys.Add(new KeyAt(_line, prefix.Length + 1, key));
        _text.Append(prefix).Append(key).Append(':');
        if (value is not null)
        {
            _text.Append(' ').Append(value);
        }

        _text.Append('\n');
        return this;
    }

    public YamlWriter Item(int indent, string value)
    {
        _line++;
        _text.Append(' ', indent).Append("- ").Append(value).Append('\n');
        return this;
    }

    public YamlWriter Comment(string text)
    {
        _line++;
        _text.Append("# ").Append(text).Append('\n');
        return this;
    }
}

/// <summary>One valid metric of the generator: its fields as written (null = left out).</summary>
internal sealed record GMetric(
    string Table, string Type, int Address, string? Order, int? Bit, int? Length, string? Scale, string? Offset, string? Deadband,
    bool? Writable, string? Units, string? Description, (int Low, int High)? Eng, int? MaxIntervalMs);

internal sealed record GGpio(string Direction, string? Bias, bool? ActiveLow, int? DebounceMs, string? Edge, bool? Initial, string? Drive);

/// <summary>One valid device: a Modbus TCP/RTU device, a gpio device or an i2c device.</summary>
internal sealed record GDevice(string Kind, int? ScanMs, bool? Enabled, int UnitId, int? TimeoutMs, int? Retries, IReadOnlyList<GMetric> Metrics,
    IReadOnlyList<GGpio> Lines, bool Bme280, IReadOnlyList<(string Type, string Order)> Registers);

internal sealed record GConfig(int? NodeScanMs, bool? Aliases, string? Encoding, IReadOnlyList<string> Servers, int? KeepAlive, string? ClientId,
    bool? StoreEnabled, int? MaxMegabytes, IReadOnlyList<GDevice> Devices)
{
    public int EnabledDevices => Devices.Count(d => d.Enabled != false);

    public override string ToString() => Render().Text;

    public YamlWriter Render()
    {
        var w = new YamlWriter();
        w.Comment("generated");
        w.Key(0, "node").Key(2, "groupId", "Plant").Key(2, "edgeNodeId", "Gw");
        Opt(w, 2, "scanMs", NodeScanMs);
        Opt(w, 2, "aliases", Aliases);
        if (Encoding is not null)
        {
            w.Key(2, "uint32Encoding", Encoding);
        }

        w.Key(0, "mqtt").Key(2, "servers");
        foreach (var server in Servers)
        {
            w.Item(4, $"\"{server}\"");
        }

        Opt(w, 2, "keepAliveSeconds", KeepAlive);
        if (ClientId is not null)
        {
            w.Key(2, "clientId", ClientId);
        }

        if (StoreEnabled is not null || MaxMegabytes is not null)
        {
            w.Key(0, "storeForward");
            Opt(w, 2, "enabled", StoreEnabled);
            Opt(w, 2, "maxMegabytes", MaxMegabytes);
        }

        w.Key(0, "devices");
        for (var i = 0; i < Devices.Count; i++)
        {
            RenderDevice(w, i, Devices[i]);
        }

        return w;
    }

    private static void RenderDevice(YamlWriter w, int index, GDevice d)
    {
        w.Key(2, "id", $"Dev{index}", item: true);
        Opt(w, 4, "scanMs", d.ScanMs);
        Opt(w, 4, "enabled", d.Enabled);
        switch (d.Kind)
        {
            case "tcp" or "rtu":
                w.Key(4, "modbus");
                if (d.Kind == "tcp")
                {
                    w.Key(6, "tcp").Key(8, "host", $"10.0.0.{index + 1}").Key(8, "port", "502");
                }
                else
                {
                    // every rtu device shares one line, so they agree on its settings
                    w.Key(6, "rtu").Key(8, "port", "/dev/ttyUSB0").Key(8, "baud", "9600").Key(8, "parity", "even");
                }

                w.Key(6, "unitId", d.UnitId.ToString(CultureInfo.InvariantCulture));
                Opt(w, 6, "timeoutMs", d.TimeoutMs);
                Opt(w, 6, "retries", d.Retries);
                w.Key(4, "metrics");
                for (var m = 0; m < d.Metrics.Count; m++)
                {
                    RenderMetric(w, $"Folder{m % 3}/M{m}", d.Metrics[m]);
                }

                break;
            case "gpio":
                w.Key(4, "gpio").Key(6, "chip", $"gpiochip{index}");
                w.Key(4, "metrics");
                for (var l = 0; l < d.Lines.Count; l++)
                {
                    var g = d.Lines[l];
                    w.Key(6, "name", $"Line{l}", item: true).Key(8, "line", l.ToString(CultureInfo.InvariantCulture)).Key(8, "direction", g.Direction);
                    Opt(w, 8, "bias", g.Bias);
                    Opt(w, 8, "activeLow", g.ActiveLow);
                    Opt(w, 8, "debounceMs", g.DebounceMs);
                    Opt(w, 8, "edge", g.Edge);
                    Opt(w, 8, "initial", g.Initial);
                    Opt(w, 8, "drive", g.Drive);
                }

                break;
            default:
                w.Key(4, "i2c").Key(6, "bus", index.ToString(CultureInfo.InvariantCulture));
                w.Key(4, "sensors");
                if (d.Bme280)
                {
                    w.Key(6, "type", "bme280", item: true).Key(8, "address", "0x76").Key(8, "metrics");
                    w.Key(10, "name", "Temperature", item: true).Key(12, "channel", "temperature").Key(12, "deadband", "0.1");
                }

                w.Key(6, "type", "register", item: true).Key(8, "address", "0x20").Key(8, "metrics");
                for (var r = 0; r < d.Registers.Count; r++)
                {
                    w.Key(10, "name", $"Reg{r}", item: true).Key(12, "register", $"0x{r * 8:X2}").Key(12, "type", d.Registers[r].Type);
                    Opt(w, 12, "order", d.Registers[r].Order == "" ? null : d.Registers[r].Order);
                }

                break;
        }
    }

    private static void RenderMetric(YamlWriter w, string name, GMetric m)
    {
        w.Key(6, "name", name, item: true).Key(8, "table", m.Table).Key(8, "address", m.Address.ToString(CultureInfo.InvariantCulture)).Key(8, "type", m.Type);
        Opt(w, 8, "order", m.Order);
        Opt(w, 8, "bit", m.Bit);
        Opt(w, 8, "length", m.Length);
        Opt(w, 8, "scale", m.Scale);
        Opt(w, 8, "offset", m.Offset);
        Opt(w, 8, "deadband", m.Deadband);
        Opt(w, 8, "writable", m.Writable);
        Opt(w, 8, "units", m.Units);
        Opt(w, 8, "description", m.Description);
        if (m.Eng is { } eng)
        {
            w.Key(8, "engLow", eng.Low.ToString(CultureInfo.InvariantCulture)).Key(8, "engHigh", eng.High.ToString(CultureInfo.InvariantCulture));
        }

        Opt(w, 8, "maxIntervalMs", m.MaxIntervalMs);
    }

    private static void Opt(YamlWriter w, int indent, string key, object? value)
    {
        if (value is not null)
        {
            w.Key(indent, key, value switch
            {
                bool b => b ? "true" : "false",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString(),
            });
        }
    }
}

/// <summary>FsCheck generators of valid configuration files.</summary>
internal static class ConfigGenerators
{
    private static readonly string[] Types = ["bool", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64", "string"];

    private static Gen<T?> Maybe<T>(Gen<T> gen)
        where T : class =>
        Gen.Frequency((1, Gen.Constant<T?>(null)), (1, gen.Select(v => (T?)v)));

    private static Gen<T?> MaybeValue<T>(Gen<T> gen)
        where T : struct =>
        Gen.Frequency((1, Gen.Constant<T?>(null)), (1, gen.Select(v => (T?)v)));

    internal static int Registers(string table, string type, int length) => table is "coil" or "discrete" ? 1 : type switch
    {
        "int32" or "uint32" or "float32" => 2,
        "int64" or "uint64" or "float64" => 4,
        "string" => length,
        _ => 1,
    };

    public static Gen<GMetric> Metric() =>
        from table in Gen.Elements("coil", "discrete", "input", "holding")
        from type in table is "coil" or "discrete" ? Gen.Constant("bool") : Gen.Elements(Types)
        from length in Gen.Choose(1, 125)
        let count = Registers(table, type, length)
        from address in Gen.Frequency((3, Gen.Choose(0, 65536 - count)), (1, Gen.Constant(65536 - count)))
        let multi = count > 1 || type == "string"
        let numeric = type is not ("bool" or "string")
        from order in multi ? Maybe(Gen.Elements("ABCD", "CDAB", "BADC", "DCBA")) : Gen.Constant<string?>(null)
        from bit in type == "bool" && table is "input" or "holding" ? MaybeValue(Gen.Choose(0, 15)) : Gen.Constant<int?>(null)
        from scale in numeric ? Maybe(Gen.Elements("0.1", "2", "-1.5", "1e-3")) : Gen.Constant<string?>(null)
        from offset in numeric ? Maybe(Gen.Elements("-40", "3.25", "0")) : Gen.Constant<string?>(null)
        from deadband in numeric ? Maybe(Gen.Elements("0", "0.5", "10")) : Gen.Constant<string?>(null)
        from writable in table is "coil" or "holding" ? MaybeValue(Gen.Elements(true, false)) : MaybeValue(Gen.Constant(false))
        from units in Maybe(Gen.Elements("kW", "\"°C\"", "m/s"))
        from description in Maybe(Gen.Elements("Rotor speed", "\"a: quoted text\""))
        from eng in numeric ? MaybeValue(Gen.Choose(-100, 100).Select(lo => (lo, lo + 50))) : Gen.Constant<(int, int)?>(null)
        from maxInterval in MaybeValue(Gen.Choose(10, 86_400_000))
        select new GMetric(table, type, address, order, bit, type == "string" ? length : null, scale, offset, deadband, writable, units,
            description, eng, maxInterval);

    public static Gen<GGpio> Line() =>
        from output in Gen.Elements(true, false)
        from bias in Maybe(Gen.Elements("as-is", "disabled", "pull-up", "pull-down"))
        from activeLow in MaybeValue(Gen.Elements(true, false))
        from debounce in output ? Gen.Constant<int?>(null) : MaybeValue(Gen.Choose(0, 1000))
        from edge in output ? Gen.Constant<string?>(null) : Maybe(Gen.Elements("none", "rising", "falling", "both"))
        from initial in output ? MaybeValue(Gen.Elements(true, false)) : Gen.Constant<bool?>(null)
        from drive in output ? Maybe(Gen.Elements("push-pull", "open-drain", "open-source")) : Gen.Constant<string?>(null)
        select new GGpio(output ? "output" : "input", bias, activeLow, debounce, edge, initial, drive);

    public static Gen<GDevice> Device() =>
        from kind in Gen.Frequency((4, Gen.Constant("tcp")), (3, Gen.Constant("rtu")), (1, Gen.Constant("gpio")), (1, Gen.Constant("i2c")))
        from scanMs in MaybeValue(Gen.Choose(10, 60_000))
        from enabled in Gen.Frequency((1, Gen.Constant<bool?>(false)), (2, Gen.Constant<bool?>(true)), (4, Gen.Constant<bool?>(null)))
        from unitId in kind == "rtu" ? Gen.Choose(1, 247) : Gen.Choose(0, 255)
        from timeout in MaybeValue(Gen.Choose(1, 600_000))
        from retries in MaybeValue(Gen.Choose(0, 10))
        from metrics in Gen.Choose(1, 8).SelectMany(n => Gen.ListOf(Metric(), n))
        from lines in Gen.Choose(1, 6).SelectMany(n => Gen.ListOf(Line(), n))
        from bme in Gen.Elements(true, false)
        from registers in Gen.Choose(1, 4).SelectMany(n => Gen.ListOf(
            Gen.Elements("int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64")
                .SelectMany(t => Gen.Elements("", "ABCD", "CDAB", "BADC", "DCBA").Select(o => (t, o))), n))
        select new GDevice(kind, scanMs, enabled, unitId, timeout, retries, metrics.ToList(), lines.ToList(), bme, registers.ToList());

    public static Gen<GConfig> Config() =>
        from nodeScan in MaybeValue(Gen.Choose(10, 86_400_000))
        from aliases in MaybeValue(Gen.Elements(true, false))
        from encoding in Maybe(Gen.Elements("intValue", "longValue"))
        from servers in Gen.Choose(1, 3).SelectMany(n => Gen.ListOf(Gen.Elements("mqtt://127.0.0.1:1883", "mqtts://broker.example.com", "tcp://[::1]:1884"), n))
        from keepAlive in MaybeValue(Gen.Choose(0, 65535))
        from clientId in Maybe(Gen.Elements("gw-1", "\"edge node 7\""))
        from storeEnabled in MaybeValue(Gen.Elements(true, false))
        from maxMb in MaybeValue(Gen.Choose(1, 1_048_576))
        from devices in Gen.Choose(1, 5).SelectMany(n => Gen.ListOf(Device(), n))
        select new GConfig(nodeScan, aliases, encoding, servers.ToList(), keepAlive, clientId, storeEnabled, maxMb, devices.ToList());

    /// <summary>A valid configuration and one of its keys, with a misspelling of that key that no schema key has.</summary>
    public static Gen<(GConfig Config, KeyAt Key, string Mutated)> ConfigWithMutatedKey() =>
        from config in Config()
        let keys = config.Render().Keys
        from index in Gen.Choose(0, keys.Count - 1)
        from position in Gen.Choose(0, keys[index].Key.Length)
        from letter in Gen.Elements('q', 'z', 'j', 'X')
        let key = keys[index]
        select (config, key, key.Key.Insert(position, letter.ToString()));
}
