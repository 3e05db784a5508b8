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

    [LoggerMessage(4010, LogLevel.Warning, "Stale STATE from {HostId} ignored: {State} with timestamp {Timestamp}, older than the last accepted {Last}")]
    public static partial void StaleState(ILogger logger, string hostId, string state, long? timestamp, long? last);

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

    [LoggerMessage(4024, LogLevel.Warning, "Command on {Topic}: {Refused} of {Metrics} metrics ignored ({Reasons}); first: {First}")]
    public static partial void CommandsRejected(ILogger logger, string topic, int refused, int metrics, string reasons, string first);

    [LoggerMessage(4025, LogLevel.Information, "Command on {Topic}: {Accepted} of {Metrics} metrics accepted; first: {First}")]
    public static partial void CommandsAccepted(ILogger logger, string topic, int accepted, int metrics, string first);

    [LoggerMessage(4026, LogLevel.Warning, "Retained command on {Topic} ({Bytes} bytes) dropped: Sparkplug commands are never retained (clear it on the broker)")]
    public static partial void RetainedCommandDropped(ILogger logger, string topic, int bytes);

    [LoggerMessage(4027, LogLevel.Information, "Rebirth requested less than a second after the last births: one rebirth in {WaitMs} ms answers it")]
    public static partial void RebirthDeferred(ILogger logger, long waitMs);

    [LoggerMessage(4028, LogLevel.Debug, "{DeviceId}/{Metric}: a newer command value replaced one not yet written")]
    public static partial void WriteSuperseded(ILogger logger, string deviceId, string metric);

    [LoggerMessage(4029, LogLevel.Warning, "STATE from {HostId} ignored: {State} with timestamp {Timestamp} is not what the broker holds ({HeldState}, {HeldTimestamp}); a host publishes STATE retained")]
    public static partial void StateNotHeld(ILogger logger, string hostId, string state, long? timestamp, string heldState, long? heldTimestamp);

    [LoggerMessage(4030, LogLevel.Warning, "The broker holds no retained STATE of {HostId}: acting on the live one unconfirmed")]
    public static partial void StateNotConfirmed(ILogger logger, string hostId);

    [LoggerMessage(4022, LogLevel.Information, "Scan rate set to {ScanMs} ms")]
    public static partial void ScanRate(ILogger logger, int scanMs);
}
