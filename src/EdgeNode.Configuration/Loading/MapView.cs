using EdgeNode.Configuration.Yaml;

namespace EdgeNode.Configuration.Loading;

/// <summary>
/// A mapping of the file with its allowed keys: unknown and duplicate keys are reported when it is opened; typed
/// getters report wrong types, missing required keys and out-of-range values, each at the offending node.
/// </summary>
internal sealed class MapView
{
    private readonly Dictionary<string, KeyValuePair<YScalar, YNode>> _entries = new(StringComparer.Ordinal);
    private readonly HashSet<string> _suggested = new(StringComparer.Ordinal);

    private MapView(ConfigFile file, YMap map, string path)
    {
        File = file;
        Map = map;
        Path = path;
    }

    public ConfigFile File { get; }

    public YMap Map { get; }

    /// <summary>Where the mapping is, e.g. <c>devices[0].modbus</c> (empty for the root).</summary>
    public string Path { get; }

    public YPos Start => Map.Start;

    /// <summary>Opens <paramref name="node"/> as a mapping; reports it and returns null when it is something else.</summary>
    public static MapView? Open(ConfigFile file, YNode node, string path, IReadOnlyCollection<string> allowed)
    {
        if (node is not YMap map)
        {
            file.Error(node, path, $"expected a mapping of keys, got {YamlTreeReader.Describe(node)}");
            return null;
        }

        GarbagePacer.Tick();
        var view = new MapView(file, map, path);
        foreach (var entry in map.Entries)
        {
            var key = entry.Key.Value;
            if (!allowed.Contains(key))
            {
                var suggestion = Suggest.Closest(key, allowed);
                if (suggestion is not null)
                {
                    view._suggested.Add(suggestion);
                }

                file.Error(entry.Key, path, $"unknown key {Echo.Quote(key)}" + (suggestion is null
                    ? $" (expected one of {string.Join(", ", allowed)})"
                    : $" (did you mean '{suggestion}'?)"));
                continue;
            }

            if (!view._entries.TryAdd(key, entry))
            {
                file.Error(entry.Key, path, $"duplicate key '{key}' (first at line {view._entries[key].Key.Start.Line})");
            }
        }

        return view;
    }

    public string At(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary><see cref="At"/>, joined only if an error needs it.</summary>
    private ConfigPath Lazy(string key) => new(Path, key);

    public bool Has(string key) => _entries.ContainsKey(key);

    /// <summary>The value of <paramref name="key"/>, or null when the key is absent or its value is YAML null.</summary>
    public YNode? Value(string key) =>
        _entries.TryGetValue(key, out var entry) && entry.Value is not YScalar { IsNull: true } ? entry.Value : null;

    /// <summary>The key node itself (for errors about the key's presence).</summary>
    public YScalar? Key(string key) => _entries.TryGetValue(key, out var entry) ? entry.Key : null;

    /// <summary>The value, or the key when the value is empty: the best place to point at <paramref name="key"/>.</summary>
    public YNode? Node(string key) => _entries.TryGetValue(key, out var entry)
        ? entry.Value is YScalar { IsNull: true } ? entry.Key : entry.Value
        : null;

    /// <summary>The value of a required key; reports it missing (at the mapping, or at the key when its value is empty).</summary>
    public YNode? Required(string key)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            if (entry.Value is YScalar { IsNull: true })
            {
                File.Error(entry.Key, At(key), "a value is required");
                return null;
            }

            return entry.Value;
        }

        ReportMissing(key, $"missing required key '{key}'");
        return null;
    }

    /// <summary>
    /// True when an unknown key of this mapping was reported as a likely misspelling of <paramref name="key"/>: the
    /// key is then not reported missing too (one typo, one error).
    /// </summary>
    public bool WasMisspelled(string key) => _suggested.Contains(key);

    /// <summary>True when any of <paramref name="keys"/> was misspelled: rules that depend on them are not checked.</summary>
    public bool AnyMisspelled(params string[] keys) => keys.Any(_suggested.Contains);

    /// <summary>Reports <paramref name="key"/> missing at the mapping, unless it was misspelled (already reported).</summary>
    public void ReportMissing(string key, string message)
    {
        if (!WasMisspelled(key))
        {
            File.Error(Start, Path, message);
        }
    }

    private YNode? Get(string key, bool required) => required ? Required(key) : Value(key);

    public string? Text(string key, bool required = false)
    {
        var node = Get(key, required);
        return node is not null && File.TryText(node, Lazy(key), out var value) ? value : null;
    }

    /// <summary>Text that must not be empty or blank.</summary>
    public string? Name(string key, bool required = false)
    {
        var node = Get(key, required);
        if (node is null || !File.TryText(node, Lazy(key), out var value))
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            File.Error(node, At(key), "must not be empty");
            return null;
        }

        return value;
    }

    public int? Int(string key, int min, int max, bool required = false)
    {
        var node = Get(key, required);
        return node is not null && File.TryInt(node, Lazy(key), min, max, out var value) ? value : null;
    }

    public double? Number(string key, bool required = false)
    {
        var node = Get(key, required);
        return node is not null && File.TryNumber(node, Lazy(key), out var value) ? value : null;
    }

    /// <summary>A number in [min, max] (or above min when <paramref name="minExclusive"/>).</summary>
    public double? Number(string key, double min, double max, bool minExclusive = false, bool required = false)
    {
        var node = Get(key, required);
        if (node is null || !File.TryNumber(node, Lazy(key), out var value))
        {
            return null;
        }

        if (minExclusive ? value <= min : value < min)
        {
            File.Error(node, At(key), minExclusive
                ? $"{Numbers.Format(value)} must be above {Numbers.Format(min)}"
                : $"{Numbers.Format(value)} must be at least {Numbers.Format(min)}");
            return null;
        }

        if (value > max)
        {
            File.Error(node, At(key), $"{Numbers.Format(value)} must be at most {Numbers.Format(max)}");
            return null;
        }

        return value;
    }

    public bool? Bool(string key, bool required = false)
    {
        var node = Get(key, required);
        return node is not null && File.TryBool(node, Lazy(key), out var value) ? value : null;
    }

    public T? Word<T>(string key, string what, Words<T> words, bool required = false)
        where T : struct
    {
        var node = Get(key, required);
        return node is not null && File.TryWord(node, Lazy(key), what, words, out var value) ? value : null;
    }

    public MapView? Sub(string key, IReadOnlyCollection<string> allowed, bool required = false)
    {
        var node = Get(key, required);
        return node is null ? null : Open(File, node, At(key), allowed);
    }

    /// <summary>A list; reports anything else. An empty value is an empty list.</summary>
    public YSeq? List(string key, bool required = false)
    {
        var node = Get(key, required);
        switch (node)
        {
            case null:
                return null;
            case YSeq seq:
                return seq;
            default:
                File.Error(node, At(key), $"expected a list, got {YamlTreeReader.Describe(node)}");
                return null;
        }
    }

    /// <summary>Reports <paramref name="key"/> (at its key) as not allowed here, when present.</summary>
    public void Forbid(string key, string why)
    {
        if (Key(key) is { } k)
        {
            File.Error(k, At(key), why);
        }
    }
}

/// <summary>"Did you mean" suggestions by edit distance (optimal string alignment: a swap of neighbours counts once).</summary>
internal static class Suggest
{
    private const int MaxInputLength = 64;

    public static string? Closest(string input, IEnumerable<string> candidates)
    {
        if (input.Length > MaxInputLength)
        {
            return null; // no key is that long, and the distance table would grow with it
        }

        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = string.Equals(input, candidate, StringComparison.OrdinalIgnoreCase)
                ? 0
                : Distance(input.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }

        // Two edits, or a third of the longer word: close enough to be a typo, far enough not to suggest nonsense.
        return best is not null && bestDistance <= Math.Max(2, Math.Max(input.Length, best.Length) / 3) ? best : null;
    }

    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    /// <summary>" (did you mean 'X'?)" or "".</summary>
    public static string Hint(string input, IEnumerable<string> candidates) =>
        Closest(input, candidates) is { } s ? $" (did you mean '{s}'?)" : "";
}
