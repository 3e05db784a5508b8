using System.Net;
using System.Net.Sockets;
using MQTTnet;
using MQTTnet.Formatter;

namespace EdgeNode.Probes.Tests;

/// <summary>
/// MQTTnet 5.2 against a scripted TCP peer that speaks just enough MQTT 3.1.1 (docs/decisions/mqttnet.md).
/// </summary>
public sealed class MqttNetProbeTests
{
    private const byte PingReq = 0xC0;
    private const byte Publish = 0x30;

    [Fact]
    public async Task MqttNet_OnePingrespForTwoPings_CompletesBoth()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var peer = await ScriptedPeer.StartAsync(cts.Token);
        using var client = new MqttClientFactory().CreateMqttClient();
        var connecting = client.ConnectAsync(Options(peer.Port, TimeSpan.Zero), cts.Token);
        await peer.AcceptAndConnAckAsync(cts.Token);
        await connecting;

        var first = client.PingAsync(cts.Token);
        var second = client.PingAsync(cts.Token);
        await peer.WaitForPacketsAsync(PingReq, 2, cts.Token);
        await peer.SendAsync([0xD0, 0x00], cts.Token); // a single PINGRESP

        // Our delivery proof needs a PINGRESP to answer one specific PINGREQ; MQTTnet's dispatcher completes every
        // waiter of the packet type, so both pings report success on one answer.
        var both = Task.WhenAll(first, second);
        var finished = await Task.WhenAny(both, Task.Delay(TimeSpan.FromSeconds(10), cts.Token));
        Assert.Same(both, finished);
        Assert.Equal(2, peer.Count(PingReq));
    }

    [Fact]
    public async Task MqttNet_SteadyPublishToSilentPeer_SendsNoPingreqAndStaysConnected()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var peer = await ScriptedPeer.StartAsync(cts.Token);
        using var client = new MqttClientFactory().CreateMqttClient();
        var connecting = client.ConnectAsync(Options(peer.Port, TimeSpan.FromSeconds(2)), cts.Token);
        await peer.AcceptAndConnAckAsync(cts.Token);
        await connecting;

        // Two and a half keep-alive periods of QoS 0 publishes every 100 ms to a peer that reads and never answers: a broker
        // that died behind a half-open connection looks exactly like this.
        var message = new MqttApplicationMessageBuilder().WithTopic("probe/t").WithPayload([1, 2, 3]).Build();
        var until = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < until)
        {
            await client.PublishAsync(message, cts.Token);
            await Task.Delay(100, cts.Token);
        }

        await peer.WaitForPacketsAsync(Publish, 30, cts.Token);
        Assert.Equal(0, peer.Count(PingReq));
        Assert.True(client.IsConnected, "MQTTnet noticed the silent peer");

        // Control: once the client is idle it does ping, so the peer would have seen a PINGREQ had one been sent.
        await peer.WaitForPacketsAsync(PingReq, 1, cts.Token);
    }

    [Fact]
    public void MqttNet_Assembly_HasNoReconnectingClient()
    {
        var types = typeof(MqttClientFactory).Assembly.GetExportedTypes()
            .Where(t => t.Name.Contains("Managed", StringComparison.Ordinal)
                || t.Name.Contains("Reconnect", StringComparison.Ordinal))
            .Select(t => t.FullName)
            .ToList();
        Assert.Empty(types);
    }

    [Fact]
    public void MqttNet_ReceivedPublishQueue_IsAnUnboundedAsyncQueue()
    {
        var field = typeof(MqttClient).GetField("_publishPacketReceiverQueue",
            System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic);
        Assert.NotNull(field);
        Assert.StartsWith("AsyncQueue", field.FieldType.Name, StringComparison.Ordinal);
        // AsyncQueue<T> wraps a ConcurrentQueue<T> with no capacity: nothing in it can refuse an item.
        var members = field.FieldType.GetMembers(System.Reflection.BindingFlags.Instance
            | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic);
        Assert.DoesNotContain(members, m => m.Name.Contains("Capacity", StringComparison.OrdinalIgnoreCase)
            || m.Name.Contains("Bound", StringComparison.OrdinalIgnoreCase));
    }

    private static MqttClientOptions Options(int port, TimeSpan keepAlive) => new MqttClientOptionsBuilder()
        .WithTcpServer("127.0.0.1", port)
        .WithProtocolVersion(MqttProtocolVersion.V311)
        .WithClientId("probe")
        .WithKeepAlivePeriod(keepAlive)
        .WithTimeout(TimeSpan.FromSeconds(10))
        .Build();

    /// <summary>Accepts one connection, answers CONNECT with CONNACK, then only records the packet types it reads.</summary>
    private sealed class ScriptedPeer : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly List<byte> _types = [];
        private Socket? _socket;

        private ScriptedPeer(TcpListener listener) => _listener = listener;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static Task<ScriptedPeer> StartAsync(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return Task.FromResult(new ScriptedPeer(listener));
        }

        public async Task AcceptAndConnAckAsync(CancellationToken cancellationToken)
        {
            _socket = await _listener.AcceptSocketAsync(cancellationToken);
            var (type, _) = await ReadPacketAsync(cancellationToken);
            Assert.Equal(0x10, type);
            await SendAsync([0x20, 0x02, 0x00, 0x00], cancellationToken);
            _ = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        var (t, _) = await ReadPacketAsync(cancellationToken);
                        lock (_types)
                        {
                            _types.Add(t);
                        }
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or EndOfStreamException or ObjectDisposedException)
                {
                    // the test is over or the client went away
                }
            }, cancellationToken);
        }

        public int Count(byte type)
        {
            lock (_types)
            {
                return _types.Count(t => t == type);
            }
        }

        public async Task WaitForPacketsAsync(byte type, int count, CancellationToken cancellationToken)
        {
            while (Count(type) < count)
            {
                await Task.Delay(20, cancellationToken);
            }
        }

        public async Task SendAsync(byte[] bytes, CancellationToken cancellationToken) =>
            await _socket!.SendAsync(bytes, SocketFlags.None, cancellationToken);

        private async Task<(byte Type, byte[] Body)> ReadPacketAsync(CancellationToken cancellationToken)
        {
            var header = await ReadExactAsync(1, cancellationToken);
            int length = 0, shift = 0;
            while (true)
            {
                var b = (await ReadExactAsync(1, cancellationToken))[0];
                length |= (b & 0x7F) << shift;
                shift += 7;
                if ((b & 0x80) == 0)
                {
                    break;
                }
            }

            return ((byte)(header[0] & 0xF0), await ReadExactAsync(length, cancellationToken));
        }

        private async Task<byte[]> ReadExactAsync(int count, CancellationToken cancellationToken)
        {
            var buffer = new byte[count];
            var read = 0;
            while (read < count)
            {
                var n = await _socket!.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancellationToken);
                if (n == 0)
                {
                    throw new EndOfStreamException();
                }

                read += n;
            }

            return buffer;
        }

        public void Dispose()
        {
            _socket?.Dispose();
            _listener.Stop();
            _listener.Dispose();
        }
    }
}
