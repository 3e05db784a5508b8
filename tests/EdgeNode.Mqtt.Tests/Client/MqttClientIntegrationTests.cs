using System.Text;
using EdgeNode.Mqtt.Tests.TestSupport;
using EdgeNode.Testing;
using Xunit.Abstractions;

namespace EdgeNode.Mqtt.Tests.Client;

/// <summary>Round trips through a real Mosquitto at every QoS and protocol version, retained messages, Wills.</summary>
public sealed class MqttClientIntegrationTests(MosquittoFixture fixture, ITestOutputHelper output) : IClassFixture<MosquittoFixture>
{
    private MosquittoBroker Broker => fixture.Broker;

    public static TheoryData<MqttProtocolVersion, MqttQualityOfService, MqttQualityOfService> QosMatrix()
    {
        var data = new TheoryData<MqttProtocolVersion, MqttQualityOfService, MqttQualityOfService>();
        foreach (var version in new[] { MqttProtocolVersion.V311, MqttProtocolVersion.V500 })
        {
            foreach (var pub in new[] { MqttQualityOfService.AtMostOnce, MqttQualityOfService.AtLeastOnce, MqttQualityOfService.ExactlyOnce })
            {
                foreach (var sub in new[] { MqttQualityOfService.AtMostOnce, MqttQualityOfService.AtLeastOnce, MqttQualityOfService.ExactlyOnce })
                {
                    data.Add(version, pub, sub);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(QosMatrix))]
    public async Task PublishSubscribe_EveryQosPair_DeliversInOrderAtMinimumQos(MqttProtocolVersion version, MqttQualityOfService pubQos,
        MqttQualityOfService subQos)
    {
        var logger = new RecordingLogger(output);
        var collector = new MessageCollector();
        await using var subscriber = await Clients.ConnectAsync(Broker, version, logger, collector: collector);
        await using var publisher = await Clients.ConnectAsync(Broker, version, logger);
        var topic = Clients.NewTopic();

        var suback = await subscriber.SubscribeAsync(topic, subQos).Within();
        Assert.True(suback.IsSuccess);
        Assert.Equal(subQos, suback.Items[0].GrantedQoS);

        const int count = 20;
        var results = new List<MqttPublishResult>();
        for (var i = 0; i < count; i++)
        {
            results.Add(await publisher.PublishAsync(topic, Encoding.UTF8.GetBytes($"m{i}"), pubQos).AsTask().Within());
        }

        Assert.All(results, r => Assert.True(r.IsSuccess, r.ReasonCode.ToString()));
        Assert.Equal(results.Select(r => r.Sequence).Order(), results.Select(r => r.Sequence)); // write order
        var received = await collector.WaitForAsync(count);
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"m{i}"), received.Select(m => Encoding.UTF8.GetString(m.Payload.Span)));
        var expectedQos = (MqttQualityOfService)Math.Min((int)pubQos, (int)subQos);
        Assert.All(received, m => Assert.Equal(expectedQos, m.QoS));
        Assert.All(received, m => Assert.Equal(topic, m.Topic));
        Assert.Empty(logger.Errors);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Retained_NewSubscriber_GetsItFlaggedAndClearingRemovesIt(MqttProtocolVersion version)
    {
        var topic = Clients.NewTopic("retained");
        await using var publisher = await Clients.ConnectAsync(Broker, version);
        var published = await publisher.PublishAsync(topic, "state"u8.ToArray(), MqttQualityOfService.AtLeastOnce, retain: true);
        Assert.True(published.IsSuccess);

        var collector = new MessageCollector();
        await using (var late = await Clients.ConnectAsync(Broker, version, collector: collector))
        {
            await late.SubscribeAsync(topic, MqttQualityOfService.AtLeastOnce);
            var message = Assert.Single(await collector.WaitForAsync(1));
            Assert.True(message.Retain);
            Assert.Equal("state", Encoding.UTF8.GetString(message.Payload.Span));
            await late.DisconnectAsync();
        }

        // An empty retained message clears it ([MQTT-3.3.1-10]); a marker proves nothing else is coming.
        await publisher.PublishAsync(topic, ReadOnlyMemory<byte>.Empty, MqttQualityOfService.AtLeastOnce, retain: true);
        var second = new MessageCollector();
        await using var later = await Clients.ConnectAsync(Broker, version, collector: second);
        await later.SubscribeAsync(topic, MqttQualityOfService.AtLeastOnce);
        await later.PublishAsync(topic, "marker"u8.ToArray(), MqttQualityOfService.AtLeastOnce);
        var messages = await second.WaitForAsync(1);
        Assert.Equal("marker", Encoding.UTF8.GetString(messages[0].Payload.Span));
        Assert.False(messages[0].Retain);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Will_AbruptSocketLoss_IsPublished(MqttProtocolVersion version)
    {
        var willTopic = Clients.NewTopic("will");
        var collector = new MessageCollector();
        await using var watcher = await Clients.ConnectAsync(Broker, version, collector: collector);
        await watcher.SubscribeAsync(willTopic, MqttQualityOfService.AtLeastOnce);

        var node = await Clients.ConnectAsync(Broker, version, configure: o => o.Will = new MqttWill
        {
            Topic = willTopic,
            Payload = "NDEATH"u8.ToArray(),
            QoS = MqttQualityOfService.AtLeastOnce,
        });
        await node.DisposeAsync(); // closes the socket without DISCONNECT

        var will = Assert.Single(await collector.WaitForAsync(1));
        Assert.Equal("NDEATH", Encoding.UTF8.GetString(will.Payload.Span));
        Assert.Equal(MqttQualityOfService.AtLeastOnce, will.QoS);
        Assert.False(will.Retain);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311, MqttDisconnectReasonCode.NormalDisconnection, false)]
    [InlineData(MqttProtocolVersion.V311, MqttDisconnectReasonCode.DisconnectWithWillMessage, false)] // 3.1.1 cannot ask for it
    [InlineData(MqttProtocolVersion.V500, MqttDisconnectReasonCode.NormalDisconnection, false)]
    [InlineData(MqttProtocolVersion.V500, MqttDisconnectReasonCode.DisconnectWithWillMessage, true)] // Sparkplug's clean stop
    public async Task Will_CleanDisconnect_PublishedOnlyWhenAskedFor(MqttProtocolVersion version, MqttDisconnectReasonCode reason, bool expectWill)
    {
        var willTopic = Clients.NewTopic("will");
        var collector = new MessageCollector();
        await using var watcher = await Clients.ConnectAsync(Broker, version, collector: collector);
        await watcher.SubscribeAsync(willTopic, MqttQualityOfService.AtLeastOnce);
        var node = await Clients.ConnectAsync(Broker, version, configure: o => o.Will = new MqttWill
        {
            Topic = willTopic,
            Payload = "NDEATH"u8.ToArray(),
            QoS = MqttQualityOfService.AtLeastOnce,
        });

        await node.DisconnectAsync(reason).Within();
        var info = await node.Completion.Within();
        Assert.Equal(MqttDisconnectKind.ClientDisconnected, info.Kind);

        // DisconnectAsync returned after the broker hung up, so a Will (if any) is queued before this marker.
        await watcher.PublishAsync(willTopic, "marker"u8.ToArray(), MqttQualityOfService.AtLeastOnce);
        var messages = await collector.WaitForAsync(expectWill ? 2 : 1);
        var payloads = messages.Select(m => Encoding.UTF8.GetString(m.Payload.Span)).ToList();
        Assert.Equal(expectWill ? ["NDEATH", "marker"] : ["marker"], payloads);
    }

    [Fact]
    public async Task Unsubscribe_StopsDelivery()
    {
        var collector = new MessageCollector();
        await using var client = await Clients.ConnectAsync(Broker, collector: collector);
        var a = Clients.NewTopic("a");
        var b = Clients.NewTopic("b");
        await client.SubscribeAsync([new MqttTopicFilter(a, MqttQualityOfService.AtLeastOnce), new MqttTopicFilter(b, MqttQualityOfService.AtLeastOnce)]);
        var unsubscribe = await client.UnsubscribeAsync(a);
        Assert.All(unsubscribe.Items, i => Assert.True(i.IsSuccess));

        await client.PublishAsync(a, "ignored"u8.ToArray(), MqttQualityOfService.AtLeastOnce);
        await client.PublishAsync(b, "kept"u8.ToArray(), MqttQualityOfService.AtLeastOnce);
        var message = Assert.Single(await collector.WaitForAsync(1));
        Assert.Equal(b, message.Topic);
    }

    // Payload sizes that put the PUBLISH remaining length on both sides of each variable-length boundary.
    [Theory]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(16_383)]
    [InlineData(16_384)]
    [InlineData(2_097_151)]
    [InlineData(2_097_152)]
    public async Task Publish_RemainingLengthBoundaries_RoundTripThroughMosquitto(int remainingLength)
    {
        var topic = "b/" + Guid.NewGuid().ToString("N")[..8]; // 10 bytes
        var payload = new byte[remainingLength - 2 - topic.Length - 2]; // QoS 1: topic length, topic, packet id
        Random.Shared.NextBytes(payload);
        var collector = new MessageCollector();
        await using var subscriber = await Clients.ConnectAsync(Broker, collector: collector, configure: o => o.MaxPacketSize = 4 * 1024 * 1024);
        await subscriber.SubscribeAsync(topic, MqttQualityOfService.AtLeastOnce);
        await using var publisher = await Clients.ConnectAsync(Broker);
        var result = await publisher.PublishAsync(topic, payload, MqttQualityOfService.AtLeastOnce).AsTask().Within();
        Assert.True(result.IsSuccess);
        var message = Assert.Single(await collector.WaitForAsync(1));
        Assert.True(message.Payload.Span.SequenceEqual(payload));
    }

    [Fact]
    public async Task Receive_LargerThanMaxPacketSize_IsDiscarded_TheConnectionStaysUp()
    {
        // Issue 17: closing would only bring a retained oversized message back at every connect.
        var topic = Clients.NewTopic("big");
        var logger = new RecordingLogger(output);
        var collector = new MessageCollector();
        await using var subscriber = await Clients.ConnectAsync(Broker, logger: logger, collector: collector, configure: o => o.MaxPacketSize = 1024);
        await subscriber.SubscribeAsync(topic, MqttQualityOfService.AtLeastOnce);
        await using var publisher = await Clients.ConnectAsync(Broker);
        await publisher.PublishAsync(topic, new byte[4096], MqttQualityOfService.AtLeastOnce);
        await publisher.PublishAsync(topic, "small"u8.ToArray(), MqttQualityOfService.AtLeastOnce);

        var message = Assert.Single(await collector.WaitForAsync(1));
        Assert.Equal("small", System.Text.Encoding.UTF8.GetString(message.Payload.Span));
        Assert.True(subscriber.IsConnected);
        Assert.Equal(1, subscriber.OversizedPublishesDiscarded);
        Assert.True(logger.Contains(3039, "exceed the maximum packet size"));
    }

    [Fact]
    public async Task PublishQos1_V500NoSubscriber_SurfacesNoMatchingSubscribers()
    {
        await using var client = await Clients.ConnectAsync(Broker, MqttProtocolVersion.V500);
        var result = await client.PublishAsync(Clients.NewTopic("nobody"), "x"u8.ToArray(), MqttQualityOfService.AtLeastOnce);
        Assert.True(result.IsSuccess);
        Assert.Equal(MqttPublishReasonCode.NoMatchingSubscribers, result.ReasonCode);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311, MqttDisconnectKind.ServerClosedConnection, null)]
    [InlineData(MqttProtocolVersion.V500, MqttDisconnectKind.ServerClosedConnection, null)] // 2.0.11 sends no DISCONNECT 0x8E
    public async Task SameClientId_SecondConnection_TakesOverWithReason(MqttProtocolVersion version, MqttDisconnectKind kind,
        MqttDisconnectReasonCode? reason)
    {
        var id = Clients.NewClientId("takeover");
        await using var first = await Clients.ConnectAsync(Broker, version, configure: o => o.ClientId = id);
        var lost = new TaskCompletionSource<MqttDisconnectInfo>();
        first.DisconnectedAsync = info =>
        {
            lost.TrySetResult(info);
            return Task.CompletedTask;
        };
        await using var second = await Clients.ConnectAsync(Broker, version, configure: o => o.ClientId = id);
        var infoLost = await lost.Task.Within();
        Assert.Equal(kind, infoLost.Kind);
        Assert.Equal(reason, infoLost.ReasonCode);
        Assert.True(second.IsConnected);
    }

    [Fact]
    public async Task Subscribe_WildcardsAndManyFilters_GrantsEach()
    {
        var collector = new MessageCollector();
        await using var client = await Clients.ConnectAsync(Broker, MqttProtocolVersion.V500, collector: collector);
        var root = Clients.NewTopic("spBv1.0");
        var result = await client.SubscribeAsync(
        [
            new MqttTopicFilter($"{root}/+/NCMD/#", MqttQualityOfService.AtLeastOnce),
            new MqttTopicFilter($"{root}/G/DCMD/E/+", MqttQualityOfService.AtMostOnce),
            new MqttTopicFilter($"{root}/STATE/host", MqttQualityOfService.ExactlyOnce) { NoLocal = true },
        ]);
        Assert.Equal([MqttQualityOfService.AtLeastOnce, MqttQualityOfService.AtMostOnce, MqttQualityOfService.ExactlyOnce],
            result.Items.Select(i => i.GrantedQoS!.Value));
        await client.PublishAsync($"{root}/STATE/host", "own"u8.ToArray(), MqttQualityOfService.AtLeastOnce); // No Local: not delivered back
        await client.PublishAsync($"{root}/G/NCMD/E", "cmd"u8.ToArray(), MqttQualityOfService.AtLeastOnce);
        var message = Assert.Single(await collector.WaitForAsync(1));
        Assert.Equal($"{root}/G/NCMD/E", message.Topic);
    }

    [Fact]
    public async Task Publish_StringTopicsAndPreEncodedTopics_AreEquivalent()
    {
        var collector = new MessageCollector();
        await using var client = await Clients.ConnectAsync(Broker, collector: collector);
        var name = Clients.NewTopic("pre");
        await client.SubscribeAsync(name, MqttQualityOfService.AtMostOnce);
        var topic = MqttTopic.Create(name);
        await client.PublishAsync(topic, "1"u8.ToArray());
        await client.PublishAsync(name, "2"u8.ToArray());
        await client.PublishAsync(new string(name.ToCharArray()), "3"u8.ToArray()); // equal content, other instance
        var messages = await collector.WaitForAsync(3);
        Assert.All(messages, m => Assert.Equal(name, m.Topic));
    }

    [Fact]
    public async Task Publish_InvalidTopic_ThrowsArgumentException()
    {
        await using var client = await Clients.ConnectAsync(Broker);
        Assert.Throws<ArgumentException>(() => { _ = client.PublishAsync("a/+/b", new byte[1]); });
        Assert.Throws<ArgumentException>(() => { _ = client.PublishAsync("", new byte[1]); });
        await Assert.ThrowsAsync<ArgumentException>(() => client.SubscribeAsync("a/#/b"));
    }

    [Fact]
    public async Task Connect_HostName_TriesEachResolvedAddress()
    {
        // Mosquitto listens on 127.0.0.1 only; "localhost" may resolve to ::1 first, which must fall through to IPv4.
        await using var client = await Clients.ConnectAsync(Broker, configure: o => o.Host = "localhost");
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Connect_UnknownHost_FailsAsCommunicationException()
    {
        await using var client = new MqttClient();
        var options = Clients.Options(Broker);
        options.Host = "no-such-host.invalid";
        await Assert.ThrowsAsync<MqttCommunicationException>(() => client.ConnectAsync(options).Within());
    }

    [Fact]
    public async Task Publish_AfterDisconnect_ThrowsCommunicationException()
    {
        var client = await Clients.ConnectAsync(Broker);
        await client.DisconnectAsync();
        Assert.False(client.IsConnected);
        await Assert.ThrowsAsync<MqttCommunicationException>(() => client.PublishAsync("a", new byte[1]).AsTask());
        await client.DisposeAsync();
    }
}
