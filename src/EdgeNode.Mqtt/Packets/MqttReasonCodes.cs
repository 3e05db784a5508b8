namespace EdgeNode.Mqtt;

// Reason code values are those of MQTT 5.0 §2.4; MQTT 3.1.1 return codes are mapped onto them (see MqttConnAckPacket).

/// <summary>Result of a CONNECT (CONNACK reason code, MQTT 5.0 §3.2.2.2; 3.1.1 return codes mapped onto these).</summary>
public enum MqttConnectResultCode : byte
{
    /// <summary>Connection accepted.</summary>
    Success = 0x00,

    /// <summary>Unspecified error.</summary>
    UnspecifiedError = 0x80,

    /// <summary>Malformed packet.</summary>
    MalformedPacket = 0x81,

    /// <summary>Protocol error.</summary>
    ProtocolError = 0x82,

    /// <summary>Implementation specific error.</summary>
    ImplementationSpecificError = 0x83,

    /// <summary>Unsupported protocol version (3.1.1 return code 1).</summary>
    UnsupportedProtocolVersion = 0x84,

    /// <summary>Client identifier not valid (3.1.1 return code 2).</summary>
    ClientIdentifierNotValid = 0x85,

    /// <summary>Bad user name or password (3.1.1 return code 4).</summary>
    BadUserNameOrPassword = 0x86,

    /// <summary>Not authorized (3.1.1 return code 5).</summary>
    NotAuthorized = 0x87,

    /// <summary>Server unavailable (3.1.1 return code 3).</summary>
    ServerUnavailable = 0x88,

    /// <summary>Server busy.</summary>
    ServerBusy = 0x89,

    /// <summary>Banned.</summary>
    Banned = 0x8A,

    /// <summary>Bad authentication method.</summary>
    BadAuthenticationMethod = 0x8C,

    /// <summary>Topic name invalid (the Will topic).</summary>
    TopicNameInvalid = 0x90,

    /// <summary>Packet too large.</summary>
    PacketTooLarge = 0x95,

    /// <summary>Quota exceeded.</summary>
    QuotaExceeded = 0x97,

    /// <summary>Payload format invalid.</summary>
    PayloadFormatInvalid = 0x99,

    /// <summary>Retain not supported (the Will asked for retain).</summary>
    RetainNotSupported = 0x9A,

    /// <summary>QoS not supported (the Will QoS).</summary>
    QoSNotSupported = 0x9B,

    /// <summary>Use another server.</summary>
    UseAnotherServer = 0x9C,

    /// <summary>Server moved.</summary>
    ServerMoved = 0x9D,

    /// <summary>Connection rate exceeded.</summary>
    ConnectionRateExceeded = 0x9F,
}

/// <summary>
/// Outcome of a QoS 1/2 publish: the PUBACK/PUBREC/PUBCOMP reason code (MQTT 5.0 §3.4.2.1, §3.5.2.1, §3.7.2.1), or a
/// refusal decided locally before sending (<see cref="PacketTooLarge"/>, <see cref="QoSNotSupported"/>,
/// <see cref="RetainNotSupported"/> against the server's CONNACK limits).
/// </summary>
public enum MqttPublishReasonCode : byte
{
    /// <summary>Accepted (QoS 0: queued for writing).</summary>
    Success = 0x00,

    /// <summary>Accepted, but no subscriber matched (MQTT 5.0).</summary>
    NoMatchingSubscribers = 0x10,

    /// <summary>Unspecified error.</summary>
    UnspecifiedError = 0x80,

    /// <summary>Implementation specific error.</summary>
    ImplementationSpecificError = 0x83,

    /// <summary>Not authorized.</summary>
    NotAuthorized = 0x87,

    /// <summary>Topic name invalid.</summary>
    TopicNameInvalid = 0x90,

    /// <summary>Packet identifier in use.</summary>
    PacketIdentifierInUse = 0x91,

    /// <summary>Packet identifier not found (PUBCOMP).</summary>
    PacketIdentifierNotFound = 0x92,

    /// <summary>The packet exceeds the server's Maximum Packet Size; not sent.</summary>
    PacketTooLarge = 0x95,

    /// <summary>Quota exceeded.</summary>
    QuotaExceeded = 0x97,

    /// <summary>Payload format invalid.</summary>
    PayloadFormatInvalid = 0x99,

    /// <summary>The server does not support retained messages; not sent.</summary>
    RetainNotSupported = 0x9A,

    /// <summary>The QoS exceeds the server's Maximum QoS; not sent.</summary>
    QoSNotSupported = 0x9B,
}

/// <summary>Per-filter SUBACK result: the granted QoS (0–2) or a failure (MQTT 5.0 §3.9.3; 3.1.1 failure 0x80).</summary>
public enum MqttSubscribeReasonCode : byte
{
    /// <summary>Granted QoS 0.</summary>
    GrantedQoS0 = 0x00,

    /// <summary>Granted QoS 1.</summary>
    GrantedQoS1 = 0x01,

    /// <summary>Granted QoS 2.</summary>
    GrantedQoS2 = 0x02,

    /// <summary>Unspecified error (also the 3.1.1 failure code).</summary>
    UnspecifiedError = 0x80,

    /// <summary>Implementation specific error.</summary>
    ImplementationSpecificError = 0x83,

    /// <summary>Not authorized.</summary>
    NotAuthorized = 0x87,

    /// <summary>Topic filter invalid.</summary>
    TopicFilterInvalid = 0x8F,

    /// <summary>Packet identifier in use.</summary>
    PacketIdentifierInUse = 0x91,

    /// <summary>Quota exceeded.</summary>
    QuotaExceeded = 0x97,

    /// <summary>Shared subscriptions not supported.</summary>
    SharedSubscriptionsNotSupported = 0x9E,

    /// <summary>Subscription identifiers not supported.</summary>
    SubscriptionIdentifiersNotSupported = 0xA1,

    /// <summary>Wildcard subscriptions not supported.</summary>
    WildcardSubscriptionsNotSupported = 0xA2,
}

/// <summary>Per-filter UNSUBACK result (MQTT 5.0 §3.11.3; 3.1.1 UNSUBACK carries none and maps to Success).</summary>
public enum MqttUnsubscribeReasonCode : byte
{
    /// <summary>Success.</summary>
    Success = 0x00,

    /// <summary>No subscription existed.</summary>
    NoSubscriptionExisted = 0x11,

    /// <summary>Unspecified error.</summary>
    UnspecifiedError = 0x80,

    /// <summary>Implementation specific error.</summary>
    ImplementationSpecificError = 0x83,

    /// <summary>Not authorized.</summary>
    NotAuthorized = 0x87,

    /// <summary>Topic filter invalid.</summary>
    TopicFilterInvalid = 0x8F,

    /// <summary>Packet identifier in use.</summary>
    PacketIdentifierInUse = 0x91,
}

/// <summary>DISCONNECT reason code (MQTT 5.0 §3.14.2.1). MQTT 3.1.1 DISCONNECT carries none.</summary>
public enum MqttDisconnectReasonCode : byte
{
    /// <summary>Normal disconnection: the server discards the Will.</summary>
    NormalDisconnection = 0x00,

    /// <summary>Disconnect with Will Message: the server publishes the Will (Sparkplug's clean stop, MQTT 5.0).</summary>
    DisconnectWithWillMessage = 0x04,

    /// <summary>Unspecified error.</summary>
    UnspecifiedError = 0x80,

    /// <summary>Malformed packet.</summary>
    MalformedPacket = 0x81,

    /// <summary>Protocol error.</summary>
    ProtocolError = 0x82,

    /// <summary>Implementation specific error.</summary>
    ImplementationSpecificError = 0x83,

    /// <summary>Not authorized.</summary>
    NotAuthorized = 0x87,

    /// <summary>Server busy.</summary>
    ServerBusy = 0x89,

    /// <summary>Server shutting down.</summary>
    ServerShuttingDown = 0x8B,

    /// <summary>Keep alive timeout.</summary>
    KeepAliveTimeout = 0x8D,

    /// <summary>Session taken over (another client connected with the same client id).</summary>
    SessionTakenOver = 0x8E,

    /// <summary>Topic filter invalid.</summary>
    TopicFilterInvalid = 0x8F,

    /// <summary>Topic name invalid.</summary>
    TopicNameInvalid = 0x90,

    /// <summary>Receive maximum exceeded.</summary>
    ReceiveMaximumExceeded = 0x93,

    /// <summary>Topic alias invalid.</summary>
    TopicAliasInvalid = 0x94,

    /// <summary>Packet too large.</summary>
    PacketTooLarge = 0x95,

    /// <summary>Message rate too high.</summary>
    MessageRateTooHigh = 0x96,

    /// <summary>Quota exceeded.</summary>
    QuotaExceeded = 0x97,

    /// <summary>Administrative action.</summary>
    AdministrativeAction = 0x98,

    /// <summary>Payload format invalid.</summary>
    PayloadFormatInvalid = 0x99,

    /// <summary>Retain not supported.</summary>
    RetainNotSupported = 0x9A,

    /// <summary>QoS not supported.</summary>
    QoSNotSupported = 0x9B,

    /// <summary>Use another server.</summary>
    UseAnotherServer = 0x9C,

    /// <summary>Server moved.</summary>
    ServerMoved = 0x9D,

    /// <summary>Shared subscriptions not supported.</summary>
    SharedSubscriptionsNotSupported = 0x9E,

    /// <summary>Connection rate exceeded.</summary>
    ConnectionRateExceeded = 0x9F,

    /// <summary>Maximum connect time.</summary>
    MaximumConnectTime = 0xA0,

    /// <summary>Subscription identifiers not supported.</summary>
    SubscriptionIdentifiersNotSupported = 0xA1,

    /// <summary>Wildcard subscriptions not supported.</summary>
    WildcardSubscriptionsNotSupported = 0xA2,
}
