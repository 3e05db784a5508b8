namespace EdgeNode.Gpio.Tests.Hardware;

/// <summary>
/// A real gpiochip (see README.md in this folder): one output line wired to one input line. Filtered out of CI by the
/// trait; run on a gateway with <c>dotnet test --filter feature=gpio</c>.
/// </summary>
[Trait("feature", "gpio")]
public class GpioHardwareTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static string Chip => Environment.GetEnvironmentVariable("EDGENODE_GPIO_CHIP") ?? "gpiochip0";

    private static string Out => Environment.GetEnvironmentVariable("EDGENODE_GPIO_OUT") ?? "GPIO17";

    private static string In => Environment.GetEnvironmentVariable("EDGENODE_GPIO_IN") ?? "GPIO27";

    [Fact]
    public void EnumerateChips_Gateway_HasTheConfiguredChip()
    {
        var chips = GpioChip.EnumerateChips();
        Assert.NotEmpty(chips);
        using var chip = GpioChip.Open(Chip);
        Assert.Contains(chip.Info, chips);
        Assert.Equal(chip.LineCount, chip.GetLineInfos().Count);
    }

    [Fact]
    public async Task Loopback_OutputToggles_InputReadsAndReportsEdges()
    {
        using var chip = GpioChip.Open(Chip);
        await using var output = chip.RequestLine(Out, GpioLineSettings.Output(initialValue: false), "edgenode-test");
        await using var input = chip.RequestLine(In, GpioLineSettings.Input(GpioEdge.Both, GpioBias.PullDown), "edgenode-test");
        var inOffset = chip.ResolveLine(In);
        var outOffset = chip.ResolveLine(Out);
        Assert.False(input.GetValue(inOffset));

        using var cts = new CancellationTokenSource(Patience);
        for (var i = 0; i < 5; i++)
        {
            output.SetValue(outOffset, true);
            var rising = await input.EdgeEvents.ReadAsync(cts.Token);
            Assert.Equal((inOffset, GpioEdgeKind.Rising), (rising.LineOffset, rising.Kind));
            Assert.True(input.GetValue(inOffset));
            Assert.InRange(rising.UnixTimeMilliseconds, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 5_000,
                DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1_000);
            output.SetValue(outOffset, false);
            var falling = await input.EdgeEvents.ReadAsync(cts.Token);
            Assert.Equal(GpioEdgeKind.Falling, falling.Kind);
            Assert.True(falling.TimestampNs > rising.TimestampNs);
            Assert.False(input.GetValue(inOffset));
        }

        Assert.Equal(0, input.DroppedEventCount);
    }

    [Fact]
    public void RequestLine_HeldTwice_SecondIsLineBusyNamingTheFirst()
    {
        using var chip = GpioChip.Open(Chip);
        using var first = chip.RequestLine(In, GpioLineSettings.Input(), "edgenode-first");
        var ex = Assert.Throws<GpioException>(() => chip.RequestLine(In, GpioLineSettings.Input()));
        Assert.Equal(GpioErrorKind.LineBusy, ex.Kind);
        Assert.Equal("edgenode-first", ex.Consumer);
        Assert.Equal("edgenode-first", chip.GetLineInfo(chip.ResolveLine(In)).Consumer);
    }

    [Fact]
    public void ActiveLowInput_PulledUpWithNothingDriving_ReadsInactive()
    {
        using var chip = GpioChip.Open(Chip);
        using var output = chip.RequestLine(Out, GpioLineSettings.Output(initialValue: true, activeLow: true), "edgenode-test");
        using var input = chip.RequestLine(In, GpioLineSettings.Input(bias: GpioBias.PullUp, activeLow: true), "edgenode-test");
        // Output active + active-low drives the wire low: the active-low input reads active.
        Assert.True(input.GetValue(chip.ResolveLine(In)));
        output.SetValue(chip.ResolveLine(Out), false);
        Assert.False(input.GetValue(chip.ResolveLine(In)));
    }
}
