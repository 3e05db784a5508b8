using System.Globalization;

namespace EdgeNode.Systemd.Logging;

/// <summary>
/// Whether stdout/stderr go to the systemd journal: systemd.exec(5) sets <c>$JOURNAL_STREAM</c> to
/// <c>device:inode</c> of the stream it connected, and a process compares that with fstat() of its own
/// stdout/stderr (a redirection by a shell or by <c>StandardOutput=file:</c> breaks the match).
/// </summary>
public static class JournalStream
{
    /// <summary>The variable systemd sets when stdout or stderr is connected to the journal.</summary>
    public const string Variable = "JOURNAL_STREAM";

    /// <summary>True when <c>$JOURNAL_STREAM</c> names this process's stdout or stderr.</summary>
    public static bool IsJournalStream() =>
        Matches(Environment.GetEnvironmentVariable(Variable), Identify(1), Identify(2));

    internal static bool Matches(string? journalStream, (ulong Device, ulong Inode)? stdout, (ulong Device, ulong Inode)? stderr)
    {
        if (!TryParse(journalStream, out var device, out var inode))
        {
            return false;
        }

        return stdout == (device, inode) || stderr == (device, inode);
    }

    internal static bool TryParse(string? value, out ulong device, out ulong inode)
    {
        device = 0;
        inode = 0;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 &&
               ulong.TryParse(value.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out device) &&
               ulong.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out inode);
    }

    /// <summary>(st_dev, st_ino) of a file descriptor as fstat() reports them, or null.</summary>
    internal static (ulong Device, ulong Inode)? Identify(int fd) => Interop.DeviceAndInode(fd) ?? IdentifyFromProc(fd);

    // Without statx (glibc < 2.28) the journal's stream socket is still recognisable: its /proc/self/fd link is
    // "socket:[inode]". Every socket lives on the one sockfs, so the inode alone identifies it; the device cannot be
    // read without stat and is taken from the variable.
    private static (ulong Device, ulong Inode)? IdentifyFromProc(int fd)
    {
        try
        {
            var link = new FileInfo($"/proc/self/fd/{fd.ToString(CultureInfo.InvariantCulture)}").LinkTarget;
            if (link is null || !link.StartsWith("socket:[", StringComparison.Ordinal) || !link.EndsWith(']'))
            {
                return null;
            }

            if (!ulong.TryParse(link.AsSpan(8, link.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
            {
                return null;
            }

            var device = TryParse(Environment.GetEnvironmentVariable(Variable), out var journalDevice, out _) ? journalDevice : 0;
            return (device, inode);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
