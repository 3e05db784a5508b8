using EdgeNode.EndToEnd.Tests.Infrastructure;
using EdgeNode.Testing;
using Xunit.Abstractions;
using static EdgeNode.EndToEnd.Tests.Infrastructure.SparkplugFacts;

namespace EdgeNode.EndToEnd.Tests;

/// <summary>
/// Primary host awareness (contract: "no births until its STATE says online; on a valid offline STATE (timestamp ≥
/// the last online's), DDEATHs and NDEATH, disconnect, reconnect and wait for online again; stale STATE is ignored";
/// issue 6: history replayed when the host is back; the 2.2 ONLINE/OFFLINE form behind node.legacyState).
/// </summary>
public sealed class PrimaryHostTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const string Device = "Tank";

    private string HostId => $"Scada{EdgeNodeId}";

    private async Task<(MosquittoBroker Broker, PyModbusSlave Slave, SparkplugObserver Observer, NodeUnderTest Node)> StartAsync(bool legacy = false,
        bool logAll = false)
    {
        var broker = await StartBrokerAsync(logAll);
        var slave = await StartSlaveAsync(new PyModbusRegisterMap().Holding(1, 0, 0));
        var observer = await ObserveAsync(broker);
        var config = Config(broker);
        config.PrimaryHostId = HostId;
        config.LegacyState = legacy;
        config.Devices.Add(new DeviceYaml
        {
            Id = Device,
            Port = slave.Port,
            Metrics = ["{ name: Level, table: holding, address: 0, type: uint16 }"],
        });
        var node = StartNode(config.ToYaml());
        // the node is connected (and has subscribed) when the broker logged its client id
        await WaitBrokerLogAsync(broker, $" as {GroupId}-{EdgeNodeId} ", StartTimeout);
        return (broker, slave, observer, node);
    }

    private async Task<SparkplugMessage> WaitBirthsAsync(SparkplugObserver observer, int from)
    {
        var nbirth = await WaitNBirthAsync(observer, from, StartTimeout);
        await WaitDBirthAsync(observer, Device, nbirth.Index, StepTimeout);
        return nbirth;
    }

    /// <summary>The node's connection ended after the NDEATH (mosquitto logs a clean or an abrupt end).</summary>
    private async Task WaitDisconnectedAsync(MosquittoBroker broker, SparkplugMessage ndeath)
    {
        var client = $"{GroupId}-{EdgeNodeId}";
        var deadline = DateTime.UtcNow + StepTimeout;
        while (!BrokerLog(broker).Contains($"Client {client} disconnected", StringComparison.Ordinal) &&
               !BrokerLog(broker).Contains($"Client {client} closed its connection", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the node did not disconnect after {ndeath}:\n{BrokerLog(broker)}\n{NodeDiagnostics()}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task NoBirthsUntilThePrimaryHostIsOnline_OtherHostsDoNotCount()
    {
        var (broker, _, observer, _) = await StartAsync(logAll: true);

        await observer.AssertNoneAsync(m => m.Topic == NBirthTopic || m.Topic == DBirthTopic(Device), TimeSpan.FromSeconds(2),
            "births before any STATE");
        // contract: with a primary host, its STATE topic is subscribed (before any NBIRTH, there is none yet)
        await WaitBrokerLogAsync(broker, $"spBv1.0/STATE/{HostId} (QoS", TimeSpan.FromSeconds(1));
        await observer.PublishStateAsync($"{HostId}_WRONG", online: true, NowMs());
        await observer.PublishStateAsync(HostId, online: false, NowMs());
        await observer.AssertNoneAsync(m => m.Topic == NBirthTopic, TimeSpan.FromSeconds(2), "births for another host's or an offline STATE");

        var from = observer.Count;
        await observer.PublishStateAsync(HostId, online: true, NowMs());
        var nbirth = await WaitBirthsAsync(observer, from);
        Assert.Equal(0, nbirth.Seq);
    }

    [Fact]
    public async Task HostOffline_DdeathsNdeathAndDisconnect_ThenBirthsAndTheStoredHistoryWhenOnlineAgain()
    {
        var (broker, slave, observer, _) = await StartAsync();
        var t1 = NowMs();
        await observer.PublishStateAsync(HostId, online: true, t1);
        var nbirth = await WaitBirthsAsync(observer, 0);
        var b0 = BdSeq(nbirth);

        var from = observer.Count;
        await observer.PublishStateAsync(HostId, online: false, t1);
        var ndeath = await observer.WaitForTopicAsync(NDeathTopic, StepTimeout, from);
        var ddeath = await observer.WaitForTopicAsync(DDeathTopic(Device), TimeSpan.FromSeconds(1), from);
        Assert.True(ddeath.Index < ndeath.Index, "DDEATH before NDEATH");
        Assert.Equal(b0, BdSeq(ndeath));
        await WaitDisconnectedAsync(broker, ndeath);

        // host away: changes are stored, nothing is published
        var offlineAt = observer.Count;
        var changes = new List<(int Value, long SetMs, long ReadByMs)>();
        for (var v = 1; v <= 4; v++)
        {
            var set = NowMs();
            await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, (ushort)v);
            await WaitScansAsync(slave, 1, 3);
            changes.Add((v, set, NowMs()));
        }

        Assert.DoesNotContain(observer.Messages.Skip(offlineAt), m => m.GroupId == GroupId && m.MessageType != "NDEATH");

        await observer.PublishStateAsync(HostId, online: true, NowMs());
        var nbirth2 = await WaitNBirthAsync(observer, offlineAt, StepTimeout);
        var dbirth2 = await WaitDBirthAsync(observer, Device, nbirth2.Index, StepTimeout);
        Assert.Equal((b0 + 1) % 256, BdSeq(nbirth2));
        Assert.Equal(4, dbirth2.Metric("Level")!.AsLong());

        await observer.WaitForConditionAsync(_ =>
                DataOf(observer, DDataTopic(Device), "Level", dbirth2.Index, historical: null).Count(x => x.Metric.IsHistorical) >= 4,
            TimeSpan.FromSeconds(20), "the four stored changes as historical DDATA", dbirth2.Index);
        var historical = DataOf(observer, DDataTopic(Device), "Level", dbirth2.Index, historical: null).Where(x => x.Metric.IsHistorical).ToList();
        Assert.Equal([1, 2, 3, 4], historical.Select(x => (int)x.Metric.AsLong()));
        foreach (var ((_, metric), change) in historical.Zip(changes))
        {
            Assert.True(metric.Timestamp is { } ts && (long)ts >= change.SetMs - 50 && (long)ts <= change.ReadByMs + 50,
                $"value {change.Value}: timestamp {metric.Timestamp}, read between {change.SetMs} and {change.ReadByMs}");
        }
    }

    [Fact]
    public async Task StaleState_IsIgnored_OfflineOrOnlineOlderThanTheLastOne()
    {
        var (_, slave, observer, _) = await StartAsync();
        var t1 = NowMs();
        await observer.PublishStateAsync(HostId, online: true, t1);
        var nbirth = await WaitBirthsAsync(observer, 0);

        // an offline STATE older than the online one (a stale will): no death, live data goes on
        var from = observer.Count;
        await observer.PublishStateAsync(HostId, online: false, t1 - 10_000);
        await observer.AssertNoneAsync(m => m.Topic == NDeathTopic || m.Topic == DDeathTopic(Device), TimeSpan.FromSeconds(2),
            "death after a stale offline STATE", from);
        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, 5);
        var (_, live) = await WaitDataAsync(observer, Device, "Level", m => m.AsLong() == 5, "= 5 (still live)", from);
        Assert.False(live.IsHistorical);

        // a valid offline (same timestamp as the online), then an online older than it: stay waiting
        await observer.PublishStateAsync(HostId, online: false, t1);
        await observer.WaitForTopicAsync(NDeathTopic, StepTimeout, from);
        var afterDeath = observer.Count;
        await observer.PublishStateAsync(HostId, online: true, t1 - 5_000);
        await observer.AssertNoneAsync(m => m.Topic == NBirthTopic, TimeSpan.FromSeconds(2.5), "births after a stale online STATE", afterDeath);

        await observer.PublishStateAsync(HostId, online: true, t1 + 1_000);
        var nbirth2 = await WaitBirthsAsync(observer, afterDeath);
        Assert.Equal((BdSeq(nbirth) + 1) % 256, BdSeq(nbirth2));
    }

    [Fact]
    public async Task LegacyState_OnlineOfflinePlainText_WhenEnabled()
    {
        var (_, _, observer, _) = await StartAsync(legacy: true);
        await observer.AssertNoneAsync(m => m.Topic == NBirthTopic, TimeSpan.FromSeconds(1.5), "births before any STATE");

        await observer.PublishTextAsync($"STATE/{HostId}", "ONLINE", qos: 1, retain: true);
        var nbirth = await WaitBirthsAsync(observer, 0);

        var from = observer.Count;
        await observer.PublishTextAsync($"STATE/{HostId}", "OFFLINE", qos: 1, retain: true);
        var ndeath = await observer.WaitForTopicAsync(NDeathTopic, StepTimeout, from);
        Assert.Equal(BdSeq(nbirth), BdSeq(ndeath));

        var afterDeath = observer.Count;
        await observer.PublishTextAsync($"STATE/{HostId}", "ONLINE", qos: 1, retain: true);
        var nbirth2 = await WaitBirthsAsync(observer, afterDeath);
        Assert.Equal((BdSeq(nbirth) + 1) % 256, BdSeq(nbirth2));
    }
}
