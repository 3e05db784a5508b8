namespace EdgeNode.Mqtt;

/// <summary>
/// The network failed underneath MQTT: DNS, TCP connect, TLS handshake or certificate validation, a connect timeout, a
/// socket error, or the connection ending while an operation waited for its answer. Created only by the channel
/// adapter and the client's single break path; the inner exception carries the cause (SocketException, IOException,
/// AuthenticationException, TimeoutException, MqttProtocolViolationException).
/// </summary>
public class MqttCommunicationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MqttCommunicationException()
        : base("MQTT communication failed")
    {
    }

    /// <summary>Creates the exception.</summary>
    public MqttCommunicationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public MqttCommunicationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>True when the failure was a timeout (connect or CONNACK not within ConnectTimeout).</summary>
    public bool IsTimeout => InnerException is TimeoutException;
}
