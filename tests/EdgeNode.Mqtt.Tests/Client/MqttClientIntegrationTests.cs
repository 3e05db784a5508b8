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
}
