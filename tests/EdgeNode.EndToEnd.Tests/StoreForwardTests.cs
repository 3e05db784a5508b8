using System.Text;
using EdgeNode.EndToEnd.Tests.Infrastructure;
using EdgeNode.Testing;
using Xunit.Abstractions;
using static EdgeNode.EndToEnd.Tests.Infrastructure.SparkplugFacts;

namespace EdgeNode.EndToEnd.Tests;

/// <summary>
/// Store-and-forward (contract: "While the broker or the primary host is unreachable, changes are stored on disk and
/// sent after the next births with is_historical = true and their original timestamps, oldest first"; issue 6: the
/// detection gap, kill -9, capacity, corruption).
/// </summary>
public sealed class StoreForwardTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const string Device = "Meter";

    /// <summary>A value the test wrote, when, and when the node had surely read it (three polls later).</summary>
    private sealed record Change(int Value, long SetMs, long ReadByMs);

    private async Task<(MosquittoBroker Broker, PyModbusSlave Slave, SparkplugObserver Observer, NodeUnderTest Node, SparkplugMessage NBirth)> StartAsync(
        Action<NodeConfig>? configure = null, bool start = true)
    {
        var broker = await StartBrokerAsync();
        var slave = await StartSlaveAsync(new PyModbusRegisterMap().Holding(1, 0, 0));
        var observer = await ObserveAsync(broker);
        var config = Config(broker);
        config.Devices.Add(new DeviceYaml
        {
            Id = Device,
            Port = slave.Port,
            Metrics = ["{ name: Count, table: holding, address: 0, type: uint16 }"],
        });
        configure?.Invoke(config);
        var node = CreateNode(config.ToYaml());
        if (!start)
        {
            return (broker, slave, observer, node, null!);
        }

        node.Start();
        var nbirth = await WaitNBirthAsync(observer);
        await WaitDBirthAsync(observer, Device, nbirth.Index);
        return (broker, slave, observer, node, nbirth);
    }

    /// <summary>Writes each value and waits until the node polled three more times (the device has one metric: one request per scan).</summary>
    private async Task<List<Change>> ChangeAsync(PyModbusSlave slave, IEnumerable<int> values, int extraDelayMs = 0)
    {
        var changes = new List<Change>();
        foreach (var value in values)
        {
            var set = NowMs();
            await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, (ushort)value);
            await WaitScansAsync(slave, 1, 3);
            changes.Add(new Change(value, set, NowMs()));
            if (extraDelayMs > 0)
            {
                await Task.Delay(extraDelayMs);
            }
        }

        return changes;
    }

    private Task WaitHistoricalAsync(SparkplugObserver observer, IEnumerable<Change> changes, int fromIndex, TimeSpan? timeout = null)
    {
        var wanted = changes.Select(c => c.Value).ToHashSet();
        return observer.WaitForConditionAsync(_ =>
                wanted.IsSubsetOf(DataOf(observer, DDataTopic(Device), "Count", fromIndex, historical: null).Where(x => x.Metric.IsHistorical).Select(x => (int)x.Metric.AsLong())),
            timeout ?? TimeSpan.FromSeconds(20), $"historical DDATA of Count = {string.Join(", ", wanted)}", fromIndex);
    }

    /// <summary>Checks one historical metric against the change it replays: its original read time.</summary>
    private static string? CheckTimestamp(ObservedMetric metric, Change change)
    {
        if (metric.Timestamp is not { } ts)
        {
            return $"value {change.Value}: no timestamp";
        }

        return (long)ts >= change.SetMs - 50 && (long)ts <= change.ReadByMs + 50
            ? null
            : $"value {change.Value}: timestamp {ts} is not when it was read (written at {change.SetMs}, read by {change.ReadByMs})";
    }

    private void AssertReplayedInOrder(SparkplugObserver observer, IReadOnlyList<Change> changes, SparkplugMessage dbirth, bool allowDuplicates)
    {
        var historical = DataOf(observer, DDataTopic(Device), "Count", dbirth.Index, historical: null)
            .Where(x => x.Metric.IsHistorical).ToList();
        var values = historical.Select(x => (int)x.Metric.AsLong()).ToList();
        var report = observer.Report(dbirth.Index);
        var expected = changes.Select(c => c.Value).ToList();
        if (allowDuplicates)
        {
            Assert.True(expected.All(values.Contains), $"historical values {string.Join(",", values)} miss some of {string.Join(",", expected)}\n{report}");
        }
        else
        {
            Assert.True(values.SequenceEqual(expected), $"historical values {string.Join(",", values)}, expected exactly {string.Join(",", expected)} in order\n{report}");
        }

        var problems = new List<string>();
        foreach (var (message, metric) in historical)
        {
            var change = changes.FirstOrDefault(c => c.Value == metric.AsLong());
            if (change is not null && CheckTimestamp(metric, change) is { } problem)
            {
                problems.Add(problem);
            }

            if (message.Index < dbirth.Index)
            {
                problems.Add($"historical {metric.Describe()} arrived before the births");
            }
        }

        var stamps = historical.Select(x => x.Metric.Timestamp ?? 0).ToList();
        if (!allowDuplicates && !stamps.SequenceEqual(stamps.Order()))
        {
            problems.Add($"historical timestamps not oldest first: {string.Join(",", stamps)}");
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n" + report);
    }

    [Fact]
    public async Task BrokerKilledAndRestarted_ChangesFollowTheNewBirths_InOrder_Historical_WithOriginalTimestamps()
    {
        var (broker, slave, observer, node, nbirth) = await StartAsync();
        var b0 = BdSeq(nbirth);

        await broker.StopAsync();
        var changes = await ChangeAsync(slave, Enumerable.Range(1, 8));
        var from = observer.Count;
        await RestartBrokerHoldingNodeAsync(broker, node, observer);

        var nbirth2 = await WaitNBirthAsync(observer, from, StepTimeout);
        var dbirth2 = await WaitDBirthAsync(observer, Device, nbirth2.Index, StepTimeout);
        Assert.Equal((b0 + 1) % 256, BdSeq(nbirth2));
        Assert.Equal(8, dbirth2.Metric("Count")!.AsLong());
        await WaitHistoricalAsync(observer, changes, dbirth2.Index);

        AssertReplayedInOrder(observer, changes, dbirth2, allowDuplicates: false);
        var seqBreak = FirstSeqBreak(SequencedMessages(observer.Messages.Skip(nbirth2.Index), GroupId, EdgeNodeId));
        Assert.True(seqBreak is null, seqBreak);

        // live data goes on after the replay, not historical
        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, 99);
        var (_, live) = await WaitDataAsync(observer, Device, "Count", m => m.AsLong() == 99, "= 99", dbirth2.Index);
        Assert.False(live.IsHistorical);
    }

    [Fact]
    public async Task NodeKilledMinus9WhileBrokerDown_StoredChangesStillArriveAfterRestart()
    {
        var (broker, slave, observer, node, nbirth) = await StartAsync();
        var b0 = BdSeq(nbirth);

        await broker.StopAsync();
        var changes = await ChangeAsync(slave, Enumerable.Range(1, 5));
        await Task.Delay(600); // > commitIntervalMs (100): the last change is durable
        await node.KillAsync();

        var before = observer.Subscriptions;
        await broker.StartAsync();
        await observer.WaitReconnectedAsync(before, TimeSpan.FromSeconds(20));
        var from = observer.Count;
        node.Start();

        var nbirth2 = await WaitNBirthAsync(observer, from);
        var dbirth2 = await WaitDBirthAsync(observer, Device, nbirth2.Index);
        Assert.Equal((b0 + 1) % 256, BdSeq(nbirth2));
        await WaitHistoricalAsync(observer, changes, dbirth2.Index);
        AssertReplayedInOrder(observer, changes, dbirth2, allowDuplicates: false);
    }

    [Fact]
    public async Task DetectionGap_FrozenBrokerThenKilled_EveryChangeStillArrives()
    {
        var (broker, slave, observer, node, nbirth) = await StartAsync(c =>
        {
            c.KeepAliveSeconds = 2;
            c.ConnectTimeoutMs = 2000;
        });
        var dbirth = observer.Latest(GroupId, EdgeNodeId, "DBIRTH", Device)!;
        await ChangeAsync(slave, [500]);
        await WaitDataAsync(observer, Device, "Count", m => m.AsLong() == 500, "= 500 (live before the freeze)", dbirth.Index);

        // The link goes dead silently: QoS 0 data written into it is lost unless the node keeps what was not proven
        // delivered. Values change before and after the node's keep-alive notices (1.5 x 2 s).
        var frozenAt = observer.Count;
        broker.Freeze();
        var changes = await ChangeAsync(slave, Enumerable.Range(1, 10), extraDelayMs: 300);
        await Task.Delay(1000);
        await KillWithoutThawAsync(broker);
        await RestartBrokerHoldingNodeAsync(broker, node, observer);

        var nbirth2 = await WaitNBirthAsync(observer, frozenAt, StepTimeout);
        var dbirth2 = await WaitDBirthAsync(observer, Device, nbirth2.Index, StepTimeout);
        Assert.True(BdSeq(nbirth2) != BdSeq(nbirth), "a new connection needs a new bdSeq");

        var wanted = changes.Select(c => c.Value).ToHashSet();
        await observer.WaitForConditionAsync(_ =>
                wanted.IsSubsetOf(DataOf(observer, DDataTopic(Device), "Count", frozenAt, historical: null).Select(x => (int)x.Metric.AsLong())),
            TimeSpan.FromSeconds(20), $"every value written while the broker was frozen ({string.Join(",", wanted)}), live or historical", frozenAt);

        var problems = new List<string>();
        foreach (var (_, metric) in DataOf(observer, DDataTopic(Device), "Count", dbirth2.Index, historical: null).Where(x => x.Metric.IsHistorical))
        {
            var change = changes.FirstOrDefault(c => c.Value == metric.AsLong());
            if (change is not null && CheckTimestamp(metric, change) is { } problem)
            {
                problems.Add(problem);
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n" + observer.Report(frozenAt));
    }

    /// <summary>
    /// SIGKILL to the frozen broker without SIGCONT first (MosquittoBroker.StopAsync thaws before killing, which could
    /// let mosquitto deliver what sat in its socket buffers and hide a loss in the detection gap).
    /// </summary>
    private static async Task KillWithoutThawAsync(MosquittoBroker broker)
    {
        using (var kill = System.Diagnostics.Process.Start("kill", ["-KILL", broker.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (broker.IsRunning && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await broker.StopAsync(); // reaps the process
    }

    [Fact]
    public async Task StoreFull_OldestChangesAreDropped_AndCountedInStoreDropped()
    {
        const int metrics = 40;
        const int length = 125; // registers: 250 characters per value, one Modbus read each
        var broker = await StartBrokerAsync();
        var slave = await StartSlaveAsync(new PyModbusRegisterMap());
        var observer = await ObserveAsync(broker);
        var config = Config(broker);
        config.StoreMaxMegabytes = 1;
        config.ScanMs = 50;
        config.Devices.Add(new DeviceYaml
        {
            Id = Device,
            Port = slave.Port,
            Metrics = Enumerable.Range(0, metrics).Select(i => $"{{ name: S{i:00}, table: holding, address: {i * length}, type: string, length: {length} }}").ToList(),
        });
        var node = StartNode(config.ToYaml());
        var nbirth = await WaitNBirthAsync(observer);
        await WaitDBirthAsync(observer, Device, nbirth.Index);

        await broker.StopAsync();
        var random = new Random(42);
        string Text(int round, int metric)
        {
            var text = new StringBuilder($"R{round:0000}M{metric:00}-");
            while (text.Length < length * 2)
            {
                text.Append((char)random.Next(33, 127));
            }

            return text.ToString();
        }

        // write rounds of fresh text until well past 1 MiB (capacity includes SQLite's overhead), one scan per round
        var written = 0L;
        var round = 0;
        while (written < 3L * 1024 * 1024)
        {
            round++;
            var registers = new List<ushort>(metrics * length);
            for (var m = 0; m < metrics; m++)
            {
                registers.AddRange(Registers.String(Text(round, m), length));
            }

            await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, [.. registers]);
            await WaitScansAsync(slave, 1, metrics + 1, TimeSpan.FromSeconds(30));
            written += metrics * length * 2;
        }

        var lastRound = round;
        var from = observer.Count;
        await RestartBrokerHoldingNodeAsync(broker, node, observer);
        var nbirth2 = await WaitNBirthAsync(observer, from, StepTimeout);
        await WaitDBirthAsync(observer, Device, nbirth2.Index, StepTimeout);

        var dropped = nbirth2.Metric("Store/Dropped");
        Assert.True(dropped is not null && dropped.AsLong() > 0, $"Store/Dropped should count the dropped changes: {dropped?.Describe()}\n{observer.Summarize(nbirth2)}");

        // the newest survive: the last full round before the restart is replayed; the first round is gone
        var lastTag = $"R{lastRound - 1:0000}M";
        await observer.WaitForConditionAsync(messages =>
                messages.Skip(nbirth2.Index).Where(m => m.Topic == DDataTopic(Device))
                    .SelectMany(m => m.Payload?.Metrics ?? []).Count(x => x.IsHistorical && x.Value?.GetValue<string>()?.StartsWith(lastTag, StringComparison.Ordinal) == true) >= metrics,
            TimeSpan.FromSeconds(60), $"the historical replay of round {lastRound - 1} (the newest data)", nbirth2.Index);
        var firstRound = observer.Messages.Skip(nbirth2.Index).Where(m => m.Topic == DDataTopic(Device))
            .SelectMany(m => m.Payload?.Metrics ?? []).Count(x => x.Value?.GetValue<string>()?.StartsWith("R0001M", StringComparison.Ordinal) == true);
        Assert.True(firstRound == 0, $"{firstRound} values of the oldest round were replayed; the oldest data must be dropped first");
    }

    [Fact]
    public async Task CorruptStoreFile_IsMovedAside_TheNodeRunsAndStoresAgain()
    {
        var (broker, slave, observer, node, _) = await StartAsync(start: false);
        var garbage = new byte[64 * 1024];
        new Random(7).NextBytes(garbage);
        "NOT A SQLITE STORE "u8.CopyTo(garbage);
        var store = Path.Combine(node.StateDirectory, "store.db");
        await File.WriteAllBytesAsync(store, garbage);

        node.Start();
        var nbirth = await WaitNBirthAsync(observer);
        await WaitDBirthAsync(observer, Device, nbirth.Index);
        Assert.True(node.IsRunning, node.OutputTail());

        // moved aside, not deleted: the garbage is still somewhere in the state directory, but not as the store
        var files = node.StateFiles();
        var keptAside = files.Where(f => f.Name != "store.db").Any(f =>
        {
            var bytes = File.ReadAllBytes(Path.Combine(node.StateDirectory, f.Name));
            return bytes.Length >= 19 && bytes.AsSpan(0, 19).SequenceEqual("NOT A SQLITE STORE "u8);
        });
        Assert.True(keptAside, $"the corrupt store was not kept aside: {string.Join(", ", files.Select(f => $"{f.Name} ({f.Size})"))}");
        if (File.Exists(store))
        {
            Assert.False((await File.ReadAllBytesAsync(store)).AsSpan().StartsWith("NOT A SQLITE STORE "u8), "store.db is still the garbage");
        }

        // and the fresh store works
        var dbirth = observer.Latest(GroupId, EdgeNodeId, "DBIRTH", Device)!;
        await broker.StopAsync();
        var changes = await ChangeAsync(slave, [7, 8]);
        var from = observer.Count;
        await RestartBrokerHoldingNodeAsync(broker, node, observer);
        var nbirth2 = await WaitNBirthAsync(observer, from, StepTimeout);
        var dbirth2 = await WaitDBirthAsync(observer, Device, nbirth2.Index, StepTimeout);
        await WaitHistoricalAsync(observer, changes, dbirth2.Index);
        Assert.True(dbirth.Index < dbirth2.Index);
    }
}
