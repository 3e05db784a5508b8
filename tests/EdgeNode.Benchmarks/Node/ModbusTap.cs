using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace EdgeNode.Benchmarks.Node;

/// <summary>
/// A Modbus TCP relay in front of the simulator that notes, for every read of holding or input registers, when the
/// request went to the simulator and when its answer came back. The simulator reads its registers in between, so a value
/// present for that whole interval was certainly read: this tells a value no scan could have seen from one a scan saw
/// and did not report, independently of the timestamps the publisher puts on its data.
/// </summary>
internal sealed class ModbusTap(int targetPort, Action<ModbusRead> onRead) : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private Task? _accepting;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Start()
    {
        _listener.Start();
        _accepting = AcceptAsync(_stop.Token);
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

            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, targetPort, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                client.Dispose();
                upstream.Dispose();
                continue;
            }

            client.NoDelay = true;
            lock (_sockets)
            {
                _sockets.Add(client);
                _sockets.Add(upstream);
            }

            var pending = new Dictionary<ushort, (byte Unit, int Address, int Count, double RequestMs)>();
            _ = PumpAsync(client, upstream, frame =>
            {
                // A read request (FC 3 or 4): noted just before it is forwarded, so the read happens after this time.
                if (frame.Length >= 12 && frame[7] is 3 or 4)
                {
                    lock (pending)
                    {
                        pending[BinaryPrimitives.ReadUInt16BigEndian(frame)] =
                            (frame[6], BinaryPrimitives.ReadUInt16BigEndian(frame[8..]), BinaryPrimitives.ReadUInt16BigEndian(frame[10..]),
                                NodeTrafficObserver.NowMs());
                    }
                }
            });
            _ = PumpAsync(upstream, client, frame =>
            {
                // Its answer: noted on arrival, so the read happened before this time.
                var now = NodeTrafficObserver.NowMs();
                if (frame.Length >= 8 && frame[7] is 3 or 4)
                {
                    (byte Unit, int Address, int Count, double RequestMs) request;
                    lock (pending)
                    {
                        if (!pending.Remove(BinaryPrimitives.ReadUInt16BigEndian(frame), out request))
                        {
                            return;
                        }
                    }

                    onRead(new ModbusRead(request.Unit, request.Address, request.Count, request.RequestMs, now));
                }
            });
        }
    }

    /// <summary>Forwards bytes as they come, handing every complete MBAP frame to <paramref name="onFrame"/> first.</summary>
    private static async Task PumpAsync(Socket from, Socket to, SpanAction onFrame)
    {
        var buffer = new byte[4096];
        var filled = 0;
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                var end = filled + read;
                var start = 0;
                while (end - start >= 7)
                {
                    var length = 6 + BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(start + 4));
                    if (end - start < length)
                    {
                        break;
                    }

                    onFrame(buffer.AsSpan(start, length));
                    start += length;
                }

                await to.SendAsync(buffer.AsMemory(filled, read), SocketFlags.None).ConfigureAwait(false);
                Array.Copy(buffer, start, buffer, 0, end - start);
                filled = end - start;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            from.Dispose();
            to.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }

        if (_accepting is not null)
        {
            await _accepting.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private delegate void SpanAction(ReadOnlySpan<byte> frame);
}

/// <summary>One register read seen on the wire: the simulator read the registers between the two times (UTC ms).</summary>
internal readonly record struct ModbusRead(byte Unit, int Address, int Count, double RequestMs, double ResponseMs);
