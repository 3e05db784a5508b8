using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using EdgeNode.Benchmarks.Node;
using EdgeNode.Kafka;
using EdgeNode.KafkaMock;
using EdgeNode.Mqtt;
using EdgeNode.Sparkplug;
using EdgeNode.Testing;
using SparkplugMetric = EdgeNode.Sparkplug.SparkplugMetric;
using SparkplugPayload = EdgeNode.Sparkplug.SparkplugPayload;

namespace EdgeNode.Benchmarks.Bridge;

/// <summary>
/// "bridge": metric values per second through Mosquitto → bridge → Kafka (librdkafka's mock cluster), and the bridge
/// process's CPU per value, for edgenode-bridge and a straightforward Node.js bridge (MQTT.js + Tahu + kafkajs, same
/// delivery settings: idempotent, acks=all), same run, same traffic: NBIRTH/DBIRTH then DDATA by alias at QoS 0 as
/// fast as the publisher can send them. Throughput = values on the data topic / time from the first DDATA to the
/// last record read back.
/// </summary>
public sealed class BridgeBenchSuite : IBenchSuite
{
    private const int Messages = 20_000;
    private const int MetricsPerMessage = 25;

    public string Name => "bridge";

    public async Task RunAsync(BenchOutput output, CancellationToken cancellationToken)
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoOptions { Quiet = true, MaxQueuedMessages = 0 });
        using var kafka = new MockKafkaCluster(1);
        var rows = new List<IReadOnlyList<string>>();
        var results = new Dictionary<string, (double Rate, double CpuUs, long Count)>();
        foreach (var contender in (string[])["edgenode-bridge", "node.js"])
        {
            var topic = contender == "node.js" ? "bench.node" : "bench.ours";
            kafka.CreateTopic(topic, 4);
            var result = await RunOneAsync(contender, broker.Port, kafka.BootstrapServers, topic, cancellationToken);
            results[contender] = result;
        }

        var ours = results["edgenode-bridge"];
        var peer = results["node.js"];
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        output.Heading($"bridge: Sparkplug → Kafka, {Messages:N0} DDATA × {MetricsPerMessage} metrics (QoS 0, by alias), 1-broker mock Kafka; load average {load} on {Environment.ProcessorCount} cores");
        output.Table(["bridge", "values on Kafka", "values/s", "CPU µs/value"],
        [
            ["edgenode-bridge", BenchOutput.Number(ours.Count), BenchOutput.Number(ours.Rate), BenchOutput.Number(ours.CpuUs, "N2")],
            ["Node.js (MQTT.js + Tahu + kafkajs)", BenchOutput.Number(peer.Count), BenchOutput.Number(peer.Rate), BenchOutput.Number(peer.CpuUs, "N2")],
            ["ours vs Node.js", "", BenchOutput.Ratio(ours.Rate, peer.Rate), BenchOutput.Ratio(peer.CpuUs, ours.CpuUs) + " less CPU"],
        ]);

        // The kill -9 window under load, with and without the journal.
        var kills = new List<IReadOnlyList<string>>();
        foreach (var journal in (bool[])[false, true])
        {
            var killTopic = journal ? "bench.kill.journal" : "bench.kill.nojournal";
            kafka.CreateTopic(killTopic, 4);
            var (published, landed) = await KillNineAsync(broker.Port, kafka.BootstrapServers, killTopic, journal, cancellationToken);
            var lost = Math.Max(0, published - landed);
            kills.Add([journal ? "on" : "off", BenchOutput.Number(published), BenchOutput.Number(landed), BenchOutput.Number(lost),
                BenchOutput.Number(lost * 1000.0 / KillRate, "N1"), BenchOutput.Number(Math.Max(0, landed - published))]);
        }

        output.Heading($"bridge: kill -9 under load ({KillRate:N0} values/s, QoS 0 DDATA), restarted at once; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        output.Table(["journal", "values published before the kill", "values on Kafka after the restart", "lost", "lost, ms of traffic",
            "replayed twice"], kills);
    }

    private const int KillRate = 25_000;

    /// <summary>Publishes at <see cref="KillRate"/> values/s, kills the bridge with SIGKILL after 3 s (the publisher stops
    /// at the same instant), starts it again on the same state directory and counts what reached Kafka.</summary>
    private static async Task<(long Published, long Landed)> KillNineAsync(int mqttPort, string bootstrap, string topic, bool journal,
        CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"bridge-kill-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var config = Path.Combine(directory, "bridge.yaml");
        await File.WriteAllTextAsync(config,
            $"mqtt: {{ servers: [\"mqtt://127.0.0.1:{mqttPort}\"], clientId: kill-bridge-{journal} }}\n" +
            $"kafka: {{ bootstrapServers: \"{bootstrap}\", topics: {{ data: {topic}, state: bench.state }}, journal: {(journal ? "true" : "false")} }}\n",
            cancellationToken);
        var dll = Path.Combine(RepoPaths.Root, "src", "EdgeNode.Bridge", "bin", "Release", "net10.0", "edgenode-bridge.dll");
        ExternalProcess Start() => ExternalProcess.Start("dotnet", [dll, "run", "--config", config], directory,
            new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = null, ["STATE_DIRECTORY"] = Path.Combine(directory, "state") });

        var bridge = Start();
        await bridge.WaitForLineAsync("Subscribed", TimeSpan.FromSeconds(60));
        await using var publisher = new MqttClient();
        await publisher.ConnectAsync(new MqttClientOptions { Host = "127.0.0.1", Port = mqttPort, ClientId = "kill-edge-" + journal });
        using var consumer = Consumer(bootstrap, topic);
        await publisher.PublishAsync("spBv1.0/Kill/NBIRTH/Edge", Birth(node: true), MqttQualityOfService.AtLeastOnce);
        await publisher.PublishAsync("spBv1.0/Kill/DBIRTH/Edge/Dev", Birth(node: false), MqttQualityOfService.AtLeastOnce);
        await Task.Delay(2000, cancellationToken);
        var baseline = HighWatermarks(consumer, topic);

        var payloads = Enumerable.Range(0, 64).Select(i => Data((ulong)(i + 2))).ToArray();
        var perTick = KillRate / MetricsPerMessage / 100; // messages per 10 ms
        long messages = 0;
        var start = Stopwatch.GetTimestamp();
        var tick = 0L;
        while (Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(3))
        {
            for (var i = 0; i < perTick; i++)
            {
                await publisher.PublishAsync("spBv1.0/Kill/DDATA/Edge/Dev", payloads[messages % payloads.Length]);
                messages++;
            }

            tick++;
            var wait = TimeSpan.FromMilliseconds(tick * 10) - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }
        }

        bridge.Kill();
        await bridge.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await bridge.DisposeAsync();
        var restarted = Start();
        await using (restarted)
        {
            await restarted.WaitForLineAsync("Subscribed", TimeSpan.FromSeconds(60));
            long landed = 0;
            var lastProgress = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(lastProgress) < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(200, cancellationToken);
                var now = HighWatermarks(consumer, topic) - baseline;
                if (now > landed)
                {
                    landed = now;
                    lastProgress = Stopwatch.GetTimestamp();
                }
            }

            restarted.Signal(Signals.SIGTERM);
            await restarted.WaitForExitAsync(TimeSpan.FromSeconds(30));
            return (messages * MetricsPerMessage, landed);
        }
    }

    private static async Task<(double Rate, double CpuUs, long Count)> RunOneAsync(string contender, int mqttPort, string bootstrap, string topic,
        CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"bridge-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        ExternalProcess process;
        string readyLine;
        if (contender == "node.js")
        {
            process = NodeJs.Start(Path.Combine(RepoPaths.Root, "tests", "interop", "kafka-bridge.js"), [$"mqtt://127.0.0.1:{mqttPort}", bootstrap, topic]);
            readyLine = "ready";
        }
        else
        {
            var config = Path.Combine(directory, "bridge.yaml");
            await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
                mqtt: {"{"} servers: ["mqtt://127.0.0.1:{mqttPort}"], clientId: bench-bridge {"}"}
                kafka: {"{"} bootstrapServers: "{bootstrap}", topics: {"{"} data: {topic}, state: bench.state {"}"} {"}"}
                """), cancellationToken);
            var dll = Path.Combine(RepoPaths.Root, "src", "EdgeNode.Bridge", "bin", "Release", "net10.0", "edgenode-bridge.dll");
            process = ExternalProcess.Start("dotnet", [dll, "run", "--config", config], directory,
                new Dictionary<string, string?> { ["EDGENODE_LOG_LEVEL"] = "Warning", ["NOTIFY_SOCKET"] = null });
            readyLine = "Subscribed";
            // Subscribed is logged at Information; at Warning level wait on the MQTT side instead (below).
        }

        await using (process)
        {
            if (contender == "node.js")
            {
                await process.WaitForLineAsync(readyLine, TimeSpan.FromSeconds(60));
            }

            await using var publisher = new MqttClient();
            await publisher.ConnectAsync(new MqttClientOptions { Host = "127.0.0.1", Port = mqttPort, ClientId = "bench-edge-" + contender });
            // Wait until the bridge's subscription is in place: a retained probe is not enough, so births are sent
            // (QoS 1) until the data topic shows the first one.
            using var consumer = Consumer(bootstrap, topic);
            long count = 0;
            var births = 0L;
            var sw = Stopwatch.StartNew();
            while (count == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await publisher.PublishAsync("spBv1.0/Bench/NBIRTH/Edge", Birth(node: true), MqttQualityOfService.AtLeastOnce);
                await publisher.PublishAsync("spBv1.0/Bench/DBIRTH/Edge/Dev", Birth(node: false), MqttQualityOfService.AtLeastOnce);
                births++;
                var until = DateTime.UtcNow.AddSeconds(2);
                while (DateTime.UtcNow < until && consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } r)
                {
                    count++;
                }

                if (sw.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new TimeoutException($"{contender} produced nothing within 60 s:\n{process.Output}");
                }
            }

            // Drain what the births produced, then start counting DDATA values only.
            while (consumer.Consume(TimeSpan.FromMilliseconds(500)) is not null)
            {
            }

            var payloads = Enumerable.Range(0, 64).Select(i => Data((ulong)i)).ToArray();
            var cpu0 = ProcessMeter.CpuTime(process.Id);
            var start = Stopwatch.GetTimestamp();
            var publishing = Task.Run(async () =>
            {
                for (var i = 0; i < Messages; i++)
                {
                    await publisher.PublishAsync("spBv1.0/Bench/DDATA/Edge/Dev", payloads[i % payloads.Length]);
                }
            }, cancellationToken);

            // Count by the partitions' high watermarks (what Kafka holds), not by consuming: the mock cluster keeps only
            // recent segments, and a consumer in this process would compete with the bridge for the CPU.
            var baseline = HighWatermarks(consumer, topic);
            long values = 0;
            var lastProgress = Stopwatch.GetTimestamp();
            var lastRecord = start;
            const long expected = (long)Messages * MetricsPerMessage;
            while (values < expected && Stopwatch.GetElapsedTime(lastProgress) < TimeSpan.FromSeconds(15) && Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(300))
            {
                await Task.Delay(100, cancellationToken);
                var now = HighWatermarks(consumer, topic) - baseline;
                if (now > values)
                {
                    values = now;
                    lastProgress = lastRecord = Stopwatch.GetTimestamp();
                }
            }

            await publishing;
            var elapsed = Stopwatch.GetElapsedTime(start, lastRecord);
            var cpu = ProcessMeter.CpuTime(process.Id) - cpu0;
            process.Signal(Signals.SIGTERM);
            try
            {
                await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                process.Kill();
            }

            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }

            return (values / elapsed.TotalSeconds, cpu.TotalMilliseconds * 1000 / Math.Max(1, values), values);
        }
    }

    private static long HighWatermarks(IConsumer<Ignore, byte[]> consumer, string topic) =>
        Enumerable.Range(0, 4).Sum(p => (long)consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(5)).High.Value);

    private static IConsumer<Ignore, byte[]> Consumer(string bootstrap, string topic)
    {
        RdKafkaLibrary.Load();
        var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "bench-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        return consumer;
    }

    private static byte[] Birth(bool node)
    {
        var p = new SparkplugPayload { Timestamp = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Seq = node ? 0UL : 1UL };
        if (node)
        {
            p.Metrics.Add(new SparkplugMetric("bdSeq", SparkplugValue.FromInt64(0)));
            return p.ToByteArray();
        }

        for (var i = 0; i < MetricsPerMessage; i++)
        {
            p.Metrics.Add(new SparkplugMetric($"Metric/{i:D2}", i % 2 == 0 ? SparkplugValue.FromDouble(i) : SparkplugValue.FromInt32(i)) { Alias = (ulong)(100 + i) });
        }

        return p.ToByteArray();
    }

    private static byte[] Data(ulong seq)
    {
        var p = new SparkplugPayload { Timestamp = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Seq = seq };
        for (var i = 0; i < MetricsPerMessage; i++)
        {
            var value = i % 2 == 0 ? SparkplugValue.FromDouble(i + (seq * 0.5)) : SparkplugValue.FromInt32(i + (int)seq);
            p.Metrics.Add(new SparkplugMetric(null, value) { Alias = (ulong)(100 + i), OmitDataType = true });
        }

        return p.ToByteArray();
    }
}
