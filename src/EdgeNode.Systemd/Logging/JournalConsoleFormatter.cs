using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace EdgeNode.Systemd.Logging;

/// <summary>
/// Console lines for the systemd journal: <c>&lt;pri&gt;[timestamp]Category[EventId][ =&gt; scope] message[ exception]</c>,
/// one line per entry, e.g. <c>&lt;6&gt;EdgeNode.Engine.Node[10] Connected</c>. journald reads the <c>&lt;N&gt;</c>
/// syslog priority prefix (<c>SyslogLevelPrefix=yes</c>) and splits entries at newlines, so every newline inside an
/// entry becomes a space; no ANSI colours are written.
/// </summary>
public sealed class JournalConsoleFormatter : ConsoleFormatter, IDisposable
{
    /// <summary>The formatter's name in <see cref="ConsoleLoggerOptions.FormatterName"/>.</summary>
    public const string FormatterName = "edgenode-journal";

    private readonly IDisposable? _optionsReload;

    /// <summary>Creates the formatter, following option reloads.</summary>
    public JournalConsoleFormatter(IOptionsMonitor<JournalConsoleFormatterOptions> options)
        : base(FormatterName)
    {
        ArgumentNullException.ThrowIfNull(options);
        FormatterOptions = options.CurrentValue;
        _optionsReload = options.OnChange(o => FormatterOptions = o);
    }

    internal JournalConsoleFormatterOptions FormatterOptions { get; private set; }

    /// <inheritdoc />
    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        var options = FormatterOptions;
        var line = new LineBuilder(Math.Max(options.MaxLineLength, 64));

        // syslog(3) priorities: journald maps <N> to PRIORITY=N.
        if (ConsoleLine.TryAppend(line, logEntry, scopeProvider, options, prefix: SyslogPriority(logEntry.LogLevel), infix: ""))
        {
            textWriter.Write(line.ToString());
            textWriter.Write('\n');
        }
    }

    /// <summary>Stops following option reloads.</summary>
    public void Dispose() => _optionsReload?.Dispose();

    internal static string SyslogPriority(LogLevel level) => level switch
    {
        // LOG_DEBUG 7, LOG_INFO 6, LOG_WARNING 4, LOG_ERR 3, LOG_CRIT 2 (syslog.h), as dotnet's SystemdConsoleFormatter.
        LogLevel.Trace or LogLevel.Debug => "<7>",
        LogLevel.Information => "<6>",
        LogLevel.Warning => "<4>",
        LogLevel.Error => "<3>",
        LogLevel.Critical => "<2>",
        _ => "<6>",
    };

    /// <summary>Builds one journal line: newlines become spaces, other control characters (ANSI escapes) are dropped.</summary>
    private sealed class LineBuilder(int maxLength) : IConsoleLine
    {
        private readonly System.Text.StringBuilder _builder = new(256);
        private bool _cut;

        public void AppendRaw(string text)
        {
            if (!_cut)
            {
                _builder.Append(text);
            }
        }

        public void Append(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return;
            }

            for (var i = 0; i < text.Length && !_cut; i++)
            {
                var c = text[i];
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    continue; // CRLF → the LF below makes one space
                }

                if (c is '\n' or '\r' or '\t')
                {
                    _builder.Append(' ');
                }
                else if (c == '\u001b')
                {
                    i = SkipEscape(text, i);
                }
                else if (!char.IsControl(c))
                {
                    _builder.Append(c);
                }

                if (_builder.Length >= maxLength)
                {
                    _builder.Length = maxLength - 1;
                    _builder.Append('…');
                    _cut = true;
                }
            }
        }

        public void AppendException(string text) => Append(text);

        public override string ToString() => _builder.ToString();

        // CSI sequences (ESC [ params final-byte) are colours and cursor moves: drop them whole.
        private static int SkipEscape(string text, int escape)
        {
            if (escape + 1 >= text.Length || text[escape + 1] != '[')
            {
                return escape;
            }

            var i = escape + 2;
            while (i < text.Length && text[i] is >= '0' and <= '?')
            {
                i++;
            }

            while (i < text.Length && text[i] is >= ' ' and <= '/')
            {
                i++;
            }

            return i < text.Length ? i : text.Length - 1;
        }
    }
}
