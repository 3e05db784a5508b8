using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeNode.Testing;

namespace EdgeNode.Benchmarks.Mqtt;

/// <summary>
/// "mqtt": what publishing costs a gateway — CPU time and allocations per published message — and throughput, for our
/// client, MQTT.js 5.16 (Node) and MQTTnet 5.2, same run, same targets, 200-byte payloads, MQTT 3.1.1, 200,000 QoS 0
/// and 50,000 QoS 1 messages. Every publisher runs in a process of its own (ours and MQTTnet:
/// <see cref="MqttPublisherProcess"/>, with the node's runtime settings; MQTT.js: tests/interop/mqtt-bench.js) and
/// measures its own user+system CPU time and allocations over the timed phase, so the harness costs nobody anything.
/// Targets: (1) a local Mosquitto 2.0.11: QoS 0 timed until a neutral counting subscriber (tests/interop/mqtt-count.js,
/// its own process) received every message, QoS 1 until the last PUBACK; (2) a minimal sink broker
/// (tests/interop/mqtt-sink.js: counts and acknowledges, forwards nothing), timed until the sink counted every
/// message / the last PUBACK. Rounds rotate the clients; medians are reported.
/// </summary>
public sealed class MqttBenchSuite : IBenchSuite
{
    private const int Qos0Count = 200_000;
    private const int Qos1Count = 50_000;
    private const int PayloadSize = 200;
    private const int Warmup = 20_000;
    private const int Rounds = 3;

    // at most this many QoS 1 publishes outstanding, for every client (ours: also its MaxInflight)
    private const int Window = 1000;
    private static readonly TimeSpan s_deliveryTimeout = TimeSpan.FromMinutes(2);

    // The node's own runtimeconfig (GC, TieredPGO, thread-pool settings of src/EdgeNode/EdgeNode.csproj; built with
    // this project), so our figures are what the node pays; MQTTnet runs under the same settings.
    private static string NodeRuntimeConfig => Path.Combine(RepoPaths.Root, "src", "EdgeNode", "bin", "Release", "net10.0", "edgenode.runtimeconfig.json");

    private static readonly string[] s_clients = ["EdgeNode", "MQTT.js 5.16", "MQTTnet 5.2"];

    public string Name => "mqtt";

    public async Task RunAsync(BenchOutput output, CancellationToken cancellationToken)
    {
        Peers.RequireNodeModules();
        var loadBefore = LoadAverage();
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoOptions
        {
            Quiet = true,
            MaxQueuedMessages = 0,
            MaxInflightMessages = 0,
            ExtraConfig = "max_queued_bytes 0",
        }).ConfigureAwait(false);
        await using var subscriber = await CounterProcess.StartSubscriberAsync(broker.Port, "bench/#").ConfigureAwait(false);
        await using var sink = await CounterProcess.StartSinkAsync().ConfigureAwait(false);
        var sinkPort = sink.Greeting.GetProperty("port").GetInt32();

        var targets = new[]
        {
            new Target("Mosquitto 2.0.11", broker.Port, subscriber.Counter),
            new Target("sink broker", sinkPort, sink.Counter),
        };

        var costRows = new List<IReadOnlyList<string>>();
        var rateRows = new List<IReadOnlyList<string>>();
        foreach (var target in targets)
        {
            foreach (var (qos, count) in new[] { (0, Qos0Count), (1, Qos1Count) })
            {
                var runs = s_clients.Select(_ => new List<Run>()).ToArray();
                for (var round = 0; round < Rounds; round++)
                {
                    for (var c = 0; c < s_clients.Length; c++)
                    {
                        // rotate who goes first so no client always meets the broker fresh
                        var client = (c + round) % s_clients.Length;
                        cancellationToken.ThrowIfCancellationRequested();
                        runs[client].Add(await RunPublisherAsync(client, target, qos, count, round, cancellationToken).ConfigureAwait(false));
                    }
                }

                var measured = (target.Name, qos) switch
                {
                    ("sink broker", 0) => "counted by the sink",
                    (_, 0) => "delivered to a subscriber",
                    _ => "PUBACKed",
                };
                var label = $"QoS {qos} × {count:N0} ({measured})";
                var cpu = runs.Select(r => Median(r, x => x.CpuMicrosPerMessage)).ToArray();
                var alloc = runs.Select(r => Median(r, x => x.AllocatedBytesPerMessage)).ToArray();
                costRows.Add([target.Name, label,
                    .. cpu.Select(v => v.ToString("0.00", CultureInfo.InvariantCulture)),
                    BenchOutput.Ratio(cpu[1], cpu[0]), BenchOutput.Ratio(cpu[2], cpu[0]),
                    .. alloc.Select(v => v.ToString("0.0", CultureInfo.InvariantCulture))]);
                var rate = runs.Select(r => Median(r, x => x.Rate)).ToArray();
                rateRows.Add([target.Name, label, .. rate.Select(v => BenchOutput.Number(v)),
                    .. runs.Select(r => string.Join(" / ", r.Select(x => $"{x.CpuMicrosPerMessage:0.00}")))]);
            }
        }

        var loadAfter = LoadAverage();
        output.Heading("mqtt: CPU and allocations per published message — EdgeNode vs MQTT.js 5.16 vs MQTTnet 5.2 (200-byte payloads, MQTT 3.1.1)");
        output.Table(["target", "case", "CPU µs/msg EdgeNode", "MQTT.js", "MQTTnet", "MQTT.js ÷ ours", "MQTTnet ÷ ours",
            "B alloc/msg EdgeNode", "MQTT.js (V8 heap)", "MQTTnet"], costRows);
        output.Line("");
        output.Table(["target", "case", "msg/s EdgeNode", "MQTT.js", "MQTTnet", "CPU rounds EdgeNode", "CPU rounds MQTT.js", "CPU rounds MQTTnet"], rateRows);
        output.Line("");
        output.Line($"- Medians of {Rounds} rounds (client order rotated), each publisher in its own process after a {Warmup:N0}-message warm-up, " +
                    $"at most {Window} QoS 1 publishes outstanding for every client. CPU = user+system time of the publishing process over the timed " +
                    "phase (until every message was written — QoS 0 — or acknowledged), including its runtime's GC, timers and threads. Allocations: " +
                    ".NET = GC.GetTotalAllocatedBytes; MQTT.js = V8 heap bytes allocated (v8.GCProfiler + heap used), Buffers' off-heap memory not included.");
        output.Line("- EdgeNode and MQTTnet run under the node's runtimeconfig (non-concurrent workstation GC, TieredPGO off, 2 MiB gen0, no thread-pool spinning); " +
                    "MQTTnet builds one MqttApplicationMessage per publish and awaits QoS 0 publishes (they complete once written); ours publishes " +
                    "with a string topic and does not await QoS 0 (complete when queued).");
        output.Line($"- Load average (1/5/15 min) before: {loadBefore}; after: {loadAfter} (2 vCPUs). Mosquitto reads every packet with several " +
                    "small system calls and caps every client's rate; the sink rows show the clients' own speed.");
    }

    private static async Task<Run> RunPublisherAsync(int client, Target target, int qos, int count, int round, CancellationToken cancellationToken)
    {
        var name = client switch { 0 => "ours", 1 => "mqttjs", _ => "mqttnet" };
        var topic = $"bench/{name}/{qos}/{round}";
        var counter = target.Counter(topic);
        var common = new[]
        {
            topic, count.ToString(CultureInfo.InvariantCulture), qos.ToString(CultureInfo.InvariantCulture),
            PayloadSize.ToString(CultureInfo.InvariantCulture), Warmup.ToString(CultureInfo.InvariantCulture),
            Window.ToString(CultureInfo.InvariantCulture),
        };
        ProcessStartInfo info;
        if (client == 1)
        {
            info = new ProcessStartInfo(NodeJs.Executable) { WorkingDirectory = RepoPaths.Interop };
            info.ArgumentList.Add(Path.Combine(RepoPaths.Interop, "mqtt-bench.js"));
            info.ArgumentList.Add($"mqtt://127.0.0.1:{target.Port}");
            info.ArgumentList.Add("4");
            foreach (var arg in common)
            {
                info.ArgumentList.Add(arg);
            }

            info.ArgumentList.Add("0");
        }
        else
        {
            info = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet");
            info.ArgumentList.Add("exec");
            info.ArgumentList.Add("--runtimeconfig");
            info.ArgumentList.Add(File.Exists(NodeRuntimeConfig) ? NodeRuntimeConfig
                : throw new InvalidOperationException($"{NodeRuntimeConfig} is missing (it is built with the benchmarks)"));
            info.ArgumentList.Add(typeof(MqttBenchSuite).Assembly.Location);
            info.ArgumentList.Add(MqttPublisherProcess.Command);
            info.ArgumentList.Add(name);
            info.ArgumentList.Add("127.0.0.1");
            info.ArgumentList.Add(target.Port.ToString(CultureInfo.InvariantCulture));
            foreach (var arg in common)
            {
                info.ArgumentList.Add(arg);
            }
        }

        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{name} publisher did not start");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            var ready = await process.StandardOutput.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (ready is null || !ready.Contains("\"ready\"", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{name} publisher did not get ready: {ready} {await stderr.ConfigureAwait(false)}");
            }

            await counter.ExpectAsync(count).ConfigureAwait(false);
            var start = Stopwatch.GetTimestamp();
            await process.StandardInput.WriteLineAsync("go").ConfigureAwait(false);
            await process.StandardInput.FlushAsync(cancellationToken).ConfigureAwait(false);
            var line = await process.StandardOutput.ReadLineAsync(cancellationToken).ConfigureAwait(false)
                       ?? throw new InvalidOperationException($"{name} publisher ended early: {await stderr.ConfigureAwait(false)}");
            var acked = Stopwatch.GetTimestamp();
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.GetProperty("acked").GetInt32() != count)
            {
                throw new InvalidOperationException($"{name}: {line}");
            }

            var cpuSeconds = doc.RootElement.GetProperty("cpuSeconds").GetDouble();
            var allocated = doc.RootElement.TryGetProperty("allocatedBytes", out var a) ? a.GetDouble() : double.NaN;
            var delivered = await counter.WaitAsync(s_deliveryTimeout).ConfigureAwait(false)
                            ?? throw new InvalidOperationException($"{target.Name}: not all {count:N0} {name} messages arrived");
            await process.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            var end = qos == 0 ? delivered : acked;
            return new Run(count / Stopwatch.GetElapsedTime(start, end).TotalSeconds, cpuSeconds * 1e6 / count, allocated / count);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static double Median(List<Run> runs, Func<Run, double> value) => runs.Select(value).Order().ElementAt(runs.Count / 2);

    private sealed record Target(string Name, int Port, Func<string, IMessageCounter> Counter);

    private sealed record Run(double Rate, double CpuMicrosPerMessage, double AllocatedBytesPerMessage);
}
