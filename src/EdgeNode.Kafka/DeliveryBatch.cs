namespace EdgeNode.Kafka;

/// <summary>
/// The records of one MQTT message: completes when Kafka confirmed every one of them (or refused one for good), so
/// the message can then be acknowledged to the MQTT broker. Seal it after the last record was handed over.
/// </summary>
public sealed class DeliveryBatch
{
    private readonly TaskCompletionSource<bool> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _outstanding = 1; // the seal holds one count, so the batch cannot complete while records are still added
    private int _failed;

    /// <summary>Completes with true when every record was confirmed, false when Kafka refused one for good.</summary>
    public Task<bool> Completion => _done.Task;

    /// <summary>Counts one more record (before it is handed over).</summary>
    public void Add() => Interlocked.Increment(ref _outstanding);

    /// <summary>One record confirmed (or refused for good when <paramref name="ok"/> is false).</summary>
    public void Delivered(bool ok)
    {
        if (!ok)
        {
            Interlocked.Exchange(ref _failed, 1);
        }

        if (Interlocked.Decrement(ref _outstanding) == 0)
        {
            _done.TrySetResult(Volatile.Read(ref _failed) == 0);
        }
    }

    /// <summary>No more records will be added.</summary>
    public void Seal() => Delivered(true);
}
