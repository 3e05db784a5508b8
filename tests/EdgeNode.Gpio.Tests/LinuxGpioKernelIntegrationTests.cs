using System.Diagnostics;
using EdgeNode.Gpio.Testing;
using EdgeNode.Gpio.Tests.TestSupport;

namespace EdgeNode.Gpio.Tests;

/// <summary>
/// The real syscalls without GPIO hardware: missing and non-GPIO device paths through libc open()/ioctl(), the real
/// clocks, and the edge-event thread blocked in a real poll() on a pipe standing in for a line fd.
/// </summary>
public class LinuxGpioKernelIntegrationTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public void Open_MissingDevice_IsChipNotFound()
    {
        var ex = Assert.Throws<GpioException>(() => GpioChip.Open("/dev/gpiochip999"));
        Assert.Equal(GpioErrorKind.ChipNotFound, ex.Kind);
        Assert.Equal(2, ex.Errno);
    }

    [Fact]
    public void Open_DevNull_IsNotAGpioChipFromRealEnotty()
    {
        var ex = Assert.Throws<GpioException>(() => GpioChip.Open("/dev/null"));
        Assert.Equal(GpioErrorKind.NotAGpioChip, ex.Kind);
        Assert.Equal(25, ex.Errno);
        Assert.Contains("not a GPIO character device", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_UnknownLabel_IsChipNotFound() =>
        Assert.Equal(GpioErrorKind.ChipNotFound, Assert.Throws<GpioException>(() => GpioChip.Open("no-such-gpio-label")).Kind);

    [Fact]
    public void EnumerateChips_ThisMachine_ListsEveryOpenableChipWithoutThrowing()
    {
        var chips = GpioChip.EnumerateChips();
        Assert.True(LinuxGpioKernel.Instance.EnumerateChipPaths().Count >= chips.Count);
        Assert.All(chips, c => Assert.StartsWith("/dev/gpiochip", c.Path, StringComparison.Ordinal));
    }

    [Fact]
    public void GetTimeNanoseconds_RealClocks_MonotonicAdvancesAndRealtimeIsUtcNow()
    {
        var kernel = LinuxGpioKernel.Instance;
        var m1 = kernel.GetTimeNanoseconds(GpioEventClock.Monotonic);
        Thread.Sleep(2);
        var m2 = kernel.GetTimeNanoseconds(GpioEventClock.Monotonic);
        Assert.True(m2 > m1);
        var utc = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var real = kernel.GetTimeNanoseconds(GpioEventClock.Realtime) / 1_000_000;
        Assert.InRange(real, utc - 5_000, utc + 5_000);
    }

    [Fact]
    public async Task EdgeEvents_ThroughRealPollAndRead_ArriveWithWallClockTime()
    {
        var fake = new FakeGpioKernel();
        fake.AddRaspberryPi4Chip();
        using var kernel = new PipeBackedGpioKernel(fake);
        using var chip = GpioChip.Open("pinctrl-bcm2711", kernel);
        await using var request = chip.RequestLine("GPIO17", GpioLineSettings.Input(GpioEdge.Both, GpioBias.PullUp));
        Assert.True(kernel.LineFds.TryPeek(out var lineFd));

        // An edge 250 ms ago on the real monotonic clock, then a burst of three in one write-batch.
        var now = (ulong)kernel.GetTimeNanoseconds(GpioEventClock.Monotonic);
        kernel.WriteEvent(lineFd, now - 250_000_000, 2, 17, 1, 1);
        using var cts = new CancellationTokenSource(Patience);
        var first = await request.EdgeEvents.ReadAsync(cts.Token);
        var expectedMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 250;
        Assert.Equal((17, GpioEdgeKind.Falling, 1u), (first.LineOffset, first.Kind, first.Sequence));
        Assert.InRange(first.UnixTimeMilliseconds, expectedMs - 5_000, expectedMs + 5_000);

        for (uint s = 2; s <= 4; s++)
        {
            kernel.WriteEvent(lineFd, now + s, s % 2 == 0 ? 1u : 2u, 17, s, s);
        }

        for (uint s = 2; s <= 4; s++)
        {
            Assert.Equal(s, (await request.EdgeEvents.ReadAsync(cts.Token)).Sequence);
        }

        // The values path still goes to the fake kernel behind the pipe fd.
        fake.Chips[0].SetInputLevel(17, true);
        Assert.True(request.GetValue(17));
    }

    [Fact]
    public async Task EdgeEvents_LineFdHangsUp_ChannelFailsWithDisconnected()
    {
        var fake = new FakeGpioKernel();
        fake.AddRaspberryPi4Chip();
        using var kernel = new PipeBackedGpioKernel(fake);
        using var chip = GpioChip.Open("gpiochip0", kernel);
        await using var request = chip.RequestLine("27", GpioLineSettings.Input(GpioEdge.Rising));
        Assert.True(kernel.LineFds.TryPeek(out var lineFd));
        kernel.CloseWriter(lineFd); // poll() now reports POLLHUP, as for an unplugged chip
        using var cts = new CancellationTokenSource(Patience);
        var ex = await Assert.ThrowsAsync<GpioException>(async () => await request.EdgeEvents.WaitToReadAsync(cts.Token));
        Assert.Equal(GpioErrorKind.Disconnected, ex.Kind);
    }

    [Fact]
    public void Dispose_ReaderBlockedInRealPoll_ReturnsAndClosesTheFd()
    {
        var fake = new FakeGpioKernel();
        fake.AddRaspberryPi4Chip();
        using var kernel = new PipeBackedGpioKernel(fake);
        using var chip = GpioChip.Open("gpiochip0", kernel);
        var request = chip.RequestLine("27", GpioLineSettings.Input(GpioEdge.Rising));
        Thread.Sleep(50); // let the reader enter poll()
        var watch = Stopwatch.StartNew();
        request.Dispose();
        Assert.False(request.ReaderRunning);
        Assert.True(watch.Elapsed < Patience);
        Assert.Equal(1, fake.OpenFileCount); // only the chip fd is left
    }
}
