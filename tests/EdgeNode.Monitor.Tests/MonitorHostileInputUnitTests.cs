using EdgeNode.Sparkplug;
using static EdgeNode.Monitor.Tests.MonitorTestSupport;

namespace EdgeNode.Monitor.Tests;

/// <summary>Issue 17 item 7: what a hostile Edge Node puts in names, units and values never reaches the terminal raw.</summary>
public sealed class MonitorHostileInputUnitTests
{
    private const string Title = "\u001b]0;pwned\u0007";
    private readonly SparkplugMessageInterpreter _interpreter = new();

    [Fact]
    public void Text_EscapeSequencesInNameUnitsAndValue_Escaped()
    {
        var message = _interpreter.Feed("spBv1.0/G/NBIRTH/E", Payload(0,
            Metric("Evil" + Title + "\u001b[2J\u009b31m\u007f", SparkplugValue.FromString("v" + Title), units: "k\u001b[5mW")));

        var text = Text.Format(message);

        Assert.DoesNotContain(text.Replace("\n", "", StringComparison.Ordinal), MonitorTextFormatter.IsControl);
        Assert.Contains("Evil\\x1B]0;pwned\\x07\\x1B[2J\\x9B31m\\x7F", text, StringComparison.Ordinal);
        Assert.Contains("k\\x1B[5mW", text, StringComparison.Ordinal);
        Assert.Contains("\"v\\u001b]0;pwned\\u0007\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_ColouredOutput_OnlyOurOwnEscapes()
    {
        var colour = new MonitorTextFormatter(color: true, TimeZoneInfo.Utc);
        var message = _interpreter.Feed("spBv1.0/G/NBIRTH/E", Payload(0, Metric("A" + Title, SparkplugValue.FromInt32(1))));

        var text = colour.Format(message);

        Assert.DoesNotContain("\u001b]", text, StringComparison.Ordinal);
        Assert.Contains("A\\x1B]0;pwned\\x07", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_TemplateParameterOf25000Characters_ColumnCappedNameCut()
    {
        var definition = SparkplugTemplate.Definition("1");
        definition.Parameters.Add(new SparkplugTemplateParameter(new string('P', 25_000), SparkplugValue.FromString("x")));
        for (var i = 0; i < 100; i++)
        {
            definition.Parameters.Add(new SparkplugTemplateParameter($"p{i}", SparkplugValue.FromInt32(i)));
        }

        definition.Metrics.Add(new SparkplugMetric(new string('M', 25_000), SparkplugValue.FromInt32(1)));
        var message = _interpreter.Feed("spBv1.0/G/NBIRTH/E", Payload(0, Metric("_types_/T", SparkplugValue.FromTemplate(definition))));

        var lines = Lines(message);

        Assert.True(lines.Sum(l => l.Length) < 30_000, $"{lines.Sum(l => l.Length)} characters");
        Assert.Contains(lines, l => l.Contains("… (25000 chars)", StringComparison.Ordinal) && l.Contains("param PPP", StringComparison.Ordinal));
        var p0 = Assert.Single(lines, l => l.Contains("param p0 ", StringComparison.Ordinal));
        Assert.True(p0.Length < 120, p0);
    }

    [Fact]
    public void Text_TopicWithControlCharacters_Escaped()
    {
        var message = _interpreter.Interpret("spBv1.0/G\u001b[2J/NBIRTH/E", Payload(0).ToByteArray(), Received);

        Assert.DoesNotContain(Text.Format(message).Replace("\n", "", StringComparison.Ordinal), MonitorTextFormatter.IsControl);
    }

    [Fact]
    public void Json_ControlCharactersIncludingDelAndC1_EscapedAndExact()
    {
        const string name = "Evil\u001b]0;t\u0007\u007f\u0085\u009b";
        var message = _interpreter.Feed("spBv1.0/G/NBIRTH/E", Payload(0, Metric(name, SparkplugValue.FromString("\u009b2J"), units: "\u001b")));

        var line = MonitorJsonFormatter.Format(message);

        Assert.DoesNotContain(line, c => c < ' ' || c is >= '\u007f' and <= '\u009f');
        var metric = Json(message).GetProperty("metrics")[0];
        Assert.Equal(name, metric.GetProperty("name").GetString());
        Assert.Equal("\u009b2J", metric.GetProperty("value").GetString());
        Assert.Equal("\u001b", metric.GetProperty("units").GetString());
    }
}
