using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace EdgeNode.Systemd.Logging;

/// <summary>How the node's console logger formats its lines.</summary>
public enum ConsoleLogFormat
{
    /// <summary>Journal format when stdout/stderr is the journal stream (<see cref="JournalStream.IsJournalStream"/>), plain otherwise.</summary>
    Auto,

    /// <summary>Always the journal format (<see cref="JournalConsoleFormatter"/>).</summary>
    Journal,

    /// <summary>Always the plain console format (<see cref="PlainConsoleFormatter"/>): one line per entry with a local timestamp, control characters escaped.</summary>
    Plain,
}

/// <summary>Registers the node's console logging.</summary>
public static class SystemdLoggingBuilderExtensions
{
    /// <summary>
    /// Adds the console logger with the journal format under journald (<c>&lt;N&gt;</c> priority prefixes, one line per
    /// entry, no colours) and a plain single-line format otherwise (a technician's terminal, a redirected file); neither
    /// lets a control character of a message through.
    /// </summary>
    public static ILoggingBuilder AddEdgeNodeConsole(this ILoggingBuilder builder, ConsoleLogFormat format = ConsoleLogFormat.Auto)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var journal = format == ConsoleLogFormat.Journal || (format == ConsoleLogFormat.Auto && JournalStream.IsJournalStream());

        builder.AddConsole();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ConsoleFormatter, JournalConsoleFormatter>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ConsoleFormatter, PlainConsoleFormatter>());
        builder.Services.Configure<ConsoleLoggerOptions>(options =>
            options.FormatterName = journal ? JournalConsoleFormatter.FormatterName : PlainConsoleFormatter.FormatterName);
        // The runtime's simple formatter writes messages raw: an ESC in a metric name would reach the terminal.
        builder.Services.Configure<ConsoleFormatterOptions>(PlainConsoleFormatter.FormatterName,
            options => options.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ");

        return builder;
    }
}
