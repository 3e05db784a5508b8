using EdgeNode.Configuration.Yaml;

namespace EdgeNode.Configuration.Loading;

internal sealed partial class ConfigReader
{
    internal static readonly string[] DeviceKeys =
        ["id", "type", "scanMs", "deadAfterFailedScans", "enabled", "modbus", "gpio", "i2c", "metrics", "sensors", "addressOffset", "parameters", "overrides"];
    internal static readonly string[] ModbusKeys = ["tcp", "rtu", "unitId", "timeoutMs", "retries"];
    internal static readonly string[] TcpKeys = ["host", "port"];
    internal static readonly string[] RtuKeys = ["port", "baud", "parity", "dataBits", "stopBits", "rs485"];
    internal static readonly string[] Rs485Keys =
        ["enabled", "rtsOnSend", "rtsAfterSend", "delayRtsBeforeSendMs", "delayRtsAfterSendMs", "rxDuringTx", "terminateBus"];
    internal static readonly string[] OverrideKeys = ["enabled", "deadband", "maxIntervalMs", "units", "description", "engLow", "engHigh", "writable"];
    internal static readonly string[] SourceKeys = ["modbus", "gpio", "i2c"];

    private static readonly Words<SerialParitySetting> Parities = new(("none", SerialParitySetting.None), ("even", SerialParitySetting.Even), ("odd", SerialParitySetting.Odd));

    /// <summary>What the cross-device checks need to know about one device.</summary>
    private sealed class DeviceEntry(string path, YNode node)
    {
        public string Path { get; } = path;

        public YNode Node { get; } = node;

        public bool Enabled { get; set; } = true;

        public SerialLineConfig? Serial { get; set; }

        public YNode? SerialNode { get; set; }

        public string? GpioChip { get; set; }

        public string? I2cBus { get; set; }

        public List<(string Line, YNode Node, string Path)> GpioLines { get; } = [];

        public List<(int Address, YNode Node, string Path)> I2cAddresses { get; } = [];
    }

    private List<DeviceConfig> ReadDevices(MapView root)
    {
        var result = new List<DeviceConfig>();
        var list = root.List("devices");
        if (list is null)
        {
            return result;
        }

        var ids = new Dictionary<string, (YNode Node, string Path)>(StringComparer.Ordinal);
        var entries = new List<DeviceEntry>();
        for (var i = 0; i < list.Items.Count; i++)
        {
            var path = $"devices[{i}]";
            var d = MapView.Open(_main, list.Items[i], path, DeviceKeys);
            if (d is null)
            {
                continue;
            }

            var entry = new DeviceEntry(path, d.Map);
            entries.Add(entry);
            var id = SparkplugIdentifier(d, "id", required: true);
            if (id is not null && !ids.TryAdd(id, (d.Node("id")!, path)))
            {
                var first = ids[id];
                _main.Error(d.Node("id")!, d.At("id"), $"duplicate device id '{id}' (also {first.Path}, line {first.Node.Start.Line})");
            }

            var config = ReadDevice(d, id, entry);
            if (config is not null && entry.Enabled)
            {
                result.Add(config);
            }
        }

        CheckSharedSerialPorts(entries.Where(e => e.Enabled));
        CheckGpioLinesAcrossDevices(entries.Where(e => e.Enabled));
        CheckI2cAddressesAcrossDevices(entries.Where(e => e.Enabled));
        return result;
    }

    private DeviceConfig? ReadDevice(MapView d, string? id, DeviceEntry entry)
    {
        var scanMs = d.Int("scanMs", MinScanMs, MaxMs);
        var deadAfter = d.Int("deadAfterFailedScans", 1, NodeSection.MaxDeadAfterFailedScans);
        var enabled = d.Bool("enabled");
        entry.Enabled = enabled ?? true;
        var sources = SourceKeys.Where(d.Has).ToList();
        if (sources.Count == 0)
        {
            if (!SourceKeys.Any(d.WasMisspelled))
            {
                _main.Error(d.Start, d.Path, "missing its source: one of modbus, gpio or i2c");
            }

            return null;
        }

        foreach (var extra in sources.Skip(1))
        {
            d.Forbid(extra, $"a device has one source, and this one already has {sources[0]}");
        }

        var kind = sources[0] switch { "modbus" => DeviceKind.Modbus, "gpio" => DeviceKind.Gpio, _ => DeviceKind.I2c };
        if (kind != DeviceKind.Modbus)
        {
            foreach (var key in (string[])["type", "addressOffset", "parameters", "overrides"])
            {
                d.Forbid(key, $"device types describe Modbus register maps; not for a {sources[0]} device");
            }
        }

        if (kind != DeviceKind.I2c)
        {
            d.Forbid("sensors", "only for i2c devices");
        }

        DeviceConfig? config = kind switch
        {
            DeviceKind.Modbus => ReadModbusDevice(d, id, entry),
            DeviceKind.Gpio => ReadGpioDevice(d, id, entry),
            _ => ReadI2cDevice(d, id, entry),
        };
        if (config is null || (d.Has("scanMs") && scanMs is null) || (d.Has("deadAfterFailedScans") && deadAfter is null)
            || (d.Has("enabled") && enabled is null) || sources.Count > 1)
        {
            return null;
        }

        return config with { ScanMs = scanMs, DeadAfterFailedScans = deadAfter };
    }

    private DeviceConfig? ReadModbusDevice(MapView d, string? id, DeviceEntry entry)
    {
        var modbus = ReadModbusSource(d, entry);
        var typeName = d.Name("type");
        IReadOnlyList<MetricConfig>? metrics;
        DeviceTypeConfig? type = null;
        IReadOnlyList<ParameterConfig> parameters = [];
        if (d.Has("type"))
        {
            (type, metrics, parameters) = ResolveTypedDevice(d, typeName);
        }
        else if (d.WasMisspelled("type"))
        {
            // the type's name was misspelled (already reported): its metrics cannot be known
            return null;
        }
        else
        {
            d.Forbid("addressOffset", "only for devices with a type (it moves the type's addresses)");
            d.Forbid("parameters", "only for devices with a type (parameters are declared by the type)");
            d.Forbid("overrides", "only for devices with a type (change an untyped device's metrics directly)");
            metrics = ReadDeviceMetrics(d);
        }

        if (modbus is null || metrics is null || id is null)
        {
            return null;
        }

        return new DeviceConfig
        {
            Id = id,
            Kind = DeviceKind.Modbus,
            Modbus = modbus,
            Type = type,
            Parameters = parameters,
            Metrics = metrics,
        };
    }

    /// <summary>The <c>metrics:</c> list of an untyped Modbus device.</summary>
    private List<MetricConfig>? ReadDeviceMetrics(MapView d)
    {
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

        var parsed = new List<ParsedMetric>();
        var names = new List<NameRef>();
        var ok = true;
        var at = d.At("metrics");
        for (var i = 0; i < list.Items.Count; i++)
        {
            if (ReadModbusMetric(_main, list.Items[i], $"{at}[{i}]", names) is { } metric)
            {
                parsed.Add(metric);
            }
            else
            {
                ok = false;
            }
        }

        var before = _sink.Count;
        CheckUniqueNames(_main, names);
        return ok && _sink.Count == before ? parsed.Select(p => p.Metric).ToList() : null;
    }

    private ModbusDeviceConfig? ReadModbusSource(MapView d, DeviceEntry entry)
    {
        var m = d.Sub("modbus", ModbusKeys);
        if (m is null)
        {
            return null;
        }

        var links = new[] { "tcp", "rtu" }.Where(m.Has).ToList();
        if (links.Count == 0 && !m.WasMisspelled("tcp") && !m.WasMisspelled("rtu"))
        {
            _main.Error(m.Start, m.Path, "missing its link: tcp: { host, port } or rtu: { port, baud, ... }");
        }
        else if (links.Count > 1)
        {
            m.Forbid("rtu", "a device is reached over tcp or rtu, not both");
        }

        var isRtu = links.Count == 1 && links[0] == "rtu";
        ModbusLinkConfig? link = links.Count != 1 ? null : isRtu ? ReadRtu(m, entry) : ReadTcp(m);

        // Modbus TCP devices commonly answer on 0 or 255 ("this device"); on a serial line 0 is broadcast and cannot be polled.
        var unitId = m.Int("unitId", 0, 255);
        if (isRtu && unitId is 0 or > 247)
        {
            _main.Error(m.Node("unitId")!, m.At("unitId"), unitId == 0
                ? "0 is the RTU broadcast address, which cannot be polled (use 1..247)"
                : $"{unitId} is outside 1..247 (the unit ids of a serial line)");
            unitId = null;
        }

        var timeout = m.Int("timeoutMs", 1, 600_000);
        var retries = m.Int("retries", 0, 10);
        if (link is null || (m.Has("unitId") && unitId is null) || (m.Has("timeoutMs") && timeout is null) ||
            (m.Has("retries") && retries is null))
        {
            return null;
        }

        return new ModbusDeviceConfig
        {
            Link = link,
            UnitId = (byte)(unitId ?? 1),
            TimeoutMs = timeout ?? 1000,
            Retries = retries ?? 2,
        };
    }

    private static ModbusLinkConfig? ReadTcp(MapView modbus)
    {
        var tcp = modbus.Sub("tcp", TcpKeys);
        if (tcp is null)
        {
            return null;
        }

        var host = tcp.Name("host", required: true);
        var port = tcp.Int("port", 1, 65535);
        if (host is not null && Uri.CheckHostName(host.Trim('[', ']')) == UriHostNameType.Unknown)
        {
            tcp.File.Error(tcp.Node("host")!, tcp.At("host"), $"'{host}' is not a valid host name or IP address");
            return null;
        }

        return host is null || (tcp.Has("port") && port is null) ? null : ModbusLinkConfig.ForTcp(host.Trim('[', ']'), port ?? 502);
    }

    private static ModbusLinkConfig? ReadRtu(MapView modbus, DeviceEntry entry)
    {
        var rtu = modbus.Sub("rtu", RtuKeys);
        if (rtu is null)
        {
            return null;
        }

        var port = rtu.Name("port", required: true);
        var baud = rtu.Int("baud", SerialLineConfig.MinBaudRate, SerialLineConfig.MaxBaudRate);
        var parity = rtu.Word("parity", "parity", Parities);
        var dataBits = rtu.Int("dataBits", 7, 8);
        var stopBits = rtu.Int("stopBits", 1, 2);
        var rs485 = ReadRs485(rtu, out var rs485Uncertain);
        if (port is null || (rtu.Has("baud") && baud is null) || (rtu.Has("parity") && parity is null) ||
            (rtu.Has("dataBits") && dataBits is null) || (rtu.Has("stopBits") && stopBits is null) ||
            (rtu.Value("rs485") is not null && rs485 is null))
        {
            return null;
        }

        var serial = new SerialLineConfig
        {
            PortName = port,
            BaudRate = baud ?? 19200,
            Parity = parity ?? SerialParitySetting.None,
            DataBits = dataBits ?? 8,
            StopBits = stopBits ?? 1,
            Rs485 = rs485,
        };
        // A misspelled line setting fell back to its default: comparing it with other devices would only add noise.
        entry.Serial = rtu.AnyMisspelled("port", "baud", "parity", "dataBits", "stopBits", "rs485") || rs485Uncertain ? null : serial;
        entry.SerialNode = rtu.Map;
        return ModbusLinkConfig.ForRtu(serial);
    }

    private static Rs485Config? ReadRs485(MapView rtu, out bool uncertain)
    {
        uncertain = false;
        var r = rtu.Sub("rs485", Rs485Keys);
        if (r is null)
        {
            return null;
        }

        uncertain = r.AnyMisspelled(Rs485Keys);
        var enabled = r.Bool("enabled");
        var onSend = r.Bool("rtsOnSend");
        var afterSend = r.Bool("rtsAfterSend");
        var before = r.Int("delayRtsBeforeSendMs", 0, 1000);
        var after = r.Int("delayRtsAfterSendMs", 0, 1000);
        var rx = r.Bool("rxDuringTx");
        var terminate = r.Bool("terminateBus");
        var settings = new Rs485Config
        {
            Enabled = enabled ?? true,
            RtsOnSend = onSend ?? true,
            RtsAfterSend = afterSend ?? false,
            DelayRtsBeforeSendMs = before ?? 0,
            DelayRtsAfterSendMs = after ?? 0,
            RxDuringTx = rx ?? false,
            TerminateBus = terminate ?? false,
        };
        var ok = Rs485Keys.All(k => !r.Has(k) || k switch
        {
            "enabled" => enabled is not null,
            "rtsOnSend" => onSend is not null,
            "rtsAfterSend" => afterSend is not null,
            "delayRtsBeforeSendMs" => before is not null,
            "delayRtsAfterSendMs" => after is not null,
            "rxDuringTx" => rx is not null,
            _ => terminate is not null,
        });
        if (ok && settings.Enabled && settings.RtsOnSend == settings.RtsAfterSend && !r.AnyMisspelled("enabled", "rtsOnSend", "rtsAfterSend"))
        {
            r.File.Error(r.Node(r.Has("rtsAfterSend") ? "rtsAfterSend" : "rtsOnSend") ?? (YNode)r.Map, r.At("rtsAfterSend"),
                "rtsOnSend and rtsAfterSend must differ, or the transceiver never (or always) drives the bus");
            ok = false;
        }

        return ok ? settings : null;
    }

    /// <summary>Devices on one serial port share the line: every line setting must agree.</summary>
    private void CheckSharedSerialPorts(IEnumerable<DeviceEntry> devices)
    {
        var firstByPort = new Dictionary<string, DeviceEntry>(StringComparer.Ordinal);
        foreach (var device in devices)
        {
            if (device.Serial is not { } serial)
            {
                continue;
            }

            if (!firstByPort.TryGetValue(serial.PortName, out var first))
            {
                firstByPort.Add(serial.PortName, device);
                continue;
            }

            var other = first.Serial!;
            var differences = new List<string>();
            if (serial.BaudRate != other.BaudRate)
            {
                differences.Add($"baud {serial.BaudRate} vs {other.BaudRate}");
            }

            if (serial.Parity != other.Parity)
            {
                differences.Add($"parity {Parities.Canonical[ParityIndex(serial.Parity)]} vs {Parities.Canonical[ParityIndex(other.Parity)]}");
            }

            if (serial.DataBits != other.DataBits)
            {
                differences.Add($"dataBits {serial.DataBits} vs {other.DataBits}");
            }

            if (serial.StopBits != other.StopBits)
            {
                differences.Add($"stopBits {serial.StopBits} vs {other.StopBits}");
            }

            if (serial.Rs485 != other.Rs485)
            {
                differences.Add("rs485 settings differ");
            }

            if (differences.Count > 0)
            {
                _main.Error(device.SerialNode!, $"{device.Path}.modbus.rtu",
                    $"serial port '{serial.PortName}' is also used by {first.Path} (line {first.SerialNode!.Start.Line}) with other line settings " +
                    $"({string.Join(", ", differences)}); devices on one line must agree on baud, parity, dataBits, stopBits and rs485");
            }
        }

        static int ParityIndex(SerialParitySetting parity) => parity switch { SerialParitySetting.Even => 1, SerialParitySetting.Odd => 2, _ => 0 };
    }

    private (DeviceTypeConfig? Type, IReadOnlyList<MetricConfig>? Metrics, IReadOnlyList<ParameterConfig> Parameters) ResolveTypedDevice(
        MapView d, string? typeName)
    {
        d.Forbid("metrics", $"a typed device takes its metrics from its type{(typeName is null ? "" : $" '{typeName}'")}; " +
                            "change them with overrides: (or remove type: and list every metric)");
        var offset = d.Int("addressOffset", -65535, 65535);
        if (typeName is null)
        {
            return (null, null, []);
        }

        if (!_typesByName.TryGetValue(typeName, out var entry))
        {
            if (_typesUncertain)
            {
                return (null, null, []);
            }

            var known = _typesByName.Keys.ToList();
            var hint = Suggest.Hint(typeName, known);
            _main.Error(d.Node("type")!, d.At("type"), $"unknown type '{typeName}'" + (hint.Length > 0
                ? hint
                : known.Count == 0 ? " (no types are defined: add a types: section or include: a type library)"
                : $" (known types: {string.Join(", ", known)})"));
            return (null, null, []);
        }

        var type = entry.Config;
        var broken = _brokenTypes.Contains(typeName);
        var parameters = ResolveParameters(d, type, broken);
        var ok = parameters is not null && !(d.Has("addressOffset") && offset is null);

        // Every member must fit at the device's offset, even one an override disables: the type stays one map.
        var members = new List<MetricConfig>();
        var outOfRange = new List<string>();
        foreach (var member in type.Metrics)
        {
            var address = member.Address + (offset ?? 0);
            var count = RegisterCount(member.Table!.Value, member.Type, member.Length);
            if (address < 0 || address + count > 65536)
            {
                outOfRange.Add($"'{member.Name}' to {address}");
            }

            members.Add(member with { Address = address });
        }

        if (outOfRange.Count > 0)
        {
            _main.Error(d.Node("addressOffset")!, d.At("addressOffset"),
                $"{offset} moves member {outOfRange[0]}, outside 0..65535" + (outOfRange.Count > 1 ? $" (and {outOfRange.Count - 1} more)" : ""));
            ok = false;
        }

        var resolved = ApplyOverrides(d, type, members, broken);
        ok &= resolved is not null && !broken;
        return ok ? (type, resolved, parameters!) : (type, null, []);
    }

    /// <summary>Every parameter of the type, with the device's value or the default.</summary>
    private List<ParameterConfig>? ResolveParameters(MapView d, DeviceTypeConfig type, bool broken)
    {
        var given = d.Value("parameters");
        var values = new Dictionary<string, ParameterConfig>(StringComparer.Ordinal);
        var ok = true;
        if (given is not null)
        {
            if (given is not YMap map)
            {
                _main.Error(given, d.At("parameters"), $"expected a mapping of parameter names to values, got {YamlTreeReader.Describe(given)}");
                return null;
            }

            foreach (var (key, value) in map.Entries)
            {
                var path = $"{d.At("parameters")}.{key.Value}";
                var declared = type.Parameters.FirstOrDefault(p => p.Name == key.Value);
                if (declared is null)
                {
                    if (!broken)
                    {
                        var names = type.Parameters.Select(p => p.Name).ToList();
                        var hint = Suggest.Hint(key.Value, names);
                        _main.Error(key, d.At("parameters"), $"type '{type.Name}' has no parameter '{key.Value}'" + (hint.Length > 0 ? hint
                            : names.Count == 0 ? " (it declares none)" : $" (it has {string.Join(", ", names)})"));
                    }

                    ok = false;
                    continue;
                }

                if (values.ContainsKey(key.Value))
                {
                    _main.Error(key, d.At("parameters"), $"duplicate key '{key.Value}'");
                    ok = false;
                    continue;
                }

                if (TryParameterValue(_main, value, path, declared.Type, out var parsed))
                {
                    values[key.Value] = declared with { Value = parsed };
                }
                else
                {
                    ok = false;
                }
            }
        }

        return ok ? type.Parameters.Select(p => values.GetValueOrDefault(p.Name) ?? p).ToList() : null;
    }

    /// <summary><c>overrides:</c> member name → { enabled, deadband, maxIntervalMs, units, description, engLow, engHigh, writable }.</summary>
    private List<MetricConfig>? ApplyOverrides(MapView d, DeviceTypeConfig type, List<MetricConfig> members, bool broken)
    {
        var node = d.Value("overrides");
        if (node is null)
        {
            return members;
        }

        if (node is not YMap map)
        {
            _main.Error(node, d.At("overrides"), $"expected a mapping of member names to overrides, got {YamlTreeReader.Describe(node)}");
            return null;
        }

        var ok = true;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var disabled = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in map.Entries)
        {
            var path = $"{d.At("overrides")}.{key.Value}";
            var index = members.FindIndex(m => m.Name == key.Value);
            if (index < 0)
            {
                if (!broken)
                {
                    _main.Error(key, d.At("overrides"), $"type '{type.Name}' has no member '{key.Value}'" +
                                                        Suggest.Hint(key.Value, members.Select(m => m.Name)));
                }

                ok = false;
                continue;
            }

            if (!seen.Add(key.Value))
            {
                _main.Error(key, d.At("overrides"), $"duplicate key '{key.Value}'");
                ok = false;
                continue;
            }

            var o = MapView.Open(_main, value, path, OverrideKeys);
            if (o is null)
            {
                ok = false;
                continue;
            }

            var member = members[index];
            var enabled = o.Bool("enabled");
            var writable = o.Bool("writable");
            var look = ReadPresentation(o, member.Type, member);
            if (writable == true && !IsWritableTable(member.Table!.Value))
            {
                ok = Fail(o, "writable", $"member '{member.Name}' is on the {TableName(member.Table!.Value)} table, which is read-only");
            }

            if (look is null || (o.Has("enabled") && enabled is null) || (o.Has("writable") && writable is null))
            {
                ok = false;
                continue;
            }

            members[index] = look.ApplyTo(member) with { Writable = writable ?? member.Writable };
            if (enabled == false)
            {
                disabled.Add(member.Name);
            }
        }

        return ok ? members.Where(m => !disabled.Contains(m.Name)).ToList() : null;
    }

}
