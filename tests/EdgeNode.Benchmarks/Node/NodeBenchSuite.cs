using System.Diagnostics;
using System.Globalization;
using System.Net;
using EdgeNode.Simulator;
using EdgeNode.Testing;

using static EdgeNode.Benchmarks.Node.NodeRig;

namespace EdgeNode.Benchmarks.Node;

/// <summary>
/// "node": the real node process (<c>edgenode run</c>) against 2,000 holding registers on 8 Modbus TCP units (the
/// simulator's RegisterFarm served by its ModbusTcpServer, in this process) scanned every 200 ms while 10% of them change
/// every 200 ms, publishing to a real Mosquitto. Our MQTT client and codec observe the DDATA; every change the farm
/// made is matched to the DDATA that carried its value. Then the same load, farm seed, broker and observer against a
/// naive poller (Node.js: a raw Modbus TCP loop, Tahu's encoder, MQTT.js), the peer the figures are quoted against.
/// </summary>
public sealed class NodeBenchSuite : IBenchSuite
{
    private const double ChangeFraction = 0.1;
    private static readonly TimeSpan s_grace = TimeSpan.FromSeconds(3);

    public string Name => "node";

    public async Task RunAsync(BenchOutput output, CancellationToken cancellationToken)
    {
        var window = TimeSpan.FromSeconds(EnvSeconds("EDGENODE_BENCH_NODE_SECONDS", 30));
        var warmUp = TimeSpan.FromSeconds(EnvSeconds("EDGENODE_BENCH_NODE_WARMUP_SECONDS", 5));
        // EDGENODE_BENCH_NODE_PEER: "0" = the node alone, "only" = the peer alone (to check the harness without the node).
        var peerMode = Environment.GetEnvironmentVariable("EDGENODE_BENCH_NODE_PEER");
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoOptions { Quiet = true }).ConfigureAwait(false);
        PhaseResult? node = null;
        if (peerMode != "only")
        {
            RequireNodeBuilt();
            node = await MeasureAsync(new Subject("EdgeNode", "Node1", (brokerPort, modbusPort, directory) => StartNode(brokerPort, modbusPort, directory, "Node1")), broker, window, warmUp, cancellationToken)
                .ConfigureAwait(false);
        }

        PhaseResult? peer = null;
        var nodeVersion = "";
        if (peerMode != "0")
        {
            Peers.RequireNodeModules();
            nodeVersion = Peers.Run(NodeJs.Executable, ["--version"], TimeSpan.FromSeconds(30)).Trim();
            peer = await MeasureAsync(new Subject("naive poller", "Poller1", StartPoller), broker, window, warmUp, cancellationToken)
                .ConfigureAwait(false);
        }

        Print(output, node, peer, window, warmUp, nodeVersion);
    }

    private static async Task<PhaseResult> MeasureAsync(Subject subject, MosquittoBroker broker, TimeSpan window, TimeSpan warmUp,
        CancellationToken cancellationToken)
    {
        var workDirectory = Path.Combine(Path.GetTempPath(), $"edgenode-bench-node-{Environment.ProcessId}-{subject.EdgeNodeId}");
        Directory.CreateDirectory(workDirectory);
        var ledger = new ChangeLedger();
        var farm = new RegisterFarm(Units, RegistersPerUnit, ChangeFraction, FarmSeed);
        farm.Changed += ledger.OnChanged;
        using var farmStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task? farmLoop = null;
        ExternalProcess? process = null;
        try
        {
            await using var modbus = new ModbusTcpServer(IPAddress.Loopback, 0, farm.Banks);
            modbus.Start();
            await using var tap = new ModbusTap(modbus.Port, ledger.OnRead);
            tap.Start();
            await using var observer = new NodeTrafficObserver(ledger, GroupId, subject.EdgeNodeId);
            await observer.StartAsync(broker.Port, cancellationToken).ConfigureAwait(false);
            farmLoop = DriveFarmAsync(farm, FarmSeed, farmStop.Token);

            var started = Stopwatch.GetTimestamp();
            process = await subject.Start(broker.Port, tap.Port, workDirectory).ConfigureAwait(false);
            await NodeRig.WaitForBirthsAsync(observer, process, subject.Label, started, cancellationToken).ConfigureAwait(false);
            var birthSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            await Task.Delay(warmUp, cancellationToken).ConfigureAwait(false);

            var (birthsBefore, deathsBefore) = (observer.Births, observer.Deaths);
            var (ddataBefore, metricsBefore, changesBefore) = (observer.DataMessages, observer.DataMetrics, farm.ChangesMade);
            var cpuBefore = ProcessMeter.CpuTime(process.Id);
            var threadsBefore = ProcessMeter.ThreadCpu(process.Id);
            var windowStartMs = (long)NodeTrafficObserver.NowMs();
            var clock = Stopwatch.GetTimestamp();
            await Task.Delay(window, cancellationToken).ConfigureAwait(false);
            var cpu = ProcessMeter.CpuTime(process.Id) - cpuBefore;
            var threads = ProcessMeter.ThreadCpuDelta(threadsBefore, ProcessMeter.ThreadCpu(process.Id));
            var wall = Stopwatch.GetElapsedTime(clock);
            var windowEndMs = (long)NodeTrafficObserver.NowMs();
            var (ddata, metrics, changes) = (observer.DataMessages - ddataBefore, observer.DataMetrics - metricsBefore, farm.ChangesMade - changesBefore);
            var (births, deaths) = (observer.Births - birthsBefore, observer.Deaths - deathsBefore);
            var peakRss = ProcessMeter.PeakRssBytes(process.Id);
            var rss = ProcessMeter.RssBytes(process.Id);

            // Late deliveries of the window's last changes still count; the farm keeps stepping so every value's lifetime is known.
            await Task.Delay(s_grace, cancellationToken).ConfigureAwait(false);
            var observedUntilMs = (long)NodeTrafficObserver.NowMs();
            await farmStop.CancelAsync().ConfigureAwait(false);
            await farmLoop.ConfigureAwait(false);

            process.Signal(Signals.SIGTERM);
            int? exitCode;
            try
            {
                exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                exitCode = null;
            }

            return new PhaseResult
            {
                Label = subject.Label,
                Ledger = ledger.Analyse(windowStartMs, windowEndMs, observedUntilMs, ScanMs),
                WallSeconds = wall.TotalSeconds,
                CpuPercent = cpu.TotalSeconds / wall.TotalSeconds * 100,
                CpuByThread = string.Join(", ", threads.Where(t => t.Cpu > TimeSpan.Zero).Take(6)
                    .Select(t => $"{t.Name} ×{t.Threads} {t.Cpu.TotalSeconds / wall.TotalSeconds * 100:0.0}%")),
                PeakRssBytes = peakRss,
                RssBytes = rss,
                DataPerSecond = ddata / wall.TotalSeconds,
                MetricsPerSecond = metrics / wall.TotalSeconds,
                ChangesPerSecond = changes / wall.TotalSeconds,
                BirthSeconds = birthSeconds,
                ExitCode = exitCode,
                OutputTail = Tail(process.Output),
                RebirthsInWindow = births,
                Deaths = deaths,
                SeqGaps = observer.SeqGaps,
                DecodeErrors = observer.DecodeErrors,
                HistoricalMetrics = observer.HistoricalMetrics,
                UnresolvedMetrics = observer.UnresolvedMetrics,
            };
        }
        finally
        {
            await farmStop.CancelAsync().ConfigureAwait(false);
            if (farmLoop is not null)
            {
                await farmLoop.ConfigureAwait(false);
            }

            if (process is not null)
            {
                await process.DisposeAsync().ConfigureAwait(false);
            }

            try
            {
                Directory.Delete(workDirectory, recursive: true);
            }
            catch (IOException)
            {
                // best effort
            }
        }
    }

    private static async Task<ExternalProcess> StartPoller(int brokerPort, int modbusPort, string workDirectory)
    {
        var script = Path.Combine(RepoPaths.Tests, "EdgeNode.Benchmarks", "Node", "naive-poller.js");
        var process = ExternalProcess.Start(NodeJs.Executable,
            [script, $"mqtt://127.0.0.1:{brokerPort}", Invariant(modbusPort), Invariant(Units), Invariant(RegistersPerUnit), Invariant(ScanMs), GroupId, "Poller1"],
            RepoPaths.Interop, new Dictionary<string, string?> { ["NODE_PATH"] = Path.Combine(RepoPaths.Interop, "node_modules") });
        await process.WaitForLineAsync("\"ready\"", TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return process;
    }

    private static void Print(BenchOutput output, PhaseResult? node, PhaseResult? peer, TimeSpan window, TimeSpan warmUp, string nodeVersion)
    {
        const double scan = ScanMs;
        var rows = new List<IReadOnlyList<string>>();
        void Row(string figure, Func<PhaseResult, string> show, string target, Func<PhaseResult, double>? value = null, Func<PhaseResult, bool>? met = null)
        {
            var ratio = node is not null && peer is not null && value is not null ? BenchOutput.Ratio(value(node), value(peer)) : "";
            var judged = node is null || met is null ? target : (met(node) ? "✓ " : "✗ ") + target;
            rows.Add([figure, node is null ? "not run" : show(node), judged, peer is null ? "not run" : show(peer), ratio]);
        }

        static string Ms(double ms) => double.IsNaN(ms) ? "—" : $"{ms:0} ms ({ms / scan:0.00} scans)";

        Row("delivered, values held ≥ 1.5 scans",
            r => $"{r.Ledger.Held.Fraction * 100:0.000}% ({r.Ledger.Held.Delivered:N0}/{r.Ledger.Held.Total:N0})",
            "100%", met: r => r.Ledger.Held.Delivered == r.Ledger.Held.Total && r.Ledger.Held.Total > 0);
        Row("delivered, values held < 1.5 scans",
            r => $"{r.Ledger.Brief.Fraction * 100:0.0}% ({r.Ledger.Brief.Delivered:N0}/{r.Ledger.Brief.Total:N0})", "(aliasing allowed)");
        Row("…of those missed although a read saw them", r => BenchOutput.Number(r.Ledger.BriefMissedAlthoughRead),
            "0", met: r => r.Ledger.BriefMissedAlthoughRead == 0);
        Row("latency change→DDATA p50", r => Ms(r.Ledger.Percentile(50)), "", r => r.Ledger.Percentile(50));
        Row("latency change→DDATA p99", r => Ms(r.Ledger.Percentile(99)),
            $"< 2 scans ({2 * scan:0} ms)", r => r.Ledger.Percentile(99), r => r.Ledger.Percentile(99) < 2 * scan);
        Row("latency change→DDATA max", r => Ms(r.Ledger.Percentile(100)), "", r => r.Ledger.Percentile(100));
        Row("scan interval p50 / p99 / max", r => $"{LedgerResult.Percentile(r.Ledger.ScanIntervals, 50):0} / {LedgerResult.Percentile(r.Ledger.ScanIntervals, 99):0} / " +
            $"{LedgerResult.Percentile(r.Ledger.ScanIntervals, 100):0} ms", "", r => LedgerResult.Percentile(r.Ledger.ScanIntervals, 99));
        Row("CPU, % of one core", r => $"{r.CpuPercent:0.0}%", "< 10%", r => r.CpuPercent, r => r.CpuPercent < 10);
        Row("peak RSS (VmHWM)", r => $"{r.PeakRssBytes / 1048576.0:0.0} MB", "< 80 MB",
            r => r.PeakRssBytes, r => r.PeakRssBytes < 80L * 1048576);
        Row("RSS at the end of the window", r => $"{r.RssBytes / 1048576.0:0.0} MB", "", r => r.RssBytes);
        Row("DDATA messages/s", r => BenchOutput.Number(r.DataPerSecond, "0.0"), "", r => r.DataPerSecond);
        Row("metrics/s in DDATA", r => BenchOutput.Number(r.MetricsPerSecond, "N0"), "", r => r.MetricsPerSecond);
        Row("register changes/s (farm)", r => BenchOutput.Number(r.ChangesPerSecond, "N0"), "");
        Row("start → all 8 DBIRTHs", r => $"{r.BirthSeconds:0.0} s", "", r => r.BirthSeconds);

        output.Heading($"node: edgenode run, {Units * RegistersPerUnit:N0} registers on {Units} Modbus TCP units, {ScanMs} ms scan, " +
                       $"{ChangeFraction:P0} changing per scan, Mosquitto");
        output.Table(["figure", "EdgeNode", "target", peer is null ? "peer" : "naive poller (Node.js)", "EdgeNode / poller"], rows);
        output.Line("");
        output.Line($"- Window {window.TotalSeconds:0} s after all DBIRTHs and a {warmUp.TotalSeconds:0} s warm-up " +
                    "(EDGENODE_BENCH_NODE_SECONDS / EDGENODE_BENCH_NODE_WARMUP_SECONDS; EDGENODE_BENCH_NODE_PEER=0 skips the peer); " +
                    $"deliveries of the window's changes are awaited {s_grace.TotalSeconds:0} s more.");
        output.Line($"- The farm (EdgeNode.Simulator RegisterFarm, seed {FarmSeed}, in this process) steps at random intervals uniform in " +
                    $"{ScanMs / 2}–{ScanMs * 3 / 2} ms (mean one scan; a fixed period would phase-lock with the scan), each step changing " +
                    $"{ChangeFraction:P0} of every unit's registers. It writes a per-register counter, so each DDATA value " +
                    "names one change; its Changed event gives the change's UTC ms. Latency = receipt by our observer (own MQTT client " +
                    "+ SparkplugPayload.TryDecode, aliases from the DBIRTHs) − change time, ±1 ms.");
        output.Line("- A value held ≥ 1.5 scans must be read by any 200 ms poller (with less than half a scan of jitter) and so must be " +
                    "delivered: that is the delivered fraction judged against 100%. A value overwritten sooner may legitimately fall between two " +
                    "scans; it counts as lost only when a read of its register provably saw it: a Modbus relay in this process (ModbusTap) notes " +
                    "when each read request went to the simulator and when its answer came back, and the value was there for that whole interval. " +
                    "The same relay gives the scan interval (request to request of the same block; the ratio column compares p99).");
        output.Line("- CPU = utime+stime from /proc/<pid>/stat over the window ÷ wall time; peak RSS = VmHWM from /proc/<pid>/status " +
                    "(includes start-up). The node runs as `dotnet edgenode.dll run` (framework-dependent, the settings of its runtimeconfig), " +
                    $"here {NodeDll} (EDGENODE_BENCH_NODE_DLL overrides).");
        output.Line($"- Peer: tests/EdgeNode.Benchmarks/Node/naive-poller.js on Node.js {(peer is null ? "(not run)" : nodeVersion)}, " +
                    "polling each unit every 200 ms (2 × FC3 of ≤ 125, one connection per unit), publishing the changed registers as " +
                    "Sparkplug DDATA by name (Tahu's encoder, MQTT.js, QoS 0). It does only the data path (no NBIRTH/bdSeq session, aliases, " +
                    "store-and-forward, device health), so it is a floor, not a feature match. Same farm seed, broker and observer; run after the node.");
        foreach (var r in new[] { node, peer }.OfType<PhaseResult>())
        {
            output.Line($"- {r.Label}: exit after SIGTERM {(r.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none within 10 s")}; " +
                        $"DBIRTHs in window {r.RebirthsInWindow}, DDEATHs in window {r.Deaths}, seq gaps {r.SeqGaps}, undecodable {r.DecodeErrors}, " +
                        $"historical metrics {r.HistoricalMetrics}, unresolved metrics {r.UnresolvedMetrics}, values matching no change " +
                        $"{r.Ledger.Unmatched}, changes reported twice {r.Ledger.Duplicates}. CPU by thread (% of one core): {r.CpuByThread}.");
            foreach (var missed in r.Ledger.MissedExamples)
            {
                output.Line($"  - missed: {missed}");
            }

            if (r.Ledger.Held.Delivered < r.Ledger.Held.Total)
            {
                // Something is broken rather than slow: show what the process said.
                output.Line($"  - {r.Label} output (last lines):");
                foreach (var line in r.OutputTail.Split('\n').TakeLast(15))
                {
                    output.Line("    " + line);
                }
            }
        }
    }

    private sealed record Subject(string Label, string EdgeNodeId, Func<int, int, string, Task<ExternalProcess>> Start);

    private sealed class PhaseResult
    {
        public required string Label { get; init; }

        public required LedgerResult Ledger { get; init; }

        public double WallSeconds { get; init; }

        public double CpuPercent { get; init; }

        public string CpuByThread { get; init; } = "";

        public long PeakRssBytes { get; init; }

        public long RssBytes { get; init; }

        public double DataPerSecond { get; init; }

        public double MetricsPerSecond { get; init; }

        public double ChangesPerSecond { get; init; }

        public double BirthSeconds { get; init; }

        public int? ExitCode { get; init; }

        public string OutputTail { get; init; } = "";

        public long RebirthsInWindow { get; init; }

        public long Deaths { get; init; }

        public long SeqGaps { get; init; }

        public long DecodeErrors { get; init; }

        public long HistoricalMetrics { get; init; }

        public long UnresolvedMetrics { get; init; }
    }
}
