using EdgeNode.Systemd.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace EdgeNode.Systemd.Tests.Logging;

/// <summary>Issue 17 item 10: outside the journal, a metric name's ESC must not reach the terminal or the log file.</summary>
public sealed class PlainConsoleFormatterUnitTests
{
    [Fact]
    public void Write_EscapeSequencesInMessage_EscapedVisibly()
    {
        var line = Format(LogLevel.Warning, "EdgeNode.Engine", new EventId(4006),
            "Command ignored: Hostile\u001b]0;pwned\u0007\u001b[2J\u009b31m\u007f is not writable");

        Assert.Equal("warn: EdgeNode.Engine[4006] Command ignored: Hostile\\x1B]0;pwned\\x07\\x1B[2J\\x9B31m\\x7F is not writable\n", line);
    }

    [Fact]
    public void Write_NewlineInMessage_CannotForgeASecondEntry()
    {
        var line = Format(LogLevel.Information, "Cat", new EventId(1), "name\n2026-01-01 00:00:00.000 crit: Fake[1] forged");

        Assert.Single(line.TrimEnd('\n').Split('\n'));
        Assert.Contains("name\\n2026", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Exception_OnTheSameLine()
    {
        Exception ex;
        try
        {
            throw new InvalidOperationException("bad\u001b[2J");
        }
        catch (InvalidOperationException caught)
        {
            ex = caught;
        }

        var line = Format(LogLevel.Error, "Cat", new EventId(7), "failed", ex);

        Assert.StartsWith("fail: Cat[7] failed System.InvalidOperationException: bad\\x1B[2J ", line, StringComparison.Ordinal);
        Assert.Single(line.TrimEnd('\n').Split('\n'));
    }

    [Theory]
    [InlineData(LogLevel.Trace, "trce")]
    [InlineData(LogLevel.Debug, "dbug")]
    [InlineData(LogLevel.Information, "info")]
    [InlineData(LogLevel.Warning, "warn")]
    [InlineData(LogLevel.Error, "fail")]
    [InlineData(LogLevel.Critical, "crit")]
    public void Write_Level_SimpleConsoleNames(LogLevel level, string text) =>
        Assert.Equal($"{text}: Cat[1] m\n", Format(level, "Cat", new EventId(1), "m"));

    private static string Format(LogLevel level, string category, EventId eventId, string message, Exception? exception = null)
    {
        using var formatter = new PlainConsoleFormatter(new StaticOptions(new ConsoleFormatterOptions()));
        using var writer = new StringWriter();
        formatter.Write(new LogEntry<string>(level, category, eventId, message, exception, (s, _) => s), null, writer);
        return writer.ToString();
    }

    private sealed class StaticOptions(ConsoleFormatterOptions value) : IOptionsMonitor<ConsoleFormatterOptions>
    {
        public ConsoleFormatterOptions CurrentValue => value;

        public ConsoleFormatterOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ConsoleFormatterOptions, string?> listener) => null;
    }
}
