using EdgeNode.EndToEnd.Tests.Infrastructure;
using EdgeNode.Testing;
using Xunit.Abstractions;
using static EdgeNode.EndToEnd.Tests.Infrastructure.SparkplugFacts;

namespace EdgeNode.EndToEnd.Tests;

/// <summary>
/// Contract: "A device that stops answering gets a DDEATH; when it answers again, a DBIRTH." Issue 5: the DBIRTH has
/// fresh values, and a device that never answered at start-up is born when it first answers.
/// </summary>
public sealed class DeviceHealthTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private async Task<(PyModbusSlave Slave, SparkplugObserver Observer, NodeUnderTest Node, NodeConfig Config)> StartAsync(
        Func<PyModbusSlave, Task>? beforeNode = null)
    {
        var broker = await StartBrokerAsync();
        var slave = await StartSlaveAsync(new PyModbusRegisterMap().Holding(1, 0, 1).Holding(2, 0, 2), 1, 2);
        if (beforeNode is not null)
        {
            await beforeNode(slave);
        }

        var observer = await ObserveAsync(broker);
        var config = Config(broker);
        foreach (var (id, unit) in new[] { ("Left", (byte)1), ("Right", (byte)2) })
        {
            config.Devices.Add(new DeviceYaml
            {
                Id = id,
                Port = slave.Port,
                UnitId = unit,
                TimeoutMs = 300,
                Retries = 1,
                Metrics = ["{ name: Value, table: holding, address: 0, type: uint16 }"],
            });
        }

        var node = StartNode(config.ToYaml());
        return (slave, observer, node, config);
    }

    [Fact]
    public async Task MutedUnit_GetsDdeath_ThenDbirthWithFreshValuesWhenItAnswersAgain_OtherDeviceUnaffected()
    {
        var (slave, observer, node, _) = await StartAsync();
        var nbirth = await WaitNBirthAsync(observer);
        await WaitDBirthAsync(observer, "Left", nbirth.Index);
        await WaitDBirthAsync(observer, "Right", nbirth.Index);

        await slave.MuteAsync(1);
        var ddeath = await observer.WaitForTopicAsync(DDeathTopic("Left"), StepTimeout, nbirth.Index);
        Assert.True(ddeath.Payload!.Seq is not null && ddeath.Payload.Timestamp is not null, $"DDEATH needs seq and timestamp: {observer.Summarize(ddeath)}");
        Assert.Equal(0, ddeath.Qos);

        // the other unit on the same connection keeps reporting
        await slave.SetRegistersAsync(2, PyModbusTable.HoldingRegisters, 0, 222);
        await WaitDataAsync(observer, "Right", "Value", m => m.AsLong() == 222, "= 222", ddeath.Index);

        // while dead, the device must not report data; when it answers again: DBIRTH with the value it has now
        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, 111);
        await Task.Delay(300);
        await slave.UnmuteAsync(1);
        var reborn = await WaitDBirthAsync(observer, "Left", ddeath.Index, StepTimeout);
        Assert.Equal(111, reborn.Metric("Value")!.AsLong());
        var dataWhileDead = observer.Messages.Where(m => m.Index > ddeath.Index && m.Index < reborn.Index && m.Topic == DDataTopic("Left")).ToList();
        Assert.True(dataWhileDead.Count == 0, $"DDATA of a dead device: {string.Join(", ", dataWhileDead)}");

        Assert.Null(FirstSeqBreak(SequencedMessages(observer.Messages, GroupId, EdgeNodeId)));
        Assert.True(node.IsRunning);
        Assert.DoesNotContain(observer.Messages, m => m.Topic == NDeathTopic);
    }

    [Fact]
    public async Task StoppedSlave_GetsDdeathForEveryUnit_ThenDbirthsWhenItIsBack()
    {
        var (slave, observer, _, _) = await StartAsync();
        var nbirth = await WaitNBirthAsync(observer);
        await WaitDBirthAsync(observer, "Left", nbirth.Index);
        await WaitDBirthAsync(observer, "Right", nbirth.Index);

        await slave.StopAsync();
        var left = await observer.WaitForTopicAsync(DDeathTopic("Left"), StepTimeout, nbirth.Index);
        var right = await observer.WaitForTopicAsync(DDeathTopic("Right"), StepTimeout, nbirth.Index);

        await slave.StartAgainAsync();
        var from = Math.Max(left.Index, right.Index);
        var leftBirth = await WaitDBirthAsync(observer, "Left", from, StepTimeout);
        var rightBirth = await WaitDBirthAsync(observer, "Right", from, StepTimeout);
        Assert.Equal(1, leftBirth.Metric("Value")!.AsLong());
        Assert.Equal(2, rightBirth.Metric("Value")!.AsLong());
        Assert.Null(FirstSeqBreak(SequencedMessages(observer.Messages, GroupId, EdgeNodeId)));

        // and it reports again
        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, 5);
        await WaitDataAsync(observer, "Left", "Value", m => m.AsLong() == 5, "= 5", leftBirth.Index);
    }

    [Fact]
    public async Task DeviceSilentAtStartup_IsBornWhenItFirstAnswers()
    {
        var (slave, observer, _, _) = await StartAsync(beforeNode: s => s.MuteAsync(1));
        var nbirth = await WaitNBirthAsync(observer);
        await WaitDBirthAsync(observer, "Right", nbirth.Index);
        await Task.Delay(1000);
        Assert.DoesNotContain(observer.Messages, m => m.Topic == DBirthTopic("Left"));
        Assert.DoesNotContain(observer.Messages, m => m.Topic == DDataTopic("Left"));

        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, 42);
        await slave.UnmuteAsync(1);
        var born = await WaitDBirthAsync(observer, "Left", nbirth.Index, StepTimeout);
        Assert.Equal(42, born.Metric("Value")!.AsLong());
        Assert.True(born.Metric("Value")!.Alias is not null);
        Assert.Null(FirstSeqBreak(SequencedMessages(observer.Messages, GroupId, EdgeNodeId)));
    }
}
