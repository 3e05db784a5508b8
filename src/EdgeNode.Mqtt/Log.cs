using Microsoft.Extensions.Logging;

namespace EdgeNode.Mqtt;

/// <summary>Source-generated log messages of EdgeNode.Mqtt; EventIds 3000–3099 are stable.</summary>
internal static partial class Log
{
    // ---- client (3000–3029) ----
    [LoggerMessage(EventId = 3000, Level = LogLevel.Debug, Message = "MQTT connecting to {Endpoint} as '{ClientId}' (MQTT {Version})")]
    public static partial void Connecting(ILogger logger, string endpoint, string clientId, string version);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "MQTT connected to {Endpoint} as '{ClientId}' (MQTT {Version}, session present {SessionPresent}, keep-alive {KeepAlive} s, in-flight window {Window}{Tls})")]
    public static partial void Connected(ILogger logger, string endpoint, string clientId, string version, bool sessionPresent, int keepAlive, int window, string tls);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "MQTT connection to {Endpoint} refused: {Result}")]
    public static partial void ConnectRefused(ILogger logger, string endpoint, string result);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "MQTT connection to {Endpoint} failed: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, string endpoint, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information,
        Message = "MQTT connection to {Endpoint} closed: {Reason} (confirmed sequence {Confirmed} of {Last})")]
    public static partial void Closed(ILogger logger, string endpoint, string reason, long confirmed, long last);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning,
        Message = "MQTT connection to {Endpoint} lost: {Reason} (confirmed sequence {Confirmed} of {Last})")]
    public static partial void Lost(ILogger logger, string endpoint, string reason, long confirmed, long last);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "MQTT protocol violation by {Endpoint}: {Reason}; closing the connection")]
    public static partial void ProtocolViolation(ILogger logger, string endpoint, string reason);

    [LoggerMessage(EventId = 3039, Level = LogLevel.Warning,
        Message = "MQTT PUBLISH on '{Topic}' from {Endpoint} discarded: {Size} bytes exceed the maximum packet size {MaxPacketSize} (QoS {QoS}, retained {Retain}; {Count} discarded on this connection)")]
    public static partial void OversizedPublishDiscarded(ILogger logger, string endpoint, string topic, long size, int maxPacketSize, int qos, bool retain, long count);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Error, Message = "MQTT message handler failed for a message on '{Topic}'; the message is acknowledged")]
    public static partial void HandlerFailed(ILogger logger, string topic, Exception exception);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Debug, Message = "MQTT {Type} for unknown packet identifier {PacketId} from {Endpoint} ignored")]
    public static partial void UnknownPacketId(ILogger logger, string type, ushort packetId, string endpoint);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Error, Message = "MQTT disconnected handler failed")]
    public static partial void DisconnectedHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Error, Message = "MQTT client {Endpoint}: unexpected failure in the {Loop} loop")]
    public static partial void LoopFault(ILogger logger, string endpoint, string loop, Exception exception);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Debug, Message = "MQTT {Endpoint}: QoS 2 PUBLISH {PacketId} received again before PUBREL; not delivered twice")]
    public static partial void DuplicateQos2(ILogger logger, string endpoint, ushort packetId);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Trace, Message = "{Endpoint} TX ({Count} bytes) >>> {Hex}")]
    public static partial void Tx(ILogger logger, string endpoint, int count, string hex);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Trace, Message = "{Endpoint} RX {Type} ({Count} bytes) <<< {Hex}")]
    public static partial void Rx(ILogger logger, string endpoint, string type, int count, string hex);

    // ---- supervisor (3030–3059) ----
    [LoggerMessage(EventId = 3030, Level = LogLevel.Warning,
        Message = "MQTT server {Server} unavailable ({Outcome}: {Reason}); next attempt on {Next} in {DelayMs} ms")]
    public static partial void AttemptFailed(ILogger logger, string server, string outcome, string reason, string next, long delayMs);

    [LoggerMessage(EventId = 3031, Level = LogLevel.Information, Message = "MQTT session up on {Server}")]
    public static partial void SessionUp(ILogger logger, string server);

    [LoggerMessage(EventId = 3032, Level = LogLevel.Information, Message = "MQTT reconnect requested on {Server} (move to next server: {MoveNext})")]
    public static partial void ReconnectRequested(ILogger logger, string server, bool moveNext);

    [LoggerMessage(EventId = 3033, Level = LogLevel.Error, Message = "MQTT connected callback failed on {Server}; dropping the connection")]
    public static partial void ConnectedCallbackFailed(ILogger logger, string server, Exception exception);

    [LoggerMessage(EventId = 3034, Level = LogLevel.Information, Message = "MQTT supervisor stopped")]
    public static partial void SupervisorStopped(ILogger logger);

    [LoggerMessage(EventId = 3035, Level = LogLevel.Error, Message = "MQTT supervisor: unexpected failure")]
    public static partial void SupervisorFault(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3036, Level = LogLevel.Error, Message = "MQTT supervisor: {Callback} callback failed")]
    public static partial void CallbackFailed(ILogger logger, string callback, Exception exception);

    [LoggerMessage(EventId = 3037, Level = LogLevel.Warning, Message = "MQTT session on {Server} ended: {Reason}; next attempt on {Next} in {DelayMs} ms")]
    public static partial void SessionLost(ILogger logger, string server, string reason, string next, long delayMs);

    [LoggerMessage(EventId = 3038, Level = LogLevel.Information, Message = "MQTT session on {Server} closed by the application; waiting for a reconnect request or stop")]
    public static partial void SessionClosedByApplication(ILogger logger, string server);
}
