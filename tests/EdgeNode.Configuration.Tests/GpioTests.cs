using EdgeNode.Engine;
using EdgeNode.Gpio;

namespace EdgeNode.Configuration.Tests;

/// <summary>GPIO devices: lines as bool metrics, outputs writable, and the kernel's rules checked before start.</summary>
public class GpioTests
{
    private const string Head = """
        node: { groupId: G, edgeNodeId: E }
        mqtt: { servers: [ "mqtt://b" ] }
        devices:
          - id: Cabinet
            gpio: { chip: gpiochip0 }
            metrics:

        """;

    /// <summary>A gpio device whose one metric (line 7, "{" at column 9) is <paramref name="flow"/>.</summary>
    private static ConfigLoadResult Metric(string flow) => TempConfig.LoadText(Head + "      - " + flow + "\n");

    private static void One(string flow, string at, params string[] fragments) =>
        ConfigAssert.Single(Metric(flow), 7, 9 + flow.IndexOf(at, StringComparison.Ordinal), fragments);

    [Fact]
    public void GpioDevice_ResolvesLinesAndDefaults()
    {
        var config = ConfigAssert.Valid(TempConfig.LoadText(Head + """
                  - { name: Door/Open, line: 17, bias: pull-up, activeLow: true, debounceMs: 20, edge: rising, description: Cabinet door }
                  - { name: Alarm/Horn, line: GPIO27, direction: output, initial: true, drive: open-drain, maxIntervalMs: 60000 }
                  - { name: Run, line: 0x16 }
            """));

        var device = Assert.Single(config.Devices);
        Assert.Equal(DeviceKind.Gpio, device.Kind);
        Assert.Equal("gpiochip0", device.Gpio!.Chip);
        var (door, horn, run) = (device.Metrics[0], device.Metrics[1], device.Metrics[2]);

        Assert.Equal(MetricDataType.Bool, door.Type);
        Assert.False(door.Writable);
        Assert.Null(door.Table);
        Assert.Equal("Cabinet door", door.Description);
        Assert.Equal(new GpioMetricConfig { Line = "17", Bias = GpioBiasSetting.PullUp, ActiveLow = true, DebounceMs = 20, Edge = GpioEdgeSetting.Rising }, door.Gpio);

        Assert.True(horn.Writable);
        Assert.Equal(60000, horn.MaxIntervalMs);
        Assert.Equal(new GpioMetricConfig { Line = "GPIO27", Direction = GpioDirectionSetting.Output, Initial = true, Drive = GpioDriveSetting.OpenDrain, Edge = GpioEdgeSetting.None },
            horn.Gpio);

        // an input reports both edges unless told otherwise; numbers are kept as decimal offsets
        Assert.Equal(new GpioMetricConfig { Line = "22", Edge = GpioEdgeSetting.Both }, run.Gpio);
    }

    [Fact]
    public void GpioMetric_ConvertsToTheDriversLineSettings()
    {
        var gpio = new GpioMetricConfig { Line = "5", Direction = GpioDirectionSetting.Output, Initial = true, Drive = GpioDriveSetting.OpenSource, ActiveLow = true };

        Assert.Equal(GpioLineSettings.Output(true, GpioDrive.OpenSource, activeLow: true), gpio.ToLineSettings());
        Assert.Equal(GpioLineSettings.Input(GpioEdge.Falling, GpioBias.PullDown, false, 15),
            new GpioMetricConfig { Line = "5", Edge = GpioEdgeSetting.Falling, Bias = GpioBiasSetting.PullDown, DebounceMs = 15 }.ToLineSettings());
    }

    [Fact]
    public void MissingLine_IsReported() =>
        ConfigAssert.Single(Metric("{ name: Door }"), 7, 9, "devices[0].metrics[0]: missing required key 'line'");

    [Fact]
    public void MissingChip_IsReported() =>
        ConfigAssert.Single(TempConfig.LoadText("""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://b" ] }
            devices:
              - id: Cabinet
                gpio: { }
                metrics: [ { name: Door, line: 4 } ]
            """), 5, 11, "devices[0].gpio: missing required key 'chip'");

    [Theory]
    [InlineData("{ name: D, line: 4, bias: up }", "up }", "devices[0].metrics[0].bias: unknown bias 'up' (expected as-is, disabled, pull-up, pull-down)")]
    [InlineData("{ name: D, line: 4, edge: up }", "up", "devices[0].metrics[0].edge: unknown edge 'up' (expected none, rising, falling, both)")]
    [InlineData("{ name: D, line: 4, direction: in }", "in }", "devices[0].metrics[0].direction: unknown direction 'in' (expected input, output)")]
    [InlineData("{ name: D, line: 4, direction: output, drive: totem }", "totem", "devices[0].metrics[0].drive: unknown drive 'totem' (expected push-pull, open-drain, open-source)")]
    [InlineData("{ name: D, line: 4, debounceMs: -1 }", "-1", "devices[0].metrics[0].debounceMs: -1 is outside 0..4294967")]
    [InlineData("{ name: D, line: -2 }", "-2", "devices[0].metrics[0].line: -2 is outside 0..65535")]
    [InlineData("{ name: D, line: 4, direction: output, edge: both }", "both", "devices[0].metrics[0].edge: edge detection is for inputs (this line is an output)")]
    [InlineData("{ name: D, line: 4, direction: output, debounceMs: 5 }", "5 }", "devices[0].metrics[0].debounceMs: debounce is for inputs")]
    [InlineData("{ name: D, line: 4, initial: true }", "true", "devices[0].metrics[0].initial: an initial value is for outputs (set direction: output)")]
    [InlineData("{ name: D, line: 4, drive: open-drain }", "open-drain", "devices[0].metrics[0].drive: drive is for outputs")]
    [InlineData("{ name: D, line: 4, type: int16 }", "int16", "devices[0].metrics[0].type: a gpio line is bool, not int16")]
    [InlineData("{ name: D, line: 4, deadband: 1 }", "1 }", "devices[0].metrics[0].deadband: not for type bool")]
    [InlineData("{ name: D, line: 4, table: coil }", "table", "devices[0].metrics[0]: unknown key 'table'")]
    public void GpioMetric_IsChecked(string flow, string at, string message) => One(flow, at, message);

    [Fact]
    public void BiasSpellings_AreForgiving()
    {
        var config = ConfigAssert.Valid(Metric("{ name: D, line: 4, bias: pullUp, type: bool }"));
        Assert.Equal(GpioBiasSetting.PullUp, config.Devices[0].Metrics[0].Gpio!.Bias);
    }

    [Fact]
    public void SameLineTwiceInADevice_IsReported() =>
        ConfigAssert.Single(TempConfig.LoadText(Head + """
                  - { name: A, line: 4 }
                  - { name: B, line: 4 }
            """), 8, 26, "devices[0].metrics[1].line: line 4 is already used by devices[0].metrics[0] (line 7)");

    [Fact]
    public void SameLineInTwoDevicesOfOneChip_IsReported() =>
        ConfigAssert.Single(TempConfig.LoadText("""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://b" ] }
            devices:
              - { id: A, gpio: { chip: gpiochip0 }, metrics: [ { name: X, line: 4 } ] }
              - { id: B, gpio: { chip: /dev/gpiochip0 }, metrics: [ { name: X, line: 4 } ] }
              - { id: C, gpio: { chip: gpiochip1 }, metrics: [ { name: X, line: 4 } ] }
            """), 5, 74, "devices[1].metrics[0].line: line 4 of chip '/dev/gpiochip0' is already used by devices[0].metrics[0]");

    [Fact]
    public void GpioDevice_TakesNoSensors() =>
        ConfigAssert.Single(TempConfig.LoadText("""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://b" ] }
            devices:
              - { id: A, gpio: { chip: gpiochip0 }, metrics: [ { name: X, line: 4 } ], sensors: [] }
            """), 4, 76, "devices[0].sensors: only for i2c devices");
}
