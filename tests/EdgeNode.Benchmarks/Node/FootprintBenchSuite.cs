using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EdgeNode.Simulator;
using EdgeNode.Testing;

namespace EdgeNode.Benchmarks.Node;

/// <summary>
/// "footprint": what each shipped form of the node costs on Neuron's published workload, 15,000 Modbus TCP holding
/// registers polled every second (60 units × 250 registers, 10% of them changing per second), publishing to a real
/// Mosquitto: time from exec to READY=1 (a real $NOTIFY_SOCKET), peak and steady RSS, CPU per second and per scan.
/// Forms: framework-dependent (dotnet edgenode.dll, the Release build), self-contained trimmed (the apphost of
/// artifacts/publish/edgenode-linux-x64, as "./build.sh package" leaves it) and NativeAOT when
/// EDGENODE_BENCH_FOOTPRINT_AOT names an executable (and a second one, "NativeAOT baseline", when
/// EDGENODE_BENCH_FOOTPRINT_AOT_BASELINE names an older build to compare with). The forms run one after another in the same process, farm seed
/// and broker, and each form runs EDGENODE_BENCH_FOOTPRINT_ROUNDS times (default 2) interleaved, so a change of the
/// machine's load shows as spread between rounds, not as a difference between forms.
/// </summary>
public sealed class FootprintBenchSuite : IBenchSuite
{
    private const int Units = 60;
    private const int Registers = 250;
    private const int ScanMs = 1000;
    private const double ChangeFraction = 0.1;

    public string Name => "footprint";

    public async Task RunAsync(BenchOutput output, CancellationToken cancellationToken)
    {
        var window = TimeSpan.FromSeconds(NodeRig.EnvSeconds("EDGENODE_BENCH_FOOTPRINT_SECONDS", 30));
        var warmUp = TimeSpan.FromSeconds(NodeRig.EnvSeconds("EDGENODE_BENCH_FOOTPRINT_WARMUP_SECONDS", 10));
        var rounds = (int)NodeRig.EnvSeconds("EDGENODE_BENCH_FOOTPRINT_ROUNDS", 2);
        var forms = new List<Form>();
        if (File.Exists(NodeRig.NodeDll))
        {
            forms.Add(new Form("framework-dependent", "dotnet", [NodeRig.NodeDll]));
        }

        var selfContained = Environment.GetEnvironmentVariable("EDGENODE_BENCH_FOOTPRINT_SC") is { Length: > 0 } sc
            ? Path.GetFullPath(sc)
            : Path.Combine(RepoPaths.Root, "artifacts", "publish", "edgenode-linux-x64", "edgenode");
        if (File.Exists(selfContained))
        {
            forms.Add(new Form("self-contained trimmed", selfContained, []));
        }

        if (Environment.GetEnvironmentVariable("EDGENODE_BENCH_FOOTPRINT_AOT") is { Length: > 0 } aot)
        {
            forms.Add(new Form("NativeAOT", Path.GetFullPath(aot), []));
        }

        // Another NativeAOT build (an older commit's) measured in the same run: a before/after under the same load.
        if (Environment.GetEnvironmentVariable("EDGENODE_BENCH_FOOTPRINT_AOT_BASELINE") is { Length: > 0 } baseline)
        {
            forms.Add(new Form("NativeAOT baseline", Path.GetFullPath(baseline), []));
        }

        if (forms.Count == 0)
        {
            throw new InvalidOperationException($"nothing to measure: build the node ({NodeRig.NodeDll}) or run ./build.sh package");
        }

        await using var broker = await MosquittoBroker.StartAsync(new MosquittoOptions { Quiet = true }).ConfigureAwait(false);
        var results = new List<Result>();
        var loads = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var form in forms)
            {
                loads.Add(LoadAverage());
                results.Add(await MeasureAsync(form, broker, window, warmUp, cancellationToken).ConfigureAwait(false));
            }
        }

        output.Heading($"footprint: {Units * Registers:N0} Modbus TCP registers ({Units} units × {Registers}) polled every {ScanMs} ms, " +
                       $"{ChangeFraction:P0} changing per second");
        output.Table(["form", "READY=1", "peak RSS", "steady RSS", "CPU (% of one core)", "CPU per scan", "DDATA/s"],
            results.Select(r => (IReadOnlyList<string>)
            [
                r.Form, $"{r.ReadySeconds * 1000:0} ms", $"{r.PeakRss / 1048576.0:0.0} MB", $"{r.Rss / 1048576.0:0.0} MB",
                $"{r.CpuPercent:0.0}%", $"{r.CpuPerScanMs:0.0} ms", $"{r.DataPerSecond:0.0}",
            ]));
        output.Line($"- Targets for the shipped form: RSS < 60 MB, CPU < 10% of one core, READY=1 < 1 s. Window {window.TotalSeconds:0} s after " +
                    $"{warmUp.TotalSeconds:0} s of warm-up; {rounds} round(s), forms interleaved. Load average (1 min) before each run: " +
                    string.Join(", ", loads.Select(l => l.ToString("0.0", CultureInfo.InvariantCulture))) + $" on {Environment.ProcessorCount} cores.");
        var unitEnvironment = NodeRig.UnitEnvironment();
        output.Line("- Environment of every form, from systemd/edgenode.service's Environment= lines: " +
                    (unitEnvironment.Count == 0 ? "none" : string.Join(", ", unitEnvironment.Select(e => $"{e.Key}={e.Value}"))) + ".");
        output.Line("- CPU per scan = the process's CPU time in the window / the scan periods it held (one scan = one poll of all 15,000 registers). " +
                    "DDATA/s (sampled after the window) near 60 means every device is up and reporting.");
        foreach (var r in results.Where(r => r.ExitCode != 0))
        {
            output.Line($"- {r.Form}: exit {r.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none within 10 s"} after SIGTERM:\n{r.OutputTail}");
        }
    }

    private static async Task<Result> MeasureAsync(Form form, MosquittoBroker broker, TimeSpan window, TimeSpan warmUp, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("edgenode-bench-footprint-").FullName;
        var farm = new RegisterFarm(Units, Registers, ChangeFraction, NodeRig.FarmSeed);
        using var farmStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var farmLoop = farm.RunAsync(TimeSpan.FromMilliseconds(ScanMs), farmStop.Token);
        ExternalProcess? process = null;
        try
        {
            await using var modbus = new ModbusTcpServer(IPAddress.Loopback, 0, farm.Banks);
            modbus.Start();
            var config = Path.Combine(directory, "footprint.yaml");
            await File.WriteAllTextAsync(config, Config(broker.Port, modbus.Port), cancellationToken).ConfigureAwait(false);
            Directory.CreateDirectory(Path.Combine(directory, "state"));
            var notifyPath = Path.Combine(directory, "notify");
            using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            notify.Bind(new UnixDomainSocketEndPoint(notifyPath));
            var environment = new Dictionary<string, string?>
            {
                ["STATE_DIRECTORY"] = Path.Combine(directory, "state"),
                ["NOTIFY_SOCKET"] = notifyPath,
                ["WATCHDOG_USEC"] = null,
                ["JOURNAL_STREAM"] = null,
            };
            foreach (var (name, value) in NodeRig.UnitEnvironment())
            {
                environment[name] = value;
            }

            var started = Stopwatch.GetTimestamp();
            process = ExternalProcess.Start(form.File, [.. form.Prefix, "run", "--config", config], directory, environment);
            var ready = await WaitForReadyAsync(notify, process, cancellationToken).ConfigureAwait(false);
            var readySeconds = Stopwatch.GetElapsedTime(started, ready).TotalSeconds;
            // Keep reading STATUS= and WATCHDOG=1 as systemd does: a full socket would block the node's sd_notify calls.
            var drain = DrainAsync(notify, farmStop.Token);
            await Task.Delay(warmUp, cancellationToken).ConfigureAwait(false);

            var cpuBefore = ProcessMeter.CpuTime(process.Id);
            var clock = Stopwatch.GetTimestamp();
            await Task.Delay(window, cancellationToken).ConfigureAwait(false);
            var cpu = ProcessMeter.CpuTime(process.Id) - cpuBefore;
            var wall = Stopwatch.GetElapsedTime(clock);
            var peak = ProcessMeter.PeakRssBytes(process.Id);
            var rss = ProcessMeter.RssBytes(process.Id);

            // The DDATA rate, sampled after the window so the observer's own CPU stays out of it.
            var dataPerSecond = await CountDataAsync(broker, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);

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

            await farmStop.CancelAsync().ConfigureAwait(false);
            await drain.ConfigureAwait(false);
            var scans = wall.TotalMilliseconds / ScanMs;
            return new Result(form.Label, readySeconds, peak, rss, cpu.TotalSeconds / wall.TotalSeconds * 100,
                cpu.TotalMilliseconds / scans, dataPerSecond, exitCode, NodeRig.Tail(process.Output));
        }
        finally
        {
            await farmStop.CancelAsync().ConfigureAwait(false);
            try
            {
                await farmLoop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            if (process is not null)
            {
                await process.DisposeAsync().ConfigureAwait(false);
            }

            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // best effort
            }
        }
    }

    private static async Task DrainAsync(Socket notify, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                await notify.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>The moment READY=1 arrived on the notify socket; fails when the node exits first.</summary>
    private static async Task<long> WaitForReadyAsync(Socket notify, ExternalProcess process, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            var receive = notify.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).AsTask();
            while (!receive.IsCompleted)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"the node exited ({process.ExitCode}) before READY=1:\n{NodeRig.Tail(process.Output)}");
                }

                await Task.WhenAny(receive, Task.Delay(20, cancellationToken)).ConfigureAwait(false);
            }

            var length = await receive.ConfigureAwait(false);
            var at = Stopwatch.GetTimestamp();
            if (Encoding.UTF8.GetString(buffer, 0, length).Split('\n').Contains("READY=1"))
            {
                return at;
            }
        }
    }

    /// <summary>DDATA messages per second the broker relays over <paramref name="span"/>.</summary>
    private static async Task<double> CountDataAsync(MosquittoBroker broker, TimeSpan span, CancellationToken cancellationToken)
    {
        await using var observer = new NodeTrafficObserver(new ChangeLedger(), NodeRig.GroupId, "Footprint1");
        await observer.StartAsync(broker.Port, cancellationToken).ConfigureAwait(false);
        var before = observer.DataMessages;
        var clock = Stopwatch.GetTimestamp();
        await Task.Delay(span, cancellationToken).ConfigureAwait(false);
        return (observer.DataMessages - before) / Stopwatch.GetElapsedTime(clock).TotalSeconds;
    }

    private static string Config(int brokerPort, int modbusPort)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("# generated by the footprint benchmark (tests/EdgeNode.Benchmarks/Node/FootprintBenchSuite.cs)");
        yaml.AppendLine("node:");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  groupId: {NodeRig.GroupId}");
        yaml.AppendLine("  edgeNodeId: Footprint1");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  scanMs: {ScanMs}");
        yaml.AppendLine("mqtt:");
        yaml.AppendLine("  servers:");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"    - mqtt://127.0.0.1:{brokerPort}");
        yaml.AppendLine("devices:");
        for (var unit = 1; unit <= Units; unit++)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - id: Unit{unit}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    scanMs: {ScanMs}");
            yaml.AppendLine("    modbus:");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"      tcp: {{ host: 127.0.0.1, port: {modbusPort} }}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"      unitId: {unit}");
            yaml.AppendLine("      timeoutMs: 5000");
            yaml.AppendLine("    metrics:");
            for (var address = 0; address < Registers; address++)
            {
                yaml.AppendLine(CultureInfo.InvariantCulture, $"      - {{ name: R{address:000}, table: holding, address: {address}, type: uint16 }}");
            }
        }

        return yaml.ToString();
    }

    private static double LoadAverage()
    {
        var text = File.ReadAllText("/proc/loadavg");
        return double.Parse(text[..text.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
    }

    private sealed record Form(string Label, string File, string[] Prefix);

    private sealed record Result(string Form, double ReadySeconds, long PeakRss, long Rss, double CpuPercent, double CpuPerScanMs,
        double DataPerSecond, int? ExitCode, string OutputTail);
}
