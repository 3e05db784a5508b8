using Microsoft.Extensions.Logging;

namespace EdgeNode.Bridging;

/// <summary>Source-generated log messages of EdgeNode.Bridging; EventIds 6100–6199 are stable.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 6100, Level = LogLevel.Information, Message = "Subscribed to {Filters}; session present {SessionPresent}")]
    public static partial void Subscribed(ILogger logger, string filters, bool sessionPresent);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Error, Message = "The broker refused the subscription to {Filter}: {Reason}")]
    public static partial void SubscribeRefused(ILogger logger, string filter, string reason);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Information, Message = "Host application STATE {HostId}: {State}")]
    public static partial void HostState(ILogger logger, string hostId, string state);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Information, Message = "Rebirth requested from {Group}/{EdgeNode}: {Reason}")]
    public static partial void RebirthRequested(ILogger logger, string group, string edgeNode, string reason);

    [LoggerMessage(EventId = 6104, Level = LogLevel.Warning, Message = "Bad input ({Kind}), counted and skipped: {Detail} (logged at most once a minute per source)")]
    public static partial void BadInput(ILogger logger, string kind, string detail);

    [LoggerMessage(EventId = 6105, Level = LogLevel.Error, Message = "Bridging a message on {Topic} failed")]
    public static partial void HandlerFailed(ILogger logger, string topic, Exception exception);

    [LoggerMessage(EventId = 6106, Level = LogLevel.Warning, Message = "Publishing to MQTT failed: {Reason}")]
    public static partial void PublishFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 6107, Level = LogLevel.Information, Message = "Stopping: {Pending} records still wait for Kafka; waiting up to {Seconds} s")]
    public static partial void Flushing(ILogger logger, long pending, int seconds);

    [LoggerMessage(EventId = 6108, Level = LogLevel.Warning, Message = "Stopped with {Pending} records Kafka did not confirm")]
    public static partial void Unflushed(ILogger logger, long pending);

    [LoggerMessage(EventId = 6109, Level = LogLevel.Warning, Message = "Kafka refused records of a QoS 1 message on {Topic} for good; acknowledging it anyway")]
    public static partial void BatchFailed(ILogger logger, string topic);

    [LoggerMessage(EventId = 6110, Level = LogLevel.Information, Message = "Replaying {Count} records journaled but not confirmed before the last stop ({Path})")]
    public static partial void JournalReplaying(ILogger logger, int count, string path);

    [LoggerMessage(EventId = 6111, Level = LogLevel.Warning, Message = "Could not delete the confirmed journal segment {Path}: {Reason}")]
    public static partial void JournalDeleteFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 6112, Level = LogLevel.Debug, Message = "MQTT message on {Topic} (QoS {QoS}, {Bytes} bytes): {Records} records")]
    public static partial void MessageRead(ILogger logger, string topic, int qoS, int bytes, int records);
}
