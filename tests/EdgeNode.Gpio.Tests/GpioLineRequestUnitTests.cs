using EdgeNode.Gpio.Testing;

namespace EdgeNode.Gpio.Tests;

public class GpioLineRequestUnitTests
{
    private readonly FakeGpioKernel _kernel = new();
    private readonly FakeGpioChip _fake;
    private readonly GpioChip _chip;

    public GpioLineRequestUnitTests()
    {
        _fake = _kernel.AddRaspberryPi4Chip();
        _chip = GpioChip.Open("pinctrl-bcm2711", _kernel);
    }

    [Fact]
    public void RequestLines_MixedLines_KernelDecodesExactlyTheseSettings()
    {
        var door = GpioLineSettings.Input(GpioEdge.Both, GpioBias.PullUp, activeLow: true, debounceMs: 20);
        var run = GpioLineSettings.Input(GpioEdge.None, GpioBias.PullDown);
        var relay = GpioLineSettings.Output(initialValue: true, drive: GpioDrive.OpenDrain);
        using var request = _chip.RequestLines(new GpioLineRequestOptions { Consumer = "edgenode", EventBufferSize = 64 }
            .Add("GPIO27", door).Add(17, run).Add("22", relay));

        var record = Assert.Single(_kernel.Requests);
        Assert.Equal([27, 17, 22], record.Offsets);
        Assert.Equal("edgenode", record.Consumer);
        Assert.Equal(64, record.EventBufferSize);
        Assert.Equal(door, record.SettingsOf(0));
        Assert.Equal(run, record.SettingsOf(1));
        Assert.Equal(relay, record.SettingsOf(2));
        Assert.Equal([27, 17, 22], request.Offsets);
        Assert.True(_fake.GetOutputLevel(22));
    }

    [Fact]
    public void RequestLines_Accepted_LineInfoShowsConsumerAndConfig()
    {
        using var request = _chip.RequestLine("GPIO17", GpioLineSettings.Input(GpioEdge.Rising, GpioBias.PullUp, debounceMs: 10), "door-contact");
        var info = _chip.GetLineInfo(17);
        Assert.True(info.IsUsed);
        Assert.Equal("door-contact", info.Consumer);
        Assert.Equal(GpioBias.PullUp, info.Bias);
        Assert.Equal(GpioEdge.Rising, info.Edge);
        Assert.Equal(10_000u, info.DebounceMicroseconds);
    }

    [Fact]
    public void GetValues_BitsIndexRequestOrder_NotLineNumbers()
    {
        using var request = _chip.RequestLines(new GpioLineRequestOptions()
            .Add(27, GpioLineSettings.Input()).Add(17, GpioLineSettings.Input()).Add(5, GpioLineSettings.Input()));
        _fake.SetInputLevel(27, true);
        _fake.SetInputLevel(5, true);
        Assert.Equal(0b101UL, request.GetValues());
        Assert.Equal(0b100UL, request.GetValues(0b110));
        Assert.True(request.GetValue(27));
        Assert.False(request.GetValue(17));
        var values = new bool[3];
        request.GetValues(values);
        Assert.Equal([true, false, true], values);
    }

    [Fact]
    public void GetValue_ActiveLowInput_IsTrueWhenPhysicallyLow()
    {
        using var request = _chip.RequestLine("GPIO17", GpioLineSettings.Input(bias: GpioBias.PullUp, activeLow: true));
        _fake.SetInputLevel(17, false);
        Assert.True(request.GetValue(17));
        _fake.SetInputLevel(17, true);
        Assert.False(request.GetValue(17));
    }

    [Fact]
    public void SetValues_MaskedOutputs_DriveOnlyThoseLines()
    {
        using var request = _chip.RequestLines(new GpioLineRequestOptions()
            .Add(22, GpioLineSettings.Output()).Add(23, GpioLineSettings.Output(activeLow: true)).Add(24, GpioLineSettings.Output()));
        Assert.False(_fake.GetOutputLevel(22));
        Assert.True(_fake.GetOutputLevel(23)); // active-low output, inactive = physically high
        request.SetValues(0b011, 0b011);
        Assert.True(_fake.GetOutputLevel(22));
        Assert.False(_fake.GetOutputLevel(23));
        Assert.False(_fake.GetOutputLevel(24));
        request.SetValue(24, true);
        Assert.True(_fake.GetOutputLevel(24));
        Assert.True(_fake.GetOutputLevel(22));
        Assert.Equal(0b111UL, request.GetValues());
    }

    [Fact]
    public void SetValue_OnInput_IsInvalidConfigurationFromEperm()
    {
        using var request = _chip.RequestLines(new GpioLineRequestOptions().Add(17, GpioLineSettings.Input()).Add(22, GpioLineSettings.Output()));
        var ex = Assert.Throws<GpioException>(() => request.SetValue(17, true));
        Assert.Equal(GpioErrorKind.InvalidConfiguration, ex.Kind);
        Assert.Equal(1, ex.Errno);
        Assert.Contains("output lines", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetValues_MaskBeyondRequestedLines_ThrowsBeforeTheKernel()
    {
        using var request = _chip.RequestLine("22", GpioLineSettings.Output());
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => request.SetValues(1UL << 22, 1UL << 22));
        Assert.Contains("not line numbers", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => request.GetValues(0));
        Assert.Throws<ArgumentException>(() => request.GetValue(17));
    }

    [Fact]
    public void RequestLines_LineHeldByKernelDriver_IsLineBusyNamingConsumer()
    {
        _fake.ClaimLine(4, "onewire@4");
        var ex = Assert.Throws<GpioException>(() => _chip.RequestLines(new GpioLineRequestOptions()
            .Add(17, GpioLineSettings.Input()).Add("GPIO4", GpioLineSettings.Input())));
        Assert.Equal(GpioErrorKind.LineBusy, ex.Kind);
        Assert.Equal(16, ex.Errno);
        Assert.Equal(4, ex.Line);
        Assert.Equal("onewire@4", ex.Consumer);
        Assert.Contains("GPIO line 4 (GPIO4)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("in use by 'onewire@4'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("gpioinfo", ex.Message, StringComparison.Ordinal);
        Assert.False(_fake.Line(17).IsRequested);
        Assert.Equal(1, _kernel.OpenFileCount);
    }

    [Fact]
    public void RequestLines_SameLineTwiceByNumberAndName_RefusedBeforeTheKernel()
    {
        var ex = Assert.Throws<GpioException>(() => _chip.RequestLines(new GpioLineRequestOptions()
            .Add(17, GpioLineSettings.Input()).Add("GPIO17", GpioLineSettings.Input())));
        Assert.Equal(GpioErrorKind.InvalidConfiguration, ex.Kind);
        Assert.Empty(_kernel.Requests);
    }

    [Fact]
    public void RequestLines_SecondRequestForHeldLine_NamesOurOwnConsumer()
    {
        using var first = _chip.RequestLine("17", GpioLineSettings.Input(), "edgenode");
        var ex = Assert.Throws<GpioException>(() => _chip.RequestLine("17", GpioLineSettings.Input()));
        Assert.Equal("edgenode", ex.Consumer);
    }

    [Fact]
    public void RequestLines_BiasOnChipWithoutPulls_IsNotSupportedWithAdvice()
    {
        _fake.SupportsBias = false;
        var ex = Assert.Throws<GpioException>(() => _chip.RequestLine("17", GpioLineSettings.Input(bias: GpioBias.PullUp)));
        Assert.Equal(GpioErrorKind.NotSupported, ex.Kind);
        Assert.Equal(524, ex.Errno);
        Assert.Contains("external resistor", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RequestLines_RealtimeClockOnOldKernel_IsInvalidConfigurationNamingLinux511()
    {
        _fake.SupportsRealtimeClock = false;
        var ex = Assert.Throws<GpioException>(() => _chip.RequestLines(new GpioLineRequestOptions { EventClock = GpioEventClock.Realtime }
            .Add(17, GpioLineSettings.Input(GpioEdge.Both))));
        Assert.Equal(GpioErrorKind.InvalidConfiguration, ex.Kind);
        Assert.Contains("Linux 5.11", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RequestLines_KernelWithoutUapiV2_IsNotSupportedNamingLinux510()
    {
        _kernel.FailIoctl(Gpio.Interop.GPIO_V2_GET_LINE_IOCTL, 25);
        var ex = Assert.Throws<GpioException>(() => _chip.RequestLine("17", GpioLineSettings.Input()));
        Assert.Equal(GpioErrorKind.NotSupported, ex.Kind);
        Assert.Contains("Linux 5.10", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RequestLines_InvalidOptions_ThrowsArgumentExceptionListingProblems()
    {
        var ex = Assert.Throws<ArgumentException>(() => _chip.RequestLines(new GpioLineRequestOptions { Consumer = "" }));
        Assert.Contains("consumer: must not be empty", ex.Message, StringComparison.Ordinal);
        Assert.Contains("lines: at least one line is needed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RequestLines_SixtyFourLines_AllReachTheKernel()
    {
        var options = new GpioLineRequestOptions();
        var kernel = new FakeGpioKernel();
        kernel.AddChip("wide", 64);
        using var chip = GpioChip.Open("wide", kernel);
        for (var i = 63; i >= 0; i--)
        {
            options.Add(i, i % 2 == 0 ? GpioLineSettings.Input() : GpioLineSettings.Output(initialValue: true));
        }

        using var request = chip.RequestLines(options);
        Assert.Equal(ulong.MaxValue, request.AllLinesMask);
        Assert.Equal(Enumerable.Range(0, 64).Reverse(), kernel.Requests[0].Offsets);
        Assert.True(kernel.Chips[0].GetOutputLevel(1));
        Assert.False(kernel.Chips[0].GetOutputLevel(0));
        // Index j holds line 63 - j: the odd lines (outputs) sit at the even indices.
        request.SetValues(0, 0x5555_5555_5555_5555);
        Assert.False(kernel.Chips[0].GetOutputLevel(63));
        Assert.False(kernel.Chips[0].GetOutputLevel(1));
    }

    [Fact]
    public void Reconfigure_InputToOutput_KernelAppliesNewFlagsAndValue()
    {
        using var request = _chip.RequestLine("17", GpioLineSettings.Input(GpioEdge.Both));
        request.Reconfigure([GpioLineSettings.Output(initialValue: true)]);
        Assert.True(_fake.GetOutputLevel(17));
        Assert.Equal(GpioDirection.Output, _chip.GetLineInfo(17).Direction);
        Assert.Equal(GpioDirection.Output, request.Settings[0].Direction);
        request.SetValue(17, false);
        Assert.False(_fake.GetOutputLevel(17));
    }

    [Fact]
    public void Reconfigure_WrongCountOrInvalid_Throws()
    {
        using var request = _chip.RequestLine("17", GpioLineSettings.Input());
        Assert.Throws<ArgumentException>(() => request.Reconfigure([GpioLineSettings.Input(), GpioLineSettings.Input()]));
        Assert.Throws<ArgumentException>(() => request.Reconfigure([GpioLineSettings.Output() with { Edge = GpioEdge.Both }]));
    }

    [Fact]
    public void Dispose_Request_ReleasesLinesAndClosesFd()
    {
        var request = _chip.RequestLines(new GpioLineRequestOptions().Add(17, GpioLineSettings.Input(GpioEdge.Both)).Add(22, GpioLineSettings.Output()));
        Assert.True(_fake.Line(17).IsRequested);
        Assert.Equal(2, _kernel.OpenFileCount);
        request.Dispose();
        request.Dispose();
        Assert.False(_fake.Line(17).IsRequested);
        Assert.False(_chip.GetLineInfo(17).IsUsed);
        Assert.Equal(1, _kernel.OpenFileCount);
        Assert.Throws<ObjectDisposedException>(() => request.GetValues());
        _chip.Dispose();
        Assert.Equal(0, _kernel.OpenFileCount);
    }

    [Fact]
    public void Request_OutlivesDisposedChip_StillWorks()
    {
        var request = _chip.RequestLine("22", GpioLineSettings.Output());
        _chip.Dispose();
        request.SetValue(22, true);
        Assert.True(_fake.GetOutputLevel(22));
        request.Dispose();
        Assert.Equal(0, _kernel.OpenFileCount);
    }

    [Fact]
    public void GetValues_ChipUnplugged_IsDisconnected()
    {
        using var request = _chip.RequestLine("17", GpioLineSettings.Input());
        _fake.Remove();
        Assert.Equal(GpioErrorKind.Disconnected, Assert.Throws<GpioException>(() => request.GetValues()).Kind);
    }
}
