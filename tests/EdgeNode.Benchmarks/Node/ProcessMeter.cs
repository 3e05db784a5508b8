using System.Globalization;
using System.Runtime.InteropServices;

namespace EdgeNode.Benchmarks.Node;

/// <summary>
/// CPU time and memory of another process from /proc, so the measured process carries no instrumentation of ours.
/// </summary>
internal static partial class ProcessMeter
{
    private const int ScClkTck = 2; // _SC_CLK_TCK on Linux (every architecture)

    private static readonly Lazy<long> s_ticksPerSecond = new(() =>
    {
        var ticks = sysconf(ScClkTck);
        return ticks > 0 ? ticks : 100;
    });

    /// <summary>utime + stime of <paramref name="pid"/> (all its threads, children excluded).</summary>
    public static TimeSpan CpuTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // comm (field 2) may contain spaces and parentheses: the fields after the last ')' are fixed.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var utime = long.Parse(fields[11], CultureInfo.InvariantCulture); // field 14
        var stime = long.Parse(fields[12], CultureInfo.InvariantCulture); // field 15
        return TimeSpan.FromSeconds((utime + stime) / (double)s_ticksPerSecond.Value);
    }

    /// <summary>VmHWM: the peak resident set size since the process started, in bytes.</summary>
    public static long PeakRssBytes(int pid) => StatusKilobytes(pid, "VmHWM:") * 1024;

    /// <summary>VmRSS: the resident set size now, in bytes.</summary>
    public static long RssBytes(int pid) => StatusKilobytes(pid, "VmRSS:") * 1024;

    private static long StatusKilobytes(int pid, string key)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                var value = line[key.Length..].Trim();
                return long.Parse(value[..value.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"/proc/{pid}/status has no {key}");
    }

    [LibraryImport("libc")]
    private static partial long sysconf(int name);
}
