using EdgeNode.Configuration;
using EdgeNode.Modbus;
using EdgeNode.Sparkplug;
using EdgeNode.Testing;
using Xunit;

namespace EdgeNode.Engine.Tests.Node;

/// <summary>
/// The web console's doors into the engine: snapshots taken by the event loop, counters that outlive the engine, and a
/// write that takes the DCMD path (so its checks and its DDATA are those of a host's command).
/// </summary>
public sealed class EngineConsoleTests : IAsyncLifetime
{
    private MosquittoBroker _broker = null!;
    private PyModbusSlave _slave = null!;
    private readonly string _state = Directory.CreateTempSubdirectory("edgenode-console-").FullName;

    public async Task InitializeAsync()
    {
        _broker = await MosquittoBroker.StartAsync();
        _slave = await PyModbusSlave.StartTcpAsync(new PyModbusSlaveOptions { Map = new PyModbusRegisterMap().Holding(1, 0, 7, 9) });
    }

    public async Task DisposeAsync()
    {
        await _slave.DisposeAsync();
        await _broker.DisposeAsync();
        Directory.Delete(_state, recursive: true);
    }

    private EdgeNodeConfig Config() => new()
    {
        SourcePath = "/test.yaml",
        Node = new NodeSection { GroupId = "G", EdgeNodeId = "E", ScanMs = 100 },
        Mqtt = new MqttSection { Servers = [_broker.Url], ClientId = "G-E", KeepAliveSeconds = 5 },
        StoreForward = new StoreForwardSection { Path = Path.Combine(_state, "store.db") },
        Devices =
        [
            new DeviceConfig
            {
                Id = "D1",
                Kind = DeviceKind.Modbus,
                Modbus = new ModbusDeviceConfig { Link = ModbusLinkConfig.ForTcp("127.0.0.1", _slave.Port), UnitId = 1, TimeoutMs = 300, Retries = 0 },
                Metrics =
                [
                    new MetricConfig { Name = "Limit", Table = ModbusTableSetting.HoldingRegister, Address = 0, Type = MetricDataType.UInt16, Writable = true, Units = "kW" },
                    new MetricConfig { Name = "Status", Table = ModbusTableSetting.HoldingRegister, Address = 1, Type = MetricDataType.UInt16 },
                ],
            },
        ],
    };

    private static async Task<EngineSnapshot> WaitSnapshotAsync(EdgeNodeEngine engine, Func<EngineSnapshot, bool> condition, string what)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        EngineSnapshot? last = null;
        while (DateTime.UtcNow < until)
        {
            last = await engine.SnapshotAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            if (condition(last))
            {
                return last;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"no snapshot with {what}; last: session {last?.Session}");
    }

    [Fact]
    public async Task Snapshot_Online_HasSessionDevicesValuesAndCounters()
    {
        var telemetry = new NodeTelemetry();
        var engine = new EdgeNodeEngine(Config(), new EngineOptions { StateDirectory = _state, Telemetry = telemetry });
        using var stop = new CancellationTokenSource();
        var run = engine.RunAsync(stop.Token);

        var s = await WaitSnapshotAsync(engine, x => x.Session == "online" && x.Devices.Count == 1 && x.Devices[0].Online && x.Devices[0].Metrics[1].HasValue,
            "online with values");
        Assert.Equal(_broker.Url, s.Broker);
        Assert.True(s.StoreEnabled);
        var d = s.Devices[0];
        Assert.Equal("D1", d.Id);
        Assert.Equal("modbus", d.Kind);
        Assert.Equal("Limit", d.Metrics[0].Name);
        Assert.Equal(SparkplugDataType.UInt16, d.Metrics[0].DataType);
        Assert.Equal("kW", d.Metrics[0].Units);
        Assert.True(d.Metrics[0].Writable);
        Assert.Equal((ushort)9, d.Metrics[1].Value.AsUInt16());
        Assert.True(d.Metrics[1].ChangedMs > 0);

        Assert.True(telemetry.Device("D1").Scans > 0);
        Assert.Equal(0, telemetry.Device("D1").Errors);
        Assert.True(telemetry.Device("D1").LastScanMs > 0);
        Assert.Equal(1, telemetry.Published(SparkplugMessageType.NBIRTH));
        Assert.Equal(1, telemetry.Published(SparkplugMessageType.DBIRTH));

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, telemetry.Published(SparkplugMessageType.NDEATH));
        Assert.Equal(1, telemetry.Published(SparkplugMessageType.DDEATH));
    }

    [Fact]
    public async Task WriteAsCommand_Writable_WrittenAndReportedLikeADcmd()
    {
        await using var capture = await SparkplugCapture.StartAsync(_broker.Port);
        var engine = new EdgeNodeEngine(Config(), new EngineOptions { StateDirectory = _state });
        using var stop = new CancellationTokenSource();
        var run = engine.RunAsync(stop.Token);
        await WaitSnapshotAsync(engine, x => x.Devices.Count == 1 && x.Devices[0].Online && x.Devices[0].Metrics[0].HasValue, "D1 answering");

        engine.WriteAsCommand("D1", "Limit", SparkplugValue.FromUInt16(1234));
        engine.WriteAsCommand("D1", "Status", SparkplugValue.FromUInt16(5)); // read-only: refused on the command path
        await capture.WaitForAsync(m => m.Parsed.MessageType == SparkplugMessageType.DDATA
            && m.Payload!.Metrics.Any(x => x.Value.TryGetUInt64(out var u) && u == 1234), what: "DDATA Limit=1234");
        Assert.Equal(new ushort[] { 1234, 9 }, await _slave.GetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, 2));
        var s = await WaitSnapshotAsync(engine, x => x.Devices[0].Metrics[0].Value.AsUInt16() == 1234, "Limit = 1234 in the snapshot");
        Assert.Equal((ushort)9, s.Devices[0].Metrics[1].Value.AsUInt16());

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
