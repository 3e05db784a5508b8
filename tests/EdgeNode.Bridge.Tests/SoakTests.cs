using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using EdgeNode.Bridge.Tests.Infrastructure;
using EdgeNode.KafkaMock;
using EdgeNode.Simulator;
using EdgeNode.Testing;
using Xunit.Abstractions;

namespace EdgeNode.Bridge.Tests;

/// <summary>
/// Issue 15's soak: the node under the 15,000-tag workload (60 Modbus TCP units × 250 holding registers on the
/// simulator's RegisterFarm, scanned every second, values changing) with its broker link flapping through a
/// <see cref="TcpFaultRelay"/> (up 2–10 s, then reset and refused for 1 s), and the bridge taking everything to
/// Kafka (librdkafka's mock cluster). Every 10 s it samples RSS, CPU, GC heap, threads and file descriptors of both
/// processes into a CSV; at the end it fits a least-squares slope over the second half of the run and fails when
/// memory or handles keep growing. <c>./build.sh soak [minutes]</c> runs it long (EDGENODE_SOAK_MINUTES) and draws the
/// chart; without that variable it is the short CI version (8 units, ~30 s): everything works and the store drains,
/// no slope verdict (a 30 s run is all warm-up).
/// </summary>
public sealed class SoakTests(ITestOutputHelper output)
{
    private const string Group = "Soak";
    private const string EdgeNodeId = "Gw1";
    private const string HostId = "KafkaBridge";
    private const int Registers = 250;
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task NodeAndBridge_15000TagsFlappingBroker_NoGrowthOfMemoryOrHandles_StoreDrains()
    {
        var soakMinutes = Env("EDGENODE_SOAK_MINUTES", 0);
        var soak = soakMinutes > 0;
        var duration = soak ? TimeSpan.FromMinutes(soakMinutes) : TimeSpan.FromSeconds(30);
        var units = soak ? 60 : 8;
        // Per second, the share of registers that change. The mock cluster keeps every record in memory (no retention),
        // so an hour at 10 % (1,500 records/s) would grow the test host by gigabytes: 2 % is 300 changes/s, 1.1 M an hour.
        var changePercent = Env("EDGENODE_SOAK_CHANGE_PERCENT", 2);
        var sampleEvery = soak ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(3);
        var upMax = soak ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(4);
        var csvPath = Environment.GetEnvironmentVariable("EDGENODE_SOAK_CSV") is { Length: > 0 } csv
            ? Path.GetFullPath(csv)
            : Path.Combine(Path.GetTempPath(), $"edgenode-soak-{Guid.NewGuid():N}.csv");

        await using var broker = await MosquittoBroker.StartAsync();
        await using var relay = TcpFaultRelay.Start(broker.Port);
        using var kafka = new MockKafkaCluster(3);
        kafka.CreateTopic("sparkplug.data", 4);
        kafka.CreateTopic("sparkplug.state", 2);
        var farm = new RegisterFarm(units, Registers, changePercent / 100.0, seed: 15);
        await using var modbus = new ModbusTcpServer(IPAddress.Loopback, 0, farm.Banks);
        modbus.Start();
        var bridgeWeb = FreePort.Next();
        await using var bridge = BridgeUnderTest.Start(BridgeUnderTest.Yaml(broker.Port, kafka.BootstrapServers, HostId, bridgeWeb));
        await bridge.WaitForLogAsync($"STATE {HostId}: online", TimeSpan.FromSeconds(60));
        var nodeWeb = FreePort.Next();
        await using var node = NodeUnderTest.Start(NodeYaml(relay.Port, modbus.Port, nodeWeb, units));
        var nodeMetrics = $"http://127.0.0.1:{nodeWeb}/metrics";
        var bridgeMetrics = $"http://127.0.0.1:{bridgeWeb}/metrics";

        // Every unit born and bridged: the state topic's births are counted by the bridge as records.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (await ScrapeAsync(bridgeMetrics, "edgenode_bridge_records_produced_total{topic=\"sparkplug.data\"}") < units * Registers)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the births of {units} units never reached Kafka\n--- node ---\n{node.OutputTail()}\n--- bridge ---\n{BridgeRig.Tail(bridge.Output)}");
            Assert.True(node.IsRunning, $"the node exited:\n{node.OutputTail()}");
            await Task.Delay(500);
        }

        using var stop = new CancellationTokenSource(duration);
        using var farmStop = new CancellationTokenSource();
        var farming = farm.RunAsync(TimeSpan.FromSeconds(1), farmStop.Token);
        var flapping = relay.FlapAsync(TimeSpan.FromSeconds(2), upMax, TimeSpan.FromSeconds(1), seed: 15, stop.Token);
        var samples = new List<Row>();
        var clock = Stopwatch.StartNew();
        var nodeCpu = new CpuMeter(node.Process!.Id);
        var bridgeCpu = new CpuMeter(bridge.Process!.Id);
        await using (var writer = new StreamWriter(csvPath, append: false, Encoding.ASCII))
        {
            await writer.WriteLineAsync(Row.Header);
            while (true)
            {
                Assert.True(node.IsRunning, $"the node exited:\n{node.OutputTail()}");
                Assert.True(bridge.Process is { HasExited: false }, $"the bridge exited:\n{BridgeRig.Tail(bridge.Output)}");
                var row = new Row(
                    clock.Elapsed.TotalSeconds,
                    await ProbeAsync(node.Process!.Id, nodeCpu, nodeMetrics),
                    await ProbeAsync(bridge.Process!.Id, bridgeCpu, bridgeMetrics),
                    farm.ChangesMade,
                    await ScrapeAsync(nodeMetrics, "edgenode_store_pending_changes"),
                    await ScrapeAsync(bridgeMetrics, "edgenode_bridge_records_produced_total{topic=\"sparkplug.data\"}"));
                samples.Add(row);
                await writer.WriteLineAsync(row.Csv());
                await writer.FlushAsync();
                if (stop.IsCancellationRequested)
                {
                    break;
                }

                try
                {
                    await Task.Delay(sampleEvery, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    // one last sample at the end
                }
            }
        }

        var outages = await flapping;
        relay.Pass();
        await farmStop.CancelAsync();
        await farming;
        output.WriteLine($"CSV: {csvPath}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{duration.TotalSeconds:F0} s, {units} units x {Registers} registers scanned every 1 s, {changePercent} % changing per second ({farm.ChangesMade} changes), {outages} outages of the node's broker link"));

        // After the last outage the node replays what it stored and the bridge takes it: the store drains.
        deadline = DateTime.UtcNow + TimeSpan.FromSeconds(180);
        double pending;
        while ((pending = await ScrapeAsync(nodeMetrics, "edgenode_store_pending_changes")) > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the store still holds {pending} changes 180 s after the last outage\n{node.OutputTail()}");
            await Task.Delay(1000);
        }

        var dropped = await ScrapeAsync(nodeMetrics, "edgenode_store_dropped_changes");
        var produced = await ScrapeAsync(bridgeMetrics, "edgenode_bridge_records_produced_total{topic=\"sparkplug.data\"}");
        var failed = await ScrapeAsync(bridgeMetrics, "edgenode_bridge_records_failed_total");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"store drained, Store/Dropped {dropped}; bridge: {produced} data records confirmed by Kafka, {failed} refused"));
        Assert.Equal(0, dropped);
        Assert.Equal(0, failed);
        // Still flowing at the end: the second half of the run brought records too.
        Assert.True(samples[^1].Records > samples[samples.Count / 2].Records, $"no data records in the second half ({samples[samples.Count / 2].Records} -> {samples[^1].Records})");
        Assert.True(outages >= 2, $"the link never flapped: {outages} outages");

        var verdicts = GrowthVerdicts(samples).ToList();
        foreach (var v in verdicts)
        {
            output.WriteLine(v.Text);
        }

        if (soak && duration >= TimeSpan.FromMinutes(5))
        {
            Assert.True(verdicts.All(v => v.Ok), "growth without bound:\n" + string.Join("\n", verdicts.Where(v => !v.Ok).Select(v => v.Text)));
        }
    }

    /// <summary>
    /// Least squares over the second half of the run (the first is warm-up: JIT, pools, the store's first pages). A
    /// series grows without bound when its fitted growth over that half exceeds the allowance: memory 10 % of its mean
    /// + 8 MB, threads and file descriptors 3 — a leak of a connection per outage, or a few kilobytes per outage,
    /// crosses it within the hour.
    /// </summary>
    private static IEnumerable<(bool Ok, string Text)> GrowthVerdicts(IReadOnlyList<Row> samples)
    {
        var half = samples.Skip(samples.Count / 2).ToList();
        if (half.Count < 3)
        {
            yield break;
        }

        var span = half[^1].Seconds - half[0].Seconds;
        foreach (var (process, pick) in new (string, Func<Row, Probe>)[] { ("node", r => r.Node), ("bridge", r => r.Bridge) })
        {
            foreach (var (series, unit, value, memory) in new (string, string, Func<Probe, double>, bool)[]
                     {
                         ("RSS", "MB", p => p.RssMb, true), ("GC heap", "MB", p => p.GcHeapMb, true),
                         ("threads", "", p => p.Threads, false), ("fds", "", p => p.Fds, false),
                     })
            {
                var points = half.Select(r => (r.Seconds, value(pick(r)))).ToList();
                var slope = Slope(points);
                var mean = points.Average(p => p.Item2);
                var growth = slope * span;
                var allowance = memory ? (mean * 0.10) + 8 : 3;
                yield return (growth <= allowance, string.Create(CultureInfo.InvariantCulture,
                    $"{process} {series}: mean {mean:F1}{unit} over the second half, slope {slope * 3600:F2}{unit}/h, fitted growth {growth:F2}{unit} over {span:F0} s (allowed {allowance:F1}) {(growth <= allowance ? "ok" : "GROWS")}"));
            }
        }
    }

    private static double Slope(IReadOnlyList<(double X, double Y)> points)
    {
        var mx = points.Average(p => p.X);
        var my = points.Average(p => p.Y);
        var sxx = points.Sum(p => (p.X - mx) * (p.X - mx));
        return sxx == 0 ? 0 : points.Sum(p => (p.X - mx) * (p.Y - my)) / sxx;
    }

    private static async Task<Probe> ProbeAsync(int pid, CpuMeter cpu, string metricsUrl)
    {
        double rssKb = 0;
        var threads = 0;
        foreach (var line in await File.ReadAllLinesAsync($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rssKb = double.Parse(line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }

        var fds = Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;
        var gcHeap = await ScrapeAsync(metricsUrl, "dotnet_gc_heap_bytes");
        return new Probe(rssKb / 1024, cpu.Percent(), gcHeap / 1024 / 1024, threads, fds);
    }

    /// <summary>One series of a Prometheus text page (NaN when the page or the series is missing).</summary>
    private static async Task<double> ScrapeAsync(string url, string series)
    {
        string text;
        try
        {
            text = await s_http.GetStringAsync(url);
        }
        catch (HttpRequestException)
        {
            return double.NaN;
        }
        catch (TaskCanceledException)
        {
            return double.NaN;
        }

        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(series, StringComparison.Ordinal) && line.Length > series.Length && line[series.Length] == ' ')
            {
                return double.Parse(line[(series.Length + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
            }
        }

        return double.NaN;
    }

    private static double Env(string name, double fallback) =>
        double.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : fallback;

    private static string NodeYaml(int mqttPort, int modbusPort, int webPort, int units)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine(CultureInfo.InvariantCulture, $"""
            node:
              groupId: {Group}
              edgeNodeId: {EdgeNodeId}
              primaryHostId: {HostId}
              scanMs: 1000
            mqtt:
              servers: ["mqtt://127.0.0.1:{mqttPort}"]
              keepAliveSeconds: 5
              connectTimeoutMs: 2000
              reconnectMaxMs: 500
            web:
              listen: "127.0.0.1:{webPort}"
            devices:
            """);
        for (var unit = 1; unit <= units; unit++)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - id: Unit{unit}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    modbus: {{ tcp: {{ host: 127.0.0.1, port: {modbusPort} }}, unitId: {unit}, timeoutMs: 2000 }}");
            yaml.AppendLine("    metrics:");
            for (var address = 0; address < Registers; address++)
            {
                yaml.AppendLine(CultureInfo.InvariantCulture, $"      - {{ name: R{address:000}, table: holding, address: {address}, type: uint16 }}");
            }
        }

        return yaml.ToString();
    }

    private sealed record Probe(double RssMb, double CpuPercent, double GcHeapMb, int Threads, int Fds)
    {
        public string Csv() => string.Create(CultureInfo.InvariantCulture, $"{RssMb:F1},{CpuPercent:F1},{GcHeapMb:F1},{Threads},{Fds}");
    }

    private sealed record Row(double Seconds, Probe Node, Probe Bridge, long Changes, double StorePending, double Records)
    {
        public const string Header = "seconds,node_rss_mb,node_cpu_pct,node_gc_heap_mb,node_threads,node_fds," +
            "bridge_rss_mb,bridge_cpu_pct,bridge_gc_heap_mb,bridge_threads,bridge_fds,changes,store_pending,kafka_data_records";

        public string Csv() => string.Create(CultureInfo.InvariantCulture, $"{Seconds:F0},{Node.Csv()},{Bridge.Csv()},{Changes},{StorePending},{Records}");
    }

    /// <summary>CPU of a process between two calls, in % of one core (utime + stime of /proc/PID/stat, 100 ticks/s).</summary>
    private sealed class CpuMeter(int pid)
    {
        private long _ticks = Ticks(pid);
        private long _at = Stopwatch.GetTimestamp();

        public double Percent()
        {
            var ticks = Ticks(pid);
            var now = Stopwatch.GetTimestamp();
            var seconds = Stopwatch.GetElapsedTime(_at, now).TotalSeconds;
            var percent = seconds <= 0 ? 0 : (ticks - _ticks) / 100.0 / seconds * 100;
            (_ticks, _at) = (ticks, now);
            return percent;
        }

        private static long Ticks(int pid)
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // fields after "(comm)": state is field 3, utime 14 and stime 15
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
    }
}
