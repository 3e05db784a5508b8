namespace EdgeNode.Mqtt.Packets;

// Packet POCOs: plain data, no I/O, no validation beyond what the codec enforces. The hot-path packets (PUBLISH out,
// PUBACK in) are encoded/decoded from primitives and a struct so a publish costs no allocation.

/// <summary>CONNECT (MQTT 3.1.1 §3.1, 5.0 §3.1).</summary>
internal sealed class MqttConnectPacket
{
    public MqttProtocolVersion ProtocolVersion { get; init; } = MqttProtocolVersion.V311;

    public string ClientId { get; init; } = "";

    /// <summary>Clean Session (3.1.1) / Clean Start (5.0).</summary>
    public bool CleanSession { get; init; } = true;

    public ushort KeepAliveSeconds { get; init; }

    public string? Username { get; init; }

    public ReadOnlyMemory<byte>? Password { get; init; }

    public MqttWill? Will { get; init; }

    // MQTT 5.0 CONNECT properties (§3.1.2.11); defaults are omitted on the wire.
    public uint SessionExpiryInterval { get; init; }

    public ushort ReceiveMaximum { get; init; } = ushort.MaxValue;

    /// <summary>0 = not sent (no limit beyond the protocol's).</summary>
    public uint MaximumPacketSize { get; init; }

    public ushort TopicAliasMaximum { get; init; }

    public bool RequestProblemInformation { get; init; } = true;

    public IReadOnlyList<MqttUserProperty>? UserProperties { get; init; }
}

/// <summary>CONNACK (3.1.1 §3.2, 5.0 §3.2).</summary>
internal sealed class MqttConnAckPacket
{
    public bool SessionPresent { get; init; }

    public MqttConnectResultCode ReasonCode { get; init; }

    /// <summary>The byte on the wire (a 3.1.1 return code 0–5 or a 5.0 reason code).</summary>
    public byte RawCode { get; init; }

    public uint? SessionExpiryInterval { get; set; }

    public ushort ReceiveMaximum { get; set; } = ushort.MaxValue;

    public MqttQualityOfService MaximumQoS { get; set; } = MqttQualityOfService.ExactlyOnce;

    public bool RetainAvailable { get; set; } = true;

    public uint? MaximumPacketSize { get; set; }

    public string? AssignedClientIdentifier { get; set; }

    public ushort TopicAliasMaximum { get; set; }

    public string? ReasonString { get; set; }

    public List<MqttUserProperty>? UserProperties { get; set; }

    public bool WildcardSubscriptionAvailable { get; set; } = true;

    public bool SubscriptionIdentifiersAvailable { get; set; } = true;

    public bool SharedSubscriptionAvailable { get; set; } = true;

    public ushort? ServerKeepAlive { get; set; }

    public string? ResponseInformation { get; set; }

    public string? ServerReference { get; set; }

    public string? AuthenticationMethod { get; set; }
}

/// <summary>An incoming PUBLISH (3.1.1 §3.3, 5.0 §3.3); the payload is a copy owned by the packet.</summary>
internal sealed class MqttPublishPacket
{
    public string Topic { get; set; } = "";

    public ReadOnlyMemory<byte> Payload { get; set; }

    public MqttQualityOfService QoS { get; set; }

    public bool Retain { get; set; }

    public bool Duplicate { get; set; }

    public ushort PacketId { get; set; }

    public byte? PayloadFormatIndicator { get; set; }

    public uint? MessageExpiryInterval { get; set; }

    public ushort TopicAlias { get; set; }

    public string? ResponseTopic { get; set; }

    public ReadOnlyMemory<byte>? CorrelationData { get; set; }

    public string? ContentType { get; set; }

    public List<MqttUserProperty>? UserProperties { get; set; }

    /// <summary>An oversized PUBLISH that was skipped: only acknowledged, never handed to the application.</summary>
    public bool Discarded { get; set; }

    public List<uint>? SubscriptionIdentifiers { get; set; }
}

/// <summary>PUBACK, PUBREC, PUBREL or PUBCOMP (3.1.1 §3.4–3.7, 5.0 §3.4–3.7).</summary>
internal readonly record struct MqttAckPacket(MqttPacketType Type, ushort PacketId, byte ReasonCode, string? ReasonString);

/// <summary>SUBSCRIBE (3.1.1 §3.8, 5.0 §3.8).</summary>
internal sealed class MqttSubscribePacket
{
    public ushort PacketId { get; init; }

    public IReadOnlyList<MqttTopicFilter> Filters { get; init; } = [];

    /// <summary>MQTT 5.0 Subscription Identifier; 0 = none.</summary>
    public uint SubscriptionIdentifier { get; init; }

    public IReadOnlyList<MqttUserProperty>? UserProperties { get; init; }
}

/// <summary>SUBACK (3.1.1 §3.9, 5.0 §3.9).</summary>
internal sealed class MqttSubAckPacket
{
    public ushort PacketId { get; init; }

    public byte[] ReasonCodes { get; init; } = [];

    public string? ReasonString { get; set; }

    public List<MqttUserProperty>? UserProperties { get; set; }
}

/// <summary>UNSUBSCRIBE (3.1.1 §3.10, 5.0 §3.10).</summary>
internal sealed class MqttUnsubscribePacket
{
    public ushort PacketId { get; init; }

    public IReadOnlyList<string> Filters { get; init; } = [];

    public IReadOnlyList<MqttUserProperty>? UserProperties { get; init; }
}

/// <summary>UNSUBACK (3.1.1 §3.11, 5.0 §3.11); 3.1.1 carries no reason codes.</summary>
internal sealed class MqttUnsubAckPacket
{
    public ushort PacketId { get; init; }

    public byte[] ReasonCodes { get; init; } = [];

    public string? ReasonString { get; set; }

    public List<MqttUserProperty>? UserProperties { get; set; }
}

/// <summary>DISCONNECT (3.1.1 §3.14: no variable header; 5.0 §3.14: reason code and properties).</summary>
internal sealed class MqttDisconnectPacket
{
    public MqttDisconnectReasonCode ReasonCode { get; init; }

    public uint? SessionExpiryInterval { get; set; }

    public string? ReasonString { get; set; }

    public string? ServerReference { get; set; }

    public List<MqttUserProperty>? UserProperties { get; set; }
}

/// <summary>AUTH (5.0 §3.15). We never start enhanced authentication, so one arriving is a protocol error.</summary>
internal sealed class MqttAuthPacket
{
    public byte ReasonCode { get; init; }

    public string? AuthenticationMethod { get; set; }

    public string? ReasonString { get; set; }
}
