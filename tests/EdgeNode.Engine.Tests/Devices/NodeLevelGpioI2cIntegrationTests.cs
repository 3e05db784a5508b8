using System.Collections.Concurrent;
using EdgeNode.Configuration;
using EdgeNode.Engine.Devices.Gpio;
using EdgeNode.Engine.Devices.I2c;
using EdgeNode.Gpio;
using EdgeNode.Gpio.Testing;
using EdgeNode.I2c;
using EdgeNode.I2c.Testing;
using EdgeNode.Mqtt;
using EdgeNode.Sparkplug;
using Microsoft.Extensions.Logging.Abstractions;
using MosquittoBroker = EdgeNode.Testing.MosquittoBroker;

namespace EdgeNode.Engine.Tests.Devices;

/// <summary>
/// The engine with GPIO and I2C devices against a real Mosquitto: the fake GPIO kernel and the simulated I2C bus are
/// injected through the drivers' factories, and a subscriber decodes what the node publishes with our codec.
/// </summary>
public sealed class NodeLevelGpioI2cIntegrationTests : IAsyncLifetime
{
    // Far longer than any wait below: a DDATA that arrives was not caused by a periodic scan.
    private const int SlowScanMs = 600_000;

    private readonly string _state = Directory.CreateTempSubdirectory("edgenode-hw-").FullName;
    private readonly FakeGpioKernel _kernel = new();
    private readonly FakeGpioChip _chip;
    private readonly SimulatedI2cBus _i2c = new("/dev/i2c-1");
    private readonly CancellationTokenSource _stop = new();
    private MosquittoBroker _broker = null!;
    private Capture _capture = null!;
    private Task<EngineExit>? _run;

    public NodeLevelGpioI2cIntegrationTests()
    {
        _chip = _kernel.AddRaspberryPi4Chip();
    }

    public async Task InitializeAsync()
    {
        _broker = await MosquittoBroker.StartAsync();
        _capture = await Capture.StartAsync(_broker.Port);
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(30));
        }

        await _capture.DisposeAsync();
        await _broker.DisposeAsync();
        _stop.Dispose();
        Directory.Delete(_state, recursive: true);
    }

    private void Start(params DeviceConfig[] devices)
    {
        var config = new EdgeNodeConfig
        {
            SourcePath = "/test.yaml",
            Node = new NodeSection { GroupId = "Site", EdgeNodeId = "Gateway", ScanMs = 1000 },
            Mqtt = new MqttSection { Servers = [_broker.Url], ClientId = "Site-Gateway", KeepAliveSeconds = 5 },
            StoreForward = new StoreForwardSection { Enabled = false },
            Devices = devices,
        };
        var engine = new EdgeNodeEngine(config, new EngineOptions
        {
            StateDirectory = _state,
            DriverFactories =
            [
                new GpioDeviceDriverFactory(NullLoggerFactory.Instance, _kernel),
                new I2cDeviceDriverFactory(NullLoggerFactory.Instance, _ => new I2cBus(_i2c, new I2cBusOptions { RetryDelayMs = 0 })),
            ],
        });
        _run = engine.RunAsync(_stop.Token);
    }

    private static DeviceConfig Cabinet() => new()
    {
        Id = "Cabinet",
        Kind = DeviceKind.Gpio,
        ScanMs = SlowScanMs,
        Gpio = new GpioDeviceConfig { Chip = "pinctrl-bcm2711" },
        Metrics =
        [
            new MetricConfig
            {
                Name = "Door/Open",
                Type = MetricDataType.Bool,
                Gpio = new GpioMetricConfig { Line = "GPIO17", Bias = GpioBiasSetting.PullUp, ActiveLow = true, DebounceMs = 10 },
            },
            new MetricConfig
            {
                Name = "Fan/Relay",
                Type = MetricDataType.Bool,
                Writable = true,
                Gpio = new GpioMetricConfig { Line = "GPIO22", Direction = GpioDirectionSetting.Output, Edge = GpioEdgeSetting.None },
            },
        ],
    };

    private static DeviceConfig Climate() => new()
    {
        Id = "Climate",
        Kind = DeviceKind.I2c,
        ScanMs = 100,
        I2c = new I2cDeviceConfig
        {
            Bus = "1",
            Sensors =
            [
                new I2cSensorConfig { Type = I2cSensorKind.Bme280, Address = 0x76 },
                new I2cSensorConfig
                {
                    Type = I2cSensorKind.Ina219,
                    Address = 0x40,
                    Options = new Dictionary<string, string> { ["shuntOhms"] = "0.1", ["maxCurrentA"] = "2", ["currentLsbA"] = "0.0001" },
                },
            ],
        },
        Metrics =
        [
            // As the loader builds channel metrics: Float64, the driver's channel spelling, units possibly overridden.
            new MetricConfig { Name = "Air/Temperature", Type = MetricDataType.Float64, Units = "°C", I2c = new I2cMetricConfig { Sensor = 0, Channel = "Temperature" } },
            new MetricConfig { Name = "Air/Pressure", Type = MetricDataType.Float64, Units = "hPa", I2c = new I2cMetricConfig { Sensor = 0, Channel = "Pressure" } },
            new MetricConfig { Name = "Supply/Current", Type = MetricDataType.Float64, Units = "A", I2c = new I2cMetricConfig { Sensor = 1, Channel = "Current" } },
        ],
    };

    private Task<Capture.Message> BirthOf(string device, int count = 1) =>
        _capture.WaitForAsync(m => m.Topic == $"spBv1.0/Site/DBIRTH/Gateway/{device}", count, $"DBIRTH #{count} of {device}");

    [Fact]
    public async Task EdgeOnAnInput_IsPublishedAsDdataWithTheEdgesTimestamp_WithoutWaitingForAScan()
    {
        _chip.SetInputLevel(17, high: true); // door closed: the contact is open, the pull-up holds the line high
        Start(Cabinet());
        var birth = await BirthOf("Cabinet");
        var door = birth.Payload.FindMetric("Door/Open")!;
        Assert.False(door.Value.AsBoolean());
        Assert.Equal(SparkplugDataType.Boolean, door.DataType);

        _kernel.RealtimeNs = 1_760_000_000_250_000_000;
        _chip.SetInputLevel(17, high: false); // the door opens: the switch closes to ground
        var ddata = await _capture.WaitForAsync(m => m.Topic == "spBv1.0/Site/DDATA/Gateway/Cabinet"
            && m.Payload.Metrics.Any(x => x.Alias == door.Alias), what: "DDATA with Door/Open");

        var changed = Assert.Single(ddata.Payload.Metrics);
        Assert.True(changed.Value.AsBoolean());
        Assert.Equal(1_760_000_000_250UL, changed.Timestamp);
    }

    [Fact]
    public async Task DcmdToAnOutput_SetsTheLineAndTheNewValueIsReported()
    {
        Start(Cabinet());
        var birth = await BirthOf("Cabinet");
        var relay = birth.Payload.FindMetric("Fan/Relay")!;
        Assert.False(relay.Value.AsBoolean());

        var command = new SparkplugPayload { Timestamp = 1 };
        command.Metrics.Add(new SparkplugMetric(null, SparkplugValue.FromBoolean(true)) { Alias = relay.Alias });
        await _capture.PublishAsync("spBv1.0/Site/DCMD/Gateway/Cabinet", command);
        var ddata = await _capture.WaitForAsync(m => m.Topic == "spBv1.0/Site/DDATA/Gateway/Cabinet"
            && m.Payload.Metrics.Any(x => x.Alias == relay.Alias && x.Value.AsBoolean()), what: "DDATA Fan/Relay=true");

        Assert.NotNull(ddata);
        Assert.True(_chip.GetOutputLevel(22));
    }

    [Fact]
    public async Task I2cSensors_BirthWithDatasheetValues_DeathWhenEveryOneNacks_BirthWhenTheyAnswerAgain()
    {
        var bme = _i2c.Add(new SimulatedBme280());
        var ina = _i2c.Add(new SimulatedIna219(0x40));
        ina.SetShuntVolts(0.05); // 0.5 A through 0.1 Ω
        ina.SetBusVolts(24);
        Start(Climate());

        var birth = await BirthOf("Climate");
        Assert.Equal(25.08, birth.Payload.FindMetric("Air/Temperature")!.Value.AsDouble(), 6);
        var pressure = birth.Payload.FindMetric("Air/Pressure")!;
        Assert.Equal(1006.5325, pressure.Value.AsDouble(), 4); // 100653.25 Pa, the datasheet's example, in hPa
        Assert.Equal("hPa", pressure.Properties!["engUnit"].AsString());
        Assert.Equal(0.5, birth.Payload.FindMetric("Supply/Current")!.Value.AsDouble(), 4);

        bme.Present = false;
        ina.Present = false;
        await _capture.WaitForAsync(m => m.Topic == "spBv1.0/Site/DDEATH/Gateway/Climate", what: "DDEATH of Climate");

        bme.Present = true;
        ina.Present = true;
        ina.PowerCycle(); // lost its calibration while unpowered: the driver programs it again
        ina.SetShuntVolts(0.05);
        ina.SetBusVolts(24);
        var rebirth = await BirthOf("Climate", count: 2);
        Assert.Equal(0.5, rebirth.Payload.FindMetric("Supply/Current")!.Value.AsDouble(), 4);
    }

    /// <summary>A host's view of the node: every Sparkplug message, decoded.</summary>
    private sealed class Capture : IAsyncDisposable
    {
        private readonly MqttClient _client = new();
        private readonly ConcurrentQueue<Message> _messages = new();

        public sealed record Message(string Topic, SparkplugPayload Payload);

        public static async Task<Capture> StartAsync(int port)
        {
            var capture = new Capture();
            capture._client.ApplicationMessageReceivedAsync = m =>
            {
                if (SparkplugPayload.TryDecode(m.Payload.Span, out var payload, out _))
                {
                    capture._messages.Enqueue(new Message(m.Topic, payload));
                }

                return Task.CompletedTask;
            };
            await capture._client.ConnectAsync(new MqttClientOptions { Host = "127.0.0.1", Port = port, ClientId = "host-" + Guid.NewGuid().ToString("N")[..8] });
            await capture._client.SubscribeAsync("spBv1.0/#", MqttQualityOfService.AtLeastOnce);
            return capture;
        }

        /// <summary>The <paramref name="count"/>-th message matching; waits up to 20 s (a hang guard, not a timing assertion).</summary>
        public async Task<Message> WaitForAsync(Func<Message, bool> predicate, int count = 1, string what = "a message")
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (DateTime.UtcNow < deadline)
            {
                var found = _messages.Where(predicate).Skip(count - 1).FirstOrDefault();
                if (found is not null)
                {
                    return found;
                }

                await Task.Delay(20);
            }

            throw new TimeoutException($"no {what}; seen:\n" + string.Join("\n", _messages.Select(m => $"{m.Topic} {m.Payload}")));
        }

        public Task PublishAsync(string topic, SparkplugPayload payload) =>
            _client.PublishAsync(topic, payload.ToByteArray(), MqttQualityOfService.AtLeastOnce).AsTask();

        public async ValueTask DisposeAsync() => await _client.DisposeAsync();
    }
}
