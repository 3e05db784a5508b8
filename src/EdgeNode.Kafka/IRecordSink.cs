namespace EdgeNode.Kafka;

/// <summary>Where the bridge's records go: Kafka in production, anything that keeps order per key in tests.</summary>
public interface IRecordSink
{
    /// <summary>True while the sink takes records (brokers reachable, queue below its high-water mark).</summary>
    bool IsAvailable { get; }

    /// <summary>Raised (on any thread) when <see cref="IsAvailable"/> changes.</summary>
    event Action<bool>? AvailabilityChanged;

    /// <summary>Records handed over and not yet confirmed.</summary>
    long Pending { get; }

    /// <summary>
    /// Hands one record over, in call order per key. Waits while the local queue is full (that is the bridge's
    /// back-pressure towards MQTT); never drops a record. <paramref name="batch"/> counts the record until Kafka
    /// confirmed it; <paramref name="journalSegment"/> (counted by the journal when the record was appended) is told when.
    /// </summary>
    ValueTask ProduceAsync(string topic, byte[]? key, byte[] value, DeliveryBatch? batch, DeliveryBatch? journalSegment,
        CancellationToken cancellationToken);

    /// <summary>Waits until every record handed over is confirmed or <paramref name="timeout"/> passed; returns what is left.</summary>
    long Flush(TimeSpan timeout);
}
