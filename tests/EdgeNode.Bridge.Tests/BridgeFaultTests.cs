using System.Globalization;
using EdgeNode.Bridge.Tests.Infrastructure;
using Xunit.Abstractions;

namespace EdgeNode.Bridge.Tests;

/// <summary>
/// Issue 15, the bridge's faults: Kafka brokers going down and up (one at a time, with produce errors, then all), the
/// bridge's MQTT link blackholed (no FIN, no RST: only keep-alives find it), and kill -9 of the bridge while records
/// wait for Kafka. The device's counter changes every 250 ms throughout; every value must reach the data topic (read
/// back with kcat and python3-kafka), those the node stored meanwhile as historical.
/// </summary>
public sealed class BridgeFaultTests(ITestOutputHelper output)
{
    /// <summary>Kafka's error codes as librdkafka's mock cluster returns them (retriable: the producer retries).</summary>
    private const int NotLeaderOrFollower = 6;
    private const int RequestTimedOut = 7;
    private const short ProduceApiKey = 0;

    [Fact]
    public async Task KafkaBrokersDownAndUp_OneByOneWithProduceErrorsThenAll_EveryChangeReachesTheDataTopic()
    {
        await using var rig = await BridgeRig.StartAsync();
        await using var counter = await CounterDriver.StartAsync(rig);

        for (var broker = 1; broker <= rig.Kafka.BrokerCount; broker++)
        {
            rig.Kafka.SetBrokerDown(broker);
            await Task.Delay(3000);
            rig.Kafka.SetBrokerUp(broker);
            await Task.Delay(1000);
        }

        rig.Kafka.PushRequestErrors(ProduceApiKey, NotLeaderOrFollower, RequestTimedOut, NotLeaderOrFollower, RequestTimedOut, RequestTimedOut);
        await Task.Delay(2000);
        var upBefore = rig.Bridge.Count("Kafka takes records again");
        rig.Kafka.SetAllDown();
        await Task.Delay(8000);
        rig.Kafka.SetAllUp();
        await rig.Bridge.WaitForNewLogAsync("Kafka takes records again", upBefore, TimeSpan.FromSeconds(60));
        await Task.Delay(3000);

        var records = await counter.StopAndWaitForEveryValueAsync(output);
        Assert.Contains("Kafka does not take records", rig.Bridge.Output, StringComparison.Ordinal);
        Assert.Contains(BridgeRig.Metric(records, "Counter"), v => v.GetProperty("historical").GetBoolean());
        await counter.AssertPythonReadsEveryValueAsync();
    }

    [Fact]
    public async Task BridgeMqttLinkBlackholed_WillFiresNodeStores_OnlyTheDetectionWindowOfQos0DataIsLost()
    {
        const int keepAlive = 2;
        await using var rig = await BridgeRig.StartAsync(bridgeThroughRelay: true, bridgeMqtt: $"  keepAliveSeconds: {keepAlive}");
        await using var counter = await CounterDriver.StartAsync(rig);
        var reconnectsBefore = rig.Bridge.Count("STATE KafkaBridge: online");

        var blackholedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        rig.BridgeLink!.Blackhole();
        await Task.Delay(10_000);
        rig.BridgeLink.Pass();
        await rig.Bridge.WaitForNewLogAsync("STATE KafkaBridge: online", reconnectsBefore, TimeSpan.FromSeconds(60));
        await Task.Delay(4000);

        // Sparkplug DATA is QoS 0: what the node published between the blackhole and Mosquitto's verdict on the
        // bridge (1.5 × its keep-alive, then the will says offline and the node stores) went into the dead link.
        // Nothing outside that window — blackhole to the node's log line "offline" — may be missing. Mosquitto
        // checks keep-alives on its own tick, slower on a loaded machine (5.5–8 s seen with a 2 s keep-alive).
        var willAt = OfflineSeenAt(rig, blackholedAt);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"the node saw its host offline {(willAt - blackholedAt) / 1000.0:F1} s after the blackhole"));
        Assert.InRange(willAt - blackholedAt, 0, (long)(1.5 * keepAlive * 1000) + 10_000);
        var window = (blackholedAt, willAt + 300);
        var records = await counter.StopAndWaitForEveryValueAsync(output, lossWindow: window);
        Assert.Contains(BridgeRig.Metric(records, "Counter"), v => v.GetProperty("historical").GetBoolean());
        await counter.AssertPythonReadsEveryValueAsync(lossWindow: window);
    }

    [Fact]
    public async Task BridgeKilledMinus9_WithRecordsWaitingForKafka_JournalRedeliversThem_NothingLost()
    {
        await using var rig = await BridgeRig.StartAsync();
        await using var counter = await CounterDriver.StartAsync(rig);

        // Kill -9 in full flow: whatever was read and not yet confirmed is in the journal. What the node publishes
        // between the kill and its receipt of the will (Mosquitto sends it when it sees the socket close) is QoS 0
        // DATA to a dead subscriber: the documented exception ("Delivery guarantees"): the window ends when the node's log says its host is offline.
        var killedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await rig.Bridge.KillAsync();
        await Task.Delay(1500);
        rig.Bridge.Start();
        await rig.Bridge.WaitForLogAsync("STATE KafkaBridge: online", TimeSpan.FromSeconds(30));
        await Task.Delay(2000);

        // Kill -9 while Kafka is down: the bridge read values for stallTimeoutMs (2 s) before it said offline and
        // the node started storing; those wait in librdkafka's queue, which dies with the process.
        rig.Kafka.SetAllDown();
        await Task.Delay(3500);
        await rig.Bridge.KillAsync();
        rig.Kafka.SetAllUp();
        await Task.Delay(1000);
        rig.Bridge.Start();
        await rig.Bridge.WaitForLogAsync("STATE KafkaBridge: online", TimeSpan.FromSeconds(60));
        await Task.Delay(3000);

        var willAt = OfflineSeenAt(rig, killedAt);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"the node saw its host offline {(willAt - killedAt) / 1000.0:F1} s after the kill"));
        var window = (killedAt, willAt + 300);
        await counter.StopAndWaitForEveryValueAsync(output, lossWindow: window);
        await counter.AssertPythonReadsEveryValueAsync(lossWindow: window);
        Assert.Contains("Replaying", rig.Bridge.Output, StringComparison.Ordinal);
    }

    /// <summary>When the node logged that its primary host went offline, the first time after <paramref name="afterMs"/>.</summary>
    private static long OfflineSeenAt(BridgeRig rig, long afterMs)
    {
        foreach (var line in rig.Node.Output.Split('\n'))
        {
            if (line.Contains("Primary host KafkaBridge is offline", StringComparison.Ordinal) && line.Length > 23 &&
                DateTime.TryParseExact(line[..23], "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var at))
            {
                var ms = new DateTimeOffset(at).ToUnixTimeMilliseconds();
                if (ms >= afterMs - 50)
                {
                    return ms;
                }
            }
        }

        throw new InvalidOperationException($"the node never saw its host offline after the fault:\n{rig.Node.OutputTail()}");
    }

    /// <summary>Counts the device's Counter register up every 250 ms and checks what reached Kafka.</summary>
    private sealed class CounterDriver : IAsyncDisposable
    {
        private readonly BridgeRig _rig;
        private readonly CancellationTokenSource _stop = new();
        private readonly Dictionary<int, long> _setAt = [];
        private Task _loop = Task.CompletedTask;
        private int _last;

        private CounterDriver(BridgeRig rig) => _rig = rig;

        public static async Task<CounterDriver> StartAsync(BridgeRig rig)
        {
            await rig.WaitForDataAsync(r => BridgeRig.Metric(r, "Counter").Any(), TimeSpan.FromSeconds(30), "the first Counter");
            var driver = new CounterDriver(rig);
            driver._loop = Task.Run(driver.RunAsync);
            await Task.Delay(2000);
            return driver;
        }

        private async Task RunAsync()
        {
            for (var i = 1; !_stop.IsCancellationRequested; i++)
            {
                lock (_setAt)
                {
                    _setAt[i] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                }

                _rig.SetCounter((ushort)i);
                Volatile.Write(ref _last, i);
                // Each value must be read before the next replaces it (the node only sees what it scans, and scans
                // slow down on a loaded machine): two more scans' requests, then the usual pace.
                var requests = _rig.Modbus.Requests;
                for (var wait = 0; wait < 40 && _rig.Modbus.Requests < requests + 4; wait++)
                {
                    await Task.Delay(50);
                }

                await Task.Delay(150);
            }
        }

        /// <summary>The values that must arrive: all, or all but those set inside <paramref name="lossWindow"/>.</summary>
        private List<int> Wanted((long From, long To)? lossWindow)
        {
            lock (_setAt)
            {
                return Enumerable.Range(1, Volatile.Read(ref _last))
                    .Where(i => lossWindow is not { } w || _setAt[i] < w.From - 300 || _setAt[i] > w.To)
                    .ToList();
            }
        }

        public async Task<IReadOnlyList<KafkaRecord>> StopAndWaitForEveryValueAsync(ITestOutputHelper output, (long From, long To)? lossWindow = null)
        {
            await _stop.CancelAsync();
            await _loop;
            var wanted = Wanted(lossWindow);
            IReadOnlyList<KafkaRecord> records;
            try
            {
                records = await _rig.WaitForDataAsync(r => wanted.All(Seen(r).Contains), TimeSpan.FromSeconds(90),
                    $"every Counter value of 1..{_last}{(lossWindow is null ? "" : " set outside the loss window")}");
            }
            catch (TimeoutException ex)
            {
                var seen = Seen(await _rig.DataAsync());
                var missing = wanted.Where(i => !seen.Contains(i)).ToList();
                var near = BridgeRig.Metric(await _rig.DataAsync(), "Counter")
                    .Where(v => missing.Any(m => Math.Abs(v.GetProperty("value").GetInt32() - m) <= 3))
                    .Select(v => string.Create(CultureInfo.InvariantCulture,
                        $"{v.GetProperty("value").GetInt32()} {v.GetProperty("messageType").GetString()} h={v.GetProperty("historical").GetBoolean()} ts={DateTimeOffset.FromUnixTimeMilliseconds(v.GetProperty("timestamp").GetInt64()):HH:mm:ss.fff} bdSeq={v.GetProperty("bdSeq")} seq={v.GetProperty("seq")}"));
                throw new TimeoutException($"missing: {string.Join(", ", missing.Select(i => $"{i}@{DateTimeOffset.FromUnixTimeMilliseconds(_setAt[i]):HH:mm:ss.fff}"))}\n" +
                    $"records near them:\n{string.Join("\n", near)}\n{ex.Message}", ex);
            }

            var counters = BridgeRig.Metric(records, "Counter").ToList();
            var all = Seen(records);
            var origin = lossWindow?.From ?? 0;
            var lost = Enumerable.Range(1, _last).Where(i => !all.Contains(i))
                .Select(i => string.Create(CultureInfo.InvariantCulture, $"{i}@{(_setAt[i] - origin) / 1000.0:F1}s")).ToList();
            var historical = counters.Count(v => v.GetProperty("historical").GetBoolean());
            var duplicates = counters.GroupBy(v => (v.GetProperty("value").GetInt32(), v.GetProperty("timestamp").GetInt64()))
                .Count(g => g.Count() > 1);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{_last} values set, {counters.Count} Counter records ({historical} historical, {duplicates} (value, timestamp) pairs more than once), lost (value@set time{(lossWindow is null ? "" : " after the fault")}): [{string.Join(", ", lost)}]"));
            return records;
        }

        public async Task AssertPythonReadsEveryValueAsync((long From, long To)? lossWindow = null)
        {
            var python = await KafkaReader.ReadWithPythonAsync(_rig.Kafka.BootstrapServers, "sparkplug.data");
            var seen = python.Select(r => r.Value).Where(v => v.GetProperty("metric").GetString() == "Counter")
                .Select(v => v.GetProperty("value").GetInt32()).ToHashSet();
            Assert.All(Wanted(lossWindow), i => Assert.Contains(i, seen));
        }

        private static HashSet<int> Seen(IEnumerable<KafkaRecord> records) =>
            BridgeRig.Metric(records, "Counter").Select(v => v.GetProperty("value").GetInt32()).ToHashSet();

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
        }
    }
}
