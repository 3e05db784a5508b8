namespace EdgeNode.Mqtt;

/// <summary>
/// The Will Message carried in CONNECT (3.1.1 §3.1.2.5, 5.0 §3.1.3.2): the server publishes it when the connection ends
/// without a normal DISCONNECT (or, in 5.0, with reason 0x04). Sparkplug's NDEATH rides on it (QoS 1, not retained).
/// </summary>
public sealed class MqttWill
{
    /// <summary>Topic the Will is published to (no wildcards).</summary>
    public required string Topic { get; init; }

    /// <summary>Will payload (may be empty).</summary>
    public ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>Will QoS.</summary>
    public MqttQualityOfService QoS { get; init; }

    /// <summary>Will retain flag.</summary>
    public bool Retain { get; init; }

    /// <summary>MQTT 5.0 Will Delay Interval in seconds (0 = publish at once); ignored by 3.1.1.</summary>
    public uint DelayInterval { get; init; }
}
