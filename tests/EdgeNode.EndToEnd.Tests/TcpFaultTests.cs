using System.Diagnostics;
using System.Globalization;
using EdgeNode.EndToEnd.Tests.Infrastructure;
using EdgeNode.Testing;
using Xunit.Abstractions;
using static EdgeNode.EndToEnd.Tests.Infrastructure.SparkplugFacts;

namespace EdgeNode.EndToEnd.Tests;

/// <summary>
/// Issue 15, broken broker links: the node reaches the broker through <see cref="TcpFaultRelay"/>, the observer
/// directly. A silent link (blackhole: no FIN, no RST, nothing forwarded) and a half-open link (one direction dies) must
/// be detected within the keep-alive bound; the changes of the outage are stored and replayed after recovery as
/// historical data, none lost and none delivered twice as live data.
/// </summary>
public sealed class TcpFaultTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const string Device = "Meter";
    private const int KeepAliveSeconds = 2;

    public static TheoryData<string> Faults => ["blackhole", "half-open: nothing comes back", "half-open: nothing gets through"];

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task BrokenLink_DetectedWithinKeepAlive_ChangesReplayedAsHistorical_NoneLostNoneLiveTwice(string fault)
    {
        var broker = await StartBrokerAsync();
        await using var relay = TcpFaultRelay.Start(broker.Port);
        var slave = await StartSlaveAsync(new PyModbusRegisterMap().Holding(1, 0, 0));
        var observer = await ObserveAsync(broker);
        var config = Config(broker);
        config.Servers.Clear();
        config.Servers.Add(string.Create(CultureInfo.InvariantCulture, $"mqtt://127.0.0.1:{relay.Port}"));
        config.KeepAliveSeconds = KeepAliveSeconds;
        config.ConnectTimeoutMs = 1000;
        config.Devices.Add(new DeviceYaml { Id = Device, Port = slave.Port, Metrics = ["{ name: Count, table: holding, address: 0, type: uint16 }"] });
        var node = StartNode(config.ToYaml());
        var nbirth = await WaitNBirthAsync(observer);
        var dbirth = await WaitDBirthAsync(observer, Device, nbirth.Index);
        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, 500);
        await WaitDataAsync(observer, Device, "Count", m => m.AsLong() == 500, "= 500 (live before the fault)", dbirth.Index);

        var from = observer.Count;
        var lostBefore = CountLost(node);
        var clock = Stopwatch.StartNew();
        switch (fault)
        {
            case "blackhole":
                relay.Blackhole();
                break;
            case "half-open: nothing comes back":
                relay.HalfOpen(TcpDirection.ServerToClient);
                break;
            default:
                relay.HalfOpen(TcpDirection.ClientToServer);
                break;
        }

        // Changes in the detection gap, then after the node noticed.
        var values = new List<int>();
        var value = 0;
        TimeSpan? detected = null;
        var detectedAfter = 0;
        while (detected is null || values.Count < detectedAfter + 3)
        {
            await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, (ushort)++value);
            await WaitScansAsync(slave, 1, 2);
            values.Add(value);
            if (detected is null && CountLost(node) > lostBefore)
            {
                detected = clock.Elapsed;
                detectedAfter = values.Count;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(KeepAliveSeconds * 5), $"the node did not notice the {fault} link\n{NodeDiagnostics()}");
            await Task.Delay(150);
        }

        Output.WriteLine($"{fault}: the node noticed after {detected.Value.TotalSeconds:F2} s (keep-alive {KeepAliveSeconds} s); {values.Count} changes during the outage");
        Assert.True(detected.Value <= TimeSpan.FromSeconds(KeepAliveSeconds * 1.5) + TimeSpan.FromSeconds(1),
            $"{fault} noticed after {detected.Value.TotalSeconds:F2} s, beyond 1.5 x keep-alive plus a second of slack\n{NodeDiagnostics()}");

        relay.Pass();
        var nbirth2 = await WaitNBirthAsync(observer, from, StepTimeout);
        var dbirth2 = await WaitDBirthAsync(observer, Device, nbirth2.Index, StepTimeout);
        Assert.True(BdSeq(nbirth2) != BdSeq(nbirth), "a new connection needs a new bdSeq");
        var wanted = values.ToHashSet();
        await observer.WaitForConditionAsync(_ =>
                wanted.IsSubsetOf(DataOf(observer, DDataTopic(Device), "Count", from, historical: null).Select(x => (int)x.Metric.AsLong())),
            TimeSpan.FromSeconds(20), $"every value written during the outage ({string.Join(",", wanted)}), live or historical", from);

        var all = DataOf(observer, DDataTopic(Device), "Count", from, historical: null);
        var liveTwice = all.Where(x => !x.Metric.IsHistorical).GroupBy(x => x.Metric.AsLong()).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(liveTwice.Count == 0, $"delivered twice as live data: {string.Join(",", liveTwice)}\n{observer.Report(from)}");

        // What the node could not have delivered (after it noticed the outage) comes as historical data after the births.
        var late = values.Skip(detectedAfter).ToHashSet();
        var replayed = all.Where(x => late.Contains((int)x.Metric.AsLong())).ToList();
        Assert.True(replayed.All(x => x.Metric.IsHistorical && x.Message.Index > dbirth2.Index),
            $"changes made while the link was known down must be historical, after the new births\n{observer.Report(from)}");
        Assert.Null(FirstSeqBreak(SequencedMessages(observer.Messages.Skip(nbirth2.Index).ToList(), GroupId, EdgeNodeId)));
    }

    [Fact]
    public async Task SlowLinkThenReset_LatencyAndTrickleKeepTheSession_ResetReconnectsAtOnce_NothingLost()
    {
        var broker = await StartBrokerAsync();
        await using var relay = TcpFaultRelay.Start(broker.Port);
        var slave = await StartSlaveAsync(new PyModbusRegisterMap().Holding(1, 0, 0));
        var observer = await ObserveAsync(broker);
        var config = Config(broker);
        config.Servers.Clear();
        config.Servers.Add(string.Create(CultureInfo.InvariantCulture, $"mqtt://127.0.0.1:{relay.Port}"));
        config.KeepAliveSeconds = KeepAliveSeconds;
        config.Devices.Add(new DeviceYaml { Id = Device, Port = slave.Port, Metrics = ["{ name: Count, table: holding, address: 0, type: uint16 }"] });
        var node = StartNode(config.ToYaml());
        var nbirth = await WaitNBirthAsync(observer);
        var dbirth = await WaitDBirthAsync(observer, Device, nbirth.Index);

        // A slow, laggy line (300 ms per chunk, 2 kB/s) well inside the keep-alive: the session holds, every change
        // arrives live and in order.
        relay.Latency = TimeSpan.FromMilliseconds(300);
        relay.TrickleBytesPerSecond = 2000;
        var slow = Enumerable.Range(1, 8).ToList();
        foreach (var v in slow)
        {
            await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, (ushort)v);
            await WaitScansAsync(slave, 1, 2);
            await Task.Delay(200);
        }

        await observer.WaitForConditionAsync(_ =>
                slow.ToHashSet().IsSubsetOf(DataOf(observer, DDataTopic(Device), "Count", dbirth.Index).Select(x => (int)x.Metric.AsLong())),
            StepTimeout, "every change over the slow line, live", dbirth.Index);
        var received = DataOf(observer, DDataTopic(Device), "Count", dbirth.Index).Select(x => (int)x.Metric.AsLong()).ToList();
        Assert.Equal(slow, received);
        Assert.Equal(0, CountLost(node));
        Assert.Equal(1, relay.Connections);

        // A reset (RST both ways): the node notices at once, reconnects, births again, and loses nothing.
        relay.Latency = TimeSpan.Zero;
        relay.TrickleBytesPerSecond = 0;
        var from = observer.Count;
        relay.ResetAll();
        var after = Enumerable.Range(100, 5).ToList();
        foreach (var v in after)
        {
            await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, (ushort)v);
            await WaitScansAsync(slave, 1, 2);
        }

        var nbirth2 = await WaitNBirthAsync(observer, from, StepTimeout);
        await WaitDBirthAsync(observer, Device, nbirth2.Index, StepTimeout);
        await observer.WaitForConditionAsync(_ =>
                after.ToHashSet().IsSubsetOf(DataOf(observer, DDataTopic(Device), "Count", from, historical: null).Select(x => (int)x.Metric.AsLong())),
            StepTimeout, "every change around the reset, live or historical", from);
        var liveTwice = DataOf(observer, DDataTopic(Device), "Count", from, historical: false)
            .GroupBy(x => x.Metric.AsLong()).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(liveTwice.Count == 0, $"delivered twice as live data: {string.Join(",", liveTwice)}\n{observer.Report(from)}");
    }

    private static int CountLost(NodeUnderTest node) =>
        node.Output.Split('\n').Count(l => l.Contains("Connection to the broker lost", StringComparison.Ordinal));
}
