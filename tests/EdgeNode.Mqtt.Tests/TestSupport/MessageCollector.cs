using System.Collections.Concurrent;

namespace EdgeNode.Mqtt.Tests.TestSupport;

/// <summary>Collects received messages and waits for a number of them.</summary>
internal sealed class MessageCollector
{
    private readonly ConcurrentQueue<MqttApplicationMessage> _messages = new();
    private readonly SemaphoreSlim _arrived = new(0);

    public IReadOnlyList<MqttApplicationMessage> Messages => [.. _messages];

    public Task HandleAsync(MqttApplicationMessage message)
    {
        _messages.Enqueue(message);
        _arrived.Release();
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<MqttApplicationMessage>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Eventually.Timeout);
        while (_messages.Count < count)
        {
            try
            {
                await _arrived.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"received {_messages.Count} of {count} messages");
            }
        }

        return Messages;
    }
}
