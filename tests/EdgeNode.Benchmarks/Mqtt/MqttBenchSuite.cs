using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeNode.Mqtt;
using EdgeNode.Testing;

namespace EdgeNode.Benchmarks.Mqtt;

/// <summary>
/// "mqtt": publish throughput of our client and of MQTT.js 5.16 (Node), same run, same targets, 200-byte payloads,
/// MQTT 3.1.1 — 200,000 QoS 0 and 50,000 QoS 1 messages:
/// (1) against a local Mosquitto 2.0.11: QoS 0 timed until a neutral counting subscriber (tests/interop/mqtt-count.js,
///     its own process) received every message
///     (real delivery), QoS 1 until the last PUBACK (broker acceptance);
/// (2) against a minimal sink broker (tests/interop/mqtt-sink.js: counts and acknowledges, forwards nothing) so the
///     client stacks show instead of the broker: timed until the sink counted every message / the last PUBACK.
/// Rounds alternate ours/MQTT.js; medians are reported, with CPU time per message of the publishing process and our
/// allocations and retained heap over the timed runs.
/// </summary>
public sealed class MqttBenchSuite : IBenchSuite
{
    private const int Qos0Count = 200_000;
    private const int Qos1Count = 50_000;
    private const int PayloadSize = 200;
    private const int Warmup = 20_000;
    private const int Rounds = 3;
    private const int JsWindow = 1000;
    // the same window as MQTT.js is given, so the two are compared like for like
    private const int OurInflight = JsWindow;
    private static readonly TimeSpan s_deliveryTimeout = TimeSpan.FromMinutes(2);

    public string Name => "mqtt";

    public async Task RunAsync(BenchOutput output, CancellationToken cancellationToken)
    {
        Peers.RequireNodeModules();
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
            new Target("Mosquitto 2.0.11", broker.Url, broker.Port, subscriber.Counter),
            new Target("sink broker", $"mqtt://127.0.0.1:{sinkPort}", sinkPort, sink.Counter),
        };

        var rows = new List<IReadOnlyList<string>>();
        var notes = new List<string>();
        foreach (var target in targets)
        {
            foreach (var (qos, count) in new[] { (MqttQualityOfService.AtMostOnce, Qos0Count), (MqttQualityOfService.AtLeastOnce, Qos1Count) })
            {
                var ours = new List<Run>();
                var js = new List<Run>();
                for (var round = 0; round < Rounds; round++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    ours.Add(await RunOursAsync(target, qos, count, round, cancellationToken).ConfigureAwait(false));
                    js.Add(await RunMqttJsAsync(target, qos, count, round, cancellationToken).ConfigureAwait(false));
                }

                var o = Median(ours);
                var j = Median(js);
                var measured = (target.Name, qos) switch
                {
                    ("sink broker", MqttQualityOfService.AtMostOnce) => "counted by the sink",
                    (_, MqttQualityOfService.AtMostOnce) => "delivered to a subscriber",
                    _ => "PUBACKed",
                };
                rows.Add([target.Name, $"QoS {(int)qos} × {count:N0} ({measured})",
                    BenchOutput.Number(o.Rate), BenchOutput.Number(j.Rate), BenchOutput.Ratio(o.Rate, j.Rate),
                    $"{o.CpuMicrosPerMessage:0.00} / {j.CpuMicrosPerMessage:0.00}",
                    string.Join(" / ", ours.Select(r => BenchOutput.Number(r.Rate / 1000, "N0") + "k")),
                    string.Join(" / ", js.Select(r => BenchOutput.Number(r.Rate / 1000, "N0") + "k"))]);
                var m = ours.MinBy(r => r.AllocatedBytes)!;
                notes.Add($"{target.Name}, QoS {(int)qos}: ours allocated {BenchOutput.Number(m.AllocatedBytes)} B over {count:N0} messages " +
                          $"({m.AllocatedBytes / (double)count:0.0} B/message), {m.Gen0} gen0 GCs; heap after full GC " +
                          $"{BenchOutput.Number(m.HeapBefore / 1024.0)} KiB before → {BenchOutput.Number(m.HeapAfter / 1024.0)} KiB after");
            }
        }

        output.Heading("mqtt: publish throughput, EdgeNode vs MQTT.js 5.16 (200-byte payloads, MQTT 3.1.1)");
        output.Table(["target", "case", "EdgeNode msg/s", "MQTT.js msg/s", "ours vs MQTT.js", "CPU µs/msg (ours / MQTT.js)", "EdgeNode rounds", "MQTT.js rounds"], rows);
        output.Line("");
        foreach (var note in notes)
        {
            output.Line("- " + note);
        }

        output.Line($"- Medians of {Rounds} alternating rounds, each after a {Warmup:N0}-message warm-up. Mosquitto 2.0.11 reads every packet with " +
                    "several small system calls, so on this machine it caps both clients (its rows measure the broker); the sink rows measure the clients. " +
                    $"Ours publishes with a string topic (per-client UTF-8 cache) and an in-flight window of {OurInflight}; MQTT.js awaits callbacks with at most " +
                    $"{JsWindow} outstanding. CPU = user+system time of the publishing process during the timed phase (ours includes the runtime's GC and timers); " +
                    "the counting subscriber and the sink run in their own Node processes.");
    }

    private static async Task<Run> RunOursAsync(Target target, MqttQualityOfService qos, int count, int round, CancellationToken cancellationToken)
    {
        var topic = $"bench/ours/{(int)qos}/{round}";
        var counter = target.Counter(topic);
        await using var client = new MqttClient();
        var result = await client.ConnectAsync(new MqttClientOptions
        {
            Host = "127.0.0.1",
            Port = target.Port,
            ClientId = $"bench-ours-{round}",
            KeepAliveSeconds = 60,
            MaxInflight = OurInflight,
        }, cancellationToken).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"connect refused: {result}");
        }

        var payload = new byte[PayloadSize];
        Random.Shared.NextBytes(payload);
        await PublishAsync(client, $"bench/warmup/{round}", payload, qos, Warmup).ConfigureAwait(false);
        await client.PingAsync(cancellationToken).ConfigureAwait(false); // the broker has taken every warm-up message

        await counter.ExpectAsync(count).ConfigureAwait(false);
        var heapBefore = HeapAfterFullGc();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var gen0Before = GC.CollectionCount(0);
        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        await PublishAsync(client, topic, payload, qos, count).ConfigureAwait(false);
        var acked = Stopwatch.GetTimestamp();
        var delivered = await counter.WaitAsync(s_deliveryTimeout).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"{target.Name}: not all {count:N0} messages arrived");
        self.Refresh();
        var cpu = self.TotalProcessorTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var gen0 = GC.CollectionCount(0) - gen0Before;
        var heapAfter = HeapAfterFullGc();
        var end = qos == MqttQualityOfService.AtMostOnce ? delivered : acked;
        await client.DisconnectAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return new Run(count / Stopwatch.GetElapsedTime(start, end).TotalSeconds, cpu.TotalMicroseconds / count, allocated, gen0, heapBefore, heapAfter);
    }

    /// <summary>QoS 0: one call after the other (completes when queued). QoS 1: up to the in-flight window outstanding.</summary>
    private static async Task PublishAsync(MqttClient client, string topic, byte[] payload, MqttQualityOfService qos, int count)
    {
        if (qos == MqttQualityOfService.AtMostOnce)
        {
            for (var i = 0; i < count; i++)
            {
                var pending = client.PublishAsync(topic, payload);
                if (!pending.IsCompletedSuccessfully)
                {
                    await pending.ConfigureAwait(false);
                }
            }

            return;
        }

        var window = new ValueTask<MqttPublishResult>[OurInflight];
        for (var i = 0; i < count; i++)
        {
            var slot = i % window.Length;
            if (i >= window.Length)
            {
                Check(await window[slot].ConfigureAwait(false));
            }

            window[slot] = client.PublishAsync(topic, payload, qos);
        }

        for (var i = Math.Max(0, count - window.Length); i < count; i++)
        {
            Check(await window[i % window.Length].ConfigureAwait(false));
        }

        static void Check(MqttPublishResult result)
        {
            if (!result.IsSuccess)
            {
                throw new InvalidOperationException($"publish refused: {result.ReasonCode}");
            }
        }
    }

    private static async Task<Run> RunMqttJsAsync(Target target, MqttQualityOfService qos, int count, int round, CancellationToken cancellationToken)
    {
        var topic = $"bench/mqttjs/{(int)qos}/{round}";
        var counter = target.Counter(topic);
        var info = new ProcessStartInfo(NodeJs.Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Interop,
        };
        foreach (var arg in new[]
                 {
                     Path.Combine(RepoPaths.Interop, "mqtt-bench.js"), target.Url, "4", topic, count.ToString(CultureInfo.InvariantCulture),
                     ((int)qos).ToString(CultureInfo.InvariantCulture), PayloadSize.ToString(CultureInfo.InvariantCulture),
                     Warmup.ToString(CultureInfo.InvariantCulture), JsWindow.ToString(CultureInfo.InvariantCulture), "0",
                 })
        {
            info.ArgumentList.Add(arg);
        }

        using var node = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        var stderr = node.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            var ready = await node.StandardOutput.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (ready is null || !ready.Contains("\"ready\"", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"MQTT.js did not get ready: {ready} {await stderr.ConfigureAwait(false)}");
            }

            await counter.ExpectAsync(count).ConfigureAwait(false);
            var start = Stopwatch.GetTimestamp();
            await node.StandardInput.WriteLineAsync("go").ConfigureAwait(false);
            await node.StandardInput.FlushAsync(cancellationToken).ConfigureAwait(false);
            var line = await node.StandardOutput.ReadLineAsync(cancellationToken).ConfigureAwait(false)
                       ?? throw new InvalidOperationException($"MQTT.js ended early: {await stderr.ConfigureAwait(false)}");
            var acked = Stopwatch.GetTimestamp();
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.GetProperty("acked").GetInt32() != count)
            {
                throw new InvalidOperationException($"MQTT.js: {line}");
            }

            var cpuSeconds = doc.RootElement.GetProperty("cpuSeconds").GetDouble();
            var delivered = await counter.WaitAsync(s_deliveryTimeout).ConfigureAwait(false)
                            ?? throw new InvalidOperationException($"{target.Name}: not all {count:N0} MQTT.js messages arrived");
            await node.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            var end = qos == MqttQualityOfService.AtMostOnce ? delivered : acked;
            return new Run(count / Stopwatch.GetElapsedTime(start, end).TotalSeconds, cpuSeconds * 1e6 / count, 0, 0, 0, 0);
        }
        finally
        {
            if (!node.HasExited)
            {
                node.Kill(entireProcessTree: true);
            }
        }
    }

    private static long HeapAfterFullGc()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }

    private static Run Median(List<Run> runs) => runs.OrderBy(r => r.Rate).ElementAt(runs.Count / 2);

    private sealed record Target(string Name, string Url, int Port, Func<string, IMessageCounter> Counter);

    private sealed record Run(double Rate, double CpuMicrosPerMessage, long AllocatedBytes, int Gen0, long HeapBefore, long HeapAfter);
}
