using System.Diagnostics;
using System.Globalization;
using System.Net;
using EdgeNode.Benchmarks.Node;
using EdgeNode.Simulator;
using EdgeNode.Testing;
using PuppeteerSharp;

namespace EdgeNode.Benchmarks.Web;

/// <summary>
/// "web": what the web console costs the node (issue 14: with the console open on the Devices page, less than 2
/// percentage points of one core and less than 15 MB more RSS than with the console off). The node benchmark's workload
/// (8 Modbus TCP units × 250 holding registers scanned every 200 ms, 10% changing per scan, published to a real
/// Mosquitto) is run by the real node in three modes: the console off (no <c>web:</c>), the console on with nobody
/// looking, and the console on with a client holding the Devices page open: Debian's headless chromium on the page
/// (its SSE stream, every cell repainted as the page does), or with EDGENODE_BENCH_WEB_CLIENT=sse a plain reader of
/// the same stream. Each mode runs for each shipped form (framework-dependent dll; the self-contained trimmed apphost
/// of artifacts/publish/edgenode-linux-x64 when present) and EDGENODE_BENCH_WEB_ROUNDS times (default 2), interleaved,
/// so a change of the machine's load shows as spread between rounds, not as a difference between modes.
/// </summary>
public sealed class WebBenchSuite : IBenchSuite
{
    private const string EdgeNodeId = "Web1";

    private static readonly string[] ChromiumFlags =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
    ];

    public string Name => "web";

    public async Task RunAsync(BenchOutput output, CancellationToken cancellationToken)
    {
        var window = TimeSpan.FromSeconds(NodeRig.EnvSeconds("EDGENODE_BENCH_WEB_SECONDS", 30));
        var warmUp = TimeSpan.FromSeconds(NodeRig.EnvSeconds("EDGENODE_BENCH_WEB_WARMUP_SECONDS", 30));
        var rounds = (int)NodeRig.EnvSeconds("EDGENODE_BENCH_WEB_ROUNDS", 2);
        var useChromium = Environment.GetEnvironmentVariable("EDGENODE_BENCH_WEB_CLIENT") is not "sse";
        var forms = Forms();
        if (forms.Count == 0)
        {
            throw new InvalidOperationException($"nothing to measure: build the node ({NodeRig.NodeDll}) or run ./build.sh package");
        }

        var modes = new[] { Mode.Off, Mode.Idle, Mode.Page };
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoOptions { Quiet = true }).ConfigureAwait(false);
        IBrowser? browser = null;
        string? profile = null;
        if (useChromium)
        {
            profile = Directory.CreateTempSubdirectory("edgenode-bench-chromium-").FullName;
            browser = await Puppeteer.LaunchAsync(new LaunchOptions
            {
                ExecutablePath = File.Exists("/usr/lib/chromium/chromium") ? "/usr/lib/chromium/chromium" : Peers.RequireDebian("/usr/bin/chromium", "chromium"),
                Headless = true,
                UserDataDir = profile,
                Args = ChromiumFlags,
                Timeout = 60_000,
            }).ConfigureAwait(false);
        }

        var results = new List<Result>();
        var loads = new List<double>();
        try
        {
            for (var round = 0; round < rounds; round++)
            {
                foreach (var form in forms)
                {
                    foreach (var mode in modes)
                    {
                        loads.Add(LoadAverage());
                        results.Add(await MeasureAsync(form, mode, round, broker, browser, window, warmUp, cancellationToken).ConfigureAwait(false));
                    }
                }
            }
        }
        finally
        {
            if (browser is not null)
            {
                await browser.CloseAsync().ConfigureAwait(false);
                await browser.DisposeAsync().ConfigureAwait(false);
            }

            if (profile is not null)
            {
                try
                {
                    Directory.Delete(profile, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }

        Print(output, results, forms, rounds, window, warmUp, loads, useChromium);
    }

    private static List<Form> Forms()
    {
        var forms = new List<Form>();
        if (NodeRig.NodeExe is { } exe)
        {
            forms.Add(new Form("EDGENODE_BENCH_NODE_EXE", exe, []));
            return forms;
        }

        if (File.Exists(NodeRig.NodeDll))
        {
            forms.Add(new Form("framework-dependent", "dotnet", [NodeRig.NodeDll]));
        }

        var selfContained = Environment.GetEnvironmentVariable("EDGENODE_BENCH_WEB_SC") is { Length: > 0 } sc
            ? Path.GetFullPath(sc)
            : Path.Combine(RepoPaths.Root, "artifacts", "publish", "edgenode-linux-x64", "edgenode");
        if (File.Exists(selfContained))
        {
            forms.Add(new Form("self-contained trimmed", selfContained, []));
        }

        return forms;
    }

    private static async Task<Result> MeasureAsync(Form form, Mode mode, int round, MosquittoBroker broker, IBrowser? browser, TimeSpan window,
        TimeSpan warmUp, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("edgenode-bench-web-").FullName;
        var farm = new RegisterFarm(Units, NodeRig.RegistersPerUnit, 0.1, NodeRig.FarmSeed);
        using var farmStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var farmLoop = NodeRig.DriveFarmAsync(farm, NodeRig.FarmSeed, farmStop.Token);
        ExternalProcess? process = null;
        IPage? page = null;
        SseReader? reader = null;
        try
        {
            await using var modbus = new ModbusTcpServer(IPAddress.Loopback, 0, farm.Banks);
            modbus.Start();
            await using var observer = new NodeTrafficObserver(new ChangeLedger(), NodeRig.GroupId, EdgeNodeId);
            await observer.StartAsync(broker.Port, cancellationToken).ConfigureAwait(false);
            var webPort = mode == Mode.Off ? 0 : FreePort.Next();
            var config = Path.Combine(directory, "web.yaml");
            var yaml = NodeRig.NodeConfig(broker.Port, modbus.Port, EdgeNodeId);
            if (Units < NodeRig.Units)
            {
                // A smaller map (EDGENODE_BENCH_WEB_UNITS): the devices are the file's last section, one "- id: UnitN" each.
                yaml = yaml[..yaml.IndexOf($"  - id: Unit{Units + 1}\n", StringComparison.Ordinal)];
            }

            if (mode != Mode.Off)
            {
                yaml += $"web:\n  listen: \"127.0.0.1:{webPort}\"\n";
            }

            await File.WriteAllTextAsync(config, yaml, cancellationToken).ConfigureAwait(false);
            Directory.CreateDirectory(Path.Combine(directory, "state"));
            var environment = new Dictionary<string, string?>
            {
                ["STATE_DIRECTORY"] = Path.Combine(directory, "state"),
                ["NOTIFY_SOCKET"] = null,
                ["WATCHDOG_USEC"] = null,
                ["JOURNAL_STREAM"] = null,
            };
            var started = Stopwatch.GetTimestamp();
            process = ExternalProcess.Start(form.File, [.. form.Prefix, "run", "--config", config], directory, environment);
            await NodeRig.WaitForBirthsAsync(observer, process, $"{form.Label} ({Label(mode)})", started, cancellationToken, Units).ConfigureAwait(false);

            var events = 0L;
            if (mode == Mode.Page)
            {
                var devicesUrl = $"http://127.0.0.1:{webPort}/#devices";
                if (browser is not null)
                {
                    page = await browser.NewPageAsync().ConfigureAwait(false);
                    await page.SetViewportAsync(new ViewPortOptions { Width = 1280, Height = 900 }).ConfigureAwait(false);
                    // Count the stream's events as the page receives them: the page really is live during the window.
                    await page.EvaluateExpressionOnNewDocumentAsync(
                        "(() => { window.__sse = 0; const E = window.EventSource; window.EventSource = function (u) { const s = new E(u); " +
                        "for (const t of ['full', 'delta']) s.addEventListener(t, () => window.__sse++); return s; }; " +
                        // Stutter: the main thread's long tasks (over 50 ms, the browser's own measure), as the window sees them.
                        "window.__long = { n: 0, max: 0 }; new PerformanceObserver((l) => { for (const e of l.getEntries()) { " +
                        "window.__long.n++; window.__long.max = Math.max(window.__long.max, e.duration); } }).observe({ type: 'longtask' }); " +
                        // and the frames: gaps between animation frames over 50 ms (a 60 Hz page paints every 16.7 ms).
                        "window.__gap = { n: 0, slow: 0, max: 0 }; let last = 0; const f = (t) => { if (last) { const d = t - last; " +
                        "window.__gap.n++; if (d > 50) window.__gap.slow++; window.__gap.max = Math.max(window.__gap.max, d); } " +
                        "last = t; requestAnimationFrame(f); }; requestAnimationFrame(f); })()")
                        .ConfigureAwait(false);
                    await page.GoToAsync(devicesUrl).ConfigureAwait(false);
                    // Polled from here, not with a function in the page: a page too busy to answer is what this waits out.
                    var rows = $"document.querySelectorAll('#devices tbody tr').length >= {Units * NodeRig.RegistersPerUnit}";
                    var until = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 120);
                    while (!await page.EvaluateExpressionAsync<bool>(rows).ConfigureAwait(false))
                    {
                        if (Stopwatch.GetTimestamp() > until)
                        {
                            var seen = await page.EvaluateExpressionAsync<string>(
                                "location.href + ': ' + document.querySelectorAll('#devices tbody tr').length + ' rows, stream ' + " +
                                "(document.getElementById('stream-state') || {}).textContent + ', ' + window.__sse + ' events'").ConfigureAwait(false);
                            throw new TimeoutException($"the Devices page did not fill: {seen}\n{NodeRig.Tail(process.Output)}");
                        }

                        await Task.Delay(500, cancellationToken).ConfigureAwait(false);
                    }
                }
                else
                {
                    reader = new SseReader(new Uri($"http://127.0.0.1:{webPort}/api/events"));
                    reader.Start();
                }
            }

            await Task.Delay(warmUp, cancellationToken).ConfigureAwait(false);
            var eventsBefore = await EventsAsync(page, reader).ConfigureAwait(false);
            if (page is not null)
            {
                await page.EvaluateExpressionAsync("window.__long = { n: 0, max: 0 }; window.__gap = { n: 0, slow: 0, max: 0 }").ConfigureAwait(false);
            }

            var ddataBefore = observer.DataMessages;
            var cpuBefore = ProcessMeter.CpuTime(process.Id);
            var rendererBefore = page is null || browser?.Process is null ? TimeSpan.Zero : RendererCpu(browser.Process.Id);
            var threadsBefore = ProcessMeter.ThreadCpu(process.Id);
            var clock = Stopwatch.GetTimestamp();
            var rssSamples = new List<long>();
            while (Stopwatch.GetElapsedTime(clock) < window)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                rssSamples.Add(ProcessMeter.RssBytes(process.Id));
            }

            var cpu = ProcessMeter.CpuTime(process.Id) - cpuBefore;
            var renderer = page is null || browser?.Process is null ? TimeSpan.Zero : RendererCpu(browser.Process.Id) - rendererBefore;
            var threads = ProcessMeter.ThreadCpuDelta(threadsBefore, ProcessMeter.ThreadCpu(process.Id));
            var wall = Stopwatch.GetElapsedTime(clock);
            var byThread = string.Join(", ", threads.Where(t => t.Cpu > TimeSpan.Zero).Take(4)
                .Select(t => $"{t.Name} ×{t.Threads} {t.Cpu.TotalSeconds / wall.TotalSeconds * 100:0.0}%"));
            var peak = ProcessMeter.PeakRssBytes(process.Id);
            events = await EventsAsync(page, reader).ConfigureAwait(false) - eventsBefore;
            var longTasks = page is null ? "" : await page.EvaluateExpressionAsync<string>(
                "window.__long.n + ' (longest ' + Math.round(window.__long.max) + ' ms); frames ' + window.__gap.n + ', ' + window.__gap.slow + " +
                "' over 50 ms (longest gap ' + Math.round(window.__gap.max) + ' ms)'").ConfigureAwait(false)
                + $"; page's renderer {renderer.TotalSeconds / Stopwatch.GetElapsedTime(clock).TotalSeconds * 100:0.0}% of one core";
            var ddata = observer.DataMessages - ddataBefore;

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

            return new Result(form.Label, mode, round, cpu.TotalSeconds / wall.TotalSeconds * 100, rssSamples.Average(), peak,
                ddata / wall.TotalSeconds, events / wall.TotalSeconds, longTasks, byThread, exitCode, NodeRig.Tail(process.Output));
        }
        finally
        {
            if (page is not null)
            {
                await page.CloseAsync().ConfigureAwait(false);
                await page.DisposeAsync().ConfigureAwait(false);
            }

            if (reader is not null)
            {
                await reader.DisposeAsync().ConfigureAwait(false);
            }

            await farmStop.CancelAsync().ConfigureAwait(false);
            await farmLoop.ConfigureAwait(false);
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

    private static async Task<long> EventsAsync(IPage? page, SseReader? reader) =>
        page is not null ? await page.EvaluateExpressionAsync<long>("window.__sse").ConfigureAwait(false) : reader?.Events ?? 0;

    private static void Print(BenchOutput output, List<Result> results, List<Form> forms, int rounds, TimeSpan window, TimeSpan warmUp,
        List<double> loads, bool chromium)
    {
        output.Heading($"web: the console's cost at the node workload ({Units * NodeRig.RegistersPerUnit:N0} Modbus TCP registers, " +
                       $"{Units} units × {NodeRig.RegistersPerUnit}, scanned every {NodeRig.ScanMs} ms, 10% changing per scan)");
        output.Table(["form", "round", "mode", "CPU (% of one core)", "mean RSS", "peak RSS", "DDATA/s", "SSE events/s", "page long tasks"],
            results.Select(r => (IReadOnlyList<string>)
            [
                r.Form, (r.Round + 1).ToString(CultureInfo.InvariantCulture), Label(r.Mode), $"{r.CpuPercent:0.00}%", Mb(r.MeanRss), Mb(r.PeakRss),
                $"{r.DataPerSecond:0.0}", r.Mode == Mode.Page ? $"{r.EventsPerSecond:0.0}" : "", r.LongTasks,
            ]));

        output.Line("");
        output.Line("Cost against the console off in the same round (target: Devices page open < 2 points of one core, < 15 MB):");
        output.Line("");
        var rows = new List<IReadOnlyList<string>>();
        foreach (var form in forms)
        {
            for (var round = 0; round < rounds; round++)
            {
                var off = results.SingleOrDefault(r => r.Form == form.Label && r.Round == round && r.Mode == Mode.Off);
                if (off is null)
                {
                    continue;
                }

                foreach (var mode in new[] { Mode.Idle, Mode.Page })
                {
                    var on = results.SingleOrDefault(r => r.Form == form.Label && r.Round == round && r.Mode == mode);
                    if (on is not null)
                    {
                        rows.Add([form.Label, (round + 1).ToString(CultureInfo.InvariantCulture), Label(mode),
                            $"{on.CpuPercent - off.CpuPercent:+0.00;-0.00} points", $"{(on.MeanRss - off.MeanRss) / 1048576.0:+0.0;-0.0} MB",
                            $"{(on.PeakRss - off.PeakRss) / 1048576.0:+0.0;-0.0} MB"]);
                    }
                }
            }
        }

        output.Table(["form", "round", "mode", "CPU", "mean RSS", "peak RSS"], rows);
        output.Line($"- Client on the Devices page: {(chromium ? "Debian's headless chromium (PuppeteerSharp), every update painted" : "a plain SSE reader of /api/events")}. " +
                    $"Window {window.TotalSeconds:0} s after {warmUp.TotalSeconds:0} s of warm-up; RSS sampled every second in the window. " +
                    "Load average (1 min) before each run: " + string.Join(", ", loads.Select(l => l.ToString("0.0", CultureInfo.InvariantCulture))) +
                    $" on {Environment.ProcessorCount} cores.");
        output.Line("- Page long tasks: main-thread tasks over 50 ms in the browser during the window (PerformanceObserver 'longtask'): " +
                    "what a user sees as stutter; frames: animation frames painted in the window and the gaps between them over 50 ms.");
        output.Line("- CPU by thread (largest four, % of one core):");
        foreach (var r in results)
        {
            output.Line($"  - {r.Form}, round {r.Round + 1}, {Label(r.Mode)}: {r.CpuByThread}");
        }

        foreach (var r in results.Where(r => r.ExitCode != 0))
        {
            output.Line($"- {r.Form} ({Label(r.Mode)}): exit {r.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none within 10 s"} after SIGTERM:\n{r.OutputTail}");
        }
    }

    private static string Mb(double bytes) => $"{bytes / 1048576.0:0.0} MB";

    private static string Label(Mode mode) => mode switch
    {
        Mode.Off => "console off",
        Mode.Idle => "console on, no client",
        _ => "console on, Devices page open",
    };

    /// <summary>Units of 250 registers in the map: 8 (the node benchmark's 2,000 metrics) unless EDGENODE_BENCH_WEB_UNITS says fewer.</summary>
    private static int Units =>
        int.TryParse(Environment.GetEnvironmentVariable("EDGENODE_BENCH_WEB_UNITS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var units)
            ? Math.Clamp(units, 1, NodeRig.Units)
            : NodeRig.Units;

    /// <summary>
    /// CPU time of chromium's renderer processes under <paramref name="browserPid"/>: what painting the page costs, in CPU
    /// rather than in wall time (long tasks and frame gaps stretch with the machine's load; this does not).
    /// </summary>
    private static TimeSpan RendererCpu(int browserPid)
    {
        var total = TimeSpan.Zero;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains("--type=renderer", StringComparison.Ordinal) && DescendsFrom(pid, browserPid))
                {
                    total += ProcessMeter.CpuTime(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
                // gone meanwhile
            }
        }

        return total;
    }

    private static bool DescendsFrom(int pid, int ancestor)
    {
        for (var depth = 0; depth < 8 && pid > 1; depth++)
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            pid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
            if (pid == ancestor)
            {
                return true;
            }
        }

        return false;
    }

    private static double LoadAverage()
    {
        var text = File.ReadAllText("/proc/loadavg");
        return double.Parse(text[..text.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
    }

    private enum Mode
    {
        Off,
        Idle,
        Page,
    }

    private sealed record Form(string Label, string File, string[] Prefix);

    private sealed record Result(string Form, Mode Mode, int Round, double CpuPercent, double MeanRss, long PeakRss, double DataPerSecond,
        double EventsPerSecond, string LongTasks, string CpuByThread, int? ExitCode, string OutputTail);

    /// <summary>Reads the Devices page's stream as fast as it comes and counts its events (EDGENODE_BENCH_WEB_CLIENT=sse).</summary>
    private sealed class SseReader(Uri uri) : IAsyncDisposable
    {
        private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
        private readonly CancellationTokenSource _stop = new();
        private Task _loop = Task.CompletedTask;
        private long _events;
        private long _bytes;

        public long Events => Interlocked.Read(ref _events);

        public long BytesRead => Interlocked.Read(ref _bytes);

        public void Start() => _loop = Task.Run(ReadAsync);

        private async Task ReadAsync()
        {
            try
            {
                using var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, _stop.Token).ConfigureAwait(false);
                await using var stream = await response.Content.ReadAsStreamAsync(_stop.Token).ConfigureAwait(false);
                using var lines = new StreamReader(stream);
                while (await lines.ReadLineAsync(_stop.Token).ConfigureAwait(false) is { } line)
                {
                    Interlocked.Add(ref _bytes, line.Length + 1);
                    if (line.StartsWith("event:", StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref _events);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (HttpRequestException)
            {
            }
            catch (IOException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
            _http.Dispose();
            _stop.Dispose();
        }
    }
}
