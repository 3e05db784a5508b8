using System.Net;
using System.Net.Sockets;

namespace EdgeNode.Testing;

/// <summary>A direction of a relayed TCP connection.</summary>
public enum TcpDirection
{
    /// <summary>From the connecting client (the node) to the target (the broker).</summary>
    ClientToServer,

    /// <summary>From the target back to the client.</summary>
    ServerToClient,
}

/// <summary>
/// A fault-injecting TCP relay on 127.0.0.1 for tests (issue 15), in the style of the benchmarks' TcpGate: the client
/// connects to <see cref="Port"/>, the relay connects on to the target. Faults, switchable at any time and applied to
/// the connections open now and to new ones:
/// <list type="bullet">
/// <item><see cref="Pass"/>: bytes flow unchanged.</item>
/// <item><see cref="Blackhole"/>: a silent link — connections stay open (no FIN, no RST) but nothing is forwarded in
/// either direction; new connections are accepted and go nowhere.</item>
/// <item><see cref="HalfOpen"/>: one direction dies silently, the other still flows.</item>
/// <item><see cref="ResetAll"/>: every connection is reset (RST), as a crashed middlebox would.</item>
/// <item><see cref="Latency"/> and <see cref="TrickleBytesPerSecond"/>: added delay per chunk, and a slow line.</item>
/// <item><see cref="FlapAsync"/>: scheduled flapping — up for a while, then reset and refusing, again and again.</item>
/// </list>
/// The kernel has no netem here, so the relay does the shaping itself (chunk by chunk: latency delays reading too).
/// </summary>
public sealed class TcpFaultRelay : IAsyncDisposable
{
    private readonly List<(Socket Client, Socket Upstream)> _pairs = [];
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private volatile bool _clientToServerDead;
    private volatile bool _serverToClientDead;
    private volatile bool _refusing;
    private int _connections;

    private TcpFaultRelay(int targetPort)
    {
        TargetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync(_stop.Token);
    }

    /// <summary>Where clients connect.</summary>
    public int Port { get; }

    /// <summary>Where the relay connects on to.</summary>
    public int TargetPort { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Added delay before each chunk is forwarded (both directions).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>When above 0, chunks are forwarded at about this many bytes per second (a slow trickle).</summary>
    public int TrickleBytesPerSecond { get; set; }

    /// <summary>Starts relaying to 127.0.0.1:<paramref name="targetPort"/>.</summary>
    public static TcpFaultRelay Start(int targetPort) => new(targetPort);

    /// <summary>Bytes flow both ways; new connections are accepted.</summary>
    public void Pass()
    {
        _clientToServerDead = false;
        _serverToClientDead = false;
        _refusing = false;
    }

    /// <summary>Nothing is forwarded either way; connections stay open without FIN or RST.</summary>
    public void Blackhole()
    {
        _clientToServerDead = true;
        _serverToClientDead = true;
        _refusing = false;
    }

    /// <summary><paramref name="dead"/> stops silently (bytes and FIN dropped); the other direction still flows.</summary>
    public void HalfOpen(TcpDirection dead)
    {
        _clientToServerDead = dead == TcpDirection.ClientToServer;
        _serverToClientDead = dead == TcpDirection.ServerToClient;
        _refusing = false;
    }

    /// <summary>Resets every open connection; with <paramref name="refuseNew"/>, new ones are reset at once until <see cref="Pass"/>.</summary>
    public void ResetAll(bool refuseNew = false)
    {
        _refusing = refuseNew;
        lock (_pairs)
        {
            foreach (var (client, upstream) in _pairs)
            {
                Reset(client);
                Reset(upstream);
            }

            _pairs.Clear();
        }
    }

    /// <summary>
    /// Scheduled flapping until <paramref name="cancellationToken"/>: up for a random time in [<paramref name="upMin"/>,
    /// <paramref name="upMax"/>], then every connection reset and new ones refused for <paramref name="down"/>, and again.
    /// Ends with the link up. Returns the number of outages.
    /// </summary>
    public async Task<int> FlapAsync(TimeSpan upMin, TimeSpan upMax, TimeSpan down, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        var outages = 0;
        try
        {
            while (true)
            {
                Pass();
                await Task.Delay(upMin + ((upMax - upMin) * random.NextDouble()), cancellationToken).ConfigureAwait(false);
                ResetAll(refuseNew: true);
                outages++;
                await Task.Delay(down, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }

        Pass();
        return outages;
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            if (_refusing)
            {
                Reset(client);
                continue;
            }

            client.NoDelay = true;
            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, TargetPort, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                Reset(client);
                upstream.Dispose();
                continue;
            }

            lock (_pairs)
            {
                _pairs.Add((client, upstream));
            }

            _ = PumpAsync(client, upstream, TcpDirection.ClientToServer);
            _ = PumpAsync(upstream, client, TcpDirection.ServerToClient);
        }
    }

    private bool IsDead(TcpDirection direction) =>
        direction == TcpDirection.ClientToServer ? _clientToServerDead : _serverToClientDead;

    private async Task PumpAsync(Socket from, Socket to, TcpDirection direction)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    if (!IsDead(direction))
                    {
                        to.Shutdown(SocketShutdown.Send);
                    }

                    return; // a dead direction swallows the FIN too: the other end never learns
                }

                if (IsDead(direction))
                {
                    continue; // read and dropped, as a silent link loses them
                }

                if (Latency > TimeSpan.Zero)
                {
                    await Task.Delay(Latency).ConfigureAwait(false);
                }

                var trickle = TrickleBytesPerSecond;
                if (trickle <= 0)
                {
                    await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None).ConfigureAwait(false);
                    continue;
                }

                // about 20 pieces a second
                var piece = Math.Max(1, trickle / 20);
                for (var offset = 0; offset < read; offset += piece)
                {
                    await to.SendAsync(buffer.AsMemory(offset, Math.Min(piece, read - offset)), SocketFlags.None).ConfigureAwait(false);
                    await Task.Delay(50).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            if (!IsDead(direction))
            {
                Reset(from);
                Reset(to);
            }
        }
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0); // close with RST, not FIN
            socket.Close();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _accepting.ConfigureAwait(false);
        ResetAll();
        _stop.Dispose();
    }
}
