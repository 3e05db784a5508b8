namespace EdgeNode.Systemd.Tests;

/// <summary>The pacer with a fake clock; the notifications go through a real notify socket.</summary>
public sealed class WatchdogPacerUnitTests
{
    private const int OurPid = 4242;

    [Theory]
    [InlineData("30000000", null, 30_000)]
    [InlineData("30000000", "", 30_000)]
    [InlineData("30000000", "4242", 30_000)]
    [InlineData("500", null, 0.5)]
    public void ParseWatchdogTimeout_Enabled_ReturnsTimeout(string usec, string? pid, double expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), WatchdogPacer.ParseWatchdogTimeout(usec, pid, OurPid));

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("0", null)]
    [InlineData("-5", null)]
    [InlineData(" 30000000", null)]
    [InlineData("30s", null)]
    [InlineData("30000000", "4243")] // meant for another process (a parent that forked us)
    [InlineData("30000000", "abc")]
    public void ParseWatchdogTimeout_NotForUs_ReturnsNull(string? usec, string? pid) =>
        Assert.Null(WatchdogPacer.ParseWatchdogTimeout(usec, pid, OurPid));

    [Fact]
    public void ParseWatchdogTimeout_Huge_Clamped() =>
        Assert.True(WatchdogPacer.ParseWatchdogTimeout(ulong.MaxValue.ToString(), null, OurPid) > TimeSpan.FromDays(10_000));

    [Fact]
    public void PingInterval_IsHalfTheTimeout()
    {
        using var socket = NotifySocket.BindPath();
        using var notifier = new SystemdNotifier(socket.Address);
        var pacer = new WatchdogPacer(notifier, TimeSpan.FromSeconds(60), new ManualTimeProvider());

        Assert.Equal(TimeSpan.FromSeconds(30), pacer.PingInterval);
        Assert.True(pacer.IsEnabled);
    }

    [Fact]
    public void Tick_NoWatchdogTimeout_Disabled()
    {
        using var socket = NotifySocket.BindPath();
        using var notifier = new SystemdNotifier(socket.Address);
        var pacer = new WatchdogPacer(notifier, null, new ManualTimeProvider());

        Assert.False(pacer.IsEnabled);
        Assert.Equal(WatchdogPing.Disabled, pacer.Tick());
        Assert.Empty(socket.Drain());
    }

    [Fact]
    public void Tick_NoNotifySocket_Disabled()
    {
        using var notifier = new SystemdNotifier((string?)null);
        var pacer = new WatchdogPacer(notifier, TimeSpan.FromSeconds(10), new ManualTimeProvider());

        Assert.Equal(WatchdogPing.Disabled, pacer.Tick());
    }

    [Fact]
    public async Task Tick_NoLoopsRegistered_Sends()
    {
        using var socket = NotifySocket.BindPath();
        using var notifier = new SystemdNotifier(socket.Address);
        var pacer = new WatchdogPacer(notifier, TimeSpan.FromSeconds(10), new ManualTimeProvider());

        Assert.Equal(WatchdogPing.Sent, pacer.Tick());
        Assert.Equal("WATCHDOG=1", await socket.ReceiveAsync());
    }

    [Fact]
    public async Task Tick_LoopsBeating_Sends()
    {
        using var socket = NotifySocket.BindPath();
        using var notifier = new SystemdNotifier(socket.Address);
        var clock = new ManualTimeProvider();
        var pacer = new WatchdogPacer(notifier, TimeSpan.FromSeconds(30), clock);
        using var poll = pacer.Register("poll Turbine1", TimeSpan.FromSeconds(20));
        using var publish = pacer.Register("publish", TimeSpan.FromSeconds(40));

        for (var i = 0; i < 10; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(15));
            poll.Beat();
            publish.Beat();
            Assert.Equal(WatchdogPing.Sent, pacer.Tick());
        }

        Assert.Equal(10, (await ReceiveAll(socket, 10)).Count(m => m == "WATCHDOG=1"));
    }

    [Fact]
    public void Tick_NewLoopWithinAllowance_CountsAsAlive()
    {
        using var socket = NotifySocket.BindPath();
        using var notifier = new SystemdNotifier(socket.Address);
        var clock = new ManualTimeProvider();
        var pacer = new WatchdogPacer(notifier, TimeSpan.FromSeconds(30), clock);
        using var poll = pacer.Register("poll", TimeSpan.FromSeconds(20));

        clock.Advance(TimeSpan.FromSeconds(20));

        Assert.True(pacer.IsAlive(out var stalled));
        Assert.Null(stalled);
    }

    [Fact]
    public async Task Tick_OneLoopHung_WithholdsUntilItBeatsAgain()
    {
        using var socket = NotifySocket.BindPath();
        using var notifier = new SystemdNotifier(socket.Address);
        var clock = new ManualTimeProvider();
        var pacer = new WatchdogPacer(notifier, TimeSpan.FromSeconds(30), clock);
        using var poll = pacer.Register("poll Turbine1", TimeSpan.FromSeconds(20));
        using var publish = pacer.Register("publish", TimeSpan.FromSeconds(20));

        clock.Advance(TimeSpan.FromSeconds(15));
        poll.Beat();
        publish.Beat();
        Assert.Equal(WatchdogPing.Sent, pacer.Tick());
        Assert.Equal("WATCHDOG=1", await socket.ReceiveAsync());

        // The poll loop hangs (a blocked read); the publish loop goes on.
        for (var i = 0; i < 4; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(15));
            publish.Beat();
            pacer.Tick();
        }

        Assert.False(pacer.IsAlive(out var stalled));
        Assert.Same(poll, stalled);
        Assert.Equal(WatchdogPing.Withheld, pacer.Tick());
        // 15 s after the last beat the poll loop was still within 20 s: exactly one more ping, then silence.
        Assert.Equal(["WATCHDOG=1"], socket.Drain());

        poll.Beat();
        Assert.Equal(WatchdogPing.Sent, pacer.Tick());
        Assert.Equal("WATCHDOG=1", await socket.ReceiveAsync());
    }

    [Fact]
    public void Tick_StalledLoopUnregistered_SendsAgain()
    {
        using var socket = NotifySocket.BindPath();
        using var notifier = new SystemdNotifier(socket.Address);
        var clock = new ManualTimeProvider();
        var pacer = new WatchdogPacer(notifier, TimeSpan.FromSeconds(30), clock);
        var device = pacer.Register("poll Removed", TimeSpan.FromSeconds(5));
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(WatchdogPing.Withheld, pacer.Tick());

        device.Dispose();

        Assert.Empty(pacer.Heartbeats);
        Assert.Equal(WatchdogPing.Sent, pacer.Tick());
    }

    [Fact]
    public void IsAlive_TwoStalled_ReportsTheMostOverdue()
    {
        using var notifier = new SystemdNotifier((string?)null);
        var clock = new ManualTimeProvider();
        var pacer = new WatchdogPacer(notifier, TimeSpan.FromSeconds(30), clock);
        using var a = pacer.Register("a", TimeSpan.FromSeconds(10));
        using var b = pacer.Register("b", TimeSpan.FromSeconds(5));

        clock.Advance(TimeSpan.FromSeconds(12));

        Assert.False(pacer.IsAlive(out var stalled));
        Assert.Same(b, stalled);
    }

    [Fact]
    public async Task RunAsync_FakeClock_PingsAtOnceThenEveryHalfTimeout()
    {
        using var socket = NotifySocket.BindAbstract();
        using var notifier = new SystemdNotifier(socket.Address);
        var clock = new ManualTimeProvider();
        var pacer = new WatchdogPacer(notifier, TimeSpan.FromSeconds(20), clock);
        using var loop = pacer.Register("poll", TimeSpan.FromSeconds(25));
        using var cts = new CancellationTokenSource();

        var run = pacer.RunAsync(cts.Token);
        Assert.Equal("WATCHDOG=1", await socket.ReceiveAsync());
        await WaitUntil(() => clock.ActiveTimers == 1);

        // 9.9 s: nothing yet; 10 s: the first periodic ping.
        clock.Advance(TimeSpan.FromSeconds(9.9));
        Assert.Null(await socket.TryReceiveAsync(TimeSpan.FromMilliseconds(200)));
        clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal("WATCHDOG=1", await socket.ReceiveAsync());

        // The loop stops beating: pings go on until its 25 s are exceeded, then stop.
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("WATCHDOG=1", await socket.ReceiveAsync());
        clock.Advance(TimeSpan.FromSeconds(10));
        await WaitUntil(() => pacer.Tick() == WatchdogPing.Withheld);
        Assert.Null(await socket.TryReceiveAsync(TimeSpan.FromMilliseconds(300)));

        // It recovers: the next period pings again.
        loop.Beat();
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("WATCHDOG=1", await socket.ReceiveAsync());

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task RunAsync_RealClock_PingsRepeatedly()
    {
        using var socket = NotifySocket.BindPath();
        using var notifier = new SystemdNotifier(socket.Address);
        // WATCHDOG_USEC=200000 → a ping every 100 ms.
        var pacer = new WatchdogPacer(notifier, WatchdogPacer.ParseWatchdogTimeout("200000", null, 1), TimeProvider.System);
        using var loop = pacer.Register("busy", TimeSpan.FromMinutes(5));
        using var cts = new CancellationTokenSource();

        var run = pacer.RunAsync(cts.Token);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("WATCHDOG=1", await socket.ReceiveAsync());
        }

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task RunAsync_Disabled_CompletesAtOnce()
    {
        using var notifier = new SystemdNotifier((string?)null);
        var pacer = new WatchdogPacer(notifier, TimeSpan.FromSeconds(1), new ManualTimeProvider());

        await pacer.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Register_InvalidArguments_Throw()
    {
        using var notifier = new SystemdNotifier((string?)null);
        var pacer = new WatchdogPacer(notifier, TimeSpan.FromSeconds(1), new ManualTimeProvider());

        Assert.Throws<ArgumentOutOfRangeException>(() => pacer.Register("x", TimeSpan.Zero));
        Assert.ThrowsAny<ArgumentException>(() => pacer.Register(" ", TimeSpan.FromSeconds(1)));
    }

    private static async Task<List<string>> ReceiveAll(NotifySocket socket, int count)
    {
        var all = new List<string>();
        for (var i = 0; i < count; i++)
        {
            all.Add(await socket.ReceiveAsync());
        }

        return all;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 30 s");
            await Task.Delay(10);
        }
    }
}
