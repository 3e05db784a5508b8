namespace EdgeNode.Bridging;

/// <summary>What the bridge counted since it started (for /metrics and the logs). Thread-safe.</summary>
public sealed class BridgeCounters
{
    private long _messages;
    private long _rebirthRequests;
    private long _undecodable;
    private long _notSparkplug;
    private long _badBirths;
    private long _unnamable;
    private long _dataRecords;

    /// <summary>MQTT messages received.</summary>
    public long Messages => Interlocked.Read(ref _messages);

    /// <summary>NCMD Rebirth requests sent.</summary>
    public long RebirthRequests => Interlocked.Read(ref _rebirthRequests);

    /// <summary>Payloads that did not decode.</summary>
    public long Undecodable => Interlocked.Read(ref _undecodable);

    /// <summary>Messages whose topic is not Sparkplug B.</summary>
    public long NotSparkplug => Interlocked.Read(ref _notSparkplug);

    /// <summary>BIRTHs that could not be used.</summary>
    public long BadBirths => Interlocked.Read(ref _badBirths);

    /// <summary>Metric values that could not be named and were not produced.</summary>
    public long Unnamable => Interlocked.Read(ref _unnamable);

    /// <summary>Metric values handed to Kafka (data topic).</summary>
    public long DataRecords => Interlocked.Read(ref _dataRecords);

    internal void Count(BridgeOutcome outcome)
    {
        Interlocked.Increment(ref _messages);
        switch (outcome.Problem)
        {
            case BridgeProblemKind.Undecodable:
                Interlocked.Increment(ref _undecodable);
                break;
            case BridgeProblemKind.NotSparkplug:
                Interlocked.Increment(ref _notSparkplug);
                break;
            case BridgeProblemKind.BadBirth:
                Interlocked.Increment(ref _badBirths);
                break;
        }

        if (outcome.Unnamable > 0)
        {
            Interlocked.Add(ref _unnamable, outcome.Unnamable);
        }

        if (outcome.DataRecords > 0)
        {
            Interlocked.Add(ref _dataRecords, outcome.DataRecords);
        }
    }

    internal void CountRebirth() => Interlocked.Increment(ref _rebirthRequests);
}
