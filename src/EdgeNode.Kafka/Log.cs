using Microsoft.Extensions.Logging;

namespace EdgeNode.Kafka;

/// <summary>Source-generated log messages of EdgeNode.Kafka; EventIds 6000–6099 are stable.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Information, Message = "librdkafka {Version} loaded from {Path}")]
    public static partial void Loaded(ILogger logger, string version, string path);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Kafka: {Reason} ({Code})")]
    public static partial void KafkaError(ILogger logger, string reason, string code);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Critical, Message = "Kafka producer fatal error: {Reason} ({Code})")]
    public static partial void KafkaFatal(ILogger logger, string reason, string code);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "Kafka does not take records: {Reason}")]
    public static partial void KafkaDown(ILogger logger, string reason);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Information, Message = "Kafka takes records again ({Pending} waiting for confirmation)")]
    public static partial void KafkaUp(ILogger logger, long pending);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Error, Message = "Kafka refused a record for {Topic} for good: {Reason}")]
    public static partial void DeliveryFailed(ILogger logger, string topic, string reason);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Debug, Message = "librdkafka {Facility}: {Message}")]
    public static partial void Native(ILogger logger, string facility, string message);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Debug, Message = "Record for {Topic} [{Partition}] @{Offset}: {Status} ({Value})")]
    public static partial void Delivered(ILogger logger, string topic, int partition, long offset, string status, string value);
}
