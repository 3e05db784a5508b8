using System.Globalization;
using EdgeNode.EndToEnd.Tests.Infrastructure;
using EdgeNode.Testing;
using Xunit.Abstractions;
using static EdgeNode.EndToEnd.Tests.Infrastructure.SparkplugFacts;

namespace EdgeNode.EndToEnd.Tests;

/// <summary>
/// Issue 15, a full disk under the store: the store lives on a small tmpfs (<see cref="TmpfsMount"/>, root as in CI)
/// that a filler file fills to the last byte. Live data keeps flowing; while the broker link is down too, changes wait
/// in memory; when space returns they are committed, and after the link returns they are replayed; the store is never
/// found corrupt.
/// </summary>
public sealed class DiskFullTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const string Device = "Meter";

    [Fact]
    public async Task DiskFull_LiveDataFlows_OutageChangesKeptInMemory_CommittedWhenSpaceReturns_Replayed_NeverCorrupt()
    {
        await using var disk = await TmpfsMount.MountAsync(4096);
        var broker = await StartBrokerAsync();
        await using var relay = TcpFaultRelay.Start(broker.Port);
        var slave = await StartSlaveAsync(new PyModbusRegisterMap().Holding(1, 0, 0));
        var observer = await ObserveAsync(broker);
        var config = Config(broker);
        config.Servers.Clear();
        config.Servers.Add(string.Create(CultureInfo.InvariantCulture, $"mqtt://127.0.0.1:{relay.Port}"));
        config.StorePath = Path.Combine(disk.Path, "store.db");
        config.Devices.Add(new DeviceYaml { Id = Device, Port = slave.Port, Metrics = ["{ name: Count, table: holding, address: 0, type: uint16 }"] });
        var node = StartNode(config.ToYaml());
        var nbirth = await WaitNBirthAsync(observer);
        var dbirth = await WaitDBirthAsync(observer, Device, nbirth.Index);

        var filled = await disk.FillAsync();
        Output.WriteLine($"filler took {filled / 1024} KiB of the 4 MiB tmpfs");

        // Live data does not wait for the disk.
        foreach (var v in new[] { 1, 2, 3 })
        {
            await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, (ushort)v);
            await WaitDataAsync(observer, Device, "Count", m => m.AsLong() == v, $"= {v} live with the disk full", dbirth.Index);
        }

        // The link goes down while the disk is full: the changes wait in memory.
        relay.ResetAll(refuseNew: true);
        var from = observer.Count;
        var outage = Enumerable.Range(10, 10).ToList();
        foreach (var v in outage)
        {
            await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, (ushort)v);
            await WaitScansAsync(slave, 1, 2);
        }

        // Space returns, then the link: every change of the outage arrives after the new births.
        disk.Free();
        await Task.Delay(1000); // a few commit intervals (100 ms in the test configuration)
        relay.Pass();
        var nbirth2 = await WaitNBirthAsync(observer, from, StepTimeout);
        var dbirth2 = await WaitDBirthAsync(observer, Device, nbirth2.Index, StepTimeout);
        await observer.WaitForConditionAsync(_ =>
                outage.ToHashSet().IsSubsetOf(DataOf(observer, DDataTopic(Device), "Count", from, historical: null).Select(x => (int)x.Metric.AsLong())),
            TimeSpan.FromSeconds(20), $"every change of the outage ({string.Join(",", outage)})", from);
        Output.WriteLine($"after: {observer.Summarize(nbirth2)}");

        // The store on the once-full disk opens clean: a restart finds no corruption and replays nothing twice as live.
        Assert.Equal(0, await node.StopAsync());
        node.Start();
        var nbirth3 = await WaitNBirthAsync(observer, dbirth2.Index + 1, StepTimeout);
        await WaitDBirthAsync(observer, Device, nbirth3.Index, StepTimeout);
        var storeLines = node.Output.Split('\n').Where(l => l.Contains("store", StringComparison.OrdinalIgnoreCase)).ToList();
        Output.WriteLine(string.Join("\n", storeLines));
        Assert.Contains(storeLines, l => l.Contains("disk is full", StringComparison.OrdinalIgnoreCase)); // the store reported it
        Assert.DoesNotContain(storeLines, l => l.Contains("corrupt", StringComparison.OrdinalIgnoreCase));
        var liveTwice = DataOf(observer, DDataTopic(Device), "Count", dbirth.Index, historical: false)
            .GroupBy(x => x.Metric.AsLong()).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(liveTwice.Count == 0, $"delivered twice as live data: {string.Join(",", liveTwice)}");
    }
}
