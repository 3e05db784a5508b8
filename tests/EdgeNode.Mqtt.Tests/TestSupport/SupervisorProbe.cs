using System.Collections.Concurrent;

namespace EdgeNode.Mqtt.Tests.TestSupport;

/// <summary>Records what a supervisor reports and waits for it.</summary>
internal sealed class SupervisorProbe
{
    private readonly ConcurrentQueue<MqttConnectAttemptEventArgs> _attempts = new();
    private readonly ConcurrentQueue<MqttConnectedEventArgs> _connected = new();
    private readonly ConcurrentQueue<MqttConnectionLostEventArgs> _lost = new();
    private readonly ConcurrentQueue<MqttConnectionStateChangedEventArgs> _states = new();

    public SupervisorProbe(MqttConnectionSupervisor supervisor, Func<MqttConnectedEventArgs, Task>? onConnected = null)
    {
        supervisor.AttemptCompletedAsync = a =>
        {
            _attempts.Enqueue(a);
            return Task.CompletedTask;
        };
        supervisor.ConnectedAsync = async c =>
        {
            if (onConnected is not null)
            {
                await onConnected(c);
            }

            _connected.Enqueue(c);
        };
        supervisor.ConnectionLostAsync = l =>
        {
            _lost.Enqueue(l);
            return Task.CompletedTask;
        };
        supervisor.StateChanged += (_, e) => _states.Enqueue(e);
    }

    public IReadOnlyList<MqttConnectAttemptEventArgs> Attempts => [.. _attempts];

    public IReadOnlyList<MqttConnectedEventArgs> Connected => [.. _connected];

    public IReadOnlyList<MqttConnectionLostEventArgs> Lost => [.. _lost];

    public IReadOnlyList<MqttConnectionStateChangedEventArgs> States => [.. _states];

    public async Task<MqttConnectedEventArgs> WaitConnectedAsync(int count, TimeSpan? timeout = null)
    {
        await Eventually.TrueAsync(() => _connected.Count >= count, $"{count} sessions up (have {_connected.Count})", timeout);
        return Connected[count - 1];
    }

    public async Task<MqttConnectionLostEventArgs> WaitLostAsync(int count)
    {
        await Eventually.TrueAsync(() => _lost.Count >= count, $"{count} sessions lost (have {_lost.Count})");
        return Lost[count - 1];
    }
}
