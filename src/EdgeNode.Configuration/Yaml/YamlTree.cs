using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace EdgeNode.Configuration.Yaml;

/// <summary>A 1-based position in a file.</summary>
internal readonly record struct YPos(int Line, int Column)
{
    public static YPos From(in Mark mark) => new((int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column));
}

/// <summary>
/// A YAML node with its position. YamlDotNet's representation model throws on the first duplicate key and loses the
/// scalar style; this small tree keeps both, so duplicates become ordinary errors and a quoted "502" stays a string.
/// </summary>
internal abstract class YNode(YPos start)
{
    public YPos Start { get; } = start;

    public abstract string KindName { get; }

    /// <summary>Nodes in this subtree with every alias counted as the copy a reader of the tree sees.</summary>
    public long Size { get; set; } = 1;
}

internal sealed class YScalar(YPos start, string value, bool plain, bool explicitString) : YNode(start)
{
    public string Value { get; } = value;

    /// <summary>Unquoted and untagged: YAML's implicit typing applies (numbers, booleans, null).</summary>
    public bool IsPlain { get; } = plain && !explicitString;

    /// <summary>A plain empty, <c>~</c> or <c>null</c> scalar (YAML's null).</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string KindName => IsNull ? "nothing" : "a value";
}

internal sealed class YMap(YPos start) : YNode(start)
{
    public List<KeyValuePair<YScalar, YNode>> Entries { get; } = [];

    public override string KindName => "a mapping";
}

internal sealed class YSeq(YPos start) : YNode(start)
{
    public List<YNode> Items { get; } = [];

    public override string KindName => "a list";
}

/// <summary>Reads one YAML document into a <see cref="YNode"/> tree; syntax errors come back with their position.</summary>
internal static partial class YamlTreeReader
{
    public const string MergeKey = "<<";

    /// <summary>
    /// Deepest nesting of lists and mappings read. A configuration needs about eight levels; the reader recurses once
    /// per level, so without a bound a file of 40,000 '[' overflows the stack, which no handler can catch.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// Most values (keys, scalars, lists, mappings) a file may stand for once its aliases are expanded. Aliases share
    /// nodes here, but the reader of the configuration walks each use: ten lists of ten aliases of the previous one
    /// ("billion laughs") would be 10^10 devices from a few hundred bytes.
    /// </summary>
    public const long MaxExpandedNodes = 2_000_000;

    public sealed record Problem(YPos Position, string Message);

    /// <summary>
    /// Parses <paramref name="text"/>; returns the root (null for an empty document) and the problems found. Text
    /// longer than <see cref="ConfigSource.MaxFileBytes"/> and nesting deeper than <see cref="MaxDepth"/> are problems,
    /// whoever calls (a file, an included file, text from the web console).
    /// </summary>
    public static YNode? Read(string text, List<Problem> problems)
    {
        if (text.Length > ConfigSource.MaxFileBytes)
        {
            problems.Add(new Problem(new YPos(1, 1), $"the text is over the {ConfigSource.MaxFileText} limit of a configuration file"));
            return null;
        }

        var anchors = new Dictionary<string, YNode>(StringComparer.Ordinal);
        var parser = new Parser(new StringReader(text));
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                return null;
            }

            parser.Consume<DocumentStart>();
            var root = parser.Accept<DocumentEnd>(out _) ? null : ReadNode(parser, anchors, problems, 1, new Budget(), new Strings());
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var next))
            {
                problems.Add(new Problem(YPos.From(next.Start), "only one YAML document per file (remove the second '---')"));
            }

            return root;
        }
        catch (LimitException ex)
        {
            problems.Add(new Problem(ex.At, ex.Problem));
            return null;
        }
        catch (YamlException ex)
        {
            var at = YPos.From(ex.Start);
            var message = StripMarks(ex.Message);
            if (message.Contains("tab", StringComparison.OrdinalIgnoreCase) && FirstTabIndent(text, at.Line) is { } tab)
            {
                // YamlDotNet points at the scalar before the tab; the tab itself is what the user must fix.
                problems.Add(new Problem(tab, "YAML syntax error: a tab in the indentation (YAML indents with spaces only)"));
                return null;
            }

            problems.Add(new Problem(at, "YAML syntax error: " + message));
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner gives up without a mark on some unterminated flow collections ("[a" at the end of a line).
            var at = parser.Current is { } current ? YPos.From(current.Start) : new YPos(1, 1);
            problems.Add(new Problem(at, "YAML syntax error: a '[' or '{' is not closed"));
            return null;
        }
    }

    private static YNode ReadNode(IParser parser, Dictionary<string, YNode> anchors, List<Problem> problems, int depth, Budget budget, Strings strings)
    {
        Loading.GarbagePacer.Tick();
        var at = parser.Current is { } current ? YPos.From(current.Start) : new YPos(1, 1);
        if (depth > MaxDepth)
        {
            throw new LimitException(at, Invariant(
                $"lists and mappings are nested more than {MaxDepth} levels deep here; a configuration needs far fewer (is this the right file?)"));
        }

        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (anchors.TryGetValue(alias.Value.Value, out var target))
            {
                budget.Spend(target.Size, at);
                return target;
            }

            problems.Add(new Problem(YPos.From(alias.Start), $"unknown alias '*{alias.Value.Value}'"));
            return new YScalar(YPos.From(alias.Start), "", plain: true, explicitString: false);
        }

        if (parser.TryConsume<Scalar>(out var scalar))
        {
            var node = new YScalar(YPos.From(scalar.Start), strings.Share(scalar.Value), scalar.Style == ScalarStyle.Plain,
                !scalar.Tag.IsEmpty && scalar.Tag.Value is "tag:yaml.org,2002:str" or "!!str");
            Remember(anchors, scalar.Anchor, node);
            budget.Spend(1, at);
            return node;
        }

        if (parser.TryConsume<SequenceStart>(out var seqStart))
        {
            var seq = new YSeq(YPos.From(seqStart.Start));
            Remember(anchors, seqStart.Anchor, seq);
            budget.Spend(1, at);
            var size = 1L;
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                var item = ReadNode(parser, anchors, problems, depth + 1, budget, strings);
                seq.Items.Add(item);
                size += item.Size;
            }

            seq.Size = size;
            return seq;
        }

        var mapStart = parser.Consume<MappingStart>();
        var map = new YMap(YPos.From(mapStart.Start));
        Remember(anchors, mapStart.Anchor, map);
        budget.Spend(1, at);
        List<YNode>? merges = null;
        var read = 0L;
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var keyNode = ReadNode(parser, anchors, problems, depth + 1, budget, strings);
            var value = ReadNode(parser, anchors, problems, depth + 1, budget, strings);
            read += keyNode.Size + value.Size;
            if (keyNode is not YScalar key)
            {
                problems.Add(new Problem(keyNode.Start, $"a key must be a plain name, not {keyNode.KindName}"));
                continue;
            }

            if (key.IsPlain && key.Value == MergeKey)
            {
                (merges ??= []).Add(value);
                continue;
            }

            map.Entries.Add(new(key, value));
        }

        if (merges is not null)
        {
            Merge(map, merges, problems);
        }

        // Entries merged in are further uses of nodes already read: they count again (read is what was spent so far).
        map.Size = 1 + map.Entries.Sum(e => e.Key.Size + e.Value.Size);
        budget.Spend(Math.Max(0, map.Size - 1 - read), at);
        return map;
    }

    /// <summary>YAML merge keys (<c>&lt;&lt;: *defaults</c>): keys written in the mapping win over merged ones.</summary>
    private static void Merge(YMap map, List<YNode> sources, List<Problem> problems)
    {
        var present = new HashSet<string>(map.Entries.Select(e => e.Key.Value), StringComparer.Ordinal);
        foreach (var source in sources)
        {
            IEnumerable<YNode> maps = source is YSeq seq ? seq.Items : [source];
            foreach (var item in maps)
            {
                if (item is not YMap from)
                {
                    problems.Add(new Problem(item.Start, $"'<<' merges mappings, not {item.KindName}"));
                    continue;
                }

                foreach (var entry in from.Entries)
                {
                    if (present.Add(entry.Key.Value))
                    {
                        map.Entries.Add(entry);
                    }
                }
            }
        }
    }

    private static YPos? FirstTabIndent(string text, int fromLine)
    {
        var lines = text.Split('\n');
        for (var i = Math.Max(0, fromLine - 1); i < lines.Length; i++)
        {
            var line = lines[i];
            for (var c = 0; c < line.Length && (line[c] == ' ' || line[c] == '\t'); c++)
            {
                if (line[c] == '\t')
                {
                    return new YPos(i + 1, c + 1);
                }
            }
        }

        return null;
    }

    private static void Remember(Dictionary<string, YNode> anchors, AnchorName anchor, YNode node)
    {
        if (!anchor.IsEmpty)
        {
            anchors[anchor.Value] = node;
        }
    }

    /// <summary>YamlDotNet prefixes its messages with "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; we print our own position.</summary>
    internal static string StripMarks(string message) => MarksPrefix().Replace(message, "").Trim();

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\):\s*")]
    private static partial Regex MarksPrefix();

    internal static string Describe(YNode node) => node switch
    {
        YScalar { IsNull: true } => "nothing",
        YScalar s => Loading.Echo.Quote(s.Value),
        _ => node.KindName,
    };

    internal static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Unwinds the recursion at the first limit reached (the rest of the text is not read).</summary>
    private sealed class LimitException(YPos at, string problem) : Exception(problem)
    {
        public YPos At { get; } = at;

        public string Problem { get; } = problem;
    }

    /// <summary>
    /// One instance per distinct short scalar: a device map repeats its keys (name, table, address, type), its words
    /// (holding, uint16) and, device after device, the same metric names and addresses. The tree (and the configuration
    /// built from it) then holds a few hundred strings instead of one per scalar: 120,000 at 15,000 metrics.
    /// </summary>
    private sealed class Strings
    {
        private const int MaxLength = 64;
        private const int MaxCount = 16_384;
        private readonly Dictionary<string, string> _pool = new(StringComparer.Ordinal);

        public string Share(string value)
        {
            if (value.Length > MaxLength)
            {
                return value;
            }

            if (_pool.TryGetValue(value, out var shared))
            {
                return shared;
            }

            if (_pool.Count < MaxCount)
            {
                _pool.Add(value, value);
            }

            return value;
        }
    }

    /// <summary>Values read so far, aliases counted as expanded.</summary>
    private sealed class Budget
    {
        private long _used;

        public void Spend(long nodes, YPos at)
        {
            _used += nodes;
            if (_used > MaxExpandedNodes)
            {
                throw new LimitException(at, Invariant(
                    $"with its aliases expanded this file stands for more than {MaxExpandedNodes} values; a configuration needs far fewer"));
            }
        }
    }
}
