using System.Net;
using System.Text.Json;
using EdgeNode.Simulator;
using EdgeNode.Testing;

namespace EdgeNode.Simulator.Tests;

/// <summary>The simulator is driven by pymodbus's client, an independent Modbus master.</summary>
public class ModbusTcpServerIntegrationTests
{
    private const string Script = """
        import json, sys
        from pymodbus.client import ModbusTcpClient
        c = ModbusTcpClient('127.0.0.1', port=int(sys.argv[1])); assert c.connect()
        out = {}
        out['holding'] = c.read_holding_registers(0, 4, slave=1).registers
        out['input'] = c.read_input_registers(0, 2, slave=1).registers
        out['coils'] = c.read_coils(0, 10, slave=1).bits[:10]
        out['discretes'] = c.read_discrete_inputs(0, 3, slave=1).bits[:3]
        c.write_register(10, 4660, slave=1)
        c.write_registers(11, [1, 2, 3], slave=1)
        c.write_coil(5, True, slave=1)
        c.write_coils(6, [True, False, True], slave=1)
        out['afterWrite'] = c.read_holding_registers(10, 4, slave=1).registers
        out['coilsAfter'] = c.read_coils(0, 10, slave=1).bits[:10]
        rw = c.readwrite_registers(read_address=10, read_count=2, write_address=10, write_registers=[7, 8], unit=1)  # pymodbus 3.0.0 takes 'unit' here, not 'slave'
        out['readWrite'] = rw.registers
        e = c.read_holding_registers(99, 2, slave=1)
        out['exception'] = [e.function_code, e.exception_code]
        out['otherUnit'] = c.read_holding_registers(0, 1, slave=2).registers
        print(json.dumps(out))
        """;

    [Fact]
    public async Task Server_AnsweredByPymodbusClient_ServesEveryFunctionCodeAndExceptions()
    {
        var python = Peers.RequirePymodbus();
        var unit1 = new RegisterBank(100);
        unit1.SetHolding(0, 0x1234);
        unit1.SetFloat32(ModbusTable.Holding, 2, 1.5f);
        unit1.SetInput(1, 65535);
        unit1.SetCoil(1, true);
        unit1.SetDiscrete(2, true);
        var unit2 = new RegisterBank(100);
        unit2.SetHolding(0, 42);
        var port = FreePort.Next();
        await using var server = new ModbusTcpServer(IPAddress.Loopback, port,
            new Dictionary<byte, RegisterBank> { [1] = unit1, [2] = unit2 });
        server.Start();

        var output = await Task.Run(() => Peers.Run(python, ["-c", Script, port.ToString()], TimeSpan.FromSeconds(60)));
        var json = JsonDocument.Parse(output).RootElement;

        Assert.Equal([0x1234, 0, 0x3FC0, 0], Ints(json, "holding"));
        Assert.Equal([0, 65535], Ints(json, "input"));
        Assert.Equal([false, true, false, false, false, false, false, false, false, false], Bools(json, "coils"));
        Assert.Equal([false, false, true], Bools(json, "discretes"));
        Assert.Equal([4660, 1, 2, 3], Ints(json, "afterWrite"));
        Assert.Equal([false, true, false, false, false, true, true, false, true, false], Bools(json, "coilsAfter"));
        Assert.Equal([7, 8], Ints(json, "readWrite"));
        Assert.Equal([0x83, 2], Ints(json, "exception"));
        Assert.Equal([42], Ints(json, "otherUnit"));
    }

    private static int[] Ints(JsonElement json, string name) => json.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    private static bool[] Bools(JsonElement json, string name) => json.GetProperty(name).EnumerateArray().Select(e => e.GetBoolean()).ToArray();
}
