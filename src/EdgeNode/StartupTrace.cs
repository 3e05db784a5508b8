using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace EdgeNode;

/// <summary>
/// Where start-up time and memory go (issue 13's footprint): with the log level at Debug, each phase up to READY=1 is
/// logged with the time since the process started, the bytes allocated so far, the GC's committed bytes and
/// collections, and the process's RSS and its peak (VmHWM). Phases before the logger exists are kept and logged once it
/// does. At any other level every call is a no-op, so the figures cost nothing in the field.
/// </summary>
internal sealed class StartupTrace
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly List<string> _pending = [];
    private readonly Lock _lock = new();
    private ILogger? _logger;

    private StartupTrace(bool enabled) => Enabled = enabled;

    /// <summary>On only when EDGENODE_LOG_LEVEL asks for Debug or Trace (read the way <see cref="RunCommand"/> reads it).</summary>
    public static StartupTrace FromEnvironment() => new(Environment.GetEnvironmentVariable("EDGENODE_LOG_LEVEL") is { } level
        && Enum.TryParse<LogLevel>(level, ignoreCase: true, out var parsed) && parsed <= LogLevel.Debug);

    public bool Enabled { get; }

    public void Mark(string phase)
    {
        if (!Enabled)
        {
            return;
        }

        var line = Describe(phase);
        lock (_lock)
        {
            if (_logger is null)
            {
                _pending.Add(line);
                return;
            }
        }

        Log.StartupPhase(_logger, line);
    }

    /// <summary>From now on phases go straight to <paramref name="logger"/>; the ones kept so far are logged first.</summary>
    public void Attach(ILogger logger)
    {
        if (!Enabled)
        {
            return;
        }

        lock (_lock)
        {
            _logger = logger;
            foreach (var line in _pending)
            {
                Log.StartupPhase(logger, line);
            }

            _pending.Clear();
        }
    }

    private string Describe(string phase)
    {
        var (rss, peak) = Memory();
        var info = GC.GetGCMemoryInfo();
        return string.Create(CultureInfo.InvariantCulture,
            $"{phase}: {Stopwatch.GetElapsedTime(_started).TotalMilliseconds:0} ms (CPU {Environment.CpuUsage.TotalTime.TotalMilliseconds:0} ms), allocated {GC.GetTotalAllocatedBytes() / 1048576.0:0.0} MB, " +
            $"GC committed {info.TotalCommittedBytes / 1048576.0:0.0} MB, collections {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} " +
            $"(paused {GC.GetTotalPauseDuration().TotalMilliseconds:0} ms), " +
            $"RSS {rss / 1024.0:0.0} MB, peak {peak / 1024.0:0.0} MB");
    }

    /// <summary>VmRSS and VmHWM in KiB from /proc/self/status (0 where it cannot be read).</summary>
    private static (long Rss, long Peak) Memory()
    {
        long rss = 0, peak = 0;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kib(line);
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    peak = Kib(line);
                }
            }
        }
        catch (IOException)
        {
        }

        return (rss, peak);
    }

    private static long Kib(string line) =>
        long.TryParse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;
}
