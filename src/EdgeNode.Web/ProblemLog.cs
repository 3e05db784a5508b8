using Microsoft.Extensions.Logging;

namespace EdgeNode.Web;

/// <summary>
/// The node's recent warnings and errors for the Overview page: a logger provider that keeps the last few in a ring,
/// so the console shows what the journal would without shell access.
/// </summary>
public sealed class ProblemLog : ILoggerProvider
{
    private const int Capacity = 50;
    private readonly Problem[] _ring = new Problem[Capacity];
    private readonly Lock _lock = new();
    private int _next;
    private int _count;

    /// <summary>One warning or error.</summary>
    public sealed record Problem(long TimeMs, string Level, string Category, string Message);

    /// <summary>The most recent problems, newest first.</summary>
    public IReadOnlyList<Problem> Recent(int max)
    {
        lock (_lock)
        {
            var n = Math.Min(max, _count);
            var result = new Problem[n];
            for (var i = 0; i < n; i++)
            {
                result[i] = _ring[(_next - 1 - i + Capacity) % Capacity];
            }

            return result;
        }
    }

    private void Add(Problem problem)
    {
        lock (_lock)
        {
            _ring[_next] = problem;
            _next = (_next + 1) % Capacity;
            _count = Math.Min(_count + 1, Capacity);
        }
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new ProblemLogger(this, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class ProblemLogger(ProblemLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var level = logLevel switch
            {
                LogLevel.Warning => "warning",
                LogLevel.Error => "error",
                _ => "critical",
            };
            log.Add(new Problem(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), level, category, formatter(state, exception)));
        }
    }
}
