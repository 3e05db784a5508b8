namespace EdgeNode.Mqtt;

/// <summary>One subscription of a SUBSCRIBE: a topic filter (wildcards allowed) and its maximum QoS.</summary>
/// <param name="Topic">The topic filter, e.g. <c>spBv1.0/Group/NCMD/Node</c> or <c>spBv1.0/+/DCMD/#</c>.</param>
/// <param name="QoS">Maximum QoS the server may use to forward matching messages.</param>
public sealed record MqttTopicFilter(string Topic, MqttQualityOfService QoS)
{
    /// <summary>MQTT 5.0 No Local: do not receive our own publishes on this subscription.</summary>
    public bool NoLocal { get; init; }

    /// <summary>MQTT 5.0 Retain As Published: keep the retain flag the publisher used.</summary>
    public bool RetainAsPublished { get; init; }

    /// <summary>MQTT 5.0 Retain Handling.</summary>
    public MqttRetainHandling RetainHandling { get; init; }
}
