using System.Globalization;
using System.Text.Json.Nodes;
using EdgeNode.EndToEnd.Tests.Infrastructure;
using EdgeNode.Testing;
using Xunit.Abstractions;

namespace EdgeNode.EndToEnd.Tests;

/// <summary>
/// DCMD writes (contract: "DCMD to a writable metric writes the device, then the new value is reported"; scaled writes
/// are inverted and refused when the raw value does not fit) and the node's resilience to bad commands (issue 5:
/// unknown/read-only metrics are rejected, malformed payloads ignored, the node never crashes on a command).
/// </summary>
public sealed class CommandTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private static readonly int[] s_writeFunctions = [5, 6, 15, 16];

    private async Task<(PyModbusSlave Slave, SparkplugObserver Observer, NodeUnderTest Node, SparkplugMessage DBirth)> StartAsync()
    {
        var broker = await StartBrokerAsync();
        var slave = await StartSlaveAsync(new PyModbusRegisterMap()
            .Holding(1, 0, 10)
            .Holding(1, 1, Registers.Int16(50))
            .Holding(1, 2, 100)
            .Holding(1, 3, 7)
            .Holding(1, 4, 0)
            .Input(1, 0, 55)
            .Coils(1, 0, false));
        var observer = await ObserveAsync(broker);
        var config = Config(broker);
        config.Devices.Add(new DeviceYaml
        {
            Id = "Valve",
            Port = slave.Port,
            Metrics =
            [
                "{ name: Setpoint, table: holding, address: 0, type: uint16, writable: true }",
                "{ name: Temp/Setpoint, table: holding, address: 1, type: int16, scale: 0.1, offset: 5, writable: true }",
                "{ name: Limit, table: holding, address: 2, type: uint16, scale: 0.1, writable: true }",
                "{ name: Status, table: holding, address: 3, type: uint16 }",
                "{ name: Heartbeat, table: holding, address: 4, type: uint16 }",
                "{ name: Level, table: input, address: 0, type: uint16 }",
                "{ name: Enable, table: coil, address: 0, type: bool, writable: true }",
            ],
        });
        var node = StartNode(config.ToYaml());
        var nbirth = await WaitNBirthAsync(observer);
        var dbirth = await WaitDBirthAsync(observer, "Valve", nbirth.Index);
        return (slave, observer, node, dbirth);
    }

    private static JsonObject Command(params JsonObject[] metrics) => new()
    {
        ["timestamp"] = NowMs().ToString(CultureInfo.InvariantCulture),
        ["metrics"] = new JsonArray(metrics),
    };

    private static JsonObject ByName(string name, string type, JsonNode value) => new() { ["name"] = name, ["type"] = type, ["value"] = value };

    private static JsonObject ByAlias(ulong alias, string type, JsonNode value) =>
        new() { ["alias"] = alias.ToString(CultureInfo.InvariantCulture), ["type"] = type, ["value"] = value };

    /// <summary>Proves the node is alive and still reporting after whatever the test sent.</summary>
    private async Task AssertStillReportingAsync(PyModbusSlave slave, SparkplugObserver observer, NodeUnderTest node, ushort heartbeat)
    {
        var from = observer.Count;
        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 4, heartbeat);
        await WaitDataAsync(observer, "Valve", "Heartbeat", m => m.AsLong() == heartbeat, $"= {heartbeat} (node still reporting)", from);
        Assert.True(node.IsRunning, node.OutputTail());
        Assert.DoesNotContain(observer.Messages, m => m.Topic == NDeathTopic);
    }

    private static async Task<int> WritesAsync(PyModbusSlave slave)
    {
        var total = 0;
        foreach (var function in s_writeFunctions)
        {
            total += await slave.RequestCountAsync(1, function);
        }

        return total;
    }

    [Fact]
    public async Task DcmdByAlias_ToWritableHoldingRegister_WritesDevice_ThenReportsTheNewValue()
    {
        var (slave, observer, _, dbirth) = await StartAsync();
        var alias = dbirth.Metric("Setpoint")!.Alias!.Value;

        await observer.PublishAsync(DCmdTopic("Valve"), Command(ByAlias(alias, "UInt16", 1234)));

        await WaitDataAsync(observer, "Valve", "Setpoint", m => m.AsLong() == 1234, "= 1234", dbirth.Index);
        Assert.Equal(new ushort[] { 1234 }, await slave.GetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, 1));
    }

    [Fact]
    public async Task DcmdByName_ToWritableCoil_WritesDevice_ThenReportsTheNewValue()
    {
        var (slave, observer, _, dbirth) = await StartAsync();

        await observer.PublishAsync(DCmdTopic("Valve"), Command(ByName("Enable", "Boolean", true)));
        await WaitDataAsync(observer, "Valve", "Enable", m => m.AsBool(), "= true", dbirth.Index);
        Assert.Equal(new[] { true }, await slave.GetBitsAsync(1, PyModbusTable.Coils, 0, 1));

        var from = observer.Count;
        await observer.PublishAsync(DCmdTopic("Valve"), Command(ByName("Enable", "Boolean", false)));
        await WaitDataAsync(observer, "Valve", "Enable", m => !m.AsBool(), "= false", from);
        Assert.Equal(new[] { false }, await slave.GetBitsAsync(1, PyModbusTable.Coils, 0, 1));
    }

    [Fact]
    public async Task DcmdToScaledMetric_WritesTheInvertedRoundedRawValue()
    {
        var (slave, observer, _, dbirth) = await StartAsync();
        Assert.Equal(10.0, dbirth.Metric("Temp/Setpoint")!.AsDouble(), 9); // raw 50 x 0.1 + 5

        // raw = (17.47 - 5) / 0.1 = 124.7 -> 125, reported back as 125 x 0.1 + 5 = 17.5
        await observer.PublishAsync(DCmdTopic("Valve"), Command(ByName("Temp/Setpoint", "Double", 17.47)));
        await WaitDataAsync(observer, "Valve", "Temp/Setpoint", m => Math.Abs(m.AsDouble() - 17.5) < 1e-9, "= 17.5", dbirth.Index);
        Assert.Equal(new ushort[] { 125 }, await slave.GetRegistersAsync(1, PyModbusTable.HoldingRegisters, 1, 1));

        // negative raw values of a signed register: (-2.5 - 5) / 0.1 = -75
        await observer.PublishAsync(DCmdTopic("Valve"), Command(ByName("Temp/Setpoint", "Double", -2.5)));
        await WaitDataAsync(observer, "Valve", "Temp/Setpoint", m => Math.Abs(m.AsDouble() - -2.5) < 1e-9, "= -2.5", dbirth.Index);
        Assert.Equal(new ushort[] { unchecked((ushort)-75) }, await slave.GetRegistersAsync(1, PyModbusTable.HoldingRegisters, 1, 1));
    }

    [Fact]
    public async Task DcmdToScaledMetric_OutOfTheRegisterRange_IsRefused()
    {
        var (slave, observer, node, dbirth) = await StartAsync();
        var writesBefore = await WritesAsync(slave);

        // Limit is uint16 x 0.1: 7000.0 needs raw 70000, -1.0 needs raw -10: neither fits
        await observer.PublishAsync(DCmdTopic("Valve"), Command(ByName("Limit", "Double", 7000.0)));
        await observer.PublishAsync(DCmdTopic("Valve"), Command(ByName("Limit", "Double", -1.0)));
        await WaitScansAsync(slave, 1, 6);

        Assert.Equal(new ushort[] { 100 }, await slave.GetRegistersAsync(1, PyModbusTable.HoldingRegisters, 2, 1));
        Assert.Equal(writesBefore, await WritesAsync(slave));
        Assert.Empty(DataOf(observer, DDataTopic("Valve"), "Limit", dbirth.Index));
        await AssertStillReportingAsync(slave, observer, node, 1);

        // the top of the range still fits: 6553.5 -> raw 65535
        await observer.PublishAsync(DCmdTopic("Valve"), Command(ByName("Limit", "Double", 6553.5)));
        await WaitDataAsync(observer, "Valve", "Limit", m => Math.Abs(m.AsDouble() - 6553.5) < 1e-9, "= 6553.5", dbirth.Index);
        Assert.Equal(new ushort[] { 65535 }, await slave.GetRegistersAsync(1, PyModbusTable.HoldingRegisters, 2, 1));
    }

    [Fact]
    public async Task DcmdToReadOnlyOrUnknownMetric_IsRejected_AndTheNodeKeepsRunning()
    {
        var (slave, observer, node, dbirth) = await StartAsync();
        var writesBefore = await WritesAsync(slave);

        await observer.PublishAsync(DCmdTopic("Valve"), Command(ByName("Status", "UInt16", 99)));
        await observer.PublishAsync(DCmdTopic("Valve"), Command(ByAlias(dbirth.Metric("Level")!.Alias!.Value, "UInt16", 99)));
        await observer.PublishAsync(DCmdTopic("Valve"), Command(ByName("No/Such/Metric", "UInt16", 99)));
        await observer.PublishAsync(DCmdTopic("Valve"), Command(ByAlias(987654321, "UInt16", 99)));
        await observer.PublishAsync(DCmdTopic("NoSuchDevice"), Command(ByName("Setpoint", "UInt16", 99)));
        await WaitScansAsync(slave, 1, 6);

        Assert.Equal(new ushort[] { 7 }, await slave.GetRegistersAsync(1, PyModbusTable.HoldingRegisters, 3, 1));
        Assert.Equal(new ushort[] { 10 }, await slave.GetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, 1));
        Assert.Equal(writesBefore, await WritesAsync(slave));
        await AssertStillReportingAsync(slave, observer, node, 2);

        // and a good command after the bad ones still works
        await observer.PublishAsync(DCmdTopic("Valve"), Command(ByName("Setpoint", "UInt16", 77)));
        await WaitDataAsync(observer, "Valve", "Setpoint", m => m.AsLong() == 77, "= 77", dbirth.Index);
    }

    [Fact]
    public async Task MalformedCommands_AreIgnored_AndTheNodeKeepsRunning()
    {
        var (slave, observer, node, dbirth) = await StartAsync();
        var writesBefore = await WritesAsync(slave);

        byte[][] garbage = [[0xFF, 0xFF, 0xFF, 0xFF, 0x0F], [0x12, 0x34], [], "{\"metrics\":[]}"u8.ToArray(), [0x0A, 0x80, 0x80, 0x80, 0x80, 0x10]];
        foreach (var bytes in garbage)
        {
            await observer.PublishRawAsync(DCmdTopic("Valve"), bytes);
            await observer.PublishRawAsync(NCmdTopic, bytes);
        }

        // well-formed protobuf with nonsense: wrong type for Rebirth, a value of the wrong type, no value at all
        await observer.PublishAsync(NCmdTopic, Command(ByName("Node Control/Rebirth", "String", "yes")));
        await observer.PublishAsync(DCmdTopic("Valve"), Command(ByName("Setpoint", "String", "twelve")));
        await observer.PublishAsync(DCmdTopic("Valve"), Command(new JsonObject { ["name"] = "Setpoint", ["type"] = "UInt16", ["value"] = null }));
        await WaitScansAsync(slave, 1, 6);

        Assert.Equal(writesBefore, await WritesAsync(slave));
        Assert.Equal(new ushort[] { 10 }, await slave.GetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, 1));
        await AssertStillReportingAsync(slave, observer, node, 3);

        await observer.PublishAsync(DCmdTopic("Valve"), Command(ByName("Setpoint", "UInt16", 88)));
        await WaitDataAsync(observer, "Valve", "Setpoint", m => m.AsLong() == 88, "= 88", dbirth.Index);
    }
}
