using EdgeNode.Mqtt.Packets;
using EdgeNode.Mqtt.Tests.TestSupport;
using Xunit.Abstractions;

namespace EdgeNode.Mqtt.Tests.Client;

/// <summary>
/// The delivery proof: sequences are assigned at enqueue in write order, and ConfirmedSequence moves only when the
/// server answers a packet, to that packet's sequence — covering every packet written before it.
/// </summary>
public sealed class MqttDeliveryProofUnitTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly ScriptedMqttServer _server = new();
    private readonly RecordingLogger _logger = new(output);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Sequence_ConnectIsOneAndConnAckConfirmsIt()
    {
        await using var client = new MqttClient(_logger);
        Assert.Equal(0, client.ConfirmedSequence);
        await _server.ConnectAsync(client, _server.Options());
        Assert.Equal(1, client.LastSequence);
        Assert.Equal(1, client.ConfirmedSequence);
    }

    [Fact]
    public async Task Qos0_WithoutAnyAnswer_StaysUnconfirmed()
    {
        await using var client = new MqttClient(_logger);
        var (connection, _) = await _server.ConnectAsync(client, _server.Options());
        var results = new List<MqttPublishResult>();
        for (var i = 0; i < 5; i++)
        {
            results.Add(await client.PublishAsync("d", new[] { (byte)i }));
        }

        Assert.Equal([2L, 3, 4, 5, 6], results.Select(r => r.Sequence));
        for (var i = 0; i < 5; i++)
        {
            await connection.ExpectAsync(MqttPacketType.Publish); // the server has them, but said nothing
        }

        Assert.Equal(1, client.ConfirmedSequence);
        Assert.Equal(6, client.LastSequence);
    }

    [Fact]
    public async Task Ping_Answered_ConfirmsEverythingWrittenBeforeIt()
    {
        await using var client = new MqttClient(_logger);
        var (connection, _) = await _server.ConnectAsync(client, _server.Options());
        var last = default(MqttPublishResult);
        for (var i = 0; i < 3; i++)
        {
            last = await client.PublishAsync("d", new[] { (byte)i });
        }

        var ping = client.PingAsync();
        for (var i = 0; i < 3; i++)
        {
            await connection.ExpectAsync(MqttPacketType.Publish);
        }

        await connection.ExpectAsync(MqttPacketType.PingReq);
        await Task.Delay(100);
        Assert.False(ping.IsCompleted); // no PINGRESP yet: nothing proven
        Assert.Equal(1, client.ConfirmedSequence);

        await connection.SendAsync(Sequences.Hex("D000"));
        var proven = await ping.Within();
        Assert.Equal(last.Sequence + 1, proven);
        Assert.True(client.ConfirmedSequence >= last.Sequence);
        Assert.Equal(proven, client.ConfirmedSequence);
    }

    [Fact]
    public async Task Ping_Unanswered_ConnectionLossFailsItAndFreezesTheProof()
    {
        await using var client = new MqttClient(_logger);
        var (connection, _) = await _server.ConnectAsync(client, _server.Options());
        var data = await client.PublishAsync("d", new byte[] { 1 });
        var ping = client.PingAsync();
        await connection.ExpectAsync(MqttPacketType.Publish);
        await connection.ExpectAsync(MqttPacketType.PingReq);
        connection.Abort();

        await Assert.ThrowsAsync<MqttCommunicationException>(() => ping.Within());
        var info = await client.Completion.Within();
        Assert.Equal(1, info.ConfirmedSequence);
        Assert.Equal(data.Sequence + 1, info.LastSequence);
        Assert.True(client.ConfirmedSequence < data.Sequence); // the QoS 0 message is NOT proven: the caller must keep it
    }

    [Fact]
    public async Task PubAck_OfALaterPacket_ConfirmsEarlierQos0()
    {
        await using var client = new MqttClient(_logger);
        var (connection, _) = await _server.ConnectAsync(client, _server.Options());
        var q0 = await client.PublishAsync("d", new byte[] { 1 });
        var q1Task = client.PublishAsync("d", new byte[] { 2 }, MqttQualityOfService.AtLeastOnce).AsTask();
        var q0After = await client.PublishAsync("d", new byte[] { 3 });
        await connection.ExpectAsync(MqttPacketType.Publish);
        var q1 = (await connection.ExpectAsync(MqttPacketType.Publish)).AsPublish(MqttProtocolVersion.V311);
        await connection.ExpectAsync(MqttPacketType.Publish);

        await connection.SendAckAsync(MqttPacketType.PubAck, q1.PacketId);
        var result = await q1Task.Within();
        Assert.True(result.Sequence > q0.Sequence);
        Assert.Equal(result.Sequence, client.ConfirmedSequence); // covers q0, not the QoS 0 written after the QoS 1
        Assert.True(client.ConfirmedSequence < q0After.Sequence);
    }

    [Fact]
    public async Task SubAck_ConfirmsTheSubscribeAndEarlierPackets()
    {
        await using var client = new MqttClient(_logger);
        var (connection, _) = await _server.ConnectAsync(client, _server.Options());
        var q0 = await client.PublishAsync("d", new byte[] { 1 });
        var subscribing = client.SubscribeAsync("cmd/#");
        await connection.ExpectAsync(MqttPacketType.Publish);
        var subscribe = (await connection.ExpectAsync(MqttPacketType.Subscribe)).AsSubscribe(MqttProtocolVersion.V311);
        await connection.SendAsync(w => Mqtt.Protocol.MqttPacketEncoder.EncodeSubAck(w, MqttProtocolVersion.V311, subscribe.PacketId, [1]));
        var result = await subscribing.Within();
        Assert.True(result.Sequence > q0.Sequence);
        Assert.Equal(result.Sequence, client.ConfirmedSequence);
    }

    [Fact]
    public async Task Sequences_ConcurrentPublishers_AreUniqueAndMatchWriteOrder()
    {
        await using var client = new MqttClient(_logger);
        var (connection, _) = await _server.ConnectAsync(client, _server.Options());
        const int perTask = 200;
        var tasks = Enumerable.Range(0, 4).Select(t => Task.Run(async () =>
        {
            var list = new List<(long Sequence, byte Tag, int Index)>();
            for (var i = 0; i < perTask; i++)
            {
                var r = await client.PublishAsync("d", new[] { (byte)t, (byte)(i >> 8), (byte)i });
                list.Add((r.Sequence, (byte)t, i));
            }

            return list;
        })).ToList();
        var all = (await Task.WhenAll(tasks).Within()).SelectMany(l => l).OrderBy(x => x.Sequence).ToList();
        Assert.Equal(all.Count, all.Select(x => x.Sequence).Distinct().Count());

        // The bytes on the wire come in sequence order.
        foreach (var expected in all)
        {
            var packet = (await connection.ExpectAsync(MqttPacketType.Publish)).AsPublish(MqttProtocolVersion.V311);
            Assert.Equal(expected.Tag, packet.Payload.Span[0]);
            Assert.Equal(expected.Index, (packet.Payload.Span[1] << 8) | packet.Payload.Span[2]);
        }
    }

    [Fact]
    public async Task KeepAlivePing_Answered_AlsoAdvancesTheProof()
    {
        await using var client = new MqttClient(_logger);
        var (connection, _) = await _server.ConnectAsync(client, _server.Options(keepAlive: 2));
        var data = await client.PublishAsync("d", new byte[] { 1 });
        await connection.ExpectAsync(MqttPacketType.Publish);
        await connection.ExpectAsync(MqttPacketType.PingReq); // sent by the keep-alive, not by us
        await connection.SendAsync(Sequences.Hex("D000"));
        await Eventually.TrueAsync(() => client.ConfirmedSequence > data.Sequence, "keep-alive PINGRESP confirms");
    }
}
