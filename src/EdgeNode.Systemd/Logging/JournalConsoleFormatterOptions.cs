using Microsoft.Extensions.Logging.Console;

namespace EdgeNode.Systemd.Logging;

/// <summary>Options of the <see cref="JournalConsoleFormatter"/>; colours never apply (the journal stores plain text).</summary>
public sealed class JournalConsoleFormatterOptions : ConsoleFormatterOptions
{
    /// <summary>
    /// Longest line written, in UTF-16 characters, before the entry is cut and marked with <c>…</c>. journald crops
    /// lines at <c>LineMax=</c> (48 KiB by default) and would split the rest into a second, prefix-less entry.
    /// </summary>
    public int MaxLineLength { get; set; } = 16 * 1024;
}
