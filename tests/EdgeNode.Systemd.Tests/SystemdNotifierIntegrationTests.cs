using System.Net.Sockets;

namespace EdgeNode.Systemd.Tests;

/// <summary>sd_notify against a real Unix datagram socket, bound like systemd's /run/systemd/notify.</summary>
public sealed class SystemdNotifierIntegrationTests
{
    [Fact]
    public async Task Ready_PathSocket_ReceivesReady()
    {
        using var socket = NotifySocket.BindPath();
        using var notifier = new SystemdNotifier(socket.Address);

        Assert.True(notifier.IsEnabled);
        Assert.True(notifier.Ready());
        Assert.Equal("READY=1", await socket.ReceiveAsync());
    }

    [Fact]
    public async Task Ready_AbstractSocket_ReceivesReady()
    {
        using var socket = NotifySocket.BindAbstract();
        Assert.StartsWith("@", socket.Address, StringComparison.Ordinal);
        using var notifier = new SystemdNotifier(socket.Address);

        Assert.True(notifier.Ready());
        Assert.Equal("READY=1", await socket.ReceiveAsync());
    }

    [Fact]
    public async Task Notifications_InOrder_ReceivesEachAsOneDatagram()
    {
        using var socket = NotifySocket.BindAbstract();
        using var notifier = new SystemdNotifier(socket.Address);

        Assert.True(notifier.Status("connecting mqtt://127.0.0.1:1883"));
        Assert.True(notifier.Ready());
        Assert.True(notifier.Watchdog());
        Assert.True(notifier.ExtendTimeout(TimeSpan.FromSeconds(20)));
        Assert.True(notifier.Stopping());
        Assert.True(notifier.Notify("STATUS=draining\nERRNO=0"));

        Assert.Equal("STATUS=connecting mqtt://127.0.0.1:1883", await socket.ReceiveAsync());
        Assert.Equal("READY=1", await socket.ReceiveAsync());
        Assert.Equal("WATCHDOG=1", await socket.ReceiveAsync());
        Assert.Equal("EXTEND_TIMEOUT_USEC=20000000", await socket.ReceiveAsync());
        Assert.Equal("STOPPING=1", await socket.ReceiveAsync());
        Assert.Equal("STATUS=draining\nERRNO=0", await socket.ReceiveAsync());
    }

    [Fact]
    public async Task Status_MultiLineText_SentAsOneLine()
    {
        using var socket = NotifySocket.BindPath();
        using var notifier = new SystemdNotifier(socket.Address);

        notifier.Status("online\nvia  mqtt://broker:1883\r\n");

        Assert.Equal("STATUS=online via  mqtt://broker:1883", await socket.ReceiveAsync());
    }

    [Fact]
    public async Task Notify_FromManyThreads_EveryDatagramArrives()
    {
        using var socket = NotifySocket.BindPath();
        using var notifier = new SystemdNotifier(socket.Address);

        // The receiver drains while the senders run, as systemd does; senders wait for room in its queue.
        var receiving = Task.Run(async () =>
        {
            var received = new HashSet<string>();
            for (var i = 0; i < 200; i++)
            {
                received.Add(await socket.ReceiveAsync());
            }

            return received;
        });
        var sent = await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
            Enumerable.Range(0, 25).Count(i => notifier.Status($"t{t} i{i}")))));

        Assert.Equal(200, sent.Sum());
        Assert.Equal(200, (await receiving).Count);
    }

    [Fact]
    public async Task Notify_ReceiverQueueFullAndNotDraining_GivesUpWithinTimeout()
    {
        using var socket = NotifySocket.BindPath();
        using var notifier = new SystemdNotifier(socket.Address);

        // Fill the receiver's queue without reading: sends block, then time out (false), never hang.
        var results = new List<bool>();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (results.Count < 2000 && (results.Count == 0 || results[^1]))
        {
            results.Add(notifier.Watchdog());
        }

        Assert.False(results[^1]);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60));

        // Once systemd reads again, notifications flow.
        socket.Drain();
        Assert.True(notifier.Ready());
        string last;
        do
        {
            last = await socket.ReceiveAsync();
        }
        while (last == "WATCHDOG=1");

        Assert.Equal("READY=1", last);
    }

    [Fact]
    public void Notify_NoSocket_IsNoOp()
    {
        using var notifier = new SystemdNotifier((string?)null);

        Assert.False(notifier.IsEnabled);
        Assert.False(notifier.Ready());
        Assert.False(notifier.Watchdog());
        Assert.False(notifier.Status("x"));
    }

    [Fact]
    public void Notify_VsockAddress_DisabledNotThrown()
    {
        using var notifier = new SystemdNotifier("vsock:2:1234");

        Assert.False(notifier.IsEnabled);
        Assert.False(notifier.Ready());
    }

    [Fact]
    public async Task Notify_ReceiverGoneThenBack_ReturnsFalseThenRecovers()
    {
        var directory = Directory.CreateTempSubdirectory("edgenode-notify-").FullName;
        try
        {
            var path = Path.Combine(directory, "notify");
            using var notifier = new SystemdNotifier(path);

            // No one bound: ENOENT/ECONNREFUSED is an expected fault, reported as false.
            Assert.False(notifier.Ready());

            // systemd re-executed (daemon-reexec) and bound the socket again: the same notifier reaches it.
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(path));
            Assert.True(notifier.Ready());
            var buffer = new byte[64];
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            Assert.Equal("READY=1", System.Text.Encoding.UTF8.GetString(buffer, 0, n));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Notify_AfterDispose_Throws()
    {
        using var socket = NotifySocket.BindPath();
        var notifier = new SystemdNotifier(socket.Address);
        notifier.Dispose();

        Assert.Throws<ObjectDisposedException>(() => notifier.Ready());
    }

    [Fact]
    public void Constructor_FromEnvironment_ReadsNotifySocket()
    {
        // The test host may itself run under systemd; either way the default constructor must mirror $NOTIFY_SOCKET.
        using var notifier = new SystemdNotifier();

        Assert.Equal(Environment.GetEnvironmentVariable("NOTIFY_SOCKET") is { Length: > 0 }, notifier.IsEnabled);
    }
}
