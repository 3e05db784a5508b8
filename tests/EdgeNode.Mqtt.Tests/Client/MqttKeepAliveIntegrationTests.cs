using System.Diagnostics;
using System.Text;
using EdgeNode.Mqtt.Tests.TestSupport;
using EdgeNode.Testing;
using Xunit.Abstractions;

namespace EdgeNode.Mqtt.Tests.Client;

/// <summary>
/// Dead-link detection and the delivery proof against a real Mosquitto that is frozen (SIGSTOP): the socket stays
/// open, nothing is read or answered — what a hung broker or a silently dead network path looks like.
/// </summary>
public sealed class MqttKeepAliveIntegrationTests(MosquittoFixture fixture, ITestOutputHelper output) : IClassFixture<MosquittoFixture>, IAsyncLifetime
{
    private MosquittoBroker Broker => fixture.Broker;

    public Task InitializeAsync() => fixture.EnsureRunningAsync();

    public Task DisposeAsync()
    {
        Broker.Thaw();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task KeepAlive_FrozenBroker_DetectedWithinOneAndAHalfKeepAlives(MqttProtocolVersion version)
    {
        const int keepAlive = 2;
        var logger = new RecordingLogger(output);
        await using var client = await Clients.ConnectAsync(Broker, version, logger, o => o.KeepAliveSeconds = keepAlive);
        await client.PingAsync().Within(); // a fresh answer: "last received" is now

        var watch = Stopwatch.StartNew();
        Broker.Freeze();
        var info = await client.Completion.Within();
        output.WriteLine($"detected after {watch.Elapsed.TotalSeconds:0.00} s: {info}");
        Assert.Equal(MqttDisconnectKind.KeepAliveTimeout, info.Kind);

        // Within 1.5 × keep-alive of the last answer (plus slack for a loaded machine; the log shows the real figure).
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1.5 * keepAlive + 2), $"took {watch.Elapsed}");
        Assert.True(logger.Contains(3005, "KeepAliveTimeout"));
    }

    [Fact]
    public async Task KeepAlive_BusyQos0PublisherToFrozenBroker_StillDetected()
    {
        // Only sending, never receiving: the client must still probe and notice the silence.
        await using var client = await Clients.ConnectAsync(Broker, configure: o => o.KeepAliveSeconds = 2);
        Broker.Freeze();
        using var stop = new CancellationTokenSource();
        var publishing = Task.Run(async () =>
        {
            var payload = new byte[200];
            while (!stop.IsCancellationRequested && client.IsConnected)
            {
                try
                {
                    await client.PublishAsync("busy/data", payload);
                    await Task.Delay(5);
                }
                catch (MqttCommunicationException)
                {
                    return;
                }
            }
        });
        var info = await client.Completion.Within();
        await stop.CancelAsync();
        await publishing.Within();
        Assert.Equal(MqttDisconnectKind.KeepAliveTimeout, info.Kind);
    }

    [Fact]
    public async Task DeliveryProof_FrozenBroker_NeverConfirms()
    {
        await using var client = await Clients.ConnectAsync(Broker, configure: o => o.KeepAliveSeconds = 2);
        await client.PingAsync().Within();
        var before = client.ConfirmedSequence;

        Broker.Freeze();
        var sent = new List<MqttPublishResult>();
        for (var i = 0; i < 10; i++)
        {
            sent.Add(await client.PublishAsync("proof/frozen", Encoding.UTF8.GetBytes($"m{i}")));
        }

        var ping = client.PingAsync();
        await Assert.ThrowsAsync<MqttCommunicationException>(() => ping.Within());
        var info = await client.Completion.Within();
        Assert.Equal(before, client.ConfirmedSequence);
        Assert.Equal(before, info.ConfirmedSequence);
        Assert.All(sent, r => Assert.True(r.Sequence > info.ConfirmedSequence)); // every message is reported unproven
        Assert.True(info.LastSequence >= sent[^1].Sequence);
    }

    [Fact]
    public async Task DeliveryProof_ThawedBroker_ConfirmsAndTheDataArrived()
    {
        var collector = new MessageCollector();
        var topic = Clients.NewTopic("proof");
        await using var subscriber = await Clients.ConnectAsync(Broker, collector: collector, configure: o => o.KeepAliveSeconds = 0);
        await subscriber.SubscribeAsync(topic, MqttQualityOfService.AtMostOnce);
        await using var client = await Clients.ConnectAsync(Broker, configure: o => o.KeepAliveSeconds = 0);
        var before = client.ConfirmedSequence;

        Broker.Freeze();
        var last = default(MqttPublishResult);
        for (var i = 0; i < 10; i++)
        {
            last = await client.PublishAsync(topic, Encoding.UTF8.GetBytes($"m{i}"));
        }

        var ping = client.PingAsync();
        await Task.Delay(1000);
        Assert.False(ping.IsCompleted);
        Assert.Equal(before, client.ConfirmedSequence);

        Broker.Thaw();
        var proven = await ping.Within();
        Assert.True(proven > last.Sequence);
        Assert.True(client.ConfirmedSequence >= last.Sequence);
        Assert.Equal(10, (await collector.WaitForAsync(10)).Count);
    }

    [Fact]
    public async Task DeliveryProof_Qos0Stream_PingConfirmsEverySentMessage()
    {
        var collector = new MessageCollector();
        var topic = Clients.NewTopic("proof");
        await using var subscriber = await Clients.ConnectAsync(Broker, collector: collector);
        await subscriber.SubscribeAsync(topic, MqttQualityOfService.AtMostOnce);
        await using var client = await Clients.ConnectAsync(Broker);

        const int count = 2000;
        var last = default(MqttPublishResult);
        for (var i = 0; i < count; i++)
        {
            last = await client.PublishAsync(topic, BitConverter.GetBytes(i));
        }

        Assert.True(await client.PingAsync().Within() > last.Sequence);
        Assert.True(client.ConfirmedSequence > last.Sequence);
        var received = await collector.WaitForAsync(count);
        Assert.Equal(Enumerable.Range(0, count), received.Select(m => BitConverter.ToInt32(m.Payload.Span)));
    }
}
