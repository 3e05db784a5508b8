using static EdgeNode.Gpio.Interop;

namespace EdgeNode.Gpio.Tests;

public class GpioLineConfigUnitTests
{
    [Fact]
    public void Flags_InputPullUpActiveLowBothEdges_SetsEachBit() =>
        Assert.Equal(LineFlag.INPUT | LineFlag.BIAS_PULL_UP | LineFlag.ACTIVE_LOW | LineFlag.EDGE_RISING | LineFlag.EDGE_FALLING,
            GpioLineConfig.Flags(GpioLineSettings.Input(GpioEdge.Both, GpioBias.PullUp, activeLow: true), GpioEventClock.Monotonic));

    [Theory]
    [InlineData(GpioDrive.PushPull, LineFlag.OUTPUT)]
    [InlineData(GpioDrive.OpenDrain, LineFlag.OUTPUT | LineFlag.OPEN_DRAIN)]
    [InlineData(GpioDrive.OpenSource, LineFlag.OUTPUT | LineFlag.OPEN_SOURCE)]
    public void Flags_OutputDrive_SetsDriveBit(GpioDrive drive, ulong expected) =>
        Assert.Equal(expected, GpioLineConfig.Flags(GpioLineSettings.Output(drive: drive), GpioEventClock.Monotonic));

    [Theory]
    [InlineData(GpioBias.AsIs, 0UL)]
    [InlineData(GpioBias.Disabled, LineFlag.BIAS_DISABLED)]
    [InlineData(GpioBias.PullUp, LineFlag.BIAS_PULL_UP)]
    [InlineData(GpioBias.PullDown, LineFlag.BIAS_PULL_DOWN)]
    public void Flags_Bias_SetsAtMostOneBiasBit(GpioBias bias, ulong expected) =>
        Assert.Equal(LineFlag.INPUT | expected, GpioLineConfig.Flags(GpioLineSettings.Input(bias: bias), GpioEventClock.Monotonic));

    [Fact]
    public void Flags_RealtimeClock_OnlyOnEdgeInputs()
    {
        Assert.Equal(LineFlag.INPUT | LineFlag.EDGE_RISING | LineFlag.EVENT_CLOCK_REALTIME,
            GpioLineConfig.Flags(GpioLineSettings.Input(GpioEdge.Rising), GpioEventClock.Realtime));
        Assert.Equal(LineFlag.INPUT, GpioLineConfig.Flags(GpioLineSettings.Input(), GpioEventClock.Realtime));
    }

    [Fact]
    public void Encode_AllLinesAlike_UsesDefaultFlagsAndNoAttributes()
    {
        var config = default(gpio_v2_line_config);
        var input = GpioLineSettings.Input(GpioEdge.Both, GpioBias.PullUp);
        GpioLineConfig.Encode([input, input, input], GpioEventClock.Monotonic, ref config, "chip");
        Assert.Equal(LineFlag.INPUT | LineFlag.BIAS_PULL_UP | LineFlag.EDGES, config.flags);
        Assert.Equal(0u, config.num_attrs);
    }

    [Fact]
    public void Encode_MixedLines_MostCommonIsDefaultOthersGetFlagsAttribute()
    {
        var config = default(gpio_v2_line_config);
        var input = GpioLineSettings.Input(GpioEdge.Both);
        var output = GpioLineSettings.Output();
        GpioLineConfig.Encode([output, input, input], GpioEventClock.Monotonic, ref config, "chip");
        Assert.Equal(LineFlag.INPUT | LineFlag.EDGES, config.flags);
        Assert.Equal(1u, config.num_attrs);
        Assert.Equal(LineAttrId.FLAGS, config.Attr(0).attr.id);
        Assert.Equal(LineFlag.OUTPUT, config.Attr(0).attr.flags);
        Assert.Equal(0b001UL, config.Attr(0).mask);
    }

    [Fact]
    public void Encode_InitialValuesAndDebounce_OneAttributeEach()
    {
        var config = default(gpio_v2_line_config);
        GpioLineConfig.Encode(
            [GpioLineSettings.Output(initialValue: true), GpioLineSettings.Output(), GpioLineSettings.Input(debounceMs: 20),
             GpioLineSettings.Input(debounceMs: 20), GpioLineSettings.Input(debounceMs: 5)],
            GpioEventClock.Monotonic, ref config, "chip");
        var attrs = Enumerable.Range(0, (int)config.num_attrs).Select(i => config.Attr(i)).ToArray();
        var values = Assert.Single(attrs, a => a.attr.id == LineAttrId.OUTPUT_VALUES);
        Assert.Equal(0b00011UL, values.mask);
        Assert.Equal(0b00001UL, values.attr.values);
        var debounce = attrs.Where(a => a.attr.id == LineAttrId.DEBOUNCE).ToArray();
        Assert.Equal(2, debounce.Length);
        Assert.Contains(debounce, a => a.attr.debounce_period_us == 20_000 && a.mask == 0b01100UL);
        Assert.Contains(debounce, a => a.attr.debounce_period_us == 5_000 && a.mask == 0b10000UL);
        Assert.All(attrs, a => Assert.Equal(0u, a.attr.padding));
    }

    [Fact]
    public void Encode_AllOutputsStartLow_SpendsNoOutputValuesAttribute()
    {
        var config = default(gpio_v2_line_config);
        GpioLineConfig.Encode([GpioLineSettings.Output(), GpioLineSettings.Output()], GpioEventClock.Monotonic, ref config, "c");
        Assert.Equal(0u, config.num_attrs);
    }

    [Fact]
    public void Encode_ElevenDistinctDebounces_ThrowsNamingTheLimit()
    {
        var config = default(gpio_v2_line_config);
        var lines = Enumerable.Range(1, 11).Select(ms => GpioLineSettings.Input(debounceMs: ms)).ToArray();
        var ex = Assert.Throws<GpioException>(() => GpioLineConfig.Encode(lines, GpioEventClock.Monotonic, ref config, "/dev/gpiochip0"));
        Assert.Equal(GpioErrorKind.InvalidConfiguration, ex.Kind);
        Assert.Contains("11 kernel configuration attributes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("split them", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public unsafe void Decode_LineInfoWithDebounce_ReadsEveryField()
    {
        var info = new gpio_v2_line_info
        {
            offset = 17,
            flags = LineFlag.USED | LineFlag.INPUT | LineFlag.ACTIVE_LOW | LineFlag.BIAS_PULL_UP | LineFlag.EDGE_FALLING
                | LineFlag.EVENT_CLOCK_REALTIME,
            num_attrs = 1,
        };
        WriteString(info.name, 32, "GPIO17");
        WriteString(info.consumer, 32, "door");
        info.Attr(0).id = LineAttrId.DEBOUNCE;
        info.Attr(0).debounce_period_us = 10_000;
        var decoded = GpioLineConfig.Decode(ref info);
        Assert.Equal(new GpioLineInfo
        {
            Offset = 17,
            Name = "GPIO17",
            Consumer = "door",
            IsUsed = true,
            Direction = GpioDirection.Input,
            ActiveLow = true,
            Bias = GpioBias.PullUp,
            Edge = GpioEdge.Falling,
            DebounceMicroseconds = 10_000,
            EventClock = GpioEventClock.Realtime,
        }, decoded);
        Assert.Equal("line  17: \"GPIO17\" \"door\" input active-low pull-up edges=falling debounce=10ms", decoded.ToString());
    }

    [Fact]
    public void Validate_DefaultOptionsWithOneLine_HasNoProblems() =>
        Assert.Empty(GpioLineRequestOptionsValidator.Validate(new GpioLineRequestOptions().Add(17, GpioLineSettings.Input())));

    [Fact]
    public void Validate_EveryFieldWrong_NamesEachProblem()
    {
        var options = new GpioLineRequestOptions { Consumer = new string('x', 32), EventBufferSize = -1, EventChannelCapacity = 0 }
            .Add("17", GpioLineSettings.Output(drive: GpioDrive.OpenDrain) with { Edge = GpioEdge.Both, DebounceMs = 5 })
            .Add("17", GpioLineSettings.Input() with { Drive = GpioDrive.OpenSource, InitialValue = true, DebounceMs = -1 })
            .Add(" ", GpioLineSettings.Input());
        var problems = GpioLineRequestOptionsValidator.Validate(options);
        Assert.Contains(problems, p => p.StartsWith("consumer: ", StringComparison.Ordinal) && p.Contains("31 bytes", StringComparison.Ordinal));
        Assert.Contains("eventBufferSize: -1 is negative", problems);
        Assert.Contains("eventChannelCapacity: 0 must be at least 1", problems);
        Assert.Contains("lines[0].edge: edge detection needs an input line", problems);
        Assert.Contains("lines[0].debounceMs: debounce needs an input line", problems);
        Assert.Contains("lines[1].line: '17' is requested twice", problems);
        Assert.Contains("lines[1].drive: OpenSource needs an output line", problems);
        Assert.Contains("lines[1].initial: an initial value needs an output line", problems);
        Assert.Contains(problems, p => p.StartsWith("lines[1].debounceMs: -1 is outside", StringComparison.Ordinal));
        Assert.Contains("lines[2].line: must name a line number or line name", problems);
    }

    [Fact]
    public void Validate_SixtyFiveLines_Refused()
    {
        var options = new GpioLineRequestOptions();
        for (var i = 0; i < 65; i++)
        {
            options.Add(i, GpioLineSettings.Input());
        }

        Assert.Contains("lines: 65 lines, at most 64 per request", GpioLineRequestOptionsValidator.Validate(options));
    }

    [Fact]
    public void SettingsToString_Output_ShowsDriveAndInitial() =>
        Assert.Equal("output active-low open-drain initial=1",
            GpioLineSettings.Output(initialValue: true, drive: GpioDrive.OpenDrain, activeLow: true).ToString());

    [Fact]
    public void MonotonicToUnixTime_EventBeforeRead_SubtractsItsAge() =>
        // Edge at monotonic 1000 s, read at 1000.25 s when the wall clock said 1_700_000_000 s: edge 250 ms earlier.
        Assert.Equal(1_699_999_999_750_000_000L,
            GpioEdgeEvent.MonotonicToUnixTimeNs(1_000_000_000_000UL, 1_000_250_000_000L, 1_700_000_000_000_000_000L));

    [Fact]
    public void EdgeEvent_Timestamps_ConvertToMillisecondsAndDateTime()
    {
        var e = new GpioEdgeEvent(17, GpioEdgeKind.Falling, 5, GpioEventClock.Monotonic, 1, 1, 1_700_000_000_123_456_789L);
        Assert.Equal(1_700_000_000_123L, e.UnixTimeMilliseconds);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123L).AddTicks(4567), e.Timestamp);
        Assert.False(e.Value);
    }
}
