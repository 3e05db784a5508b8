using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EdgeNode.Modbus.Tests.Transport;

/// <summary>
/// A Modbus TCP link to a peer that is not Modbus (it accepts, then answers garbage): the link reconnects at the
/// reconnect back-off's pace instead of on every request, and a good answer starts the back-off over.
/// </summary>
public sealed class TcpLinkBackoffIntegrationTests
{
    private static readonly ModbusMasterOptions s_noRetry = new() { TimeoutMs = 1000, Retries = 0, UnitBackoffMs = 0 };

    [Fact]
    public async Task GarbagePeer_RequestsWithoutPause_ReconnectsAtTheBackOffPaceNotPerRequest()
    {
        await using var peer = GarbageOrModbusPeer.Start();
        await using var master = Master(peer, firstDelayMs: 100, maxDelayMs: 400);

        var clock = Stopwatch.StartNew();
        var errors = await RequestUntilAsync(master.ForUnit(1, s_noRetry), () => clock.Elapsed >= TimeSpan.FromSeconds(2));
        var requests = errors.Count;
        Assert.All(errors, e => Assert.Contains("lost", e, StringComparison.Ordinal));

        var elapsedMs = clock.Elapsed.TotalMilliseconds;
        // Delays 100, 200, 400, 400, …: the attempts that fit in the elapsed time, plus one in flight at the end.
        var allowed = 3 + (int)Math.Ceiling(elapsedMs / 400) + 1;
        Assert.InRange(peer.Accepted, 3, allowed);
        Assert.True(requests > 4 * peer.Accepted, $"{requests} requests, {peer.Accepted} connections");
        Assert.Equal(peer.Accepted, master.Statistics.Connections);
        // Operators see why and when the next attempt is, with the delay growing and capped.
        var delays = errors.Distinct().Select(DelayOf).Where(d => d > 0).ToList();
        Assert.Equal([100, 200, 400], delays.Distinct().Take(3));
        Assert.All(delays, d => Assert.True(d <= 400, $"delay {d} ms over the cap"));
        Assert.Contains(errors, e => e.Contains("MBAP protocol id", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GarbagePeer_AfterAGoodAnswer_BackOffStartsOverFromTheFirstDelay()
    {
        await using var peer = GarbageOrModbusPeer.Start();
        await using var master = Master(peer, firstDelayMs: 50, maxDelayMs: 10_000);
        var unit = master.ForUnit(1, s_noRetry);

        var seen = await RequestUntilAsync(unit, () => peer.Accepted >= 4);
        Assert.Equal([50, 100, 200, 400], seen.Select(DelayOf).Where(d => d > 0).Distinct().Take(4));

        peer.AnswersModbus = true;
        var good = await RequestUntilAsync(unit, () => false, stopOnOk: true);
        Assert.Contains(good, e => e.Length == 0);

        // The connection that answered is dropped at its first garbage and re-made at once (it proved the peer); the
        // next one that fails earns the first delay again, not the fifth.
        peer.AnswersModbus = false;
        var accepted = peer.Accepted;
        var after = await RequestUntilAsync(unit, () => peer.Accepted >= accepted + 2);
        Assert.Equal(50, after.Select(DelayOf).First(d => d > 0));
    }

    private static ModbusMaster Master(GarbageOrModbusPeer peer, int firstDelayMs, int maxDelayMs) =>
        ModbusMaster.Create(ModbusLinkSettings.ForTcp("127.0.0.1", peer.Port) with { ReconnectDelayMs = firstDelayMs, ReconnectDelayMaxMs = maxDelayMs });

    // Sends requests (5 ms apart) until the condition holds or a request succeeds; returns each error ("" for Ok).
    private static async Task<List<string>> RequestUntilAsync(ModbusUnitClient unit, Func<bool> done, bool stopOnOk = false)
    {
        var seen = new List<string>();
        var deadline = Stopwatch.StartNew();
        while (!done() && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            var result = await unit.ReadHoldingRegistersAsync(0, 1);
            seen.Add(result.IsOk ? "" : result.Error ?? result.Status.ToString());
            if (stopOnOk && result.IsOk)
            {
                break;
            }

            await Task.Delay(5);
        }

        return seen;
    }

    private static int DelayOf(string error)
    {
        const string marker = "next attempt in ";
        var at = error.IndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? 0 : int.Parse(error[(at + marker.Length)..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A TCP server on 127.0.0.1 that reads each 12-byte Modbus request and answers it with an HTTP error (garbage to a
    /// Modbus master), or, while <see cref="AnswersModbus"/> is set, with a valid Read Holding Registers response.
    /// </summary>
    private sealed class GarbageOrModbusPeer : IAsyncDisposable
    {
        private static readonly byte[] s_garbage = Encoding.ASCII.GetBytes("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;
        private int _accepted;
        private volatile bool _answersModbus;

        private GarbageOrModbusPeer()
        {
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Accepted => Volatile.Read(ref _accepted);

        public bool AnswersModbus
        {
            get => _answersModbus;
            set => _answersModbus = value;
        }

        public static GarbageOrModbusPeer Start() => new();

        private async Task AcceptAsync()
        {
            var connections = new List<Task>();
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    Interlocked.Increment(ref _accepted);
                    connections.Add(ServeAsync(client));
                }
            }
            catch (OperationCanceledException)
            {
            }

            await Task.WhenAll(connections);
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                var stream = client.GetStream();
                var request = new byte[12];
                try
                {
                    while (true)
                    {
                        await stream.ReadExactlyAsync(request, _stop.Token);
                        if (AnswersModbus)
                        {
                            // Transaction id echoed, protocol 0, length 5, unit, FC 03, 2 bytes, register 0x002A.
                            var response = new byte[11];
                            request.AsSpan(0, 2).CopyTo(response);
                            BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(4), 5);
                            response[6] = request[6];
                            response[7] = 0x03;
                            response[8] = 2;
                            response[10] = 0x2A;
                            await stream.WriteAsync(response, _stop.Token);
                        }
                        else
                        {
                            await stream.WriteAsync(s_garbage, _stop.Token);
                        }
                    }
                }
                catch (Exception ex) when (ex is IOException or EndOfStreamException or OperationCanceledException or SocketException)
                {
                    // The master dropped the connection (it should, after garbage), or the test ended.
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            _stop.Dispose();
        }
    }
}
