using EdgeNode.EndToEnd.Tests.Infrastructure;
using EdgeNode.Testing;
using Xunit.Abstractions;
using static EdgeNode.EndToEnd.Tests.Infrastructure.SparkplugFacts;

namespace EdgeNode.EndToEnd.Tests;

/// <summary>
/// One seq counter per edge node across NBIRTH/DBIRTH/NDATA/DDATA/DDEATH, 0–255 wrapping (contract), and the
/// rebirth NCMD (NBIRTH and all DBIRTHs again, same bdSeq, nothing in between).
/// </summary>
public sealed class SequenceTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private static readonly string[] s_devices = ["U1", "U2", "U3"];

    private async Task<(PyModbusSlave Slave, SparkplugObserver Observer, SparkplugMessage NBirth)> StartThreeDevicesAsync(int scanMs)
    {
        var broker = await StartBrokerAsync();
        var slave = await StartSlaveAsync(new PyModbusRegisterMap(), 1, 2, 3);
        var observer = await ObserveAsync(broker);
        var config = Config(broker);
        config.ScanMs = scanMs;
        for (byte unit = 1; unit <= 3; unit++)
        {
            config.Devices.Add(new DeviceYaml
            {
                Id = s_devices[unit - 1],
                Port = slave.Port,
                UnitId = unit,
                Metrics = ["{ name: Counter, table: holding, address: 0, type: uint16 }", "{ name: Fixed, table: holding, address: 1, type: uint16 }"],
            });
        }

        StartNode(config.ToYaml());
        var nbirth = await WaitNBirthAsync(observer);
        foreach (var device in s_devices)
        {
            await WaitDBirthAsync(observer, device, nbirth.Index);
        }

        return (slave, observer, nbirth);
    }

    private static async Task ChangeUntilAsync(PyModbusSlave slave, Func<bool> done, TimeSpan limit, int periodMs)
    {
        var deadline = DateTime.UtcNow + limit;
        for (ushort i = 1; !done() && DateTime.UtcNow < deadline; i++)
        {
            for (byte unit = 1; unit <= 3; unit++)
            {
                await slave.SetRegistersAsync(unit, PyModbusTable.HoldingRegisters, 0, i);
            }

            await Task.Delay(periodMs);
        }
    }

    [Fact]
    public async Task Seq_IsContinuousAcrossNodeAndDeviceMessages_AndWraps255To0()
    {
        var (slave, observer, nbirth) = await StartThreeDevicesAsync(scanMs: 50);

        int Sequenced() => SequencedMessages(observer.Messages, GroupId, EdgeNodeId).Count(m => m.Index >= nbirth.Index);
        await ChangeUntilAsync(slave, () => Sequenced() >= 300, TimeSpan.FromSeconds(40), periodMs: 30);
        await Task.Delay(300);

        var ours = SequencedMessages(observer.Messages, GroupId, EdgeNodeId).Where(m => m.Index >= nbirth.Index).ToList();
        Assert.True(ours.Count >= 300, $"only {ours.Count} sequenced messages within 40 s\n{observer.Report(Math.Max(0, observer.Count - 80))}");
        Assert.True(ours.Count(m => m.MessageType == "NBIRTH") == 1, "no rebirth expected during the run");
        var seqBreak = FirstSeqBreak(ours);
        Assert.True(seqBreak is null, $"{seqBreak}\n{observer.Report(Math.Max(0, observer.Count - 80))}");
        var wraps = ours.Zip(ours.Skip(1)).Count(p => p.First.Seq == 255 && p.Second.Seq == 0);
        Assert.True(wraps >= 1, "seq never wrapped from 255 to 0");
        Assert.All(ours.Where(m => m.IsData), m => Assert.True(m.Qos == 0 && !m.Retain, $"{m} must be QoS 0, not retained"));
    }

    [Fact]
    public async Task RebirthNcmd_RepublishesNodeAndEveryDeviceBirth_SameBdSeq_NoDataInBetween()
    {
        var (slave, observer, nbirth) = await StartThreeDevicesAsync(scanMs: 100);
        var bdSeq = BdSeq(nbirth);

        // keep data flowing so that DATA in the middle of the birth sequence would show
        using var stop = new CancellationTokenSource();
        var changing = ChangeUntilAsync(slave, () => stop.IsCancellationRequested, TimeSpan.FromSeconds(30), periodMs: 40);
        await WaitDataAsync(observer, "U1", "Counter", _ => true, "(any)", nbirth.Index);

        var from = observer.Count;
        await observer.RequestRebirthAsync(GroupId, EdgeNodeId);
        var rebirth = await WaitNBirthAsync(observer, from, StepTimeout);
        var dbirths = new List<SparkplugMessage>();
        foreach (var device in s_devices)
        {
            dbirths.Add(await WaitDBirthAsync(observer, device, rebirth.Index, StepTimeout));
        }

        await WaitDataAsync(observer, "U2", "Counter", _ => true, "(any) after the rebirth", dbirths.Max(d => d.Index));
        await stop.CancelAsync();
        await changing;

        var report = observer.Report(from);
        Assert.Equal(0, rebirth.Seq);
        Assert.Equal(bdSeq, BdSeq(rebirth));
        Assert.False(rebirth.Metric(Rebirth)!.AsBool());
        var last = dbirths.Max(d => d.Index);
        var between = SequencedMessages(observer.Messages, GroupId, EdgeNodeId).Where(m => m.Index > rebirth.Index && m.Index < last && m.IsData).ToList();
        Assert.True(between.Count == 0, $"DATA between the NBIRTH and the last DBIRTH of the rebirth: {string.Join(", ", between)}\n{report}");
        var seqBreak = FirstSeqBreak(SequencedMessages(observer.Messages, GroupId, EdgeNodeId));
        Assert.True(seqBreak is null, $"{seqBreak}\n{report}");
        Assert.DoesNotContain(observer.Messages, m => m.Topic == NDeathTopic);

        // the DBIRTH carries current values: the counter the host sees starts at the latest value, not the first
        Assert.True(dbirths[0].Metric("Counter")!.AsLong() > 0, observer.Summarize(dbirths[0]));
    }
}
