namespace EdgeNode.Kafka;

/// <summary>How the bridge's producer talks to Kafka and when it counts Kafka as not taking records.</summary>
public sealed class KafkaProducerOptions
{
    /// <summary>bootstrap.servers.</summary>
    public required string BootstrapServers { get; init; }

    /// <summary>Extra librdkafka properties, passed as they are (security.protocol, sasl.*, ssl.*, linger.ms...).</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    /// <summary>Records handed to librdkafka and not yet confirmed above which Kafka counts as not taking records.</summary>
    public int HighWaterRecords { get; init; } = 200_000;

    /// <summary>No delivery progress for this long while records wait: Kafka counts as not taking records.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A topic to ask metadata for when probing whether Kafka is back.</summary>
    public string ProbeTopic { get; init; } = "sparkplug.data";
}
