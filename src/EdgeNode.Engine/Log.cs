using Microsoft.Extensions.Logging;

namespace EdgeNode.Engine;

internal static partial class Log
{
    [LoggerMessage(4000, LogLevel.Information, "Edge node {GroupId}/{EdgeNodeId} starting: {Devices} devices, servers {Servers}")]
    public static partial void Starting(ILogger logger, string groupId, string edgeNodeId, int devices, string servers);

    [LoggerMessage(4001, LogLevel.Information, "Connected to {Server} with bdSeq {BdSeq}")]
    public static partial void Connected(ILogger logger, string server, int bdSeq);

    [LoggerMessage(4002, LogLevel.Warning, "Connection to the broker lost: {Reason}")]
    public static partial void ConnectionLost(ILogger logger, string reason);

    [LoggerMessage(4003, LogLevel.Information, "NBIRTH published (bdSeq {BdSeq}, {Metrics} metrics, {Devices} devices born)")]
    public static partial void Born(ILogger logger, int bdSeq, int metrics, int devices);

    [LoggerMessage(4004, LogLevel.Warning, "Device {DeviceId} stopped answering: {Error}")]
    public static partial void DeviceDead(ILogger logger, string deviceId, string error);

    [LoggerMessage(4005, LogLevel.Information, "Device {DeviceId} answers again")]
    public static partial void DeviceAlive(ILogger logger, string deviceId);

    [LoggerMessage(4040, LogLevel.Information, "Device {DeviceId}: scan failed ({Failed} of {Threshold} before it is declared dead): {Error}")]
    public static partial void ScanFailed(ILogger logger, string deviceId, int failed, int threshold, string error);

    [LoggerMessage(4006, LogLevel.Warning, "Command on {Topic} ignored: {Reason}")]
    public static partial void CommandRejected(ILogger logger, string topic, string reason);

    [LoggerMessage(4007, LogLevel.Information, "Command on {Topic}: {Metric} = {Value}")]
    public static partial void CommandAccepted(ILogger logger, string topic, string metric, string value);

    [LoggerMessage(4008, LogLevel.Warning, "Write of {Value} to {DeviceId}/{Metric} failed ({Status}): {Error}")]
    public static partial void WriteFailed(ILogger logger, string deviceId, string metric, string value, string status, string? error);

    [LoggerMessage(4009, LogLevel.Information, "Primary host {HostId} is {State}")]
    public static partial void HostState(ILogger logger, string hostId, string state);

    [LoggerMessage(4010, LogLevel.Debug, "Stale STATE from {HostId} ignored (timestamp {Timestamp} < {Last})")]
    public static partial void StaleState(ILogger logger, string hostId, long? timestamp, long? last);

    [LoggerMessage(4011, LogLevel.Warning, "Malformed STATE from {HostId} ignored: {Error}")]
    public static partial void BadState(ILogger logger, string hostId, string? error);

    [LoggerMessage(4012, LogLevel.Information, "Replaying {Pending} stored changes as historical data")]
    public static partial void ReplayStarted(ILogger logger, long pending);

    [LoggerMessage(4013, LogLevel.Information, "Stored history replayed")]
    public static partial void ReplayDone(ILogger logger);

    [LoggerMessage(4014, LogLevel.Information, "{Count} changes not yet proven delivered kept for replay after the connection loss")]
    public static partial void UnconfirmedKept(ILogger logger, int count);

    [LoggerMessage(4015, LogLevel.Error, "Device {DeviceId}: cannot open its source: {Error}")]
    public static partial void DriverOpenFailed(ILogger logger, string deviceId, string error);

    [LoggerMessage(4016, LogLevel.Warning, "Device {DeviceId}: closing its source failed: {Error}")]
    public static partial void DriverCloseFailed(ILogger logger, string deviceId, string error);

    [LoggerMessage(4017, LogLevel.Warning, "Publish to {Topic} failed: {Error}")]
    public static partial void PublishFailed(ILogger logger, string topic, string error);

    [LoggerMessage(4018, LogLevel.Information, "Stopping: DDEATHs and NDEATH published, disconnecting")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(4019, LogLevel.Warning, "The store at {Path} could not be opened ({Error}); running without store-and-forward")]
    public static partial void StoreUnavailable(ILogger logger, string path, string error);

    [LoggerMessage(4020, LogLevel.Warning, "bdSeq state: {Problem}")]
    public static partial void BdSeqProblem(ILogger logger, string problem);

    [LoggerMessage(4021, LogLevel.Error, "Unexpected error in the event loop while handling {Event}")]
    public static partial void LoopError(ILogger logger, Exception exception, string @event);

    [LoggerMessage(4023, LogLevel.Information, "Configuration replaced in the running session: {Devices} devices; rebirth")]
    public static partial void Reconfigured(ILogger logger, int devices);

    [LoggerMessage(4022, LogLevel.Information, "Scan rate set to {ScanMs} ms")]
    public static partial void ScanRate(ILogger logger, int scanMs);
}
