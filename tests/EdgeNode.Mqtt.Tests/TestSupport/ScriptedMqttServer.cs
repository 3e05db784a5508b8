using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using EdgeNode.Mqtt.Packets;
using EdgeNode.Mqtt.Protocol;

namespace EdgeNode.Mqtt.Tests.TestSupport;

/// <summary>
/// A scripted MQTT "server" on loopback for protocol-level client tests: the test reads exactly what the client wrote
/// and answers with any bytes it likes — including malformed packets, withheld answers and protocol violations a real
/// broker never produces. Uses our codec to frame and decode the client's packets.
/// </summary>
internal sealed class ScriptedMqttServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<ScriptedConnection> _connections = [];

    public ScriptedMqttServer()
    {
        _listener.Start();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public MqttClientOptions Options(MqttProtocolVersion version = MqttProtocolVersion.V311, int keepAlive = 0) => new()
    {
        Host = "127.0.0.1",
        Port = Port,
        ClientId = Clients.NewClientId("scripted"),
        ProtocolVersion = version,
        KeepAliveSeconds = keepAlive,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

    public async Task<ScriptedConnection> AcceptAsync()
    {
        var socket = await _listener.AcceptSocketAsync().WaitAsync(Eventually.Timeout);
        var connection = new ScriptedConnection(socket);
        _connections.Add(connection);
        return connection;
    }

    /// <summary>Starts connecting <paramref name="client"/>, accepts it, reads CONNECT and answers CONNACK.</summary>
    public async Task<(ScriptedConnection Connection, MqttConnectResult Result)> ConnectAsync(MqttClient client, MqttClientOptions options,
        MqttConnAckPacket? connAck = null)
    {
        var connecting = client.ConnectAsync(options);
        var connection = await AcceptAsync();
        await connection.AcceptConnectAsync(connAck);
        return (connection, await connecting.Within());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _connections)
        {
            await c.DisposeAsync();
        }

        _listener.Stop();
        _listener.Dispose();
    }
}

/// <summary>A packet the client sent.</summary>
internal sealed record ReceivedPacket(MqttPacketType Type, byte Flags, byte[] Body)
{
    public MqttFrame Frame => new(Type, Flags, new ReadOnlySequence<byte>(Body), Body.Length + 2);

    public MqttAckPacket AsAck(MqttProtocolVersion version) => MqttPacketDecoder.DecodeAck(Frame, version);

    public MqttPublishPacket AsPublish(MqttProtocolVersion version) => MqttPacketDecoder.DecodePublish(Frame, version);

    public MqttSubscribePacket AsSubscribe(MqttProtocolVersion version) => MqttPacketDecoder.DecodeSubscribe(Frame, version);

    public MqttDisconnectPacket AsDisconnect(MqttProtocolVersion version) => MqttPacketDecoder.DecodeDisconnect(Frame, version);
}

/// <summary>One accepted client connection of a <see cref="ScriptedMqttServer"/>.</summary>
internal sealed class ScriptedConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;

    public ScriptedConnection(Socket socket)
    {
        _socket = socket;
        _socket.NoDelay = true;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = PipeReader.Create(_stream);
    }

    public MqttProtocolVersion Version { get; private set; } = MqttProtocolVersion.V311;

    public MqttConnectPacket? Connect { get; private set; }

    /// <summary>Reads the next packet; null when the client closed the connection.</summary>
    public async Task<ReceivedPacket?> ReadAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Eventually.Timeout);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _reader.ReadAsync(cts.Token);
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                return null;
            }

            var buffer = result.Buffer;
            if (MqttPacketDecoder.TryDecode(buffer, int.MaxValue, out var frame, out var consumed, out var examined))
            {
                var packet = new ReceivedPacket(frame.Type, frame.Flags, frame.Body.ToArray());
                _reader.AdvanceTo(consumed);
                return packet;
            }

            _reader.AdvanceTo(consumed, examined);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    /// <summary>Reads the next packet and checks its type.</summary>
    public async Task<ReceivedPacket> ExpectAsync(MqttPacketType type, TimeSpan? timeout = null)
    {
        var packet = await ReadAsync(timeout) ?? throw new InvalidOperationException($"connection closed while waiting for {type}");
        Assert.Equal(type, packet.Type);
        return packet;
    }

    /// <summary>Reads CONNECT and answers with <paramref name="connAck"/> (default: accepted).</summary>
    public async Task<MqttConnectPacket> AcceptConnectAsync(MqttConnAckPacket? connAck = null)
    {
        var packet = await ExpectAsync(MqttPacketType.Connect);
        Connect = MqttPacketDecoder.DecodeConnect(packet.Frame);
        Version = Connect.ProtocolVersion;
        await SendAsync(w => MqttPacketEncoder.EncodeConnAck(w, Version, connAck ?? new MqttConnAckPacket()));
        return Connect;
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    public Task SendAsync(Action<IBufferWriter<byte>> encode)
    {
        var writer = new ArrayBufferWriter<byte>();
        encode(writer);
        return SendAsync(writer.WrittenMemory);
    }

    public Task SendAckAsync(MqttPacketType type, ushort packetId, byte reason = 0) =>
        SendAsync(w => MqttPacketEncoder.EncodeAck(w, Version, type, packetId, reason));

    public Task SendPublishAsync(string topic, byte[] payload, MqttQualityOfService qos, ushort packetId = 0, bool duplicate = false) =>
        SendAsync(w => MqttPacketEncoder.EncodePublish(w, Version, System.Text.Encoding.UTF8.GetBytes(topic), payload, qos, false, duplicate, packetId));

    /// <summary>True when the client closes the connection within the timeout (reads and discards until EOF).</summary>
    public async Task<bool> WaitClosedAsync(TimeSpan? timeout = null)
    {
        try
        {
            while (await ReadAsync(timeout) is not null)
            {
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Abort() => _socket.Close(0);

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync();
        await _stream.DisposeAsync();
    }
}
