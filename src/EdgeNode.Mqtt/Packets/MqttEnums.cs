namespace EdgeNode.Mqtt;

/// <summary>The MQTT protocol level sent in CONNECT.</summary>
public enum MqttProtocolVersion
{
    /// <summary>MQTT 3.1.1 (protocol level 4), the version Sparkplug B requires support for.</summary>
    V311 = 4,

    /// <summary>MQTT 5.0 (protocol level 5).</summary>
    V500 = 5,
}

/// <summary>Quality of service of a publish or subscription.</summary>
public enum MqttQualityOfService : byte
{
    /// <summary>QoS 0: fire and forget.</summary>
    AtMostOnce = 0,

    /// <summary>QoS 1: acknowledged by PUBACK, may be duplicated.</summary>
    AtLeastOnce = 1,

    /// <summary>QoS 2: four-way handshake, delivered once.</summary>
    ExactlyOnce = 2,
}

/// <summary>MQTT 5.0 subscription option: when retained messages are sent [MQTT-3.8.3.1].</summary>
public enum MqttRetainHandling : byte
{
    /// <summary>Send retained messages at the time of the subscribe.</summary>
    SendAtSubscribe = 0,

    /// <summary>Send retained messages only if the subscription did not exist.</summary>
    SendAtSubscribeIfNew = 1,

    /// <summary>Never send retained messages for this subscription.</summary>
    DoNotSend = 2,
}
