using System.Text;
using System.Text.Json;
using EdgeNode.Mqtt.Tests.TestSupport;
using EdgeNode.Testing;
using Xunit.Abstractions;

namespace EdgeNode.Mqtt.Tests.Interop;

/// <summary>Cross-check with an independent client: MQTT.js (npm mqtt 5.16) publishes to ours and subscribes to ours.</summary>
public sealed class MqttJsInteropIntegrationTests(MosquittoFixture fixture, ITestOutputHelper output) : IClassFixture<MosquittoFixture>
{
    private MosquittoBroker Broker => fixture.Broker;

    private static List<(string Topic, byte[] Payload, MqttQualityOfService QoS, bool Retain)> Messages(string topic)
    {
        var list = new List<(string, byte[], MqttQualityOfService, bool)>();
        var random = new Random(5);
        for (var i = 0; i < 30; i++)
        {
            var size = i switch { 0 => 0, 1 => 70_000, 2 => 127, _ => random.Next(1, 300) };
            var payload = new byte[size];
            random.NextBytes(payload);
            if (size > 0)
            {
                payload[0] = (byte)i; // identifies the message
            }

            list.Add((topic, payload, (MqttQualityOfService)(i % 3), false));
        }

        return list;
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task MqttJsPublishes_EveryQos_OurClientReceivesIdenticalMessages(MqttProtocolVersion version)
    {
        var topic = Clients.NewTopic("interop/js2cs");
        var collector = new MessageCollector();
        await using var client = await Clients.ConnectAsync(Broker, version, new RecordingLogger(output), collector: collector);
        await client.SubscribeAsync(topic, MqttQualityOfService.ExactlyOnce);
        var sent = Messages(topic);

        var stdin = JsonSerializer.Serialize(sent.Select(m => new { topic = m.Topic, payload = Convert.ToBase64String(m.Payload), qos = (int)m.QoS, retain = m.Retain }));
        var result = NodeJs.Run("mqtt-peer.js", ["pub", Broker.Url, ((int)version).ToString(System.Globalization.CultureInfo.InvariantCulture)], stdin);
        Assert.Contains("\"published\":30", result, StringComparison.Ordinal);

        var received = await collector.WaitForAsync(sent.Count);
        AssertSameMessages(sent.Select(m => (m.Payload, m.QoS)), received.Select(m => (m.Payload.ToArray(), m.QoS)));
        Assert.All(received, m => Assert.Equal(topic, m.Topic));
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task OurClientPublishes_EveryQos_MqttJsReceivesIdenticalMessages(MqttProtocolVersion version)
    {
        var topic = Clients.NewTopic("interop/cs2js");
        var sent = Messages(topic);
        await using var peer = NodeJs.Start("mqtt-peer.js",
            ["sub", Broker.Url, ((int)version).ToString(System.Globalization.CultureInfo.InvariantCulture), "2", topic, sent.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await peer.WaitForLineAsync("\"ready\"", Eventually.Timeout);

        await using var client = await Clients.ConnectAsync(Broker, version, new RecordingLogger(output));
        var pending = sent.Select(m => client.PublishAsync(m.Topic, m.Payload, m.QoS, m.Retain).AsTask()).ToList();
        Assert.All(await Task.WhenAll(pending).Within(), r => Assert.True(r.IsSuccess));

        await peer.WaitForLineAsync("\"done\"", Eventually.Timeout);
        var lines = peer.Output.Split('\n').Where(l => l.StartsWith("{\"topic\"", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        AssertSameMessages(sent.Select(m => (m.Payload, m.QoS)),
            lines.Select(l => (Convert.FromBase64String(l.GetProperty("payload").GetString()!), (MqttQualityOfService)l.GetProperty("qos").GetInt32())));
        Assert.All(lines, l => Assert.Equal(topic, l.GetProperty("topic").GetString()));
    }

    [Fact]
    public async Task Retained_CrossImplementation_SeenByBoth()
    {
        var fromJs = Clients.NewTopic("interop/retained-js");
        var fromUs = Clients.NewTopic("interop/retained-cs");
        NodeJs.Run("mqtt-peer.js", ["pub", Broker.Url, "4"],
            JsonSerializer.Serialize(new[] { new { topic = fromJs, payload = Convert.ToBase64String("js-state"u8.ToArray()), qos = 1, retain = true } }));
        await using var client = await Clients.ConnectAsync(Broker, collector: new MessageCollector());
        await client.PublishAsync(fromUs, "cs-state"u8.ToArray(), MqttQualityOfService.AtLeastOnce, retain: true);

        var collector = new MessageCollector();
        await using var late = await Clients.ConnectAsync(Broker, collector: collector);
        await late.SubscribeAsync(fromJs, MqttQualityOfService.AtLeastOnce);
        var retained = Assert.Single(await collector.WaitForAsync(1));
        Assert.True(retained.Retain);
        Assert.Equal("js-state", Encoding.UTF8.GetString(retained.Payload.Span));

        await using var peer = NodeJs.Start("mqtt-peer.js", ["sub", Broker.Url, "5", "1", fromUs, "1"]);
        var line = await peer.WaitForLineAsync("\"topic\"", Eventually.Timeout);
        var json = JsonDocument.Parse(line).RootElement;
        Assert.True(json.GetProperty("retain").GetBoolean());
        Assert.Equal("cs-state", Encoding.UTF8.GetString(Convert.FromBase64String(json.GetProperty("payload").GetString()!)));
    }

    [Fact]
    public async Task Will_OurClientLost_MqttJsReceivesIt()
    {
        var willTopic = Clients.NewTopic("interop/will");
        await using var peer = NodeJs.Start("mqtt-peer.js", ["sub", Broker.Url, "4", "1", willTopic, "1"]);
        await peer.WaitForLineAsync("\"ready\"", Eventually.Timeout);
        var node = await Clients.ConnectAsync(Broker, configure: o => o.Will = new MqttWill
        {
            Topic = willTopic,
            Payload = "NDEATH"u8.ToArray(),
            QoS = MqttQualityOfService.AtLeastOnce,
        });
        await node.DisposeAsync();
        var line = await peer.WaitForLineAsync("\"topic\"", Eventually.Timeout);
        Assert.Equal("NDEATH", Encoding.UTF8.GetString(Convert.FromBase64String(JsonDocument.Parse(line).RootElement.GetProperty("payload").GetString()!)));
    }

    [Fact]
    public async Task Will_MqttJsKilled_OurClientReceivesIt()
    {
        var willTopic = Clients.NewTopic("interop/will-js");
        var collector = new MessageCollector();
        await using var client = await Clients.ConnectAsync(Broker, MqttProtocolVersion.V500, collector: collector);
        await client.SubscribeAsync(willTopic, MqttQualityOfService.AtLeastOnce);
        await using (var peer = NodeJs.Start("mqtt-peer.js", ["will", Broker.Url, "4", willTopic, "js-gone"]))
        {
            await peer.WaitForLineAsync("\"ready\"", Eventually.Timeout);
            peer.Kill();
        }

        var will = Assert.Single(await collector.WaitForAsync(1));
        Assert.Equal("js-gone", Encoding.UTF8.GetString(will.Payload.Span));
        Assert.Equal(MqttQualityOfService.AtLeastOnce, will.QoS);
    }

    private static void AssertSameMessages(IEnumerable<(byte[] Payload, MqttQualityOfService QoS)> sent,
        IEnumerable<(byte[] Payload, MqttQualityOfService QoS)> received)
    {
        static string Key((byte[] Payload, MqttQualityOfService QoS) m) => $"{(int)m.QoS}:{Convert.ToHexString(m.Payload)}";
        var expected = sent.Select(Key).Order(StringComparer.Ordinal).ToList();
        var actual = received.Select(Key).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, actual);

        // Per QoS the order is kept (MQTT 4.6: ordered topic).
        foreach (var qos in new[] { MqttQualityOfService.AtMostOnce, MqttQualityOfService.AtLeastOnce, MqttQualityOfService.ExactlyOnce })
        {
            Assert.Equal(sent.Where(m => m.QoS == qos).Select(Key), received.Where(m => m.QoS == qos).Select(Key));
        }
    }
}
