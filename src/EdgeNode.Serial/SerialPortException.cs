namespace EdgeNode.Serial;

/// <summary>Why a serial port could not be opened or used.</summary>
public enum SerialPortErrorKind
{
    /// <summary>Any other native failure.</summary>
    Other,

    /// <summary>The device path does not exist (ENOENT): adapter unplugged or a wrong name.</summary>
    NotFound,

    /// <summary>Permission denied (EACCES/EPERM): the user is not in the device's group (usually <c>dialout</c>).</summary>
    AccessDenied,

    /// <summary>Another process holds the port (EBUSY from TIOCEXCL, or our advisory lock).</summary>
    Busy,

    /// <summary>The path exists but no hardware answers behind it (ENXIO/ENODEV).</summary>
    NoDevice,

    /// <summary>The path is not a terminal (ENOTTY on TCGETS): not a serial port at all.</summary>
    NotATerminal,

    /// <summary>The device went away while open (hang-up, EIO): a USB adapter was unplugged.</summary>
    Disconnected,

    /// <summary>The driver refused the line settings (e.g. a baud rate it cannot produce).</summary>
    Unsupported,
}

/// <summary>A serial port failure with an operator-readable message naming the device and what to do.</summary>
public sealed class SerialPortException : IOException
{
    /// <summary>Creates the exception.</summary>
    public SerialPortException(SerialPortErrorKind kind, string portName, int errno, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        PortName = portName;
        Errno = errno;
        HResult = errno;
    }

    /// <summary>Creates the exception without details (serialization-style constructors are not needed).</summary>
    public SerialPortException()
        : this(SerialPortErrorKind.Other, "", 0, "serial port error")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SerialPortException(string message)
        : this(SerialPortErrorKind.Other, "", 0, message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public SerialPortException(string message, Exception innerException)
        : this(SerialPortErrorKind.Other, "", 0, message, innerException)
    {
    }

    /// <summary>The failure class.</summary>
    public SerialPortErrorKind Kind { get; }

    /// <summary>The device path.</summary>
    public string PortName { get; }

    /// <summary>The errno behind it (0 when none).</summary>
    public int Errno { get; }

    /// <summary>Transient failures (busy, unplugged, missing) may heal by themselves; retry opening later.</summary>
    public bool IsTransient => Kind is SerialPortErrorKind.NotFound or SerialPortErrorKind.Busy
        or SerialPortErrorKind.Disconnected or SerialPortErrorKind.NoDevice or SerialPortErrorKind.Other;

    /// <summary>Builds the operator message for a failed open/configure step.</summary>
    internal static SerialPortException FromErrno(int errno, string portName, string operation)
    {
        var detail = $"(errno {errno}: {Interop.StrError(errno)})";
        return errno switch
        {
            Interop.Errno.ENOENT or Interop.Errno.ENOTDIR => new SerialPortException(SerialPortErrorKind.NotFound, portName, errno,
                $"Serial port {portName} does not exist {detail}. Check that the adapter is plugged in and the name is right; " +
                "'ls -l /dev/serial/by-id/' lists USB adapters under stable names."),
            Interop.Errno.EACCES or Interop.Errno.EPERM or Interop.Errno.EROFS => new SerialPortException(
                SerialPortErrorKind.AccessDenied, portName, errno,
                $"Permission denied opening serial port {portName} {detail}. The user running EdgeNode must be in the " +
                "'dialout' group (sudo usermod -aG dialout <user>, then log in again or restart the service), or the " +
                "systemd unit must grant it with SupplementaryGroups=dialout."),
            Interop.Errno.EBUSY or Interop.Errno.EAGAIN => new SerialPortException(SerialPortErrorKind.Busy, portName, errno,
                $"Serial port {portName} is busy {detail}: another process holds it exclusively. Stop the other program " +
                $"(a serial console/getty, ModemManager, another EdgeNode); 'fuser -v {portName}' shows who has it open."),
            Interop.Errno.ENXIO or Interop.Errno.ENODEV => new SerialPortException(SerialPortErrorKind.NoDevice, portName, errno,
                $"Serial port {portName} has no hardware behind it {detail}. On a Raspberry Pi enable the UART " +
                "(enable_uart=1 or a dtoverlay in config.txt); for USB adapters re-plug the adapter."),
            Interop.Errno.ENOTTY => new SerialPortException(SerialPortErrorKind.NotATerminal, portName, errno,
                $"{portName} is not a serial port {detail}."),
            Interop.Errno.EIO => new SerialPortException(SerialPortErrorKind.Disconnected, portName, errno,
                $"Serial port {portName} failed while {operation} {detail}; the device was probably unplugged."),
            _ => new SerialPortException(SerialPortErrorKind.Other, portName, errno,
                $"Serial port {portName}: {operation} failed {detail}."),
        };
    }
}
