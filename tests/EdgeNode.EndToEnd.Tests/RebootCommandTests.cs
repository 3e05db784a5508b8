using System.Globalization;
using System.Text.Json.Nodes;
using EdgeNode.EndToEnd.Tests.Infrastructure;
using EdgeNode.Testing;
using Xunit.Abstractions;
using static EdgeNode.EndToEnd.Tests.Infrastructure.SparkplugFacts;

namespace EdgeNode.EndToEnd.Tests;

/// <summary>
/// NCMD <c>Node Control/Reboot</c> (README, Sparkplug behaviour): a clean end of the session — DDEATH for every born
/// device, then NDEATH with the session's bdSeq — and a fresh start inside the same process: a new connection, a new
/// bdSeq, NBIRTH at seq 0 and the devices born again with their current values.
/// </summary>
public sealed class RebootCommandTests(ITestOutputHelper output) : EndToEndTest(output)
{
    [Fact]
    public async Task NcmdReboot_EndsTheSessionCleanly_AndStartsAFreshOneWithTheNextBdSeq()
    {
        var broker = await StartBrokerAsync();
        var slave = await StartSlaveAsync(new PyModbusRegisterMap().Holding(1, 0, 17));
        var observer = await ObserveAsync(broker);
        var config = Config(broker);
        config.Devices.Add(new DeviceYaml { Id = "Pump", Port = slave.Port, Metrics = ["{ name: Flow, table: holding, address: 0, type: uint16 }"] });
        var node = StartNode(config.ToYaml());
        var nbirth = await WaitNBirthAsync(observer);
        await WaitDBirthAsync(observer, "Pump", nbirth.Index);
        var bdSeq = BdSeq(nbirth);
        var pid = node.Process!.Id;

        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, 18);
        await WaitDataAsync(observer, "Pump", "Flow", m => m.AsLong() == 18, "= 18", nbirth.Index);
        await observer.PublishAsync(NCmdTopic, new JsonObject
        {
            ["timestamp"] = NowMs().ToString(CultureInfo.InvariantCulture),
            ["metrics"] = new JsonArray(new JsonObject { ["name"] = "Node Control/Reboot", ["type"] = "Boolean", ["value"] = true }),
        });

        var ddeath = await observer.WaitForTopicAsync(DDeathTopic("Pump"), StepTimeout, nbirth.Index);
        var ndeath = await observer.WaitForTopicAsync(NDeathTopic, StepTimeout, ddeath.Index);
        Assert.Equal(bdSeq, BdSeq(ndeath));
        var reborn = await WaitNBirthAsync(observer, ndeath.Index, StartTimeout);
        Assert.Equal(0, reborn.Seq);
        Assert.Equal((bdSeq + 1) % 256, BdSeq(reborn));
        var dbirth = await WaitDBirthAsync(observer, "Pump", reborn.Index);
        Assert.Equal(18, dbirth.Metric("Flow")!.AsLong());

        // Inside the same process (a reboot of the node, not of the gateway), and it keeps working afterwards.
        Assert.True(node.IsRunning);
        Assert.Equal(pid, node.Process!.Id);
        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, 19);
        await WaitDataAsync(observer, "Pump", "Flow", m => m.AsLong() == 19, "= 19 after the reboot", dbirth.Index);
        Assert.Null(FirstSeqBreak(SequencedMessages(observer.Messages.Skip(reborn.Index), GroupId, EdgeNodeId)));
    }
}
