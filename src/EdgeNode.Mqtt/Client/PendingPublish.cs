using System.Threading.Tasks.Sources;

namespace EdgeNode.Mqtt.Client;

internal enum PendingPublishState : byte
{
    AwaitingPubAck,
    AwaitingPubRec,
    AwaitingPubComp,
}

/// <summary>
/// A QoS 1/2 publish waiting for its acknowledgement, pooled per client so a publish costs no allocation: the caller
/// awaits it as a <see cref="ValueTask{TResult}"/> and it returns to the pool when the result is read. Continuations run
/// asynchronously so application code never runs on (or blocks) the reader loop.
/// </summary>
internal sealed class PendingPublish : IValueTaskSource<MqttPublishResult>
{
    private readonly Action<PendingPublish> _return;
    private ManualResetValueTaskSourceCore<MqttPublishResult> _core = new() { RunContinuationsAsynchronously = true };

    public PendingPublish(Action<PendingPublish> returnToPool)
    {
        _return = returnToPool;
    }

    public ushort PacketId { get; set; }

    /// <summary>Sequence of the PUBLISH packet.</summary>
    public long Sequence { get; set; }

    /// <summary>Sequence of our PUBREL (QoS 2).</summary>
    public long ReleaseSequence { get; set; }

    public PendingPublishState State { get; set; }

    public ValueTask<MqttPublishResult> Prepare(ushort packetId, long sequence, MqttQualityOfService qos)
    {
        _core.Reset();
        PacketId = packetId;
        Sequence = sequence;
        ReleaseSequence = 0;
        State = qos == MqttQualityOfService.AtLeastOnce ? PendingPublishState.AwaitingPubAck : PendingPublishState.AwaitingPubRec;
        return new ValueTask<MqttPublishResult>(this, _core.Version);
    }

    public void Complete(in MqttPublishResult result) => _core.SetResult(result);

    public void Fail(Exception exception) => _core.SetException(exception);

    MqttPublishResult IValueTaskSource<MqttPublishResult>.GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _return(this);
        }
    }

    ValueTaskSourceStatus IValueTaskSource<MqttPublishResult>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<MqttPublishResult>.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);
}

/// <summary>A SUBSCRIBE or UNSUBSCRIBE waiting for SUBACK/UNSUBACK.</summary>
internal sealed class PendingRequest(long sequence, int filterCount, bool isSubscribe)
{
    public long Sequence { get; } = sequence;

    public int FilterCount { get; } = filterCount;

    public bool IsSubscribe { get; } = isSubscribe;

    public TaskCompletionSource<object> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>A PINGREQ written and not yet answered; PINGRESPs arrive in the same order.</summary>
internal readonly record struct PendingPing(long Sequence, TaskCompletionSource<long>? Waiter);

/// <summary>Recently used topic strings with their validated UTF-8 form (direct-mapped, lock-free, 64 entries).</summary>
internal sealed class TopicCache
{
    private readonly MqttTopic?[] _entries = new MqttTopic?[64];

    public MqttTopic Get(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var index = (topic.GetHashCode() & 0x7FFFFFFF) & (_entries.Length - 1);
        var entry = Volatile.Read(ref _entries[index]);
        if (entry is not null && (ReferenceEquals(entry.Name, topic) || string.Equals(entry.Name, topic, StringComparison.Ordinal)))
        {
            return entry;
        }

        var created = MqttTopic.Create(topic);
        Volatile.Write(ref _entries[index], created);
        return created;
    }
}
