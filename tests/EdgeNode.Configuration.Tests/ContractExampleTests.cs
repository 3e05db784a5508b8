using EdgeNode.Engine;
using EdgeNode.Modbus;
using EdgeNode.Serial;

namespace EdgeNode.Configuration.Tests;

/// <summary>The contract's two example blocks, merged into one file, load and resolve as the contract describes.</summary>
public class ContractExampleTests
{
    // Block 1 of the contract (node, mqtt, storeForward, a Modbus TCP device) and block 2 (types, include, a typed
    // device) in one file; TLS and store paths made relative so the test owns them.
    internal const string Yaml = """
        node:
          groupId: WindFarm1            # Sparkplug group_id
          edgeNodeId: Gateway01         # Sparkplug edge_node_id
          primaryHostId: ScadaHost1     # optional: publish only while this host's STATE is online
        mqtt:
          servers:                      # tried in order; the next one on failure
            - mqtt://127.0.0.1:1883     # mqtts://host:8883 for TLS
          clientId: Gateway01           # optional; default "<groupId>-<edgeNodeId>"
          username: edge                # optional
          password: secret              # optional
          keepAliveSeconds: 30          # optional
          tls:                          # optional
            caFile: tls/ca.pem
            certFile: tls/client.pem
            keyFile: tls/client.key
        storeForward:                   # optional; default path under the state directory
          path: data/store.db
          maxMegabytes: 256
        types:
          WindTurbine:
            version: "1.2"
            description: 3 MW turbine, Modbus map rev C
            parameters:                   # static properties; each needs a default
              - { name: Manufacturer, type: string, default: Acme }
              - { name: RatedPowerKw, type: float64, default: 3000 }
            metrics:                      # same fields as device metrics
              - { name: Rotor/Speed, table: holding, address: 0, type: float32, units: RPM, deadband: 0.5 }
              - { name: Power/Limit, table: holding, address: 2, type: uint16, units: kW, writable: true }
        include: types/                   # optional: a folder of YAML files holding more `types:`
        devices:
          - id: Turbine1                # Sparkplug device_id
            scanMs: 1000
            modbus:
              tcp: { host: 127.0.0.1, port: 502 }
              # or: rtu: { port: /dev/ttyUSB0, baud: 19200, parity: even, dataBits: 8, stopBits: 1 }
              unitId: 1
              timeoutMs: 500
              retries: 2
            metrics:
              - { name: Rotor/Speed,   table: holding,  address: 0, type: float32, units: RPM, deadband: 0.5 }
              - { name: Power/Active,  table: input,    address: 10, type: int32, order: CDAB, scale: 0.1, units: kW }
              - { name: Status/Run,    table: coil,     address: 0, type: bool, writable: true }
              - { name: Alarm/Door,    table: discrete, address: 3, type: bool }
              - { name: Fault/Code,    table: holding,  address: 20, type: uint16, writable: true }
              - { name: Status/Bits,   table: holding,  address: 21, type: bool, bit: 4 }
              - { name: Serial,        table: holding,  address: 30, type: string, length: 8 }
          - id: Turbine7
            type: WindTurbine
            modbus: { tcp: { host: 10.0.0.7, port: 502 }, unitId: 7 }
            addressOffset: 100            # optional: added to every address of the type
            parameters: { Manufacturer: Vestas }
        """;

    internal static TempConfig Prepare()
    {
        var temp = new TempConfig();
        temp.Write("tls/ca.pem", "ca");
        temp.Write("tls/client.pem", "cert");
        temp.Write("tls/client.key", "key");
        temp.Write("types/pumps.yaml", """
            types:
              Pump:
                metrics:
                  - { name: Flow, table: input, address: 0, type: float32, units: m3/h }
            """);
        return temp;
    }

    [Fact]
    public void ContractExample_Loads()
    {
        using var temp = Prepare();
        var config = ConfigAssert.Valid(temp.Load(Yaml));

        Assert.Equal(temp.MainPath, config.SourcePath);
        Assert.Equal("WindFarm1", config.Node.GroupId);
        Assert.Equal("Gateway01", config.Node.EdgeNodeId);
        Assert.Equal("ScadaHost1", config.Node.PrimaryHostId);
        Assert.Equal(["mqtt://127.0.0.1:1883"], config.Mqtt.Servers);
        Assert.Equal("Gateway01", config.Mqtt.ClientId);
        Assert.Equal("edge", config.Mqtt.Username);
        Assert.Equal("secret", config.Mqtt.Password);
        Assert.Equal(Path.Combine(temp.Dir, "tls", "ca.pem"), config.Mqtt.Tls!.CaFile);
        Assert.Equal(Path.Combine(temp.Dir, "tls", "client.key"), config.Mqtt.Tls.KeyFile);
        Assert.Equal(Path.Combine(temp.Dir, "data", "store.db"), config.StoreForward.Path);
        Assert.Equal(["WindTurbine", "Pump"], config.Types.Select(t => t.Name));
        Assert.Equal(2, config.Devices.Count);
    }

    [Fact]
    public void ContractExample_MetricsOfTheFirstBlockResolveFieldByField()
    {
        using var temp = Prepare();
        var device = ConfigAssert.Valid(temp.Load(Yaml)).Devices[0];

        Assert.Equal("Turbine1", device.Id);
        Assert.Equal(DeviceKind.Modbus, device.Kind);
        Assert.Equal(1000, device.ScanMs);
        Assert.Equal(ModbusLinkConfig.ForTcp("127.0.0.1", 502), device.Modbus!.Link);
        Assert.Equal(1, device.Modbus.UnitId);
        Assert.Equal(500, device.Modbus.TimeoutMs);
        Assert.Equal(2, device.Modbus.Retries);
        Assert.Null(device.Type);

        var m = device.Metrics.ToDictionary(x => x.Name);
        Assert.Equal(7, m.Count);
        Assert.Equal(new MetricConfig { Name = "Rotor/Speed", Table = ModbusTableSetting.HoldingRegister, Address = 0, Type = MetricDataType.Float32, Units = "RPM", Deadband = 0.5 },
            m["Rotor/Speed"]);
        Assert.Equal(new MetricConfig { Name = "Power/Active", Table = ModbusTableSetting.InputRegister, Address = 10, Type = MetricDataType.Int32, Order = ByteOrderSetting.CDAB, Scale = 0.1, Units = "kW" },
            m["Power/Active"]);
        Assert.True(m["Power/Active"].IsScaled);
        Assert.Equal(new MetricConfig { Name = "Status/Run", Table = ModbusTableSetting.Coil, Address = 0, Type = MetricDataType.Bool, Writable = true }, m["Status/Run"]);
        Assert.Equal(ModbusTableSetting.DiscreteInput, m["Alarm/Door"].Table);
        Assert.True(m["Fault/Code"].Writable);
        Assert.Equal(4, m["Status/Bits"].Bit);
        Assert.Equal(8, m["Serial"].Length);
        Assert.Empty(m["Serial"].ToModbusPoint().Validate());
        Assert.All(device.Metrics, x => Assert.Empty(x.ToModbusPoint().Validate()));
    }

    [Fact]
    public void ContractExample_TypedDeviceGetsOffsetMembersAndEveryParameter()
    {
        using var temp = Prepare();
        var config = ConfigAssert.Valid(temp.Load(Yaml));
        var device = config.Devices[1];

        Assert.Same(config.Types[0], device.Type);
        Assert.Equal("1.2", device.Type!.Version);
        Assert.Equal("3 MW turbine, Modbus map rev C", device.Type.Description);
        Assert.Equal(temp.MainPath, device.Type.SourcePath);
        Assert.Equal(7, device.Modbus!.UnitId);
        Assert.Equal(["Rotor/Speed", "Power/Limit"], device.Metrics.Select(x => x.Name));
        Assert.Equal([100, 102], device.Metrics.Select(x => x.Address));
        Assert.Equal([0, 2], device.Type.Metrics.Select(x => x.Address));
        Assert.Equal(
            [new ParameterConfig { Name = "Manufacturer", Type = MetricDataType.String, Value = "Vestas" }, new ParameterConfig { Name = "RatedPowerKw", Type = MetricDataType.Float64, Value = 3000.0 }],
            device.Parameters);
        Assert.Equal(Path.Combine(temp.Dir, "types", "pumps.yaml"), config.Types[1].SourcePath);
    }

    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var config = ConfigAssert.Valid(TempConfig.LoadText("""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://broker" ] }
            devices:
              - id: D
                modbus: { rtu: { port: /dev/ttyUSB0 } }
                metrics: [ { name: A, table: holding, address: 0, type: uint16 } ]
            """));

        Assert.Equal(new NodeSection { GroupId = "G", EdgeNodeId = "E" }, config.Node);
        Assert.Equal(1000, config.Node.ScanMs);
        Assert.True(config.Node.Aliases);
        Assert.True(config.Node.Templates);
        Assert.False(config.Node.LegacyState);
        Assert.Equal(UInt32EncodingSetting.IntValue, config.Node.UInt32Encoding);
        Assert.Equal("G-E", config.Mqtt.ClientId);
        Assert.Equal(30, config.Mqtt.KeepAliveSeconds);
        Assert.Equal(MqttProtocolSetting.V311, config.Mqtt.ProtocolVersion);
        Assert.Equal(5000, config.Mqtt.ReconnectMaxMs);
        Assert.Equal(10_000, config.Mqtt.ConnectTimeoutMs);
        Assert.Null(config.Mqtt.Tls);
        Assert.Equal(new StoreForwardSection(), config.StoreForward);
        Assert.True(config.StoreForward.Enabled);
        Assert.Null(config.StoreForward.Path);
        Assert.Equal(256, config.StoreForward.MaxMegabytes);
        Assert.Empty(config.Types);

        var device = config.Devices.Single();
        Assert.Null(device.ScanMs);
        Assert.Equal(ModbusLinkConfig.ForRtu(new SerialLineConfig { PortName = "/dev/ttyUSB0", BaudRate = 19200, Parity = SerialParitySetting.None, DataBits = 8, StopBits = 1 }),
            device.Modbus!.Link);
        Assert.Equal(1, device.Modbus.UnitId);
        Assert.Equal(1000, device.Modbus.TimeoutMs);
        Assert.Equal(2, device.Modbus.Retries);
        Assert.Equal(ByteOrderSetting.ABCD, device.Metrics[0].Order);
    }

    [Fact]
    public void TeamExtensions_AreRead()
    {
        var config = ConfigAssert.Valid(TempConfig.LoadText("""
            node:
              groupId: G
              edgeNodeId: E
              legacyState: true
              scanMs: 250
              aliases: false
              templates: false
              uint32Encoding: longValue
              maxCommandMetrics: 500
            mqtt:
              servers: [ "mqtts://broker.example.com", "mqtt://[::1]:1884" ]
              protocolVersion: "5.0"
              password: only-in-5
              allowPlaintextFallback: true
              reconnectMaxMs: 2000
              connectTimeoutMs: 3000
              keepAliveSeconds: 0
            storeForward: { enabled: false, maxMegabytes: 1, commitIntervalMs: 250, path: /var/lib/edgenode/s.db }
            devices:
              - id: Off
                enabled: false
                modbus: { tcp: { host: plc.local } }
                metrics: [ { name: A, table: coil, address: 0, type: bool } ]
              - id: Rtu
                modbus:
                  rtu: { port: /dev/ttyAMA0, baud: 9600, parity: even, dataBits: 7, stopBits: 2,
                         rs485: { rtsOnSend: false, rtsAfterSend: true, delayRtsBeforeSendMs: 1, delayRtsAfterSendMs: 2, rxDuringTx: true, terminateBus: true } }
                  unitId: 247
                metrics: [ { name: A, table: holding, address: 0, type: int64, order: DCBA } ]
            """));

        Assert.Equal(new NodeSection
        {
            GroupId = "G", EdgeNodeId = "E", LegacyState = true, ScanMs = 250, Aliases = false, Templates = false,
            UInt32Encoding = UInt32EncodingSetting.LongValue, MaxCommandMetrics = 500,
        }, config.Node);
        Assert.Equal(MqttProtocolSetting.V500, config.Mqtt.ProtocolVersion);
        Assert.Equal(2000, config.Mqtt.ReconnectMaxMs);
        Assert.Equal(3000, config.Mqtt.ConnectTimeoutMs);
        Assert.Equal(0, config.Mqtt.KeepAliveSeconds);
        Assert.Equal(new StoreForwardSection { Enabled = false, MaxMegabytes = 1, CommitIntervalMs = 250, Path = "/var/lib/edgenode/s.db" }, config.StoreForward);

        var device = Assert.Single(config.Devices); // the disabled one is left out
        var serial = device.Modbus!.Link.Serial!;
        Assert.Equal(new SerialLineConfig
        {
            PortName = "/dev/ttyAMA0", BaudRate = 9600, Parity = SerialParitySetting.Even, DataBits = 7, StopBits = 2,
            Rs485 = new Rs485Config { RtsOnSend = false, RtsAfterSend = true, DelayRtsBeforeSendMs = 1, DelayRtsAfterSendMs = 2, RxDuringTx = true, TerminateBus = true },
        }, serial);
        Assert.Equal(247, device.Modbus.UnitId);
        Assert.Equal(ByteOrderSetting.DCBA, device.Metrics[0].Order);
    }

    [Fact]
    public void Yaml_AnchorsAliasesAndMergeKeys_AreResolved()
    {
        var config = ConfigAssert.Valid(TempConfig.LoadText("""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://broker" ] }
            devices:
              - id: A
                modbus: &line { rtu: { port: /dev/ttyUSB0, baud: 9600, parity: even }, timeoutMs: 300 }
                metrics: &map
                  - { name: T, table: input, address: 0, type: int16, scale: 0.1 }
              - id: B
                modbus:
                  <<: *line
                  unitId: 2
                metrics: *map
            """));

        Assert.Equal(config.Devices[0].Modbus!.Link, config.Devices[1].Modbus!.Link);
        Assert.Equal(300, config.Devices[1].Modbus!.TimeoutMs);
        Assert.Equal(2, config.Devices[1].Modbus!.UnitId);
        Assert.Equal(config.Devices[0].Metrics, config.Devices[1].Metrics);
    }

    [Fact]
    public void HexIntegers_AreAcceptedForAddresses()
    {
        var config = ConfigAssert.Valid(TempConfig.LoadText("""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://broker" ] }
            devices:
              - id: A
                modbus: { tcp: { host: 10.0.0.1 } }
                metrics: [ { name: T, table: holding, address: 0x1F, type: uint16 } ]
            """));

        Assert.Equal(31, config.Devices[0].Metrics[0].Address);
    }
}
