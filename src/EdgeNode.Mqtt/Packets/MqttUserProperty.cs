namespace EdgeNode.Mqtt;

/// <summary>An MQTT 5.0 User Property (a UTF-8 string pair, property 0x26).</summary>
/// <param name="Name">The property name.</param>
/// <param name="Value">The property value.</param>
public readonly record struct MqttUserProperty(string Name, string Value);
