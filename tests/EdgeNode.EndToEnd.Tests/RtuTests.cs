using System.Globalization;
using System.Text.Json.Nodes;
using EdgeNode.EndToEnd.Tests.Infrastructure;
using EdgeNode.Testing;
using Xunit.Abstractions;

namespace EdgeNode.EndToEnd.Tests;

/// <summary>
/// RS-485 Modbus RTU devices through the running node: two units on one serial line (a socat pseudo-terminal pair,
/// pymodbus's RTU server on the far end), born, reported by exception and written by DCMD over the line.
/// </summary>
public sealed class RtuTests(ITestOutputHelper output) : EndToEndTest(output)
{
    [Fact]
    public async Task TwoRtuUnitsOnOneLine_AreBornReportChangesAndTakeWrites()
    {
        var broker = await StartBrokerAsync();
        var pty = await StartPtyPairAsync();
        var slave = await StartRtuSlaveAsync(pty.PortB, new PyModbusRegisterMap()
            .Holding(1, 0, 215)
            .Holding(1, 1, 40)
            .Holding(2, 0, 230), 1, 2);
        var observer = await ObserveAsync(broker);

        var config = Config(broker);
        var line = $"{{ port: {pty.PortA}, baud: 19200, parity: none, dataBits: 8, stopBits: 1 }}";
        var yaml = config.ToYaml() + string.Create(CultureInfo.InvariantCulture, $$"""
            devices:
              - id: Drive
                modbus:
                  rtu: {{line}}
                  unitId: 1
                  timeoutMs: 500
                metrics:
                  - { name: Voltage, table: holding, address: 0, type: uint16 }
                  - { name: Speed/Setpoint, table: holding, address: 1, type: uint16, writable: true }
              - id: Meter
                modbus:
                  rtu: {{line}}
                  unitId: 2
                  timeoutMs: 500
                metrics:
                  - { name: Voltage, table: holding, address: 0, type: uint16 }

            """);
        StartNode(yaml);

        var nbirth = await WaitNBirthAsync(observer);
        var drive = await WaitDBirthAsync(observer, "Drive", nbirth.Index);
        var meter = await WaitDBirthAsync(observer, "Meter", nbirth.Index);
        Assert.Equal(215, drive.Metric("Voltage")!.AsLong());
        Assert.Equal(40, drive.Metric("Speed/Setpoint")!.AsLong());
        Assert.Equal(230, meter.Metric("Voltage")!.AsLong());

        // Report by exception over the line: only the unit that changed sends DDATA.
        await slave.SetRegistersAsync(2, PyModbusTable.HoldingRegisters, 0, 228);
        await WaitDataAsync(observer, "Meter", "Voltage", m => m.AsLong() == 228, "= 228", meter.Index);

        // A DCMD goes out as a write on the serial line and comes back as the new value.
        await observer.PublishAsync(DCmdTopic("Drive"), new JsonObject
        {
            ["timestamp"] = NowMs().ToString(CultureInfo.InvariantCulture),
            ["metrics"] = new JsonArray(new JsonObject { ["name"] = "Speed/Setpoint", ["type"] = "UInt16", ["value"] = 55 }),
        });
        await WaitDataAsync(observer, "Drive", "Speed/Setpoint", m => m.AsLong() == 55, "= 55 after the DCMD", drive.Index);
        Assert.Equal(new ushort[] { 55 }, await slave.GetRegistersAsync(1, PyModbusTable.HoldingRegisters, 1, 1));
        Assert.Empty(DataOf(observer, DDataTopic("Drive"), "Voltage", drive.Index));
    }
}
