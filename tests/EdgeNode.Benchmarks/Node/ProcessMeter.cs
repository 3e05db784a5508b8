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

    /// <summary>
    /// CPU time of each live thread (<c>/proc/pid/task/tid/stat</c>) keyed by thread id, with the thread's name (.NET
    /// names its own: ".NET TP Worker", ".NET Tiered Com", ".NET Timer", ...), to see where a process spends its CPU.
    /// </summary>
    public static Dictionary<int, (string Name, TimeSpan Cpu)> ThreadCpu(int pid)
    {
        var threads = new Dictionary<int, (string, TimeSpan)>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                var fields = stat[(close + 2)..].Split(' ');
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                threads[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] =
                    (stat[(open + 1)..close], TimeSpan.FromSeconds(ticks / (double)s_ticksPerSecond.Value));
            }
            catch (IOException)
            {
                // the thread ended meanwhile
            }
        }

        return threads;
    }

    /// <summary>CPU per thread name between two <see cref="ThreadCpu"/> samples, largest first (threads that ended are missing).</summary>
    public static List<(string Name, int Threads, TimeSpan Cpu)> ThreadCpuDelta(
        Dictionary<int, (string Name, TimeSpan Cpu)> before, Dictionary<int, (string Name, TimeSpan Cpu)> after) =>
        after.Select(p => (p.Value.Name, Cpu: p.Value.Cpu - (before.TryGetValue(p.Key, out var b) ? b.Cpu : TimeSpan.Zero)))
            .GroupBy(t => t.Name)
            .Select(g => (g.Key, g.Count(), TimeSpan.FromTicks(g.Sum(t => t.Cpu.Ticks))))
            .OrderByDescending(t => t.Item3)
            .ToList();

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
