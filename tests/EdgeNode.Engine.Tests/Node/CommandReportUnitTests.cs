using EdgeNode.Sparkplug;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Engine.Tests.Node;

/// <summary>Issue 17 item 9: a command's refusals are logged once per message, not once per metric.</summary>
public sealed class CommandReportUnitTests
{
    private sealed class Lines : ILogger
    {
        public List<(LogLevel Level, int Id, string Text)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, eventId.Id, formatter(state, exception)));
    }

    [Fact]
    public void Flush_HundredThousandRefusals_OneSummaryWithCountsByReasonAndTheFirstFive()
    {
        var log = new Lines();
        var report = new CommandReport("spBv1.0/G/DCMD/E/D", 100_002);
        for (var i = 0; i < 100_000; i++)
        {
            report.Refuse("unknown metric", $"D/alias {i}", "unknown metric");
        }

        report.Refuse("read-only", "D/Status", "read-only");
        report.Refuse("out of range", "D/Setpoint", "int_value 131071 (0x1FFFF) does not fit UInt16");
        report.Flush(log);

        var entry = Assert.Single(log.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal(
            "Command on spBv1.0/G/DCMD/E/D: 100002 of 100002 metrics ignored (100000 unknown metric, 1 read-only, 1 out of range); " +
            "first: D/alias 0: unknown metric; D/alias 1: unknown metric; D/alias 2: unknown metric; D/alias 3: unknown metric; D/alias 4: unknown metric",
            entry.Text);
    }

    [Fact]
    public void Flush_AFewOutcomes_OneLineEach_NamingMetricAndValue()
    {
        var log = new Lines();
        var report = new CommandReport("t", 2);
        report.Refuse("out of range", "D/Setpoint", "int_value 131071 (0x1FFFF) does not fit UInt16");
        report.Accept("D/Limit", "12");
        report.Flush(log);

        Assert.Equal(2, log.Entries.Count);
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Warning && e.Text == "Command on t ignored: D/Setpoint: int_value 131071 (0x1FFFF) does not fit UInt16");
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Information && e.Text == "Command on t: D/Limit = 12");
    }

    [Fact]
    public void Flush_ManyAccepted_OneSummaryLine()
    {
        var log = new Lines();
        var report = new CommandReport("t", 90_000);
        for (var i = 0; i < 90_000; i++)
        {
            report.Accept("D/Setpoint", SparkplugValue.FromUInt16((ushort)(i % 100)).FormatValue());
        }

        report.Flush(log);
        var entry = Assert.Single(log.Entries);
        Assert.StartsWith("Command on t: 90000 of 90000 metrics accepted; first: D/Setpoint = 0; D/Setpoint = 1", entry.Text, StringComparison.Ordinal);
    }
}
