using EdgeNode.Configuration;
using EdgeNode.Modbus;
using EdgeNode.Sparkplug;
using EdgeNode.Testing;
using Xunit;

namespace EdgeNode.Engine.Tests.Node;

/// <summary>The engine without hosting: a real Mosquitto, a pymodbus slave, and a decoding subscriber.</summary>
public sealed class EngineSessionIntegrationTests : IAsyncLifetime
{
    private MosquittoBroker _broker = null!;
    private PyModbusSlave _slave = null!;
    private readonly string _state = Directory.CreateTempSubdirectory("edgenode-engine-").FullName;

    public async Task InitializeAsync()
    {
        _broker = await MosquittoBroker.StartAsync();
        _slave = await PyModbusSlave.StartTcpAsync(new PyModbusSlaveOptions
        {
            Map = new PyModbusRegisterMap().Holding(1, 0, 0x41C8, 0x0000, 7, 0xFFFF).Coils(1, 0, true),
        });
    }

    public async Task DisposeAsync()
    {
        await _slave.DisposeAsync();
        await _broker.DisposeAsync();
        Directory.Delete(_state, recursive: true);
    }

    private EdgeNodeConfig Config(int scanMs = 100) => new()
    {
        SourcePath = "/test.yaml",
        Node = new NodeSection { GroupId = "G", EdgeNodeId = "E", ScanMs = scanMs },
        Mqtt = new MqttSection { Servers = [_broker.Url], ClientId = "G-E", KeepAliveSeconds = 5 },
        StoreForward = new StoreForwardSection { Path = Path.Combine(_state, "store.db") },
        Devices =
        [
            new DeviceConfig
            {
                Id = "D1",
                Kind = DeviceKind.Modbus,
                ScanMs = scanMs,
                Modbus = new ModbusDeviceConfig { Link = ModbusLinkConfig.ForTcp("127.0.0.1", _slave.Port), UnitId = 1, TimeoutMs = 300, Retries = 0 },
                Metrics =
                [
                    new MetricConfig { Name = "Speed", Table = ModbusTableSetting.HoldingRegister, Address = 0, Type = MetricDataType.Float32, Units = "RPM" },
                    new MetricConfig { Name = "Limit", Table = ModbusTableSetting.HoldingRegister, Address = 2, Type = MetricDataType.UInt16, Writable = true },
                    new MetricConfig { Name = "Scaled", Table = ModbusTableSetting.HoldingRegister, Address = 3, Type = MetricDataType.Int16, Scale = 0.1 },
                    new MetricConfig { Name = "Run", Table = ModbusTableSetting.Coil, Address = 0, Type = MetricDataType.Bool, Writable = true },
                ],
            },
        ],
    };

    [Fact]
    public async Task Births_then_changes_by_exception_then_clean_stop_with_deaths()
    {
        await using var capture = await SparkplugCapture.StartAsync(_broker.Port);
        var engine = new EdgeNodeEngine(Config(), new EngineOptions { StateDirectory = _state });
        using var stop = new CancellationTokenSource();
        var run = engine.RunAsync(stop.Token);

        var nbirth = await capture.WaitForAsync(m => m.Parsed.MessageType == SparkplugMessageType.NBIRTH, what: "NBIRTH");
        Assert.Equal(0UL, nbirth.Payload!.Seq);
        Assert.Equal(SparkplugDataType.Int64, nbirth.Payload.FindMetric("bdSeq")!.Value.DataType);
        var rebirth = nbirth.Payload.FindMetric("Node Control/Rebirth")!;
        Assert.Null(rebirth.Alias);
        Assert.False(rebirth.Value.AsBoolean());

        var dbirth = await capture.WaitForAsync(m => m.Parsed.MessageType == SparkplugMessageType.DBIRTH, what: "DBIRTH");
        Assert.False(dbirth.Payload!.FindMetric("Limit")!.Value.IsNull, string.Join(" | ", dbirth.Payload.Metrics.Select(x => x.ToString())));
        Assert.Equal(25.0f, dbirth.Payload!.FindMetric("Speed")!.Value.AsFloat());
        Assert.Equal((ushort)7, dbirth.Payload.FindMetric("Limit")!.Value.AsUInt16());
        Assert.Equal(-0.1, dbirth.Payload.FindMetric("Scaled")!.Value.AsDouble(), 6);
        Assert.True(dbirth.Payload.FindMetric("Run")!.Value.AsBoolean());
        Assert.Equal("RPM", dbirth.Payload.FindMetric("Speed")!.Properties!["engUnit"].AsString());
        var limitAlias = dbirth.Payload.FindMetric("Limit")!.Alias;

        await _slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 2, 9);
        var ddata = await capture.WaitForAsync(m => m.Parsed.MessageType == SparkplugMessageType.DDATA
            && m.Payload!.Metrics.Any(x => x.Alias == limitAlias), what: "DDATA with Limit");
        Assert.Single(ddata.Payload!.Metrics);
        Assert.Equal(9UL, ddata.Payload.Metrics[0].Value.TryGetUInt64(out var v) ? v : 0);

        // DCMD write by alias, then the new value is reported
        var cmd = new SparkplugPayload { Timestamp = 1 };
        cmd.Metrics.Add(new SparkplugMetric(null, SparkplugValue.FromUInt16(42)) { Alias = limitAlias });
        await capture.PublishAsync("spBv1.0/G/DCMD/E/D1", cmd);
        await capture.WaitForAsync(m => m.Parsed.MessageType == SparkplugMessageType.DDATA
            && m.Payload!.Metrics.Any(x => x.Alias == limitAlias && x.Value.TryGetUInt64(out var u) && u == 42), what: "DDATA Limit=42");
        Assert.Equal(42, (await _slave.GetRegistersAsync(1, PyModbusTable.HoldingRegisters, 2, 1))[0]);

        // garbage command: ignored, node keeps running
        await capture.Client.PublishAsync("spBv1.0/G/DCMD/E/D1", new byte[] { 0xFF, 0xFF, 0x01 }, EdgeNode.Mqtt.MqttQualityOfService.AtLeastOnce);
        await _slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 2, 43);
        await capture.WaitForAsync(m => m.Parsed.MessageType == SparkplugMessageType.DDATA
            && m.Payload!.Metrics.Any(x => x.Alias == limitAlias && x.Value.TryGetUInt64(out var u) && u == 43), what: "DDATA Limit=43");

        await stop.CancelAsync();
        Assert.Equal(EngineExit.Stopped, await run.WaitAsync(TimeSpan.FromSeconds(10)));
        await capture.WaitForAsync(m => m.Parsed.MessageType == SparkplugMessageType.DDEATH, what: "DDEATH");
        var ndeath = await capture.WaitForAsync(m => m.Parsed.MessageType == SparkplugMessageType.NDEATH, what: "NDEATH");
        Assert.Equal(nbirth.Payload.FindMetric("bdSeq")!.Value.AsInt64(), ndeath.Payload!.FindMetric("bdSeq")!.Value.AsInt64());
        Assert.Null(ndeath.Payload.Seq);

        // seq is continuous from NBIRTH (0) over everything the node sent
        var seqs = capture.Messages.Where(m => m.Parsed.MessageType is not SparkplugMessageType.NDEATH and not SparkplugMessageType.DCMD)
            .Select(m => (int)m.Payload!.Seq!.Value).ToList();
        for (var i = 1; i < seqs.Count; i++)
        {
            Assert.Equal((seqs[i - 1] + 1) & 0xFF, seqs[i]);
        }
    }
}

public sealed class ScaledValueRoundingUnitTests
{
    [Theory]
    [InlineData(212 * 0.1, 21.2)]
    [InlineData(0.1 + 0.2, 0.3)]
    [InlineData(-3 * 0.1, -0.3)]
    [InlineData(123456.789, 123456.789)]
    [InlineData(1e-20, 1e-20)]
    [InlineData(0.0, 0.0)]
    public void Scaled_values_lose_the_binary_noise_of_the_multiplication(double raw, double expected) =>
        Assert.Equal(expected, EdgeNode.Engine.Devices.Modbus.ModbusDeviceDriver.RoundToPrecision(raw));
}
