using System.Globalization;
using System.Text;
using EdgeNode.Engine;
using EdgeNode.Sparkplug;

namespace EdgeNode.Web;

/// <summary>
/// <c>/metrics</c> in the Prometheus text exposition format 0.0.4, written by hand: a dozen series do not justify a
/// client library's registry, background collectors and their memory on a Pi.
/// </summary>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly SparkplugMessageType[] Published =
    [
        SparkplugMessageType.NBIRTH, SparkplugMessageType.NDEATH, SparkplugMessageType.NDATA,
        SparkplugMessageType.DBIRTH, SparkplugMessageType.DDEATH, SparkplugMessageType.DDATA,
    ];

    public static string Render(EngineSnapshot s, NodeTelemetry telemetry, string version, long startedMs, ProcessStats process)
    {
        var b = new StringBuilder(2048);
        Family(b, "edgenode_info", "gauge", "Version of the running node (always 1).");
        b.Append("edgenode_info{version=\"").Append(Escape(version)).Append("\"} 1\n");

        Family(b, "edgenode_session_online", "gauge", "1 while the node's births are out (publishing live), else 0.");
        Sample(b, "edgenode_session_online", s.Session == "online" ? 1 : 0);
        Family(b, "edgenode_session_state", "gauge", "1 for the current session state (connecting, waiting for primary host, online, storing).");
        foreach (var state in new[] { "connecting", "waiting for primary host", "online", "storing" })
        {
            b.Append("edgenode_session_state{state=\"").Append(state).Append("\"} ").Append(s.Session == state ? '1' : '0').Append('\n');
        }

        Family(b, "edgenode_bdseq", "gauge", "bdSeq of the current MQTT session.");
        Sample(b, "edgenode_bdseq", s.BdSeq);
        if (s.PrimaryHostId is not null)
        {
            Family(b, "edgenode_primary_host_online", "gauge", "1 while the primary host application's STATE is online.");
            b.Append("edgenode_primary_host_online{host=\"").Append(Escape(s.PrimaryHostId)).Append("\"} ").Append(s.PrimaryHostOnline ? '1' : '0').Append('\n');
        }

        Family(b, "edgenode_device_online", "gauge", "1 while the device answers its scans.");
        foreach (var d in s.Devices)
        {
            DeviceSample(b, "edgenode_device_online", d.Id, d.Online ? 1 : 0);
        }

        var counters = telemetry.Devices.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        Family(b, "edgenode_device_scans_total", "counter", "Scans completed per device (answered or not).");
        foreach (var (id, c) in counters)
        {
            DeviceSample(b, "edgenode_device_scans_total", id, c.Scans);
        }

        Family(b, "edgenode_device_scan_errors_total", "counter", "Scans the device did not answer.");
        foreach (var (id, c) in counters)
        {
            DeviceSample(b, "edgenode_device_scan_errors_total", id, c.Errors);
        }

        Family(b, "edgenode_device_scan_duration_seconds", "gauge", "Duration of the device's last scan.");
        foreach (var (id, c) in counters)
        {
            DeviceSample(b, "edgenode_device_scan_duration_seconds", id, c.LastScanDuration.TotalSeconds);
        }

        Family(b, "edgenode_store_pending_changes", "gauge", "Changes in the store-and-forward buffer waiting to be replayed.");
        Sample(b, "edgenode_store_pending_changes", s.StorePending);
        Family(b, "edgenode_store_bytes", "gauge", "Size of the store-and-forward buffer.");
        Sample(b, "edgenode_store_bytes", s.StoreBytes);
        Family(b, "edgenode_store_dropped_changes", "gauge", "Changes the store dropped at capacity (oldest first).");
        Sample(b, "edgenode_store_dropped_changes", s.StoreDropped);

        Family(b, "edgenode_messages_published_total", "counter", "Sparkplug messages the broker took, by message type.");
        foreach (var type in Published)
        {
            b.Append("edgenode_messages_published_total{type=\"").Append(SparkplugMessageTypes.ToToken(type)).Append("\"} ")
                .Append(telemetry.Published(type).ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        Family(b, "process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch.");
        Sample(b, "process_start_time_seconds", startedMs / 1000.0);
        Family(b, "process_resident_memory_bytes", "gauge", "Resident memory size.");
        Sample(b, "process_resident_memory_bytes", process.ResidentBytes);
        Family(b, "process_cpu_seconds_total", "counter", "User and system CPU time spent.");
        Sample(b, "process_cpu_seconds_total", process.CpuSeconds);
        Family(b, "dotnet_gc_heap_bytes", "gauge", "Bytes currently thought to be allocated on the managed heap.");
        Sample(b, "dotnet_gc_heap_bytes", GC.GetTotalMemory(forceFullCollection: false));
        Family(b, "dotnet_gc_allocated_bytes_total", "counter", "Bytes allocated on the managed heap since the process started.");
        Sample(b, "dotnet_gc_allocated_bytes_total", GC.GetTotalAllocatedBytes());
        Family(b, "dotnet_gc_collections_total", "counter", "Garbage collections by generation.");
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            b.Append("dotnet_gc_collections_total{generation=\"").Append(generation).Append("\"} ").Append(GC.CollectionCount(generation)).Append('\n');
        }

        return b.ToString();
    }

    private static void Family(StringBuilder b, string name, string type, string help) =>
        b.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder b, string name, double value) =>
        b.Append(name).Append(' ').Append(Number(value)).Append('\n');

    private static void DeviceSample(StringBuilder b, string name, string device, double value) =>
        b.Append(name).Append("{device=\"").Append(Escape(device)).Append("\"} ").Append(Number(value)).Append('\n');

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Label values escape backslash, double quote and line feed (exposition format).</summary>
    internal static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}

/// <summary>The process's own resource use, read from /proc (what process exporters report).</summary>
internal readonly record struct ProcessStats(long ResidentBytes, double CpuSeconds)
{
    public static ProcessStats Read()
    {
        var rss = 0L;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kb = line[6..].Trim().Split(' ')[0];
                    rss = long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                    break;
                }
            }
        }
        catch (IOException)
        {
        }

        var cpu = Environment.CpuUsage.TotalTime.TotalSeconds;
        return new ProcessStats(rss, cpu);
    }

    /// <summary>
    /// When this process started (Unix ms), from /proc (boot time + the process's start in clock ticks, USER_HZ = 100 on
    /// every Linux ABI): System.Diagnostics.Process would map a whole assembly for one number. Elsewhere: now.
    /// </summary>
    public static long StartedMs(TimeProvider time)
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var ticks = long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19], CultureInfo.InvariantCulture); // field 22
            var boot = File.ReadLines("/proc/stat").First(l => l.StartsWith("btime ", StringComparison.Ordinal));
            return (long.Parse(boot[6..].Trim(), CultureInfo.InvariantCulture) * 1000) + (ticks * 10);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException or IndexOutOfRangeException)
        {
            return time.GetUtcNow().ToUnixTimeMilliseconds();
        }
    }
}
