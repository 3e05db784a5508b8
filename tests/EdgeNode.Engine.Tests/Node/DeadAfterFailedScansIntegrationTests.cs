using System.Threading.Channels;
using EdgeNode.Configuration;
using EdgeNode.Engine.Devices;
using EdgeNode.Sparkplug;
using EdgeNode.Testing;
using Xunit;

namespace EdgeNode.Engine.Tests.Node;

/// <summary>
/// Issue 15: a device that answered is declared dead only after <c>deadAfterFailedScans</c> consecutive failed scans;
/// shorter runs of failures publish nothing, and scans a unit's back-off skipped do not count. The engine runs against
/// a real Mosquitto with a scripted driver, so every scan outcome is exact and nothing depends on timing.
/// </summary>
public sealed class DeadAfterFailedScansIntegrationTests : IAsyncLifetime
{
    private MosquittoBroker _broker = null!;
    private readonly string _state = Directory.CreateTempSubdirectory("edgenode-deadafter-").FullName;

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_state, recursive: true);
    }

    private EdgeNodeConfig Config(int? nodeThreshold, int? deviceThreshold) => new()
    {
        SourcePath = "/test.yaml",
        Node = nodeThreshold is { } n
            ? new NodeSection { GroupId = "G", EdgeNodeId = "E", ScanMs = 20, DeadAfterFailedScans = n }
            : new NodeSection { GroupId = "G", EdgeNodeId = "E", ScanMs = 20 },
        Mqtt = new MqttSection { Servers = [_broker.Url], ClientId = "G-E", KeepAliveSeconds = 5 },
        StoreForward = new StoreForwardSection { Path = Path.Combine(_state, "store.db") },
        Devices =
        [
            new DeviceConfig
            {
                Id = "D1",
                Kind = DeviceKind.Gpio, // served by the scripted factory below
                ScanMs = 20,
                DeadAfterFailedScans = deviceThreshold,
                Metrics = [new MetricConfig { Name = "Value", Type = MetricDataType.Int32 }],
            },
        ],
    };

    private static bool IsValue(SparkplugCapture.Captured m, SparkplugMessageType type, int value) =>
        m.Parsed.MessageType == type && m.Payload!.Metrics.Any(x => x.Value.TryGetInt64(out var v) && v == value);

    [Fact]
    public async Task FailedScans_BelowDefaultThreshold_PublishNothing_ThirdInARowGivesDdeath()
    {
        var driver = new ScriptedDriver();
        await using var capture = await SparkplugCapture.StartAsync(_broker.Port);
        var engine = new EdgeNodeEngine(Config(null, null), new EngineOptions { StateDirectory = _state, DriverFactories = [driver] });
        using var stop = new CancellationTokenSource();
        var run = engine.RunAsync(stop.Token);

        driver.Script(ScriptedDriver.Good(1));
        await capture.WaitForAsync(m => IsValue(m, SparkplugMessageType.DBIRTH, 1), what: "DBIRTH Value=1");

        // two failed scans (the default is three), then an answer: no DDEATH, no second DBIRTH, no stale value
        driver.Script(ScriptedDriver.Failed, ScriptedDriver.Failed, ScriptedDriver.Good(2));
        await capture.WaitForAsync(m => IsValue(m, SparkplugMessageType.DDATA, 2), what: "DDATA Value=2");

        // back-off skips between failures neither count nor heal: failed, 5 skipped, failed, answer
        driver.Script([ScriptedDriver.Failed, .. Enumerable.Repeat(ScriptedDriver.Skipped, 5), ScriptedDriver.Failed, ScriptedDriver.Good(3)]);
        await capture.WaitForAsync(m => IsValue(m, SparkplugMessageType.DDATA, 3), what: "DDATA Value=3");
        Assert.DoesNotContain(capture.Messages, m => m.Parsed.MessageType == SparkplugMessageType.DDEATH);
        Assert.Single(capture.Messages, m => m.Parsed.MessageType == SparkplugMessageType.DBIRTH);

        // three in a row (skips between them): DDEATH, then a DBIRTH with the fresh value when it answers again
        driver.Script(ScriptedDriver.Failed, ScriptedDriver.Skipped, ScriptedDriver.Failed, ScriptedDriver.Skipped, ScriptedDriver.Failed,
            ScriptedDriver.Failed, ScriptedDriver.Failed, ScriptedDriver.Good(4));
        await capture.WaitForAsync(m => IsValue(m, SparkplugMessageType.DBIRTH, 4), what: "DBIRTH Value=4");
        var messages = capture.Messages.Where(m => m.Parsed.DeviceId == "D1").Select(m => m.Parsed.MessageType).ToList();
        Assert.Equal(
            [SparkplugMessageType.DBIRTH, SparkplugMessageType.DDATA, SparkplugMessageType.DDATA, SparkplugMessageType.DDEATH, SparkplugMessageType.DBIRTH],
            messages);

        await stop.CancelAsync();
        Assert.Equal(EngineExit.Stopped, await run.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task DeviceThresholdOne_OverridesNodeDefault_FirstFailedScanGivesDdeath()
    {
        var driver = new ScriptedDriver();
        await using var capture = await SparkplugCapture.StartAsync(_broker.Port);
        var engine = new EdgeNodeEngine(Config(5, 1), new EngineOptions { StateDirectory = _state, DriverFactories = [driver] });
        using var stop = new CancellationTokenSource();
        var run = engine.RunAsync(stop.Token);

        driver.Script(ScriptedDriver.Good(1));
        await capture.WaitForAsync(m => IsValue(m, SparkplugMessageType.DBIRTH, 1), what: "DBIRTH Value=1");
        driver.Script(ScriptedDriver.Failed, ScriptedDriver.Good(2));
        await capture.WaitForAsync(m => IsValue(m, SparkplugMessageType.DBIRTH, 2), what: "DBIRTH Value=2");
        var messages = capture.Messages.Where(m => m.Parsed.DeviceId == "D1").Select(m => m.Parsed.MessageType).ToList();
        Assert.Equal([SparkplugMessageType.DBIRTH, SparkplugMessageType.DDEATH, SparkplugMessageType.DBIRTH], messages);

        await stop.CancelAsync();
        Assert.Equal(EngineExit.Stopped, await run.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task NodeThreshold_AppliesToDevicesWithoutTheirOwn()
    {
        var driver = new ScriptedDriver();
        await using var capture = await SparkplugCapture.StartAsync(_broker.Port);
        var engine = new EdgeNodeEngine(Config(5, null), new EngineOptions { StateDirectory = _state, DriverFactories = [driver] });
        using var stop = new CancellationTokenSource();
        var run = engine.RunAsync(stop.Token);

        driver.Script(ScriptedDriver.Good(1));
        await capture.WaitForAsync(m => IsValue(m, SparkplugMessageType.DBIRTH, 1), what: "DBIRTH Value=1");
        driver.Script([.. Enumerable.Repeat(ScriptedDriver.Failed, 4), ScriptedDriver.Good(2)]);
        await capture.WaitForAsync(m => IsValue(m, SparkplugMessageType.DDATA, 2), what: "DDATA Value=2");
        driver.Script([.. Enumerable.Repeat(ScriptedDriver.Failed, 5), ScriptedDriver.Good(3)]);
        await capture.WaitForAsync(m => IsValue(m, SparkplugMessageType.DBIRTH, 3), what: "DBIRTH Value=3");
        var messages = capture.Messages.Where(m => m.Parsed.DeviceId == "D1").Select(m => m.Parsed.MessageType).ToList();
        Assert.Equal([SparkplugMessageType.DBIRTH, SparkplugMessageType.DDATA, SparkplugMessageType.DDEATH, SparkplugMessageType.DBIRTH], messages);

        await stop.CancelAsync();
        Assert.Equal(EngineExit.Stopped, await run.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    /// <summary>
    /// A driver (and its factory) whose scans follow a script; once the script is used up, it repeats its last good
    /// value. A script is replaced atomically so the scan loop never sees half of one.
    /// </summary>
    private sealed class ScriptedDriver : IDeviceDriverFactory, IDeviceDriver
    {
        private readonly Lock _lock = new();
        private readonly Queue<Step> _steps = new();
        private int _last;
        private DeviceConfig? _config;

        public static Step Failed => new(DeviceReadResult.Dead("scripted failure"), 0);

        public static Step Skipped => new(DeviceReadResult.Skipped("scripted back-off"), 0);

        public DeviceConfig Config => _config!;

        public IReadOnlyList<SparkplugDataType> DataTypes => [SparkplugDataType.Int32];

        public ChannelReader<DeviceEvent>? Events => null;

        public static Step Good(int value) => new(DeviceReadResult.Ok, value);

        public void Script(params Step[] steps)
        {
            lock (_lock)
            {
                foreach (var step in steps)
                {
                    _steps.Enqueue(step);
                }
            }
        }

        public bool Supports(DeviceKind kind) => kind == DeviceKind.Gpio;

        public IDeviceDriver Create(DeviceConfig device)
        {
            _config = device;
            return this;
        }

        public ValueTask<DeviceReadResult> ReadAsync(DeviceReading reading, CancellationToken cancellationToken)
        {
            Step? step;
            lock (_lock)
            {
                step = _steps.TryDequeue(out var next) ? next : null;
            }

            if (step is { } s && !s.Result.Responded)
            {
                return ValueTask.FromResult(s.Result);
            }

            if (step is { } good)
            {
                _last = good.Value;
            }
            else if (_last == 0)
            {
                // nothing scripted yet: a device that does not answer (never born)
                return ValueTask.FromResult(DeviceReadResult.Dead("not scripted yet"));
            }

            reading.Values[0] = SparkplugValue.FromInt32(_last);
            reading.Good[0] = true;
            return ValueTask.FromResult(DeviceReadResult.Ok);
        }

        public ValueTask<DeviceWriteResult> WriteAsync(int metricIndex, SparkplugValue value, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new DeviceWriteResult(DeviceWriteStatus.Failed, "read-only"));

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        public readonly record struct Step(DeviceReadResult Result, int Value);
    }
}
