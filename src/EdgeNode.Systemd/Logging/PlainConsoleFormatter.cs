using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace EdgeNode.Systemd.Logging;

/// <summary>
/// Console lines outside the journal (a technician's terminal, a redirect to a file):
/// <c>yyyy-MM-dd HH:mm:ss.fff level: Category[EventId] message[ exception]</c>, one line per entry, as the runtime's
/// single-line simple format, but every control character escaped (<c>\x1B</c>). A log message carries text from the
/// outside — metric names from a DCMD, a broker's reason string — and a raw ESC would be obeyed by the terminal
/// (retitle it, clear it, rewrite earlier lines) or hide in a log file. No colours: they are ESC sequences too.
/// </summary>
public sealed class PlainConsoleFormatter : ConsoleFormatter, IDisposable
{
    /// <summary>The formatter's name in <see cref="ConsoleLoggerOptions.FormatterName"/>.</summary>
    public const string FormatterName = "edgenode-plain";

    private readonly IDisposable? _optionsReload;

    /// <summary>Creates the formatter, following option reloads.</summary>
    public PlainConsoleFormatter(IOptionsMonitor<ConsoleFormatterOptions> options)
        : base(FormatterName)
    {
        ArgumentNullException.ThrowIfNull(options);
        FormatterOptions = options.Get(FormatterName);
        _optionsReload = options.OnChange((o, name) =>
        {
            if (name == FormatterName)
            {
                FormatterOptions = o;
            }
        });
    }

    internal ConsoleFormatterOptions FormatterOptions { get; private set; }

    /// <inheritdoc />
    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        var line = new EscapedLine(new StringBuilder(256));
        if (ConsoleLine.TryAppend(line, logEntry, scopeProvider, FormatterOptions, prefix: "", infix: LevelText(logEntry.LogLevel) + ": "))
        {
            line.Builder.Append('\n');
            textWriter.Write(line.Builder.ToString());
        }
    }

    /// <summary>Stops following option reloads.</summary>
    public void Dispose() => _optionsReload?.Dispose();

    internal static string LevelText(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };

    /// <summary>
    /// Appends <paramref name="text"/> with C0 controls, DEL and C1 controls written as <c>\n</c>, <c>\r</c>, <c>\t</c> or
    /// <c>\xNN</c>: one entry stays one line, and nothing in it is a terminal command.
    /// </summary>
    internal static void AppendEscaped(StringBuilder sb, string? text, bool newlineAsSpace = false)
    {
        if (text is null)
        {
            return;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c >= ' ' && c is < '\u007f' or > '\u009f')
            {
                sb.Append(c);
                continue;
            }

            switch (c)
            {
                case '\r' when newlineAsSpace && i + 1 < text.Length && text[i + 1] == '\n':
                    break;
                case '\n' or '\r' when newlineAsSpace:
                    sb.Append(' ');
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                default:
                    sb.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}");
                    break;
            }
        }
    }

    private sealed class EscapedLine(StringBuilder builder) : IConsoleLine
    {
        public StringBuilder Builder { get; } = builder;

        public void AppendRaw(string text) => Builder.Append(text);

        public void Append(string? text) => AppendEscaped(Builder, text);

        public void AppendException(string text) => AppendEscaped(Builder, text, newlineAsSpace: true);
    }
}
