using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace EdgeNode.Mqtt.Tests.TestSupport;

/// <summary>Keeps every log entry (to assert on logged reasons) and mirrors it to the xunit output.</summary>
internal sealed class RecordingLogger(ITestOutputHelper? output = null, LogLevel minimum = LogLevel.Debug) : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, EventId Id, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, EventId Id, string Message)> Entries => [.. _entries];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var message = formatter(state, exception) + (exception is null ? "" : $" [{exception.GetType().Name}: {exception.Message}]");
        _entries.Enqueue((logLevel, eventId, message));
        try
        {
            output?.WriteLine($"{DateTime.Now:HH:mm:ss.fff} {logLevel,-11} [{eventId.Id}] {message}");
        }
        catch (InvalidOperationException)
        {
            // the test already finished
        }
    }

    public bool Contains(int eventId, string fragment) =>
        _entries.Any(e => e.Id.Id == eventId && e.Message.Contains(fragment, StringComparison.OrdinalIgnoreCase));

    public IEnumerable<string> Errors => _entries.Where(e => e.Level >= LogLevel.Error).Select(e => e.Message);
}
