using EdgeNode.Configuration;
using EdgeNode.Engine.Devices;
using EdgeNode.Engine.Devices.Gpio;
using EdgeNode.Gpio;
using EdgeNode.Gpio.Testing;
using EdgeNode.Sparkplug;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Engine.Tests.Devices.Gpio;

public sealed class GpioDeviceDriverUnitTests : IAsyncDisposable
{
    private const ulong ClockRealtimeFlag = 1UL << 11; // GPIO_V2_LINE_FLAG_EVENT_CLOCK_REALTIME
    private const uint GetValuesIoctl = 0xC010B40E;

    private readonly FakeGpioKernel _kernel = new();
    private readonly FakeGpioChip _chip;
    private readonly GpioDeviceDriverFactory _factory;
    private readonly List<IDeviceDriver> _drivers = [];

    public GpioDeviceDriverUnitTests()
    {
        _chip = _kernel.AddRaspberryPi4Chip();
        _factory = new GpioDeviceDriverFactory(NullLoggerFactory.Instance, _kernel);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var driver in _drivers)
        {
            await driver.DisposeAsync();
        }
    }

    internal static MetricConfig Input(string name, string line, GpioEdgeSetting edge = GpioEdgeSetting.Both, GpioBiasSetting bias = GpioBiasSetting.AsIs,
        bool activeLow = false, int debounceMs = 0) => new()
        {
            Name = name,
            Type = MetricDataType.Bool,
            Gpio = new GpioMetricConfig { Line = line, Edge = edge, Bias = bias, ActiveLow = activeLow, DebounceMs = debounceMs },
        };

    internal static MetricConfig Output(string name, string line, bool initial = false, bool activeLow = false,
        GpioDriveSetting drive = GpioDriveSetting.PushPull) => new()
        {
            Name = name,
            Type = MetricDataType.Bool,
            Writable = true,
            // Edge keeps the configuration's default (both): the driver must not pass it on for an output.
            Gpio = new GpioMetricConfig { Line = line, Direction = GpioDirectionSetting.Output, Initial = initial, ActiveLow = activeLow, Drive = drive },
        };

    internal static DeviceConfig Device(string chip, params MetricConfig[] metrics) => Device("Cabinet", chip, metrics);

    internal static DeviceConfig Device(string id, string chip, params MetricConfig[] metrics) => new()
    {
        Id = id,
        Kind = DeviceKind.Gpio,
        Gpio = new GpioDeviceConfig { Chip = chip },
        Metrics = metrics,
    };

    private IDeviceDriver Create(DeviceConfig device)
    {
        var driver = _factory.Create(device);
        _drivers.Add(driver);
        return driver;
    }

    private static async Task<DeviceEvent> NextEventAsync(IDeviceDriver driver)
    {
        // A guard against a hang, not a timing assertion: the edge is already queued when this is called.
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await driver.Events!.ReadAsync(guard.Token);
    }

    private static async Task<(DeviceReadResult Result, DeviceReading Reading)> ReadAsync(IDeviceDriver driver)
    {
        var reading = new DeviceReading(driver.Config.Metrics.Count);
        var result = await driver.ReadAsync(reading, CancellationToken.None);
        return (result, reading);
    }

    [Fact]
    public void Create_InputsAndOutputs_RequestsEveryLineInOneRequestWithItsSettings()
    {
        Create(Device("gpiochip0",
            Input("Door", "17", GpioEdgeSetting.Both, GpioBiasSetting.PullUp, activeLow: true, debounceMs: 20),
            Input("Run", "27", GpioEdgeSetting.None, GpioBiasSetting.PullDown),
            Output("Relay", "22", initial: true, drive: GpioDriveSetting.OpenDrain)));

        var request = Assert.Single(_kernel.Requests);
        Assert.Equal([17, 27, 22], request.Offsets);
        Assert.Equal("edgenode:Cabinet", request.Consumer);
        Assert.Equal(GpioLineSettings.Input(GpioEdge.Both, GpioBias.PullUp, activeLow: true, debounceMs: 20), request.SettingsOf(0));
        Assert.Equal(GpioLineSettings.Input(GpioEdge.None, GpioBias.PullDown), request.SettingsOf(1));
        Assert.Equal(GpioLineSettings.Output(initialValue: true, drive: GpioDrive.OpenDrain), request.SettingsOf(2));
        Assert.NotEqual(0UL, request.Flags[0] & ClockRealtimeFlag);
        Assert.True(_chip.GetOutputLevel(22));
    }

    [Fact]
    public void Create_LineByName_ResolvesItOnTheChipFoundByLabel()
    {
        Create(Device("pinctrl-bcm2711", Input("Door", "GPIO5"), Output("Relay", "GPIO6")));

        Assert.Equal([5, 6], Assert.Single(_kernel.Requests).Offsets);
    }

    [Fact]
    public void DataTypes_EveryLine_IsBoolean()
    {
        var driver = Create(Device("gpiochip0", Input("Door", "17"), Output("Relay", "22")));

        Assert.Equal([SparkplugDataType.Boolean, SparkplugDataType.Boolean], driver.DataTypes);
    }

    [Fact]
    public async Task ReadAsync_InputsAndOutputs_ReturnsEveryLogicalValue()
    {
        _chip.SetInputLevel(17, high: true);
        _chip.SetInputLevel(27, high: false);
        var driver = Create(Device("gpiochip0",
            Input("Plain", "17"), Input("Contact", "27", activeLow: true), Output("Relay", "22", initial: true)));

        var (result, reading) = await ReadAsync(driver);

        Assert.Equal(DeviceReadResult.Ok, result);
        Assert.Equal([true, true, true], reading.Good);
        Assert.Equal([SparkplugValue.FromBoolean(true), SparkplugValue.FromBoolean(true), SparkplugValue.FromBoolean(true)], reading.Values);
        Assert.NotEqual(0, reading.TimestampMs);
    }

    [Fact]
    public async Task Events_RisingEdge_IsADeviceEventWithTheMetricIndexValueAndKernelTimestamp()
    {
        var driver = Create(Device("gpiochip0", Output("Relay", "22"), Input("Door", "17"), Input("Run", "27")));
        _kernel.RealtimeNs = 1_750_000_000_123_456_789;

        _chip.SetInputLevel(27, high: true);
        var edge = await NextEventAsync(driver);

        Assert.Equal(2, edge.MetricIndex);
        Assert.Equal(SparkplugValue.FromBoolean(true), edge.Value);
        Assert.Equal(1_750_000_000_123, edge.TimestampMs);
    }

    [Fact]
    public async Task Events_ActiveLowContactClosingToGround_ReportsTrueThenFalseOnOpening()
    {
        _chip.SetInputLevel(17, high: true); // the pull-up holds an open contact high
        var driver = Create(Device("gpiochip0", Input("Door", "17", GpioEdgeSetting.Both, GpioBiasSetting.PullUp, activeLow: true)));

        _chip.SetInputLevel(17, high: false);
        var closed = await NextEventAsync(driver);
        _chip.SetInputLevel(17, high: true);
        var opened = await NextEventAsync(driver);

        Assert.Equal(SparkplugValue.FromBoolean(true), closed.Value);
        Assert.Equal(SparkplugValue.FromBoolean(false), opened.Value);
    }

    [Fact]
    public async Task Events_KernelWithoutRealtimeClock_FallsBackToMonotonicStampsConvertedToUnixTime()
    {
        _chip.SupportsRealtimeClock = false;
        var driver = (GpioDeviceDriver)Create(Device("gpiochip0", Input("Door", "17")));
        _kernel.RealtimeNs = 1_750_000_000_000_000_000;
        _kernel.MonotonicNs = 9_000_000_000_000;

        _chip.SetInputLevel(17, high: true);
        var edge = await NextEventAsync(driver);

        Assert.Equal(GpioEventClock.Monotonic, driver.EventClock);
        Assert.Equal(0UL, _kernel.Requests[^1].Flags[0] & ClockRealtimeFlag);
        // The edge was stamped "now" on the monotonic clock, so its Unix time is the realtime "now".
        Assert.Equal(1_750_000_000_000, edge.TimestampMs);
    }

    [Fact]
    public void Events_OnlyOutputsOrInputsWithoutEdges_IsNull()
    {
        var driver = Create(Device("gpiochip0", Output("Relay", "22"), Input("Run", "27", GpioEdgeSetting.None)));

        Assert.Null(driver.Events);
    }

    [Fact]
    public async Task WriteAsync_BooleanToAnOutput_DrivesTheLine()
    {
        var driver = Create(Device("gpiochip0", Input("Door", "17"), Output("Relay", "22")));

        var on = await driver.WriteAsync(1, SparkplugValue.FromBoolean(true), CancellationToken.None);
        var levelOn = _chip.GetOutputLevel(22);
        var off = await driver.WriteAsync(1, SparkplugValue.FromBoolean(false), CancellationToken.None);

        Assert.Equal(DeviceWriteResult.Written, on);
        Assert.True(levelOn);
        Assert.Equal(DeviceWriteResult.Written, off);
        Assert.False(_chip.GetOutputLevel(22));
    }

    [Fact]
    public async Task WriteAsync_ActiveLowOutput_TrueDrivesThePinLow()
    {
        var driver = Create(Device("gpiochip0", Output("Relay", "22", activeLow: true)));
        var idle = _chip.GetOutputLevel(22);

        await driver.WriteAsync(0, SparkplugValue.FromBoolean(true), CancellationToken.None);

        Assert.True(idle); // initial false = inactive = physically high
        Assert.False(_chip.GetOutputLevel(22));
        var (_, reading) = await ReadAsync(driver);
        Assert.Equal(SparkplugValue.FromBoolean(true), reading.Values[0]);
    }

    [Fact]
    public async Task WriteAsync_ToAnInput_IsRejected()
    {
        var driver = Create(Device("gpiochip0", Input("Door", "17"), Output("Relay", "22")));

        var result = await driver.WriteAsync(0, SparkplugValue.FromBoolean(true), CancellationToken.None);

        Assert.Equal(DeviceWriteStatus.Rejected, result.Status);
        Assert.Contains("input", result.Error, StringComparison.Ordinal);
    }

    public static TheoryData<SparkplugValue> NotBooleans => new()
    {
        SparkplugValue.FromInt32(1),
        SparkplugValue.FromString("true"),
        SparkplugValue.FromDouble(1.0),
        SparkplugValue.Null(SparkplugDataType.Boolean),
    };

    [Theory]
    [MemberData(nameof(NotBooleans))]
    public async Task WriteAsync_NotABoolean_IsRejectedAndTheLineKept(SparkplugValue value)
    {
        var driver = Create(Device("gpiochip0", Output("Relay", "22")));

        var result = await driver.WriteAsync(0, value, CancellationToken.None);

        Assert.Equal(DeviceWriteStatus.Rejected, result.Status);
        Assert.Contains("Boolean", result.Error, StringComparison.Ordinal);
        Assert.False(_chip.GetOutputLevel(22));
    }

    [Fact]
    public void Create_MissingChip_ThrowsNamingTheDeviceAndChip()
    {
        var ex = Assert.Throws<GpioException>(() => Create(Device("gpiochip7", Input("Door", "17"))));

        Assert.Equal(GpioErrorKind.ChipNotFound, ex.Kind);
        Assert.Contains("Cabinet", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/dev/gpiochip7", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_LineHeldByAKernelDriver_ThrowsNamingTheConsumer()
    {
        _chip.ClaimLine(4, "w1-gpio");

        var ex = Assert.Throws<GpioException>(() => Create(Device("gpiochip0", Input("Door", "17"), Input("OneWire", "4"))));

        Assert.Equal(GpioErrorKind.LineBusy, ex.Kind);
        Assert.Equal("w1-gpio", ex.Consumer);
        Assert.Contains("'w1-gpio'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_LineOfAnotherDevice_ThrowsNamingThatDevice()
    {
        Create(Device("First", "gpiochip0", Input("Door", "17")));

        var ex = Assert.Throws<GpioException>(() => Create(Device("Second", "gpiochip0", Input("AlsoDoor", "17"))));

        Assert.Equal(GpioErrorKind.LineBusy, ex.Kind);
        Assert.Equal("edgenode:First", ex.Consumer);
    }

    [Fact]
    public void Create_PermissionDenied_ThrowsNamingTheGpioGroup()
    {
        _chip.AccessDenied = true;

        var ex = Assert.Throws<GpioException>(() => Create(Device("gpiochip0", Input("Door", "17"))));

        Assert.Equal(GpioErrorKind.AccessDenied, ex.Kind);
        Assert.Contains("'gpio' group", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SupplementaryGroups", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_UnknownLineName_ThrowsNamingTheLine()
    {
        var ex = Assert.Throws<GpioException>(() => Create(Device("gpiochip0", Input("Door", "DOOR_CONTACT"))));

        Assert.Equal(GpioErrorKind.LineNotFound, ex.Kind);
        Assert.Contains("DOOR_CONTACT", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_InvalidLineSettings_ThrowsNamingTheMetricBeforeAskingTheKernel()
    {
        var bad = Input("Door", "17", debounceMs: GpioLineRequestOptionsValidator.MaxDebounceMs + 1);

        var ex = Assert.Throws<ArgumentException>(() => Create(Device("gpiochip0", Input("Run", "27"), bad)));

        Assert.Contains("metric 'Door' (line 17)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("debounceMs", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_kernel.Requests);
    }

    [Fact]
    public void Create_NotAGpioDevice_Throws()
    {
        var device = Device("gpiochip0", Input("Door", "17")) with { Kind = DeviceKind.I2c };

        Assert.False(_factory.Supports(DeviceKind.I2c));
        Assert.True(_factory.Supports(DeviceKind.Gpio));
        Assert.Throws<ArgumentException>(() => Create(device));
    }

    [Fact]
    public async Task ReadAsync_ChipFailsLater_IsDeadNamingTheFailure()
    {
        var driver = Create(Device("gpiochip0", Input("Door", "17")));
        _kernel.FailIoctl(GetValuesIoctl, 5 /* EIO */);

        var (result, _) = await ReadAsync(driver);

        Assert.False(result.Responded);
        Assert.Contains("/dev/gpiochip0", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_ChipUnpluggedThenBack_IsDeadThenAnswersAgain()
    {
        var driver = Create(Device("pinctrl-bcm2711", Input("Door", "17"), Output("Relay", "22", initial: true)));
        _chip.Remove();

        var (unplugged, _) = await ReadAsync(driver);
        var (stillGone, _) = await ReadAsync(driver);
        var back = _kernel.AddChip(0, "pinctrl-bcm2711", Enumerable.Range(0, 58).Select(i => $"GPIO{i}").ToArray());
        back.SetInputLevel(17, high: true);
        var (replugged, reading) = await ReadAsync(driver);
        var write = await driver.WriteAsync(1, SparkplugValue.FromBoolean(false), CancellationToken.None);

        Assert.False(unplugged.Responded);
        Assert.False(stillGone.Responded);
        Assert.True(replugged.Responded);
        Assert.Equal(SparkplugValue.FromBoolean(true), reading.Values[0]);
        Assert.Equal(DeviceWriteResult.Written, write);
        Assert.False(back.GetOutputLevel(22));
        back.SetInputLevel(17, high: false);
        Assert.Equal(SparkplugValue.FromBoolean(false), (await NextEventAsync(driver)).Value);
    }

    [Fact]
    public async Task DisposeAsync_ReleasesTheLinesAndCompletesEvents()
    {
        var driver = _factory.Create(Device("gpiochip0", Input("Door", "17"), Output("Relay", "22")));

        await driver.DisposeAsync();

        Assert.Equal(0, _kernel.OpenFileCount);
        Assert.False(_chip.Line(17).IsRequested);
        await driver.Events!.Completion;
        Create(Device("gpiochip0", Input("Door", "17"))); // free again
    }

    [Fact]
    public void Consumer_LongDeviceId_IsCutToTheKernelsLimit()
    {
        Create(Device("A-very-long-device-identifier-of-a-cabinet", "gpiochip0", Input("Door", "17")));

        Assert.Equal("edgenode:A-very-long-device-ide", _kernel.Requests[^1].Consumer);
    }
}
