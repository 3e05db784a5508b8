namespace EdgeNode.Modbus;

/// <summary>Bytes that break the Modbus framing rules (a bad MBAP header, a PDU over 253 bytes).</summary>
public sealed class ModbusProtocolViolationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModbusProtocolViolationException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ModbusProtocolViolationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public ModbusProtocolViolationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The link to the device failed (socket, serial port); wraps the <see cref="IOException"/>/<see cref="System.Net.Sockets.SocketException"/>.</summary>
public sealed class ModbusCommunicationException : IOException
{
    /// <summary>Creates the exception.</summary>
    public ModbusCommunicationException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ModbusCommunicationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public ModbusCommunicationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
