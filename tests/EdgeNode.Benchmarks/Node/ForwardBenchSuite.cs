using System.Diagnostics;
using System.Globalization;
using System.Net;
using EdgeNode.Simulator;
using EdgeNode.Testing;
using static EdgeNode.Benchmarks.Node.NodeRig;

namespace EdgeNode.Benchmarks.Node;

/// <summary>
/// "forward": store-and-forward end to end through the real node. The node runs against the farm (8 × 250 registers,
/// 50% changing per scan) with its broker link cut (a TCP relay that resets and refuses), so every change goes to its
/// store; then the link is restored and the historical DDATA is counted as it reaches an observer connected to
/// Mosquitto directly, until none has come for a while. Every change the farm made during the outage is matched to a
/// delivered value, as in "node".
/// </summary>
public sealed class ForwardBenchSuite : IBenchSuite
{
    private const double ChangeFraction = 0.5;
    private const string EdgeNodeId = "Forward1";
    private static readonly TimeSpan s_quiet = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan s_drainTimeout = TimeSpan.FromMinutes(10);

    public string Name => "forward";

    public async Task RunAsync(BenchOutput output, CancellationToken cancellationToken)
    {
        RequireNodeBuilt();
        var outage = TimeSpan.FromSeconds(EnvSeconds("EDGENODE_BENCH_FORWARD_SECONDS", 30));
        var workDirectory = Path.Combine(Path.GetTempPath(), $"edgenode-bench-forward-{Environment.ProcessId}");
        var state = Path.Combine(workDirectory, "state");
        Directory.CreateDirectory(workDirectory);
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoOptions { Quiet = true, MaxQueuedMessages = 0 })
            .ConfigureAwait(false);
        await using var gate = new TcpGate(broker.Port);
        gate.Open();
        var ledger = new ChangeLedger();
        var farm = new RegisterFarm(Units, RegistersPerUnit, ChangeFraction, FarmSeed);
        farm.Changed += ledger.OnChanged;
        using var farmStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task? farmLoop = null;
        ExternalProcess? node = null;
        try
        {
            await using var modbus = new ModbusTcpServer(IPAddress.Loopback, 0, farm.Banks);
            modbus.Start();
            await using var tap = new ModbusTap(modbus.Port, ledger.OnRead);
            tap.Start();
            await using var observer = new NodeTrafficObserver(ledger, GroupId, EdgeNodeId) { ReportHistorical = true };
            await observer.StartAsync(broker.Port, cancellationToken).ConfigureAwait(false);
            farmLoop = DriveFarmAsync(farm, FarmSeed, farmStop.Token);
            node = await StartNode(gate.Port, tap.Port, workDirectory, EdgeNodeId, "  reconnectMaxMs: 1000").ConfigureAwait(false);
            await WaitForBirthsAsync(observer, node, "EdgeNode", Stopwatch.GetTimestamp(), cancellationToken).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);

            // Outage: the node keeps scanning and stores what changed.
            var cutMs = (long)NodeTrafficObserver.NowMs();
            var changesBefore = farm.ChangesMade;
            await gate.CloseAsync().ConfigureAwait(false);
            await Task.Delay(outage, cancellationToken).ConfigureAwait(false);
            await farmStop.CancelAsync().ConfigureAwait(false);
            await farmLoop.ConfigureAwait(false);
            var farmStoppedMs = (long)NodeTrafficObserver.NowMs();
            var outageChanges = farm.ChangesMade - changesBefore;
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false); // last scans committed (≤ 1 s)
            var storeBytes = DirectoryBytes(state);
            var liveBeforeRestore = observer.DataMetrics;

            // Restore: births, then the history.
            var birthsBefore = observer.NodeBirths.Count;
            var historicalBefore = observer.HistoricalMetrics;
            var cpuStart = ProcessMeter.CpuTime(node.Id);
            var restored = Stopwatch.GetTimestamp();
            var restoredMs = NodeTrafficObserver.NowMs();
            gate.Open();
            var samples = new List<(double Ms, TimeSpan Cpu)>();
            while (true)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
                if (node.HasExited)
                {
                    throw new InvalidOperationException($"the node exited ({node.ExitCode}) while draining:\n{Tail(node.Output)}");
                }

                samples.Add((NodeTrafficObserver.NowMs(), ProcessMeter.CpuTime(node.Id)));
                var now = NodeTrafficObserver.NowMs();
                if (observer.HistoricalSpan is { } span && observer.HistoricalMetrics > historicalBefore && now - span.Last > s_quiet.TotalMilliseconds)
                {
                    break;
                }

                if (Stopwatch.GetElapsedTime(restored) > s_drainTimeout
                    || (observer.HistoricalMetrics == historicalBefore && Stopwatch.GetElapsedTime(restored) > TimeSpan.FromSeconds(60)))
                {
                    throw new TimeoutException($"drain incomplete after {Stopwatch.GetElapsedTime(restored).TotalSeconds:0} s: " +
                                               $"{observer.HistoricalMetrics - historicalBefore:N0} historical metrics, {observer.NodeBirths.Count - birthsBefore} NBIRTHs:\n{Tail(node.Output)}");
                }
            }

            var (_, birthMs) = observer.NodeBirths;
            var (firstMs, lastMs) = observer.HistoricalSpan!.Value;
            var historical = observer.HistoricalMetrics - historicalBefore;
            var cpuAtLast = samples.Where(s => s.Ms >= lastMs).Select(s => s.Cpu).DefaultIfEmpty(samples[^1].Cpu).First();
            var peakRss = ProcessMeter.PeakRssBytes(node.Id);
            var result = ledger.Analyse(cutMs, farmStoppedMs, (long)NodeTrafficObserver.NowMs(), ScanMs);

            node.Signal(Signals.SIGTERM);
            int? exitCode;
            try
            {
                exitCode = await node.WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                exitCode = null;
            }

            var drainSeconds = (lastMs - birthMs) / 1000;
            var rate = historical / drainSeconds;
            static string Check(bool ok, string target) => (ok ? "✓ " : "✗ ") + target;
            output.Heading($"forward: store-and-forward through the node, {outage.TotalSeconds:0} s broker outage, " +
                           $"{Units * RegistersPerUnit:N0} registers, {ChangeFraction:P0} changing per {ScanMs} ms scan, Mosquitto");
            output.Table(["figure", "EdgeNode", "target"],
            [
                ["register changes during the outage (farm)", BenchOutput.Number(outageChanges), ""],
                ["historical metrics received", BenchOutput.Number(historical), ""],
                ["delivered, values held ≥ 1.5 scans", $"{result.Held.Fraction * 100:0.000}% ({result.Held.Delivered:N0}/{result.Held.Total:N0})",
                    Check(result.Held.Delivered == result.Held.Total && result.Held.Total > 0, "100%")],
                ["delivered, values held < 1.5 scans", $"{result.Brief.Fraction * 100:0.0}% ({result.Brief.Delivered:N0}/{result.Brief.Total:N0})", "(aliasing allowed)"],
                ["…of those missed although a read saw them", BenchOutput.Number(result.BriefMissedAlthoughRead), Check(result.BriefMissedAlthoughRead == 0, "0")],
                ["link restored → NBIRTH", $"{(birthMs - restoredMs) / 1000:0.00} s", ""],
                ["NBIRTH → first historical", $"{(firstMs - birthMs) / 1000:0.00} s", ""],
                ["NBIRTH → last historical (drain)", $"{drainSeconds:0.00} s", ""],
                ["drain, historical changes/s", BenchOutput.Number(rate), Check(rate >= 50_000, "≥ 50,000")],
                ["store on disk after the outage", $"{storeBytes / 1048576.0:0.0} MB ({(historical > 0 ? storeBytes / (double)historical : 0):0.0} B/change)",
                    Check(historical > 0 && storeBytes / (double)historical <= 64, "≤ 64 B/change")],
                ["node CPU while draining, % of one core", $"{(cpuAtLast - cpuStart).TotalSeconds / ((lastMs - restoredMs) / 1000) * 100:0}%", ""],
                ["node peak RSS (VmHWM)", $"{peakRss / 1048576.0:0.0} MB", Check(peakRss < 80L * 1048576, "< 80 MB")],
            ]);
            output.Line("");
            output.Line($"- The node's broker URL is a TCP relay in this process: cut = every connection reset and new ones refused, for " +
                        $"{outage.TotalSeconds:0} s (EDGENODE_BENCH_FORWARD_SECONDS); the farm then stops, so the drain runs without live data. " +
                        "The observer subscribes to Mosquitto directly and never loses it. The drain ends with the last historical metric " +
                        $"(none for {s_quiet.TotalSeconds:0} s after it); the rate is historical metrics ÷ (last one − the NBIRTH of the new session).");
            output.Line($"- Store size = the files in $STATE_DIRECTORY ({storeBytes:N0} bytes, bdseq included) 2 s after the farm stopped, " +
                        "divided by the historical metrics that came out of it.");
            output.Line($"- Live metrics before the restore {liveBeforeRestore:N0}; NBIRTHs {observer.NodeBirths.Count}; seq gaps {observer.SeqGaps}; " +
                        $"undecodable {observer.DecodeErrors}; unresolved {observer.UnresolvedMetrics}; values matching no change {result.Unmatched}; " +
                        $"changes reported twice {result.Duplicates} (the detection-gap replay may repeat a value, flagged historical); " +
                        $"exit after SIGTERM {(exitCode?.ToString(CultureInfo.InvariantCulture) ?? "none within 10 s")}.");
            output.Line("- No peer in this table: the naive comparison of the store itself (row per change) is in `store`.");
            foreach (var missed in result.MissedExamples)
            {
                output.Line($"  - missed: {missed}");
            }
        }
        finally
        {
            await farmStop.CancelAsync().ConfigureAwait(false);
            if (farmLoop is not null)
            {
                await farmLoop.ConfigureAwait(false);
            }

            if (node is not null)
            {
                await node.DisposeAsync().ConfigureAwait(false);
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

    private static long DirectoryBytes(string path) =>
        Directory.Exists(path) ? new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;
}
