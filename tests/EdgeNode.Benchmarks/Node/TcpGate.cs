using System.Net;
using System.Net.Sockets;
using EdgeNode.Testing;

namespace EdgeNode.Benchmarks.Node;

/// <summary>
/// A TCP relay between the node and the broker that can be cut and restored on the same port: the node loses its broker
/// (connections reset, new ones refused) while the observer, connected to the broker directly, never does.
/// </summary>
internal sealed class TcpGate(int targetPort) : IAsyncDisposable
{
    private readonly List<(Socket Client, Socket Upstream)> _pairs = [];
    private TcpListener? _listener;
    private CancellationTokenSource? _open;
    private Task? _accepting;

    public int Port { get; } = FreePort.Next();

    public bool IsOpen => _listener is not null;

    public void Open()
    {
        if (_listener is not null)
        {
            return;
        }

        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        _open = new CancellationTokenSource();
        _accepting = AcceptAsync(listener, _open.Token);
    }

    /// <summary>Resets every relayed connection (as a crashed broker or a cut link would) and refuses new ones.</summary>
    public async Task CloseAsync()
    {
        if (_listener is null)
        {
            return;
        }

        await _open!.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        _listener = null;
        lock (_pairs)
        {
            foreach (var (client, upstream) in _pairs)
            {
                Reset(client);
                Reset(upstream);
            }

            _pairs.Clear();
        }

        await _accepting!.ConfigureAwait(false);
        _open.Dispose();
        _open = null;
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, targetPort, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                Reset(client);
                upstream.Dispose();
                continue;
            }

            client.NoDelay = true;
            lock (_pairs)
            {
                _pairs.Add((client, upstream));
            }

            _ = PumpAsync(client, upstream);
            _ = PumpAsync(upstream, client);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            Reset(from);
            Reset(to);
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

    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(false);
}
