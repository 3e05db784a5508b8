using System.Globalization;
using EdgeNode.Configuration.Yaml;

namespace EdgeNode.Configuration.Loading;

/// <summary>Every problem found in one load, across the main file and included ones.</summary>
internal sealed class ErrorSink
{
    private readonly List<(int FileIndex, ConfigError Error)> _errors = [];
    private readonly List<string> _files = [];

    public int Count => _errors.Count;

    /// <summary>Fixes the order files are reported in: the order they were opened (the main file first).</summary>
    public void Register(string file)
    {
        if (!_files.Contains(file))
        {
            _files.Add(file);
        }
    }

    public void Add(string file, YPos position, string message)
    {
        Register(file);
        var index = _files.IndexOf(file);
        _errors.Add((index, new ConfigError(file, position.Line, position.Column, Echo.Message(message))));
    }

    /// <summary>File by file (the main one first), then by position.</summary>
    public IReadOnlyList<ConfigError> Sorted() =>
        _errors.OrderBy(e => e.FileIndex).ThenBy(e => e.Error.Line).ThenBy(e => e.Error.Column).Select(e => e.Error).ToList();
}

/// <summary>One YAML file being read: where its errors go and what its relative paths are relative to.</summary>
internal sealed class ConfigFile
{
    public ConfigFile(string displayPath, string fullPath, ErrorSink sink)
    {
        DisplayPath = displayPath;
        FullPath = fullPath;
        Directory = Path.GetDirectoryName(fullPath) ?? "/";
        Sink = sink;
        sink.Register(displayPath);
    }

    /// <summary>The path printed in errors (as the user named it, or joined from an include folder).</summary>
    public string DisplayPath { get; }

    public string FullPath { get; }

    public string Directory { get; }

    public ErrorSink Sink { get; }

    /// <summary>Characters read from the file (0 until it is read).</summary>
    public long Bytes { get; set; }

    public void Error(YPos position, string path, string message) =>
        Sink.Add(DisplayPath, position, path.Length == 0 ? message : $"{path}: {message}");

    public void Error(YNode node, string path, string message) => Error(node.Start, path, message);

    public void Error(YNode node, ConfigPath path, string message) => Error(node.Start, path.ToString(), message);

    /// <summary>An absolute path for <paramref name="value"/>, relative ones against this file's folder.</summary>
    public string Resolve(string value) => Path.GetFullPath(Path.Combine(Directory, value));

    // ---- scalar conversions: each reports its own error and returns false ----

    public bool TryText(YNode node, ConfigPath path, out string value)
    {
        value = "";
        switch (node)
        {
            case YScalar { IsNull: true }:
                Error(node, path, "a value is required");
                return false;
            case YScalar s:
                value = s.Value;
                return true;
            default:
                Error(node, path, $"expected a text value, got {node.KindName}");
                return false;
        }
    }

    public bool TryInteger(YNode node, ConfigPath path, Int128 min, Int128 max, out Int128 value)
    {
        value = 0;
        if (!TryPlain(node, path, "an integer", out var s))
        {
            return false;
        }

        switch (Numbers.ParseInteger(s.Value, out value))
        {
            case IntegerParse.Ok when value >= min && value <= max:
                return true;
            case IntegerParse.Ok or IntegerParse.Overflow:
                // An integer too wide for any setting is out of range like any other: never wrapped into one that fits.
                value = 0;
                Error(node, path, $"{Echo.Shorten(s.Value)} is outside {Numbers.Format(min)}..{Numbers.Format(max)}");
                return false;
            default:
                value = 0;
                Error(node, path, Numbers.LooksLikeNumber(s.Value)
                    ? $"expected an integer, got {Echo.Shorten(s.Value)}"
                    : $"expected an integer, got {Echo.Quote(s.Value)}");
                return false;
        }
    }

    public bool TryInt(YNode node, ConfigPath path, int min, int max, out int value)
    {
        var ok = TryInteger(node, path, min, max, out var wide);
        value = ok ? (int)wide : 0;
        return ok;
    }

    public bool TryNumber(YNode node, ConfigPath path, out double value)
    {
        value = 0;
        if (!TryPlain(node, path, "a number", out var s))
        {
            return false;
        }

        if (!Numbers.TryParseNumber(s.Value, out value))
        {
            Error(node, path, $"expected a number, got {Echo.Quote(s.Value)}");
            return false;
        }

        if (!double.IsFinite(value))
        {
            Error(node, path, $"{Echo.Shorten(s.Value)} is not a finite number");
            return false;
        }

        return true;
    }

    public bool TryBool(YNode node, ConfigPath path, out bool value)
    {
        value = false;
        if (!TryPlain(node, path, "true or false", out var s))
        {
            return false;
        }

        switch (s.Value)
        {
            case "true" or "True" or "TRUE":
                value = true;
                return true;
            case "false" or "False" or "FALSE":
                return true;
            default:
                Error(node, path, $"expected true or false, got {Echo.Quote(s.Value)}");
                return false;
        }
    }

    /// <summary>A word from a fixed set (case and '-' insensitive, so pull-up, pullUp and PULL-UP all match).</summary>
    public bool TryWord<T>(YNode node, ConfigPath path, string what, Words<T> words, out T value)
    {
        value = default!;
        if (!TryText(node, path, out var text))
        {
            return false;
        }

        if (words.TryGet(text, out value))
        {
            return true;
        }

        Error(node, path, $"unknown {what} {Echo.Quote(text)} (expected {words.Expected})");
        return false;
    }

    private bool TryPlain(YNode node, ConfigPath path, string expected, out YScalar scalar)
    {
        scalar = null!;
        switch (node)
        {
            case YScalar { IsNull: true }:
                Error(node, path, "a value is required");
                return false;
            case YScalar { IsPlain: false } quoted:
                Error(node, path, $"expected {expected}, got the quoted text \"{Echo.Shorten(quoted.Value)}\" (remove the quotes)");
                return false;
            case YScalar s:
                scalar = s;
                return true;
            default:
                Error(node, path, $"expected {expected}, got {node.KindName}");
                return false;
        }
    }
}

/// <summary>What <see cref="Numbers.ParseInteger"/> found.</summary>
internal enum IntegerParse
{
    Ok,
    NotAnInteger,

    /// <summary>Well-formed, but beyond ±(2^127 − 1).</summary>
    Overflow,
}

/// <summary>The words of an enumerated setting and what they map to.</summary>
internal sealed class Words<T>
{
    private readonly Dictionary<string, T> _map = new(StringComparer.Ordinal);

    public Words(params (string Word, T Value)[] words)
    {
        foreach (var (word, value) in words)
        {
            _map[Normalize(word)] = value;
        }

        Expected = string.Join(", ", words.Select(w => w.Word));
        Canonical = words.Select(w => w.Word).ToArray();
    }

    public string Expected { get; }

    public IReadOnlyList<string> Canonical { get; }

    public bool TryGet(string text, out T value) => _map.TryGetValue(Normalize(text), out value!);

    private static string Normalize(string word) => word.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal)
        .ToLowerInvariant();
}

/// <summary>YAML-style numbers: decimal, 0x hex, 0o octal and 0b binary integers; invariant-culture decimals.</summary>
internal static class Numbers
{
    public static bool TryParseInteger(string text, out Int128 value) => ParseInteger(text, out value) == IntegerParse.Ok;

    /// <summary>
    /// Parses a YAML integer with checked arithmetic: digits beyond what an <see cref="Int128"/> holds are
    /// <see cref="IntegerParse.Overflow"/>, never a wrapped value (2^128 + 502 is not 502).
    /// </summary>
    public static IntegerParse ParseInteger(string text, out Int128 value)
    {
        value = 0;
        var s = text.Trim();
        var negative = false;
        if (s.StartsWith('-') || s.StartsWith('+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        var radix = 10;
        if (s.Length > 2 && s[0] == '0' && char.ToLowerInvariant(s[1]) is 'x' or 'o' or 'b')
        {
            radix = char.ToLowerInvariant(s[1]) switch { 'x' => 16, 'o' => 8, _ => 2 };
            s = s[2..];
        }

        if (s.Length == 0)
        {
            return IntegerParse.NotAnInteger;
        }

        Int128 result = 0;
        var overflow = false;
        foreach (var c in s)
        {
            var digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => 99,
            };
            if (digit >= radix)
            {
                return IntegerParse.NotAnInteger;
            }

            if (overflow)
            {
                continue; // keep checking the digits: "99…9x" is not an integer at all
            }

            // result * radix + digit > Int128.MaxValue, asked without computing it.
            if (result > (Int128.MaxValue - digit) / radix)
            {
                overflow = true;
                continue;
            }

            result = (result * radix) + digit;
        }

        if (overflow)
        {
            return IntegerParse.Overflow;
        }

        value = negative ? -result : result;
        return IntegerParse.Ok;
    }

    public static bool TryParseNumber(string text, out double value)
    {
        if (TryParseInteger(text, out var integer))
        {
            value = (double)integer;
            return true;
        }

        var s = text.Trim();
        switch (s)
        {
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                value = double.PositiveInfinity;
                return true;
            case "-.inf" or "-.Inf" or "-.INF":
                value = double.NegativeInfinity;
                return true;
            case ".nan" or ".NaN" or ".NAN":
                value = double.NaN;
                return true;
        }

        return double.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
            CultureInfo.InvariantCulture, out value);
    }

    public static bool LooksLikeNumber(string text) => TryParseNumber(text, out _);

    public static string Format(Int128 value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
