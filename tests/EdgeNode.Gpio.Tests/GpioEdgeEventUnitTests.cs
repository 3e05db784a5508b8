using EdgeNode.Gpio.Testing;
using EdgeNode.Gpio.Tests.TestSupport;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Gpio.Tests;

public class GpioEdgeEventUnitTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly FakeGpioKernel _kernel = new();
    private readonly FakeGpioChip _fake;
    private readonly TestLogger _log = new();
    private readonly GpioChip _chip;

    public GpioEdgeEventUnitTests()
    {
        _fake = _kernel.AddRaspberryPi4Chip();
        _chip = GpioChip.Open("gpiochip0", _kernel, _log);
    }

    public void Dispose() => _chip.Dispose();

    private static async Task<GpioEdgeEvent> NextAsync(GpioLineRequest request)
    {
        using var cts = new CancellationTokenSource(Patience);
        return await request.EdgeEvents.ReadAsync(cts.Token);
    }

    [Fact]
    public async Task EdgeEvents_BothEdges_CarryLineKindSequenceAndTimestamps()
    {
        await using var request = _chip.RequestLines(new GpioLineRequestOptions()
            .Add(17, GpioLineSettings.Input(GpioEdge.Both, GpioBias.PullDown)).Add(27, GpioLineSettings.Input(GpioEdge.Both)));
        _kernel.MonotonicNs = 1_000_000_000_000;
        _fake.SetInputLevel(17, true);
        _kernel.MonotonicNs = 1_000_500_000_000;
        _fake.SetInputLevel(27, true);
        _kernel.MonotonicNs = 1_001_000_000_000;
        _fake.SetInputLevel(17, false);

        var first = await NextAsync(request);
        var second = await NextAsync(request);
        var third = await NextAsync(request);
        Assert.Equal((17, GpioEdgeKind.Rising, 1_000_000_000_000UL, 1u, 1u), (first.LineOffset, first.Kind, first.TimestampNs, first.Sequence, first.LineSequence));
        Assert.Equal((27, GpioEdgeKind.Rising, 2u, 1u), (second.LineOffset, second.Kind, second.Sequence, second.LineSequence));
        Assert.Equal((17, GpioEdgeKind.Falling, 3u, 2u), (third.LineOffset, third.Kind, third.Sequence, third.LineSequence));
        Assert.True(first.Value);
        Assert.False(third.Value);
        Assert.Equal(GpioEventClock.Monotonic, first.Clock);
        Assert.Equal(0, request.DroppedEventCount);
    }

    [Fact]
    public async Task EdgeEvents_MonotonicStamp_ConvertedToWallClockAtRead()
    {
        await using var request = _chip.RequestLine("GPIO17", GpioLineSettings.Input(GpioEdge.Rising));
        var ev = default(GpioEdgeEvent);
        lock (_kernel.Sync)
        {
            _kernel.MonotonicNs = 2_000_000_000_000;
            _kernel.RealtimeNs = 1_700_000_000_000_000_000;
            _fake.SetInputLevel(17, true);
        }

        ev = await NextAsync(request);
        // The fake's clocks did not move between the edge and the read: the wall clock of the edge is "now".
        Assert.Equal(1_700_000_000_000_000_000L, ev.UnixTimeNs);
        Assert.Equal(1_700_000_000_000L, ev.UnixTimeMilliseconds);
    }

    [Fact]
    public async Task EdgeEvents_RealtimeClock_KernelStampIsWallClock()
    {
        await using var request = _chip.RequestLines(new GpioLineRequestOptions { EventClock = GpioEventClock.Realtime }
            .Add(17, GpioLineSettings.Input(GpioEdge.Falling)));
        Assert.Equal(GpioEventClock.Realtime, _chip.GetLineInfo(17).EventClock);
        _fake.SetInputLevel(17, true);   // rising: not asked for
        _kernel.RealtimeNs = 1_750_000_000_123_000_000;
        _fake.SetInputLevel(17, false);
        var ev = await NextAsync(request);
        Assert.Equal(GpioEdgeKind.Falling, ev.Kind);
        Assert.Equal(GpioEventClock.Realtime, ev.Clock);
        Assert.Equal(1_750_000_000_123_000_000UL, ev.TimestampNs);
        Assert.Equal(1_750_000_000_123L, ev.UnixTimeMilliseconds);
    }

    [Fact]
    public async Task EdgeEvents_ActiveLowContact_ClosingIsRising()
    {
        // A door contact to ground with a pull-up: closing pulls the pin low, which is the active (rising) edge.
        await using var request = _chip.RequestLine("17", GpioLineSettings.Input(GpioEdge.Both, GpioBias.PullUp, activeLow: true));
        _fake.SetInputLevel(17, true);  // idle high: inactive
        _fake.SetInputLevel(17, false); // contact closes
        var first = await NextAsync(request);
        var second = await NextAsync(request);
        Assert.Equal(GpioEdgeKind.Falling, first.Kind);
        Assert.Equal(GpioEdgeKind.Rising, second.Kind);
        Assert.True(second.Value);
    }

    [Fact]
    public async Task ReadEdgeEventsAsync_AsyncStream_YieldsInOrder()
    {
        await using var request = _chip.RequestLine("17", GpioLineSettings.Input(GpioEdge.Both));
        for (var i = 0; i < 10; i++)
        {
            _fake.SetInputLevel(17, i % 2 == 0);
        }

        using var cts = new CancellationTokenSource(Patience);
        var seen = new List<GpioEdgeEvent>();
        await foreach (var ev in request.ReadEdgeEventsAsync(cts.Token))
        {
            seen.Add(ev);
            if (seen.Count == 10)
            {
                break;
            }
        }

        Assert.Equal(Enumerable.Range(1, 10).Select(i => (uint)i), seen.Select(e => e.Sequence));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i % 2 == 0 ? GpioEdgeKind.Rising : GpioEdgeKind.Falling), seen.Select(e => e.Kind));
    }

    [Fact]
    public async Task EdgeEvents_KernelBufferOverflow_CountsSequenceGapAndWarns()
    {
        // event_buffer_size 1 rounds up to a one-event kfifo: only the newest of three edges survives.
        await using var request = _chip.RequestLines(new GpioLineRequestOptions { EventBufferSize = 1 }
            .Add(17, GpioLineSettings.Input(GpioEdge.Both)));
        _fake.SetInputLevel(17, true);
        var first = await NextAsync(request);
        lock (_kernel.Sync)
        {
            // Three edges land while the reader is not looking (the fake's lock is the kernel's).
            _fake.SetInputLevel(17, false);
            _fake.SetInputLevel(17, true);
            _fake.SetInputLevel(17, false);
        }

        var next = await NextAsync(request);
        Assert.Equal(1u, first.Sequence);
        Assert.Equal(4u, next.Sequence);
        Assert.Equal(2, request.DroppedEventCount);
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.Id.Id == 4003 && e.Message.Contains("eventBufferSize", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EdgeEvents_NobodyReadsAndChannelFull_DropsOldestAndCounts()
    {
        await using var request = _chip.RequestLines(new GpioLineRequestOptions { EventChannelCapacity = 2, EventBufferSize = 1024 }
            .Add(17, GpioLineSettings.Input(GpioEdge.Both)));
        for (var i = 0; i < 6; i++)
        {
            _fake.SetInputLevel(17, i % 2 == 0);
        }

        var deadline = DateTime.UtcNow + Patience;
        while (request.DroppedEventCount < 4 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Equal(4, request.DroppedEventCount);
        Assert.Equal(5u, (await NextAsync(request)).Sequence);
        Assert.Equal(6u, (await NextAsync(request)).Sequence);
    }

    [Fact]
    public async Task EdgeEvents_ChipUnplugged_ChannelCompletesWithDisconnected()
    {
        var request = _chip.RequestLine("17", GpioLineSettings.Input(GpioEdge.Both));
        _fake.Remove();
        using var cts = new CancellationTokenSource(Patience);
        var ex = await Assert.ThrowsAsync<GpioException>(async () =>
        {
            await foreach (var unused in request.ReadEdgeEventsAsync(cts.Token))
            {
            }
        });
        Assert.Equal(GpioErrorKind.Disconnected, ex.Kind);
        // ChannelReader.ReadAsync wraps the completion exception.
        var closed = await Assert.ThrowsAsync<System.Threading.Channels.ChannelClosedException>(async () => await request.EdgeEvents.ReadAsync(cts.Token));
        Assert.IsType<GpioException>(closed.InnerException);
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Error && e.Id.Id == 4004);
        await request.DisposeAsync();
        Assert.Equal(1, _kernel.OpenFileCount);
    }

    [Fact]
    public async Task Dispose_WithReaderBlockedInPoll_StopsThreadAndCompletesChannel()
    {
        var request = _chip.RequestLine("17", GpioLineSettings.Input(GpioEdge.Both));
        Assert.True(request.ReaderRunning);
        var reading = request.EdgeEvents.ReadAsync().AsTask();
        request.Dispose();
        Assert.False(request.ReaderRunning);
        await Assert.ThrowsAsync<System.Threading.Channels.ChannelClosedException>(() => reading);
        Assert.True(request.EdgeEvents.Completion.IsCompletedSuccessfully);
        Assert.False(_fake.Line(17).IsRequested);
    }

    [Fact]
    public async Task DisposeAsync_AwaitsReaderExit_ThenClosesFd()
    {
        var request = _chip.RequestLine("17", GpioLineSettings.Input(GpioEdge.Rising));
        await request.DisposeAsync();
        Assert.True(request.ReaderExited.IsCompleted);
        Assert.Equal(1, _kernel.OpenFileCount);
    }

    [Fact]
    public async Task Request_WithoutEdges_StartsNoThreadUntilReconfiguredWithEdges()
    {
        await using var request = _chip.RequestLine("17", GpioLineSettings.Input());
        Assert.False(request.ReaderRunning);
        request.Reconfigure([GpioLineSettings.Input(GpioEdge.Rising)]);
        Assert.True(request.ReaderRunning);
        _fake.SetInputLevel(17, true);
        Assert.Equal(GpioEdgeKind.Rising, (await NextAsync(request)).Kind);
    }
}
