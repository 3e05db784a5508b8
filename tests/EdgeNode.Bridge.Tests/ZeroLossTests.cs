using System.Text.Json;
using EdgeNode.Bridge.Tests.Infrastructure;

namespace EdgeNode.Bridge.Tests;

/// <summary>
/// The no-loss promise of the whole chain (device → node → Mosquitto → bridge → Kafka), with the node's primary host
/// set to the bridge: every Kafka broker down for 30 s, a bridge restart with SIGTERM and a Mosquitto restart, all
/// while the device's value keeps changing. Every value must reach the data topic; values the node stored meanwhile
/// come as historical with their original timestamps.
/// </summary>
public sealed class ZeroLossTests : IAsyncLifetime
{
    private BridgeRig _rig = null!;

    public async Task InitializeAsync() => _rig = await BridgeRig.StartAsync();

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task KafkaOutageBridgeRestartBrokerRestart_EveryChangeReachesTheDataTopic()
    {
        await _rig.WaitForDataAsync(r => BridgeRig.Metric(r, "Counter").Any(), TimeSpan.FromSeconds(30), "the first Counter");
        using var stopCounting = new CancellationTokenSource();
        var last = 0;
        var setAt = new Dictionary<int, long>();
        var counting = Task.Run(async () =>
        {
            for (var i = 1; !stopCounting.IsCancellationRequested; i++)
            {
                lock (setAt)
                {
                    setAt[i] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                }

                _rig.SetCounter((ushort)i);
                Volatile.Write(ref last, i);
                await Task.Delay(400);
            }
        });

        await Task.Delay(3000);
        var outageStart = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var upBefore = _rig.Bridge.Count("Kafka takes records again");
        _rig.Kafka.SetAllDown();
        await Task.Delay(TimeSpan.FromSeconds(30));
        _rig.Kafka.SetAllUp();
        var outageEnd = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await _rig.Bridge.WaitForNewLogAsync("Kafka takes records again", upBefore, TimeSpan.FromSeconds(60));
        Assert.Contains("Kafka does not take records", _rig.Bridge.Output, StringComparison.Ordinal);
        await Task.Delay(4000);

        // A bridge restart the way systemd does it.
        Assert.Equal(0, await _rig.Bridge.StopAsync());
        await Task.Delay(1500);
        _rig.Bridge.Start();
        await Task.Delay(5000);

        // A broker restart on the same port.
        await _rig.Broker.RestartAsync();
        await Task.Delay(6000);

        await stopCounting.CancelAsync();
        await counting;
        var final = Volatile.Read(ref last);
        IReadOnlyList<KafkaRecord> records;
        try
        {
            records = await _rig.WaitForDataAsync(r =>
            {
                var seen = BridgeRig.Metric(r, "Counter").Select(v => v.GetProperty("value").GetInt32()).ToHashSet();
                return Enumerable.Range(1, final).All(seen.Contains);
            }, TimeSpan.FromSeconds(90), $"every Counter value 1..{final}");
        }
        catch (TimeoutException ex)
        {
            var seen = BridgeRig.Metric(await _rig.DataAsync(), "Counter").Select(v => v.GetProperty("value").GetInt32()).ToHashSet();
            var missing = Enumerable.Range(1, final).Where(i => !seen.Contains(i)).ToList();
            var times = missing.Select(i => setAt.TryGetValue(i, out var t) ? $"{i}@{DateTimeOffset.FromUnixTimeMilliseconds(t):HH:mm:ss.fff}" : i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            throw new TimeoutException($"missing: {string.Join(", ", times)}\n{ex.Message}", ex);
        }

        var counters = BridgeRig.Metric(records, "Counter").ToList();
        // Values the node stored while the bridge said offline: historical, with the time they were read.
        var historical = counters.Where(v => v.GetProperty("historical").GetBoolean()).ToList();
        Assert.NotEmpty(historical);
        Assert.Contains(historical, v => v.GetProperty("timestamp").GetInt64() > outageStart && v.GetProperty("timestamp").GetInt64() < outageEnd);
        foreach (var v in historical)
        {
            var value = v.GetProperty("value").GetInt32();
            if (value > 0 && setAt.TryGetValue(value, out var set))
            {
                // read after it was set, and before the next value was (scan 100 ms)
                Assert.InRange(v.GetProperty("timestamp").GetInt64(), set - 50, set + 5_000);
            }
        }

        // At-least-once, not more: one record per (value, timestamp) but for redelivery of the same message.
        var duplicates = counters.GroupBy(v => (v.GetProperty("value").GetInt32(), v.GetProperty("timestamp").GetInt64(), v.GetProperty("messageType").GetString()))
            .Where(g => g.Count() > 2).Select(g => g.Key).ToList();
        Assert.Empty(duplicates);

        // And the independent reader agrees.
        var python = await KafkaReader.ReadWithPythonAsync(_rig.Kafka.BootstrapServers, "sparkplug.data");
        var pythonSeen = python.Where(r => r.Value.GetProperty("metric").GetString() == "Counter").Select(r => r.Value.GetProperty("value").GetInt32()).ToHashSet();
        Assert.All(Enumerable.Range(1, final), i => Assert.Contains(i, pythonSeen));

        // The state topic saw the node die and be born again.
        var states = await _rig.StateAsync();
        Assert.Contains(states, s => s.Value.GetProperty("messageType").GetString() == "NDEATH");
        Assert.True(states.Count(s => s.Value.GetProperty("messageType").GetString() == "NBIRTH") >= 2);
    }
}
