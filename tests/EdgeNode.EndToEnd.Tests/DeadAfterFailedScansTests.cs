using EdgeNode.EndToEnd.Tests.Infrastructure;
using EdgeNode.Testing;
using Xunit.Abstractions;
using static EdgeNode.EndToEnd.Tests.Infrastructure.SparkplugFacts;

namespace EdgeNode.EndToEnd.Tests;

/// <summary>
/// Issue 15: one failed scan is not a dead device. With the default <c>deadAfterFailedScans</c> (3) a unit that misses
/// one scan keeps its DBIRTH and publishes nothing stale; a device set to 1 dies at once; a unit that stays silent still
/// gets its DDEATH within seconds.
/// </summary>
public sealed class DeadAfterFailedScansTests(ITestOutputHelper output) : EndToEndTest(output)
{
    [Fact]
    public async Task OneFailedScan_DefaultThresholdKeepsTheDevice_ThresholdOneKillsIt_SilenceStillKills()
    {
        var broker = await StartBrokerAsync();
        var slave = await StartSlaveAsync(new PyModbusRegisterMap().Holding(1, 0, 1).Holding(2, 0, 2), 1, 2);
        var observer = await ObserveAsync(broker);
        var config = Config(broker);
        config.Devices.Add(new DeviceYaml
        {
            Id = "Tolerant", Port = slave.Port, UnitId = 1, TimeoutMs = 300, Retries = 1,
            Metrics = ["{ name: Value, table: holding, address: 0, type: uint16 }"],
        });
        config.Devices.Add(new DeviceYaml
        {
            Id = "Strict", Port = slave.Port, UnitId = 2, TimeoutMs = 300, Retries = 1, Extra = "    deadAfterFailedScans: 1",
            Metrics = ["{ name: Value, table: holding, address: 0, type: uint16 }"],
        });
        StartNode(config.ToYaml());
        var nbirth = await WaitNBirthAsync(observer);
        var tolerant = await WaitDBirthAsync(observer, "Tolerant", nbirth.Index);
        await WaitDBirthAsync(observer, "Strict", nbirth.Index);

        // Both units miss exactly one scan (its first attempt and its retry), then answer again.
        await slave.MuteAsync(1);
        await slave.MuteAsync(2);
        await Task.WhenAll(WaitScansAsync(slave, 1, 2), WaitScansAsync(slave, 2, 2));
        await slave.UnmuteAsync(1);
        await slave.UnmuteAsync(2);

        var strictDeath = await observer.WaitForTopicAsync(DDeathTopic("Strict"), StepTimeout, nbirth.Index);
        await WaitDBirthAsync(observer, "Strict", strictDeath.Index, StepTimeout);

        // The tolerant device reports on as if nothing happened: a change after the miss arrives as DDATA.
        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, 11);
        var change = await WaitDataAsync(observer, "Tolerant", "Value", m => m.AsLong() == 11, "= 11", tolerant.Index);
        Assert.DoesNotContain(observer.Messages, m => m.Topic == DDeathTopic("Tolerant"));
        Assert.Single(observer.Messages, m => m.Topic == DBirthTopic("Tolerant"));
        Assert.All(DataOf(observer, DDataTopic("Tolerant"), "Value", tolerant.Index), d => Assert.Equal(11, d.Metric.AsLong()));

        // A unit that stays silent is still declared dead: first failed scan plus two back-off probes (1 s, 2 s).
        await slave.MuteAsync(1);
        var death = await observer.WaitForTopicAsync(DDeathTopic("Tolerant"), StepTimeout, change.Message.Index);
        Output.WriteLine($"Tolerant declared dead {(death.ReceivedMs - change.Message.ReceivedMs) / 1000.0:F1} s after its last change");
        Assert.Null(FirstSeqBreak(SequencedMessages(observer.Messages, GroupId, EdgeNodeId)));
    }
}
