namespace EdgeNode.Benchmarks.Mqtt;

/// <summary>Counts the benchmark's messages on one topic where they arrive (a subscriber behind the broker, or the sink).</summary>
internal interface IMessageCounter
{
    /// <summary>Resets the count and arms the wait for <paramref name="target"/> messages (done when it returns).</summary>
    Task ExpectAsync(long target);

    /// <summary>Waits until the expected count arrived; the Stopwatch timestamp then, or null on timeout.</summary>
    Task<long?> WaitAsync(TimeSpan timeout);
}
