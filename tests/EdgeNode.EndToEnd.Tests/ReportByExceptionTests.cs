using EdgeNode.EndToEnd.Tests.Infrastructure;
using EdgeNode.Testing;
using Xunit.Abstractions;

namespace EdgeNode.EndToEnd.Tests;

/// <summary>
/// Report by exception (contract: "NDATA/DDATA carry only what changed", "deadband compares with the last reported
/// value"; issue 5: "changes within one scan of one device go into one DDATA", "NDATA/DDATA by alias only").
/// </summary>
public sealed class ReportByExceptionTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const int ScanMs = 100;

    private async Task<(PyModbusSlave Slave, SparkplugObserver Observer, SparkplugMessage DBirth)> StartAsync()
    {
        var broker = await StartBrokerAsync();
        var slave = await StartSlaveAsync(new PyModbusRegisterMap()
            .Holding(1, 0, Registers.Float32(10.0f))
            .Holding(1, 2, 1, 2, 3, 4)
            .Holding(1, 6, 0)
            .Holding(1, 10, Registers.String("idle", 2))
            .Coils(1, 0, false));
        var observer = await ObserveAsync(broker);
        var config = Config(broker);
        config.ScanMs = ScanMs;
        config.Devices.Add(new DeviceYaml
        {
            Id = "Mill",
            Port = slave.Port,
            Metrics =
            [
                "{ name: Speed, table: holding, address: 0, type: float32, deadband: 0.5 }",
                "{ name: A, table: holding, address: 2, type: uint16 }",
                "{ name: B, table: holding, address: 3, type: int16 }",
                "{ name: C, table: holding, address: 4, type: uint16 }",
                "{ name: D, table: holding, address: 5, type: uint16 }",
                "{ name: Flags/Word, table: holding, address: 6, type: uint16 }",
                "{ name: Flags/Bit0, table: holding, address: 6, type: bool, bit: 0 }",
                "{ name: Flags/Bit1, table: holding, address: 6, type: bool, bit: 1 }",
                "{ name: State, table: holding, address: 10, type: string, length: 2 }",
                "{ name: Motor, table: coil, address: 0, type: bool }",
            ],
        });
        StartNode(config.ToYaml());
        var nbirth = await WaitNBirthAsync(observer);
        var dbirth = await WaitDBirthAsync(observer, "Mill", nbirth.Index);
        return (slave, observer, dbirth);
    }

    [Fact]
    public async Task UnchangedValues_AreNotSentAgain()
    {
        var (slave, observer, dbirth) = await StartAsync();

        await WaitScansAsync(slave, 1, 10);
        await observer.AssertNoneAsync(m => m.Topic == DDataTopic("Mill"), TimeSpan.FromMilliseconds(500),
            "DDATA while no register changed", dbirth.Index);
    }

    [Fact]
    public async Task OneChangedValue_IsSentOnceByAliasWithItsReadTimestamp()
    {
        var (slave, observer, dbirth) = await StartAsync();
        var alias = dbirth.Metric("A")!.Alias;

        var before = NowMs();
        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 2, 42);
        var (message, metric) = await WaitDataAsync(observer, "Mill", "A", m => m.AsLong() == 42, "= 42", dbirth.Index);

        Assert.True(message.Payload!.Metrics.Count == 1, $"only A changed: {observer.Summarize(message)}");
        Assert.True(metric.Name is null && metric.Alias == alias, $"DDATA must carry A by alias {alias} only, got {metric.Describe()}");
        Assert.True(metric.Timestamp is { } ts && (long)ts >= before - 50 && (long)ts <= message.ReceivedMs + 50,
            $"metric timestamp {metric.Timestamp} is not the read time (changed at {before}, received {message.ReceivedMs})");
        Assert.True(message.Payload.Timestamp is not null && message.Payload.Seq is not null, "DDATA needs payload timestamp and seq");
        Assert.False(metric.IsHistorical);

        await WaitScansAsync(slave, 1, 5);
        Assert.Single(DataOf(observer, DDataTopic("Mill"), "A", dbirth.Index));
    }

    [Fact]
    public async Task Deadband_ComparesWithTheLastReportedValue_NotTheLastRead()
    {
        var (slave, observer, dbirth) = await StartAsync();
        Assert.Equal(10.0, dbirth.Metric("Speed")!.AsDouble());

        // 10.3 and 10.6 each move 0.3 from the previous read; 10.6 moved 0.6 from the last REPORTED 10.0
        foreach (var (value, reported) in new[] { (10.3f, false), (10.6f, true), (10.9f, false), (11.2f, true), (10.8f, false), (10.5f, true) })
        {
            var from = observer.Count;
            await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, Registers.Float32(value));
            if (reported)
            {
                await WaitDataAsync(observer, "Mill", "Speed", m => Math.Abs(m.AsDouble() - value) < 1e-4, $"= {value}", from);
            }
            else
            {
                await WaitScansAsync(slave, 1, 6);
                var sent = DataOf(observer, DDataTopic("Mill"), "Speed", from);
                if (sent.Count > 0)
                {
                    Assert.Fail($"{value} is within the deadband 0.5 of the last reported value, but was sent: {sent[0].Metric.Describe()}\n{observer.Report(dbirth.Index)}");
                }
            }
        }

        var all = DataOf(observer, DDataTopic("Mill"), "Speed", dbirth.Index).Select(x => Math.Round(x.Metric.AsDouble(), 3)).ToList();
        Assert.Equal([10.6, 11.2, 10.5], all);
    }

    [Fact]
    public async Task ChangesWithinOneScan_GoIntoOneDdata()
    {
        var (slave, observer, dbirth) = await StartAsync();

        // one write of four adjacent registers, and one register feeding three metrics: all seen by the same scan
        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 2, 100, unchecked((ushort)-200), 300, 400);
        var (message, _) = await WaitDataAsync(observer, "Mill", "A", m => m.AsLong() == 100, "= 100", dbirth.Index);
        var names = observer.ResolvedMetrics(message).Select(x => x.Name).ToHashSet();
        Assert.True(names.SetEquals(["A", "B", "C", "D"]), $"one DDATA with A, B, C, D expected: {observer.Summarize(message)}");
        Assert.Equal(-200, observer.FindMetric(message, "B")!.AsLong());

        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 6, 3);
        var (flags, _) = await WaitDataAsync(observer, "Mill", "Flags/Word", m => m.AsLong() == 3, "= 3", message.Index + 1);
        Assert.True(observer.FindMetric(flags, "Flags/Bit0")?.AsBool() == true && observer.FindMetric(flags, "Flags/Bit1")?.AsBool() == true,
            $"the word and both bits changed in one read: {observer.Summarize(flags)}");
        Assert.Equal(3, flags.Payload!.Metrics.Count);
    }

    [Fact]
    public async Task BooleanAndStringChanges_AreReported()
    {
        var (slave, observer, dbirth) = await StartAsync();

        await slave.SetBitsAsync(1, PyModbusTable.Coils, 0, true);
        await WaitDataAsync(observer, "Mill", "Motor", m => m.AsBool(), "= true", dbirth.Index);
        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 10, Registers.String("run", 2));
        await WaitDataAsync(observer, "Mill", "State", m => m.AsString() == "run", "= \"run\"", dbirth.Index);
        await slave.SetBitsAsync(1, PyModbusTable.Coils, 0, false);
        await WaitDataAsync(observer, "Mill", "Motor", m => !m.AsBool(), "= false", dbirth.Index);
    }

    [Fact]
    public async Task AliasesOff_DataCarriesMetricNames()
    {
        var broker = await StartBrokerAsync();
        var slave = await StartSlaveAsync(new PyModbusRegisterMap().Holding(1, 0, 1));
        var observer = await ObserveAsync(broker);
        var config = Config(broker);
        config.NodeExtras.Add("aliases: false");
        config.Devices.Add(new DeviceYaml { Id = "Mill", Port = slave.Port, Metrics = ["{ name: A, table: holding, address: 0, type: uint16 }"] });
        StartNode(config.ToYaml());
        var nbirth = await WaitNBirthAsync(observer);
        var dbirth = await WaitDBirthAsync(observer, "Mill", nbirth.Index);

        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, 2);
        var (message, metric) = await WaitDataAsync(observer, "Mill", "A", m => m.AsLong() == 2, "= 2", dbirth.Index);
        Assert.True(metric.Name == "A", $"with aliases off, DDATA carries the name: {observer.Summarize(message)}");
        Assert.Null(dbirth.Metric("A")!.Alias);
        Assert.Null(nbirth.Metric("bdSeq")!.Alias);
    }

    [Fact]
    public async Task MaxIntervalMs_ReportsAnUnchangedValueAtLeastThatOften()
    {
        var broker = await StartBrokerAsync();
        var slave = await StartSlaveAsync(new PyModbusRegisterMap().Holding(1, 0, 5, 6));
        var observer = await ObserveAsync(broker);
        var config = Config(broker);
        config.Devices.Add(new DeviceYaml
        {
            Id = "Mill",
            Port = slave.Port,
            Metrics = ["{ name: Heartbeat, table: holding, address: 0, type: uint16, maxIntervalMs: 500 }", "{ name: Quiet, table: holding, address: 1, type: uint16 }"],
        });
        StartNode(config.ToYaml());
        var nbirth = await WaitNBirthAsync(observer);
        var dbirth = await WaitDBirthAsync(observer, "Mill", nbirth.Index);

        await Task.Delay(2600);
        var sent = DataOf(observer, DDataTopic("Mill"), "Heartbeat", dbirth.Index);
        Assert.True(sent.Count >= 4 && sent.All(x => x.Metric.AsLong() == 5), $"Heartbeat (unchanged, maxIntervalMs 500) sent {sent.Count} time(s) in 2.6 s\n{observer.Report(dbirth.Index)}");
        Assert.Empty(DataOf(observer, DDataTopic("Mill"), "Quiet", dbirth.Index));
    }

    [Fact]
    public async Task ScanRateNcmd_ChangesTheDefaultScanRate()
    {
        var (slave, observer, dbirth) = await StartAsync();
        var nbirth = observer.Latest(GroupId, EdgeNodeId, "NBIRTH")!;
        var alias = nbirth.Metric("Node Control/Scan Rate")!.Alias!.Value;
        var type = nbirth.Metric("Node Control/Scan Rate")!.DatatypeName!;

        async Task<int> PollsInAsync(TimeSpan window)
        {
            await slave.ResetCountsAsync();
            await Task.Delay(window);
            return await slave.RequestCountAsync(1, 3); // function 3: read holding registers (a fixed number per scan)
        }

        var fast = await PollsInAsync(TimeSpan.FromSeconds(2));
        var from = observer.Count;
        await observer.PublishAsync(NCmdTopic, new System.Text.Json.Nodes.JsonObject
        {
            ["metrics"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject
            {
                ["alias"] = alias.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["type"] = type,
                ["value"] = type is "Int64" or "UInt64" ? "1000" : 1000,
            }),
        });
        await observer.WaitForAsync(m => m.Topic == NDataTopic && observer.FindMetric(m, "Node Control/Scan Rate") is { } x && x.AsLong() == 1000,
            StepTimeout, "NDATA with Node Control/Scan Rate = 1000", from);
        await Task.Delay(1200);
        var slow = await PollsInAsync(TimeSpan.FromSeconds(3));

        // 100 ms -> 1000 ms: ten times fewer polls per second (allow a factor of four for timing slack)
        Assert.True(fast >= 10, $"{fast} holding reads in 2 s at scanMs 100");
        Assert.True(slow >= 1 && slow / 3.0 <= fast / 2.0 / 4, $"{slow} holding reads in 3 s after Scan Rate = 1000 ms, {fast} in 2 s before");
        Assert.True(dbirth.Index < from);
    }
}
