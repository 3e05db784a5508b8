using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace EdgeNode.Systemd.Logging;

/// <summary>One console line under construction; each format decides how outside text is made safe.</summary>
internal interface IConsoleLine
{
    /// <summary>Our own text (prefixes, brackets, separators), appended as is.</summary>
    void AppendRaw(string text);

    /// <summary>Text from outside (category, scope, message): control characters made harmless.</summary>
    void Append(string? text);

    /// <summary>An exception's text, several lines in the original, kept on this one.</summary>
    void AppendException(string text);
}

/// <summary>
/// The single-line layout the plain and journal formats share:
/// <c>prefix[timestamp]infixCategory[EventId][ =&gt; scope…][ message][ exception]</c>.
/// </summary>
internal static class ConsoleLine
{
    /// <summary>
    /// Appends <paramref name="logEntry"/> to <paramref name="line"/>; false (nothing appended) when it has neither a
    /// message nor an exception.
    /// </summary>
    public static bool TryAppend<TState>(IConsoleLine line, in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider,
        ConsoleFormatterOptions options, string prefix, string infix)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (logEntry.Exception is null && string.IsNullOrEmpty(message))
        {
            return false;
        }

        line.AppendRaw(prefix);
        if (options.TimestampFormat is { } format)
        {
            var now = options.UseUtcTimestamp ? DateTimeOffset.UtcNow : DateTimeOffset.Now;
            line.AppendRaw(now.ToString(format, CultureInfo.InvariantCulture));
        }

        line.AppendRaw(infix);
        line.Append(logEntry.Category);
        line.AppendRaw("[");
        line.AppendRaw(logEntry.EventId.Id.ToString(CultureInfo.InvariantCulture));
        line.AppendRaw("]");
        if (options.IncludeScopes && scopeProvider is not null)
        {
            scopeProvider.ForEachScope(static (scope, target) =>
            {
                target.AppendRaw(" => ");
                target.Append(scope?.ToString());
            }, line);
        }

        if (!string.IsNullOrEmpty(message))
        {
            line.AppendRaw(" ");
            line.Append(message);
        }

        if (logEntry.Exception is not null)
        {
            line.AppendRaw(" ");
            line.AppendException(logEntry.Exception.ToString());
        }

        return true;
    }
}
