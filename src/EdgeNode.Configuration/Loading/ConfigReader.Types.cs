using EdgeNode.Configuration.Yaml;

namespace EdgeNode.Configuration.Loading;

internal sealed partial class ConfigReader
{
    internal static readonly string[] TypeKeys = ["version", "description", "parameters", "metrics"];
    internal static readonly string[] ParameterKeys = ["name", "type", "default"];

    /// <summary>A type as read: its resolved model, and where it and its members are (for errors about devices using it).</summary>
    private sealed record TypeEntry(DeviceTypeConfig Config, ConfigFile File, YScalar NameNode, string Path);

    private readonly List<TypeEntry> _types = [];
    private readonly Dictionary<string, TypeEntry> _typesByName = new(StringComparer.Ordinal);

    /// <summary>The <c>types:</c> section of <paramref name="file"/> (the main file or an included one).</summary>
    private void ReadTypes(ConfigFile file, MapView root)
    {
        var node = root.Value("types");
        if (node is null)
        {
            return;
        }

        if (node is not YMap map)
        {
            file.Error(node, "types", $"expected a mapping of type names to types, got {YamlTreeReader.Describe(node)}");
            return;
        }

        foreach (var (nameNode, body) in map.Entries)
        {
            var name = nameNode.Value;
            var path = $"types.{name}";
            var nameOk = CheckTypeName(file, nameNode, path, name);
            if (nameOk && _typesByName.TryGetValue(name, out var first))
            {
                file.Error(nameNode, path, $"type '{name}' is already defined at {first.File.DisplayPath}:{first.NameNode.Start.Line}");
                nameOk = false;
            }

            var type = ReadType(file, body, path, name);
            if (nameOk && type is not null)
            {
                var entry = new TypeEntry(type, file, nameNode, path);
                _types.Add(entry);
                _typesByName.Add(name, entry);
            }
            else if (nameOk)
            {
                // Keep the name known so devices using it are not also told it does not exist.
                _typesByName.Add(name, new TypeEntry(new DeviceTypeConfig { Name = name, Metrics = [] }, file, nameNode, path));
                _brokenTypes.Add(name);
            }
        }
    }

    private readonly HashSet<string> _brokenTypes = new(StringComparer.Ordinal);

    /// <summary>
    /// Some types could not be read at all (a misspelled <c>types:</c>/<c>include:</c>, an included file that is not YAML):
    /// a device naming an unknown type is then not reported, since the type may well be the one that could not be read.
    /// </summary>
    private bool _typesUncertain;

    /// <summary>A type name is the Template definition's metric name in NBIRTH, beside the node's own metrics.</summary>
    private static bool CheckTypeName(ConfigFile file, YScalar node, string path, string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            file.Error(node, "types", "a type name must not be empty");
            return false;
        }

        if (name.StartsWith("Properties/", StringComparison.OrdinalIgnoreCase))
        {
            file.Error(node, path, $"'{name}' starts with 'Properties/', which the node uses for its own NBIRTH metrics");
            return false;
        }

        return CheckMetricName(file, node, path, name);
    }

    private static DeviceTypeConfig? ReadType(ConfigFile file, YNode body, string path, string name)
    {
        var t = MapView.Open(file, body, path, TypeKeys);
        if (t is null)
        {
            return null;
        }

        var version = t.Text("version");
        var description = t.Text("description");
        var parameters = ReadParameters(t);
        var metrics = new List<ParsedMetric>();
        var names = new List<NameRef>();
        var ok = parameters is not null;
        if (t.List("metrics", required: true) is { } list)
        {
            if (list.Items.Count == 0)
            {
                file.Error(list, t.At("metrics"), "a type needs at least one metric");
                ok = false;
            }

            for (var i = 0; i < list.Items.Count; i++)
            {
                if (ReadModbusMetric(file, list.Items[i], $"{t.At("metrics")}[{i}]", names) is { } metric)
                {
                    metrics.Add(metric);
                }
                else
                {
                    ok = false;
                }
            }

            var before = file.Sink.Count;
            CheckUniqueNames(file, names);
            ok &= file.Sink.Count == before;
        }
        else
        {
            ok = false;
        }

        return ok
            ? new DeviceTypeConfig
            {
                Name = name,
                Version = version,
                Description = description,
                Parameters = parameters!,
                Metrics = metrics.Select(m => m.Metric).ToList(),
                SourcePath = file.FullPath,
            }
            : null;
    }

    private static List<ParameterConfig>? ReadParameters(MapView type)
    {
        var list = type.List("parameters");
        var result = new List<ParameterConfig>();
        if (list is null)
        {
            return type.Has("parameters") && type.Value("parameters") is not null ? null : result;
        }

        var ok = true;
        var seen = new Dictionary<string, YNode>(StringComparer.Ordinal);
        for (var i = 0; i < list.Items.Count; i++)
        {
            var p = MapView.Open(type.File, list.Items[i], $"{type.At("parameters")}[{i}]", ParameterKeys);
            if (p is null)
            {
                ok = false;
                continue;
            }

            var name = p.Name("name", required: true);
            var dataType = p.Word("type", "type", DataTypes, required: true);
            var defaultNode = p.Required("default");
            if (name is not null && !seen.TryAdd(name, p.Node("name")!))
            {
                p.File.Error(p.Node("name")!, p.At("name"), $"duplicate parameter name '{name}' (first at line {seen[name].Start.Line})");
                ok = false;
                continue;
            }

            if (name is null || dataType is null || defaultNode is null ||
                !TryParameterValue(p.File, defaultNode, p.At("default"), dataType.Value, out var value))
            {
                ok = false;
                continue;
            }

            result.Add(new ParameterConfig { Name = name, Type = dataType.Value, Value = value });
        }

        return ok ? result : null;
    }

    /// <summary>A parameter value of <paramref name="type"/>: bool, long (signed and 16/32-bit unsigned), ulong (uint64), double or string.</summary>
    private static bool TryParameterValue(ConfigFile file, YNode node, string path, MetricDataType type, out object value)
    {
        value = null!;
        switch (type)
        {
            case MetricDataType.Bool:
                if (file.TryBool(node, path, out var b))
                {
                    value = b;
                    return true;
                }

                return false;
            case MetricDataType.String:
                if (file.TryText(node, path, out var s))
                {
                    value = s;
                    return true;
                }

                return false;
            case MetricDataType.Float32 or MetricDataType.Float64:
                if (!file.TryNumber(node, path, out var d))
                {
                    return false;
                }

                if (type == MetricDataType.Float32 && Math.Abs(d) > float.MaxValue)
                {
                    file.Error(node, path, $"{Numbers.Format(d)} does not fit float32");
                    return false;
                }

                value = d;
                return true;
            default:
                var (min, max) = IntegerRange(type);
                if (!file.TryInteger(node, path, min, max, out var i))
                {
                    return false;
                }

                value = type == MetricDataType.UInt64 ? (ulong)i : (object)(long)i;
                return true;
        }
    }

    internal static (Int128 Min, Int128 Max) IntegerRange(MetricDataType type) => type switch
    {
        MetricDataType.Int16 => (short.MinValue, short.MaxValue),
        MetricDataType.UInt16 => (0, ushort.MaxValue),
        MetricDataType.Int32 => (int.MinValue, int.MaxValue),
        MetricDataType.UInt32 => (0, uint.MaxValue),
        MetricDataType.Int64 => (long.MinValue, long.MaxValue),
        _ => (0, ulong.MaxValue),
    };

    /// <summary>All included files together: four times what one file may hold.</summary>
    internal const long MaxIncludedBytes = 4L * ConfigSource.MaxFileBytes;

    private const string MaxIncludedText = "16 MiB";

    internal const int MaxIncludedFiles = 1000;

    private long _includedBytes;
    private int _includedFiles;

    private static bool IsYamlName(string path) =>
        path.EndsWith(".yaml", StringComparison.Ordinal) || path.EndsWith(".yml", StringComparison.Ordinal);

    /// <summary>
    /// <c>include:</c> folders (or single files) of type libraries, relative to the main file; every <c>*.yaml</c>/<c>*.yml</c>
    /// in a folder, by name, each holding only <c>types:</c>. Errors in them carry their own path.
    /// </summary>
    private void ReadIncludes(MapView root)
    {
        var node = root.Value("include");
        if (node is null)
        {
            return;
        }

        IEnumerable<(YNode Node, string Path)> entries = node switch
        {
            YSeq seq => seq.Items.Select((item, i) => (item, $"include[{i}]")),
            _ => [(node, "include")],
        };

        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (item, path) in entries)
        {
            if (!_main.TryText(item, path, out var text) || text.Length == 0)
            {
                if (text?.Length == 0 && item is YScalar { IsNull: false })
                {
                    _main.Error(item, path, "must not be empty");
                }

                continue;
            }

            var full = Path.TrimEndingDirectorySeparator(_main.Resolve(text));
            var displayBase = Path.Combine(Path.GetDirectoryName(_main.DisplayPath) ?? "", text);
            List<(string Full, string Display)> files;
            if (Directory.Exists(full))
            {
                files = Directory.EnumerateFiles(full)
                    .Where(IsYamlName)
                    .Order(StringComparer.Ordinal)
                    .Select(f => (f, Path.Combine(displayBase, Path.GetFileName(f))))
                    .ToList();
            }
            else if (File.Exists(full))
            {
                if (!IsYamlName(full))
                {
                    // Not read at all: an include names type libraries, and an error about a file that is not one
                    // would quote it (include: /etc/passwd).
                    _main.Error(item, path, $"'{Echo.Shorten(text, 200)}' is not a .yaml or .yml file; an include names YAML type libraries (or a folder of them)");
                    continue;
                }

                files = [(full, displayBase)];
            }
            else
            {
                _main.Error(item, path, $"folder '{full}' not found");
                continue;
            }

            foreach (var (fileFull, display) in files)
            {
                if (!done.Add(fileFull) || fileFull == _main.FullPath)
                {
                    continue;
                }

                if (_includedBytes > MaxIncludedBytes || ++_includedFiles > MaxIncludedFiles)
                {
                    _main.Error(item, path, _includedBytes > MaxIncludedBytes
                        ? $"the included files hold more than {MaxIncludedText} in all; the rest are not read"
                        : $"more than {MaxIncludedFiles} included files; the rest are not read");
                    _typesUncertain = true;
                    return;
                }

                var file = new ConfigFile(display, fileFull, _sink);
                var tree = ParseFile(file);
                _includedBytes += file.Bytes;
                _typesUncertain |= tree is null;
                if (tree is not null && OpenRoot(file, tree) is { } included)
                {
                    _typesUncertain |= included.WasMisspelled("types");
                    foreach (var key in RootKeys.Where(k => k != "types"))
                    {
                        included.Forbid(key, $"'{key}' belongs in the main configuration file; an included file holds only 'types:'");
                    }

                    if (!included.Has("types") && !included.WasMisspelled("types"))
                    {
                        file.Error(included.Start, "", "an included file holds a 'types:' section, and this one has none");
                    }

                    ReadTypes(file, included);
                }
            }
        }
    }
}
