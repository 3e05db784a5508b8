using System.Collections.Concurrent;
using EdgeNode.Mqtt;
using EdgeNode.Sparkplug;

namespace EdgeNode.Engine.Tests.Node;

/// <summary>An MQTT subscriber that decodes every Sparkplug message with our codec (a host's view of the node).</summary>
internal sealed class SparkplugCapture : IAsyncDisposable
{
    private readonly MqttClient _client = new();
    private readonly ConcurrentQueue<Captured> _messages = new();

    public sealed record Captured(string Topic, SparkplugTopic Parsed, SparkplugPayload? Payload, bool Retain, int QoS);

    public IReadOnlyList<Captured> Messages => [.. _messages];

    public MqttClient Client => _client;

    public static async Task<SparkplugCapture> StartAsync(int port, string filter = "spBv1.0/#")
    {
        var capture = new SparkplugCapture();
        capture._client.ApplicationMessageReceivedAsync = m =>
        {
            SparkplugTopic.TryParse(m.Topic, out var parsed);
            SparkplugPayload.TryDecode(m.Payload.Span, out var payload, out _);
            capture._messages.Enqueue(new Captured(m.Topic, parsed, payload, m.Retain, (int)m.QoS));
            return Task.CompletedTask;
        };
        await capture._client.ConnectAsync(new MqttClientOptions { Host = "127.0.0.1", Port = port, ClientId = "capture-" + Guid.NewGuid().ToString("N")[..8] });
        await capture._client.SubscribeAsync(filter, MqttQualityOfService.AtLeastOnce);
        return capture;
    }

    public async Task<Captured> WaitForAsync(Func<Captured, bool> predicate, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (DateTime.UtcNow < deadline)
        {
            var found = _messages.FirstOrDefault(predicate);
            if (found is not null)
            {
                return found;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"no message matching {what ?? "the predicate"} within the timeout; seen:\n"
            + string.Join("\n", _messages.Select(m => m.Topic + " " + m.Payload)));
    }

    public Task PublishAsync(string topic, SparkplugPayload payload) =>
        _client.PublishAsync(topic, payload.ToByteArray(), MqttQualityOfService.AtLeastOnce).AsTask();

    public async ValueTask DisposeAsync() => await _client.DisposeAsync();
}
