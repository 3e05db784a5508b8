using System.Globalization;
using EdgeNode.EndToEnd.Tests.Infrastructure;
using EdgeNode.Testing;
using Xunit.Abstractions;
using static EdgeNode.EndToEnd.Tests.Infrastructure.SparkplugFacts;

namespace EdgeNode.EndToEnd.Tests;

/// <summary>
/// Issue 15, power cut: kill -9 of the node again and again while the broker is down and the store commits every
/// 100 ms. Each cycle stores a value the node surely committed (read, then five commit intervals) and then a value
/// the kill may catch mid-commit. The store must open every time (never "corrupt"), and every committed value must
/// arrive after the broker returns. CI runs 8 cycles; EDGENODE_POWERCUT_CYCLES runs more (issue 15 asks for hundreds).
/// </summary>
public sealed class PowerCutTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const string Device = "Meter";

    [Fact]
    public async Task KillMinus9DuringCommits_StoreAlwaysOpens_EveryCommittedChangeArrives()
    {
        var cycles = int.TryParse(Environment.GetEnvironmentVariable("EDGENODE_POWERCUT_CYCLES"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n : 8;
        var broker = await StartBrokerAsync();
        var slave = await StartSlaveAsync(new PyModbusRegisterMap().Holding(1, 0, 0));
        var observer = await ObserveAsync(broker);
        var config = Config(broker);
        config.Devices.Add(new DeviceYaml { Id = Device, Port = slave.Port, Metrics = ["{ name: Count, table: holding, address: 0, type: uint16 }"] });
        var node = CreateNode(config.ToYaml());
        await broker.StopAsync();

        var random = new Random(15);
        var committed = new List<int>();
        for (var cycle = 1; cycle <= cycles; cycle++)
        {
            node.Start();
            await WaitScansAsync(slave, 1, 2);
            await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, (ushort)cycle);
            await WaitScansAsync(slave, 1, 2);
            await Task.Delay(500); // five commit intervals: this change is on disk
            committed.Add(cycle);
            await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, (ushort)(cycle + 1000));
            await Task.Delay(random.Next(0, 150)); // the kill lands anywhere in a commit interval
            await node.KillAsync();
        }

        node.Start();
        await WaitScansAsync(slave, 1, 2);
        var from = observer.Count;
        await RestartBrokerHoldingNodeAsync(broker, node, observer);
        var nbirth = await WaitNBirthAsync(observer, from, StepTimeout);
        await WaitDBirthAsync(observer, Device, nbirth.Index, StepTimeout);
        var wanted = committed.ToHashSet();
        await observer.WaitForConditionAsync(_ =>
                wanted.IsSubsetOf(DataOf(observer, DDataTopic(Device), "Count", from, historical: null).Select(x => (int)x.Metric.AsLong())),
            TimeSpan.FromSeconds(30), $"every committed change of the {cycles} cycles ({string.Join(",", wanted)})", from);

        var storeLines = node.Output.Split('\n').Where(l => l.Contains("store", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.DoesNotContain(storeLines, l => l.Contains("corrupt", StringComparison.OrdinalIgnoreCase));
        Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{cycles} kill -9 cycles, {committed.Count} committed changes all delivered, {nbirth.Metric("Store/Dropped")?.Describe()}"));
    }
}
