using System.Diagnostics;
using System.Globalization;
using EdgeNode.EndToEnd.Tests.Infrastructure;
using EdgeNode.Testing;
using Xunit.Abstractions;
using static EdgeNode.EndToEnd.Tests.Infrastructure.SparkplugFacts;

namespace EdgeNode.EndToEnd.Tests;

/// <summary>
/// Issue 15, a flapping broker link: <see cref="TcpFaultRelay.FlapAsync"/> resets the node's connection and refuses
/// new ones for a second, again and again, while the register changes all the time. Every session's births are
/// correct and every change arrives (live or historical). In CI it runs ~25 s (links up 2–4 s); <c>./build.sh soak
/// [minutes]</c> runs it with EDGENODE_SOAK_MINUTES (links up 2–10 s, as issue 15 asks) and then also fails when the
/// node's memory, file descriptors or threads keep growing.
/// </summary>
public sealed class BrokerFlappingTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const string Device = "Meter";

    private sealed record Sample(double Seconds, long RssKb, int Threads, int Fds);

    [Fact]
    public async Task BrokerFlapping_EverySessionBornCorrectly_EveryChangeDelivered_NoGrowthInSoak()
    {
        var soakMinutes = double.TryParse(Environment.GetEnvironmentVariable("EDGENODE_SOAK_MINUTES"), NumberStyles.Float, CultureInfo.InvariantCulture, out var m)
            ? m : 0;
        var duration = soakMinutes > 0 ? TimeSpan.FromMinutes(soakMinutes) : TimeSpan.FromSeconds(15);
        var upMax = soakMinutes > 0 ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(4);
        var sampleEvery = soakMinutes > 0 ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(3);

        var broker = await StartBrokerAsync();
        await using var relay = TcpFaultRelay.Start(broker.Port);
        var slave = await StartSlaveAsync(new PyModbusRegisterMap().Holding(1, 0, 0));
        var observer = await ObserveAsync(broker);
        var config = Config(broker);
        config.Servers.Clear();
        config.Servers.Add(string.Create(CultureInfo.InvariantCulture, $"mqtt://127.0.0.1:{relay.Port}"));
        config.KeepAliveSeconds = 2;
        config.ConnectTimeoutMs = 1000;
        config.Devices.Add(new DeviceYaml { Id = Device, Port = slave.Port, Metrics = ["{ name: Count, table: holding, address: 0, type: uint16 }"] });
        var node = StartNode(config.ToYaml());
        var nbirth = await WaitNBirthAsync(observer);
        await WaitDBirthAsync(observer, Device, nbirth.Index);

        using var stop = new CancellationTokenSource(duration);
        var flapping = relay.FlapAsync(TimeSpan.FromSeconds(2), upMax, TimeSpan.FromSeconds(1), seed: 15, stop.Token);
        var samples = new List<Sample>();
        var clock = Stopwatch.StartNew();
        var nextSample = TimeSpan.Zero;
        var value = 0;
        while (!stop.IsCancellationRequested)
        {
            // one change every ~200 ms; uint16 wraps after 65535 changes (3.6 h), longer than any soak here
            await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, (ushort)++value);
            await WaitScansAsync(slave, 1, 2);
            await Task.Delay(100);
            if (clock.Elapsed >= nextSample)
            {
                samples.Add(SampleOf(node.Process!.Id, clock.Elapsed.TotalSeconds));
                nextSample += sampleEvery;
            }
        }

        var outages = await flapping;
        var wanted = Enumerable.Range(1, value).ToHashSet();
        await observer.WaitForConditionAsync(_ =>
                wanted.IsSubsetOf(DataOf(observer, DDataTopic(Device), "Count", nbirth.Index, historical: null).Select(x => (int)x.Metric.AsLong())),
            TimeSpan.FromSeconds(60), $"every one of the {value} changes, live or historical", nbirth.Index);
        samples.Add(SampleOf(node.Process!.Id, clock.Elapsed.TotalSeconds));

        // Every session: NBIRTH with seq 0 and a bdSeq, and the device's DBIRTH before any DDATA of it.
        var messages = observer.Messages.Where(x => x.Index >= nbirth.Index).ToList();
        var problems = new List<string>();
        var sessions = 0;
        var deviceBorn = false;
        foreach (var message in messages)
        {
            if (message.Topic == NBirthTopic)
            {
                sessions++;
                deviceBorn = false;
                if (message.Payload?.Seq != 0 || message.Metric("bdSeq") is null)
                {
                    problems.Add($"NBIRTH #{message.Index} without seq 0 or bdSeq: {observer.Summarize(message)}");
                }
            }
            else if (message.Topic == DBirthTopic(Device))
            {
                deviceBorn = true;
            }
            else if (message.Topic == DDataTopic(Device) && !deviceBorn)
            {
                problems.Add($"DDATA #{message.Index} before the device's DBIRTH in its session");
            }
        }

        var liveTwice = DataOf(observer, DDataTopic(Device), "Count", nbirth.Index, historical: false)
            .GroupBy(x => x.Metric.AsLong()).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (liveTwice.Count > 0)
        {
            problems.Add($"delivered twice as live data: {string.Join(",", liveTwice)}");
        }

        Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{duration.TotalSeconds:F0} s, {outages} outages, {sessions} sessions, {value} changes all delivered; node samples (s, RSS kB, threads, fds):"));
        foreach (var s in samples)
        {
            Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {s.Seconds,7:F0} {s.RssKb,8} {s.Threads,4} {s.Fds,4}"));
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(sessions >= 2, $"the link never flapped: {sessions} session(s)");
        if (soakMinutes >= 5)
        {
            // Growth without bound: the last third of the run against the middle third (the first is warm-up).
            var third = samples.Count / 3;
            var middle = samples.Skip(third).Take(third).ToList();
            var last = samples.Skip(2 * third).ToList();
            Assert.True(last.Max(s => s.Fds) <= middle.Max(s => s.Fds) + 4, $"file descriptors grow: {middle.Max(s => s.Fds)} -> {last.Max(s => s.Fds)}");
            Assert.True(last.Max(s => s.Threads) <= middle.Max(s => s.Threads) + 4, $"threads grow: {middle.Max(s => s.Threads)} -> {last.Max(s => s.Threads)}");
            Assert.True(last.Average(s => s.RssKb) <= (middle.Average(s => s.RssKb) * 1.15) + 8192,
                $"memory grows: RSS {middle.Average(s => s.RssKb):F0} kB -> {last.Average(s => s.RssKb):F0} kB");
        }
    }

    private static Sample SampleOf(int pid, double seconds)
    {
        long rss = 0;
        var threads = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }

        return new Sample(seconds, rss, threads, Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length);
    }
}
