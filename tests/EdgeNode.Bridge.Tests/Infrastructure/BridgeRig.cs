using System.Globalization;
using System.Net;
using System.Text.Json;
using EdgeNode.KafkaMock;
using EdgeNode.Simulator;
using EdgeNode.Testing;

namespace EdgeNode.Bridge.Tests.Infrastructure;

/// <summary>
/// The whole chain on loopback: a Modbus device (the simulator's server, registers set by the test) → the real node
/// (<c>edgenode run</c>, primary host = the bridge) → Mosquitto → the real bridge (<c>edgenode-bridge run</c>) → a
/// librdkafka mock cluster of three brokers in this process.
/// </summary>
public sealed class BridgeRig : IAsyncDisposable
{
    public const string Group = "BridgeE2E";
    public const string EdgeNode = "Gw1";
    public const string Device = "Meter1";
    public const string HostId = "KafkaBridge";

    private BridgeRig()
    {
    }

    public MosquittoBroker Broker { get; private set; } = null!;

    public MockKafkaCluster Kafka { get; private set; } = null!;

    public RegisterBank Registers { get; } = new(1000);

    public ModbusTcpServer Modbus { get; private set; } = null!;

    public NodeUnderTest Node { get; private set; } = null!;

    public BridgeUnderTest Bridge { get; private set; } = null!;

    public int WebPort { get; } = FreePort.Next();

    /// <summary>Between the bridge and Mosquitto when the rig was started with <c>bridgeThroughRelay</c>.</summary>
    public TcpFaultRelay? BridgeLink { get; private set; }

    /// <param name="bridgeThroughRelay">The bridge reaches Mosquitto through a <see cref="TcpFaultRelay"/> (<see cref="BridgeLink"/>).</param>
    /// <param name="bridgeMqtt">Extra keys of the bridge's <c>mqtt:</c> section (indented by two spaces).</param>
    public static async Task<BridgeRig> StartAsync(bool bridgeThroughRelay = false, string bridgeMqtt = "")
    {
        var rig = new BridgeRig();
        rig.Broker = await MosquittoBroker.StartAsync();
        rig.BridgeLink = bridgeThroughRelay ? TcpFaultRelay.Start(rig.Broker.Port) : null;
        rig.Kafka = new MockKafkaCluster(3);
        rig.Kafka.CreateTopic("sparkplug.data", 4);
        rig.Kafka.CreateTopic("sparkplug.state", 2);
        rig.Modbus = new ModbusTcpServer(IPAddress.Loopback, 0, new Dictionary<byte, RegisterBank> { [1] = rig.Registers });
        rig.Modbus.Start();
        rig.SetDevice(counter: 0, signed: -5, big: 9_007_199_254_740_993UL, temp: 21.5f, run: true, label: "OK");
        rig.Bridge = BridgeUnderTest.Start(BridgeUnderTest.Yaml(rig.BridgeLink?.Port ?? rig.Broker.Port, rig.Kafka.BootstrapServers, HostId, rig.WebPort, mqttExtra: bridgeMqtt));
        await rig.Bridge.WaitForLogAsync("STATE KafkaBridge: online", TimeSpan.FromSeconds(30));
        rig.Node = NodeUnderTest.Start(string.Create(CultureInfo.InvariantCulture, $"""
            node:
              groupId: {Group}
              edgeNodeId: {EdgeNode}
              primaryHostId: {HostId}
              scanMs: 100
            mqtt:
              servers: ["mqtt://127.0.0.1:{rig.Broker.Port}"]
              reconnectMaxMs: 500
            devices:
              - id: {Device}
                modbus: {"{"} tcp: {"{"} host: 127.0.0.1, port: {rig.Modbus.Port} {"}"}, unitId: 1, timeoutMs: 500 {"}"}
                metrics:
                  - {"{"} name: Counter, table: holding, address: 0, type: uint16 {"}"}
                  - {"{"} name: Signed, table: holding, address: 1, type: int32 {"}"}
                  - {"{"} name: Big, table: holding, address: 3, type: uint64 {"}"}
                  - {"{"} name: Temp, table: holding, address: 7, type: float32, units: C {"}"}
                  - {"{"} name: Run, table: coil, address: 0, type: bool {"}"}
                  - {"{"} name: Label, table: holding, address: 20, type: string, length: 2 {"}"}
            """));
        return rig;
    }

    public void SetDevice(ushort counter, int signed, ulong big, float temp, bool run, string label)
    {
        SetCounter(counter);
        var s = (uint)signed;
        Registers.SetHolding(1, (ushort)(s >> 16));
        Registers.SetHolding(2, (ushort)s);
        for (var i = 0; i < 4; i++)
        {
            Registers.SetHolding(3 + i, (ushort)(big >> (48 - (16 * i))));
        }

        var t = BitConverter.SingleToUInt32Bits(temp);
        Registers.SetHolding(7, (ushort)(t >> 16));
        Registers.SetHolding(8, (ushort)t);
        Registers.SetCoil(0, run);
        Registers.SetHolding(20, (ushort)((label[0] << 8) | label[1]));
        Registers.SetHolding(21, 0);
    }

    public void SetCounter(ushort value) => Registers.SetHolding(0, value);

    public Task<IReadOnlyList<KafkaRecord>> DataAsync() => KafkaReader.ReadWithKcatAsync(Kafka.BootstrapServers, "sparkplug.data");

    public Task<IReadOnlyList<KafkaRecord>> StateAsync() => KafkaReader.ReadWithKcatAsync(Kafka.BootstrapServers, "sparkplug.state");

    /// <summary>Polls the data topic until <paramref name="condition"/> holds.</summary>
    public async Task<IReadOnlyList<KafkaRecord>> WaitForDataAsync(Func<IReadOnlyList<KafkaRecord>, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        IReadOnlyList<KafkaRecord> records = [];
        while (DateTime.UtcNow < deadline)
        {
            records = await DataAsync();
            if (condition(records))
            {
                return records;
            }

            await Task.Delay(500);
        }

        var logs = SaveLogs(what);
        throw new TimeoutException($"{what} not on the data topic within {timeout.TotalSeconds:0} s ({records.Count} records; whole logs in {logs})\n" +
            $"--- bridge ---\n{Tail(Bridge.Output)}\n--- node ---\n{Node.OutputTail()}");
    }

    /// <summary>Writes the bridge's and the node's whole output under artifacts/test-results (a failure's tail is rarely enough).</summary>
    public string SaveLogs(string what)
    {
        var dir = Path.Combine(RepoPaths.Root, "artifacts", "test-results", "bridge-logs");
        System.IO.Directory.CreateDirectory(dir);
        var stem = Path.Combine(dir, $"{DateTime.UtcNow:HHmmss}-{new string(what.Where(char.IsLetterOrDigit).Take(40).ToArray())}");
        File.WriteAllText(stem + ".bridge.log", Bridge.Output);
        File.WriteAllText(stem + ".node.log", Node.Output);
        return stem + ".*.log";
    }

    public static string Tail(string text, int lines = 60) => string.Join('\n', text.Split('\n').TakeLast(lines));

    public static IEnumerable<JsonElement> Metric(IEnumerable<KafkaRecord> records, string metric) =>
        records.Select(r => r.Value).Where(v => v.GetProperty("metric").GetString() == metric && v.GetProperty("device").GetString() == Device);

    public async ValueTask DisposeAsync()
    {
        if (Node is not null)
        {
            await Node.DisposeAsync();
        }

        if (Bridge is not null)
        {
            await Bridge.DisposeAsync();
        }

        if (Modbus is not null)
        {
            await Modbus.DisposeAsync();
        }

        Kafka?.Dispose();
        if (BridgeLink is not null)
        {
            await BridgeLink.DisposeAsync();
        }

        if (Broker is not null)
        {
            await Broker.DisposeAsync();
        }
    }
}
