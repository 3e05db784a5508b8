namespace EdgeNode.Mqtt;

/// <summary>
/// Bytes from the peer broke the MQTT protocol (malformed packet, a packet type or value not allowed there, an
/// oversized packet). The client closes the connection with this as the reason; in MQTT 5.0 it first sends DISCONNECT
/// with <see cref="ReasonCode"/> (5.0 §4.13).
/// </summary>
public sealed class MqttProtocolViolationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MqttProtocolViolationException()
        : this("MQTT protocol violation")
    {
    }

    /// <summary>Creates the exception.</summary>
    public MqttProtocolViolationException(string message)
        : this(message, MqttDisconnectReasonCode.ProtocolError)
    {
    }

    /// <summary>Creates the exception.</summary>
    public MqttProtocolViolationException(string message, Exception innerException)
        : base(message, innerException)
    {
        ReasonCode = MqttDisconnectReasonCode.MalformedPacket;
    }

    /// <summary>Creates the exception with the DISCONNECT reason code that describes it.</summary>
    public MqttProtocolViolationException(string message, MqttDisconnectReasonCode reasonCode)
        : base(message)
    {
        ReasonCode = reasonCode;
    }

    /// <summary>Malformed Packet (0x81), Protocol Error (0x82), Packet Too Large (0x95), …</summary>
    public MqttDisconnectReasonCode ReasonCode { get; }

    internal static MqttProtocolViolationException Malformed(string message) =>
        new(message, MqttDisconnectReasonCode.MalformedPacket);

    internal static MqttProtocolViolationException Protocol(string message) =>
        new(message, MqttDisconnectReasonCode.ProtocolError);
}
