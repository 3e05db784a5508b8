using EdgeNode.Systemd.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeNode.Systemd.Tests.Logging;

public sealed class JournalConsoleFormatterUnitTests
{
    [Theory]
    [InlineData(LogLevel.Trace, "<7>")]
    [InlineData(LogLevel.Debug, "<7>")]
    [InlineData(LogLevel.Information, "<6>")]
    [InlineData(LogLevel.Warning, "<4>")]
    [InlineData(LogLevel.Error, "<3>")]
    [InlineData(LogLevel.Critical, "<2>")]
    public void Write_Level_SyslogPriorityPrefix(LogLevel level, string prefix)
    {
        var line = Format(level, "EdgeNode.Engine.Node", new EventId(10), "Connected");

        Assert.Equal(prefix + "EdgeNode.Engine.Node[10] Connected\n", line);
    }

    [Fact]
    public void Write_MultiLineMessage_OneLine()
    {
        var line = Format(LogLevel.Warning, "Cat", new EventId(3), "first\nsecond\r\nthird\rfourth");

        Assert.Equal("<4>Cat[3] first second third fourth\n", line);
    }

    [Fact]
    public void Write_Exception_SameLineNoNewlines()
    {
        Exception ex;
        try
        {
            throw new InvalidOperationException("broker refused");
        }
        catch (InvalidOperationException caught)
        {
            ex = caught;
        }

        var line = Format(LogLevel.Error, "Cat", new EventId(7), "Publish failed", ex);

        Assert.StartsWith("<3>Cat[7] Publish failed System.InvalidOperationException: broker refused    at ", line, StringComparison.Ordinal);
        Assert.Single(line.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.EndsWith("\n", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_AnsiColoursInMessage_Dropped()
    {
        var line = Format(LogLevel.Information, "Cat", new EventId(1), "\u001b[31mred\u001b[0m and \u001b[1;32mgreen\u001b[39m\u0007");

        Assert.Equal("<6>Cat[1] red and green\n", line);
    }

    [Fact]
    public void Write_Scopes_Appended()
    {
        var scopes = new LoggerExternalScopeProvider();
        using var device = scopes.Push("device Turbine1");
        using var poll = scopes.Push("poll 42");

        var line = Format(LogLevel.Information, "Cat", new EventId(2), "read 10 registers", null, scopes,
            new JournalConsoleFormatterOptions { IncludeScopes = true });

        Assert.Equal("<6>Cat[2] => device Turbine1 => poll 42 read 10 registers\n", line);
    }

    [Fact]
    public void Write_TimestampFormat_AfterPriority()
    {
        var line = Format(LogLevel.Information, "Cat", new EventId(2), "m", null, null,
            new JournalConsoleFormatterOptions { TimestampFormat = "yyyy ", UseUtcTimestamp = true });

        Assert.Equal($"<6>{DateTime.UtcNow.Year} Cat[2] m\n", line);
    }

    [Fact]
    public void Write_HugeMessage_CutBelowJournalLineMax()
    {
        var line = Format(LogLevel.Information, "Cat", new EventId(2), new string('x', 100_000), null, null,
            new JournalConsoleFormatterOptions { MaxLineLength = 1000 });

        Assert.Equal(1001, line.Length);
        Assert.EndsWith("x…\n", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_EmptyMessageNoException_NothingWritten() =>
        Assert.Equal("", Format(LogLevel.Information, "Cat", new EventId(2), ""));

    [Fact]
    public void Write_StructuredState_UsesFormattedMessage()
    {
        using var formatter = new JournalConsoleFormatter(new StaticOptions(new JournalConsoleFormatterOptions()));
        using var writer = new StringWriter();
        var state = new Dictionary<string, object> { ["Device"] = "T1" };
        formatter.Write(new LogEntry<Dictionary<string, object>>(LogLevel.Information, "Cat", new EventId(5), state, null,
            (s, _) => $"device {s["Device"]} up"), null, writer);

        Assert.Equal("<6>Cat[5] device T1 up\n", writer.ToString());
    }

    private static string Format(LogLevel level, string category, EventId eventId, string message, Exception? exception = null,
        IExternalScopeProvider? scopes = null, JournalConsoleFormatterOptions? options = null)
    {
        using var formatter = new JournalConsoleFormatter(new StaticOptions(options ?? new JournalConsoleFormatterOptions()));
        using var writer = new StringWriter();
        formatter.Write(new LogEntry<string>(level, category, eventId, message, exception, (s, _) => s), scopes, writer);
        return writer.ToString();
    }

    private sealed class StaticOptions(JournalConsoleFormatterOptions value) : IOptionsMonitor<JournalConsoleFormatterOptions>
    {
        public JournalConsoleFormatterOptions CurrentValue => value;

        public JournalConsoleFormatterOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<JournalConsoleFormatterOptions, string?> listener) => null;
    }
}
