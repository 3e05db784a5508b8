using EdgeNode.Mqtt.Packets;

namespace EdgeNode.Mqtt;

/// <summary>
/// Outcome of <see cref="MqttClient.ConnectAsync"/> when the broker answered: accepted, or refused with a CONNACK code
/// (a refusal is a result, not an exception). Carries the limits a 5.0 server announced.
/// </summary>
public sealed class MqttConnectResult
{
    internal MqttConnectResult(MqttConnAckPacket packet, MqttProtocolVersion version)
    {
        ResultCode = packet.ReasonCode;
        RawCode = packet.RawCode;
        IsSessionPresent = packet.SessionPresent;
        ProtocolVersion = version;
        ReasonString = packet.ReasonString;
        AssignedClientIdentifier = packet.AssignedClientIdentifier;
        ReceiveMaximum = packet.ReceiveMaximum;
        MaximumQoS = packet.MaximumQoS;
        RetainAvailable = packet.RetainAvailable;
        MaximumPacketSize = packet.MaximumPacketSize;
        ServerKeepAlive = packet.ServerKeepAlive;
        ServerReference = packet.ServerReference;
        SessionExpiryInterval = packet.SessionExpiryInterval;
        WildcardSubscriptionAvailable = packet.WildcardSubscriptionAvailable;
        SubscriptionIdentifiersAvailable = packet.SubscriptionIdentifiersAvailable;
        SharedSubscriptionAvailable = packet.SharedSubscriptionAvailable;
        UserProperties = packet.UserProperties ?? (IReadOnlyList<MqttUserProperty>)[];
    }

    /// <summary>Accepted or the refusal reason (3.1.1 return codes are mapped onto the 5.0 values).</summary>
    public MqttConnectResultCode ResultCode { get; }

    /// <summary>The code byte on the wire (3.1.1: 0–5).</summary>
    public byte RawCode { get; }

    /// <summary>True when the connection was accepted.</summary>
    public bool IsSuccess => ResultCode == MqttConnectResultCode.Success;

    /// <summary>CONNACK Session Present.</summary>
    public bool IsSessionPresent { get; }

    /// <summary>The protocol version used.</summary>
    public MqttProtocolVersion ProtocolVersion { get; }

    /// <summary>5.0 Reason String (human readable), if any.</summary>
    public string? ReasonString { get; }

    /// <summary>5.0 Assigned Client Identifier (when we sent an empty one).</summary>
    public string? AssignedClientIdentifier { get; }

    /// <summary>5.0 Receive Maximum of the server (65,535 when not sent).</summary>
    public ushort ReceiveMaximum { get; }

    /// <summary>5.0 Maximum QoS of the server (2 when not sent).</summary>
    public MqttQualityOfService MaximumQoS { get; }

    /// <summary>5.0 Retain Available.</summary>
    public bool RetainAvailable { get; }

    /// <summary>5.0 Maximum Packet Size of the server, if limited.</summary>
    public uint? MaximumPacketSize { get; }

    /// <summary>5.0 Server Keep Alive, which replaces ours when present.</summary>
    public ushort? ServerKeepAlive { get; }

    /// <summary>5.0 Server Reference (another server to use), if any.</summary>
    public string? ServerReference { get; }

    /// <summary>5.0 Session Expiry Interval the server chose, if it overrode ours.</summary>
    public uint? SessionExpiryInterval { get; }

    /// <summary>5.0 Wildcard Subscription Available.</summary>
    public bool WildcardSubscriptionAvailable { get; }

    /// <summary>5.0 Subscription Identifiers Available.</summary>
    public bool SubscriptionIdentifiersAvailable { get; }

    /// <summary>5.0 Shared Subscription Available.</summary>
    public bool SharedSubscriptionAvailable { get; }

    /// <summary>5.0 user properties of the CONNACK.</summary>
    public IReadOnlyList<MqttUserProperty> UserProperties { get; }

    /// <inheritdoc />
    public override string ToString() =>
        IsSuccess ? $"Success (session present: {IsSessionPresent})" : $"{ResultCode} (0x{RawCode:X2}){(ReasonString is null ? "" : ": " + ReasonString)}";
}

/// <summary>
/// Outcome of a publish. <see cref="Sequence"/> is the delivery-proof sequence number of the PUBLISH packet: once
/// <see cref="MqttClient.ConfirmedSequence"/> reaches it, the broker has provably received the message.
/// </summary>
public readonly record struct MqttPublishResult
{
    internal MqttPublishResult(long sequence, MqttPublishReasonCode reasonCode, ushort packetId, string? reasonString = null)
    {
        Sequence = sequence;
        ReasonCode = reasonCode;
        PacketId = packetId;
        ReasonString = reasonString;
    }

    /// <summary>Sequence number assigned at enqueue, in write order (0 when refused locally and never sent).</summary>
    public long Sequence { get; }

    /// <summary>QoS 0: Success once queued; QoS 1: PUBACK's code; QoS 2: PUBREC's failure or PUBCOMP's code.</summary>
    public MqttPublishReasonCode ReasonCode { get; }

    /// <summary>Packet identifier used (0 for QoS 0).</summary>
    public ushort PacketId { get; }

    /// <summary>5.0 Reason String from the acknowledgement, if any.</summary>
    public string? ReasonString { get; }

    /// <summary>True for Success and No Matching Subscribers.</summary>
    public bool IsSuccess => (byte)ReasonCode < 0x80;
}

/// <summary>One filter's SUBACK outcome.</summary>
/// <param name="Filter">The requested subscription.</param>
/// <param name="ReasonCode">Granted QoS or failure.</param>
public sealed record MqttSubscribeResultItem(MqttTopicFilter Filter, MqttSubscribeReasonCode ReasonCode)
{
    /// <summary>True when the subscription was granted (at some QoS).</summary>
    public bool IsSuccess => (byte)ReasonCode < 0x80;

    /// <summary>The granted QoS, or null when refused.</summary>
    public MqttQualityOfService? GrantedQoS => IsSuccess ? (MqttQualityOfService)ReasonCode : null;
}

/// <summary>Outcome of a SUBSCRIBE: one item per filter, in order.</summary>
public sealed class MqttSubscribeResult
{
    internal MqttSubscribeResult(IReadOnlyList<MqttSubscribeResultItem> items, string? reasonString, long sequence)
    {
        Items = items;
        ReasonString = reasonString;
        Sequence = sequence;
    }

    /// <summary>Per-filter results in request order.</summary>
    public IReadOnlyList<MqttSubscribeResultItem> Items { get; }

    /// <summary>5.0 Reason String, if any.</summary>
    public string? ReasonString { get; }

    /// <summary>Delivery-proof sequence of the SUBSCRIBE packet.</summary>
    public long Sequence { get; }

    /// <summary>True when every filter was granted.</summary>
    public bool IsSuccess => Items.All(i => i.IsSuccess);
}

/// <summary>One filter's UNSUBACK outcome (3.1.1 reports none: always Success).</summary>
/// <param name="Filter">The topic filter.</param>
/// <param name="ReasonCode">The outcome.</param>
public sealed record MqttUnsubscribeResultItem(string Filter, MqttUnsubscribeReasonCode ReasonCode)
{
    /// <summary>True for Success and No Subscription Existed.</summary>
    public bool IsSuccess => (byte)ReasonCode < 0x80;
}

/// <summary>Outcome of an UNSUBSCRIBE.</summary>
public sealed class MqttUnsubscribeResult
{
    internal MqttUnsubscribeResult(IReadOnlyList<MqttUnsubscribeResultItem> items, string? reasonString, long sequence)
    {
        Items = items;
        ReasonString = reasonString;
        Sequence = sequence;
    }

    /// <summary>Per-filter results in request order.</summary>
    public IReadOnlyList<MqttUnsubscribeResultItem> Items { get; }

    /// <summary>5.0 Reason String, if any.</summary>
    public string? ReasonString { get; }

    /// <summary>Delivery-proof sequence of the UNSUBSCRIBE packet.</summary>
    public long Sequence { get; }
}

/// <summary>A message received from the broker. Payload and strings are owned by the message (safe to keep).</summary>
public sealed class MqttApplicationMessage
{
    internal MqttApplicationMessage(MqttPublishPacket packet)
    {
        Topic = packet.Topic;
        Payload = packet.Payload;
        QoS = packet.QoS;
        Retain = packet.Retain;
        Duplicate = packet.Duplicate;
        PayloadFormatIndicator = packet.PayloadFormatIndicator;
        MessageExpiryInterval = packet.MessageExpiryInterval;
        ContentType = packet.ContentType;
        ResponseTopic = packet.ResponseTopic;
        CorrelationData = packet.CorrelationData;
        UserProperties = packet.UserProperties ?? (IReadOnlyList<MqttUserProperty>)[];
        SubscriptionIdentifiers = packet.SubscriptionIdentifiers ?? (IReadOnlyList<uint>)[];
    }

    /// <summary>Topic name.</summary>
    public string Topic { get; }

    /// <summary>Payload bytes.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>QoS the broker delivered it with.</summary>
    public MqttQualityOfService QoS { get; }

    /// <summary>True for a retained message sent because of a new subscription.</summary>
    public bool Retain { get; }

    /// <summary>DUP flag (a redelivery).</summary>
    public bool Duplicate { get; }

    /// <summary>5.0 Payload Format Indicator (1 = UTF-8), if sent.</summary>
    public byte? PayloadFormatIndicator { get; }

    /// <summary>5.0 Message Expiry Interval, if sent.</summary>
    public uint? MessageExpiryInterval { get; }

    /// <summary>5.0 Content Type, if sent.</summary>
    public string? ContentType { get; }

    /// <summary>5.0 Response Topic, if sent.</summary>
    public string? ResponseTopic { get; }

    /// <summary>5.0 Correlation Data, if sent.</summary>
    public ReadOnlyMemory<byte>? CorrelationData { get; }

    /// <summary>5.0 user properties.</summary>
    public IReadOnlyList<MqttUserProperty> UserProperties { get; }

    /// <summary>5.0 Subscription Identifiers of the matching subscriptions.</summary>
    public IReadOnlyList<uint> SubscriptionIdentifiers { get; }
}

/// <summary>Why a connection ended.</summary>
public enum MqttDisconnectKind
{
    /// <summary>We closed it: <see cref="MqttClient.DisconnectAsync"/> (or cancellation of a connect).</summary>
    ClientDisconnected,

    /// <summary>Nothing arrived from the server within the keep-alive (a dead link or a frozen broker).</summary>
    KeepAliveTimeout,

    /// <summary>Socket or TLS failure (reset, unreachable, write failed) or a connect timeout.</summary>
    ConnectionError,

    /// <summary>The server sent DISCONNECT (5.0) with <see cref="MqttDisconnectInfo.ReasonCode"/>.</summary>
    ServerDisconnected,

    /// <summary>The server closed the TCP connection without DISCONNECT.</summary>
    ServerClosedConnection,

    /// <summary>The server broke the protocol (malformed or unexpected packet, packet too large).</summary>
    ProtocolViolation,

    /// <summary>The server refused the CONNECT (see the connect result).</summary>
    ConnectRefused,

    /// <summary>The client was disposed without a DISCONNECT (the server will publish the Will).</summary>
    Disposed,
}

/// <summary>
/// How and why a connection ended, with the delivery-proof position at that moment: packets with a sequence up to
/// <see cref="ConfirmedSequence"/> reached the broker; those after it up to <see cref="LastSequence"/> may not have.
/// </summary>
public sealed class MqttDisconnectInfo
{
    internal MqttDisconnectInfo(MqttDisconnectKind kind, string message, Exception? exception = null,
        MqttDisconnectReasonCode? reasonCode = null, string? serverReference = null)
    {
        Kind = kind;
        Message = message;
        Exception = exception;
        ReasonCode = reasonCode;
        ServerReference = serverReference;
    }

    /// <summary>The category.</summary>
    public MqttDisconnectKind Kind { get; }

    /// <summary>Human-readable reason for logs.</summary>
    public string Message { get; }

    /// <summary>The underlying failure, if any.</summary>
    public Exception? Exception { get; }

    /// <summary>DISCONNECT reason code: the server's (5.0), or the one we sent.</summary>
    public MqttDisconnectReasonCode? ReasonCode { get; }

    /// <summary>5.0 Server Reference from the server's DISCONNECT, if any.</summary>
    public string? ServerReference { get; }

    /// <summary>Highest sequence the broker provably received.</summary>
    public long ConfirmedSequence { get; internal set; }

    /// <summary>Highest sequence assigned (written or queued) on this connection.</summary>
    public long LastSequence { get; internal set; }

    /// <summary>When the connection ended (UTC).</summary>
    public DateTimeOffset Timestamp { get; } = DateTimeOffset.UtcNow;

    /// <summary>True when the application ended the connection (not a failure).</summary>
    public bool IsClientInitiated => Kind == MqttDisconnectKind.ClientDisconnected;

    /// <inheritdoc />
    public override string ToString() => ReasonCode is { } code && Kind == MqttDisconnectKind.ServerDisconnected
        ? $"{Kind} ({code}): {Message}"
        : $"{Kind}: {Message}";
}
