namespace EdgeNode.I2c;

/// <summary>How an I2C operation ended. Expected faults (a device that does not answer) are values, not exceptions.</summary>
public enum I2cStatus : byte
{
    /// <summary>Done.</summary>
    Ok,

    /// <summary>The device did not acknowledge (ENXIO/EREMOTEIO), after every retry: absent, unpowered, wrong address or wiring.</summary>
    NotResponding,

    /// <summary>The transfer failed on the bus (EIO, EAGAIN arbitration lost, EPROTO), after every retry.</summary>
    BusError,

    /// <summary>The adapter timed out (ETIMEDOUT: SCL held low, a stuck bus) or a conversion never finished.</summary>
    Timeout,

    /// <summary>The device answered with bytes that cannot be right: CRC mismatch, unexpected chip id, blank calibration.</summary>
    InvalidData,

    /// <summary>A kernel driver has bound the address (EBUSY from I2C_SLAVE).</summary>
    AddressInUse,

    /// <summary>The adapter or kernel cannot do what was asked (EOPNOTSUPP, ENOTTY, EINVAL).</summary>
    Unsupported,

    /// <summary>The bus device does not exist (ENOENT): I2C not enabled, or a wrong bus number.</summary>
    BusNotFound,

    /// <summary>Permission denied opening the bus (EACCES/EPERM): the user is not in the <c>i2c</c> group.</summary>
    AccessDenied,

    /// <summary>The bus went away or was closed (ENODEV, EBADF, disposed).</summary>
    BusUnavailable,
}

/// <summary>The outcome of an I2C transfer or sensor read.</summary>
/// <param name="Status">Ok, or why it failed.</param>
/// <param name="Errno">The errno behind a failed transfer (0 when none).</param>
/// <param name="Error">A readable reason naming the device and what to check.</param>
public readonly record struct I2cResult(I2cStatus Status, int Errno = 0, string? Error = null)
{
    /// <summary>A successful result.</summary>
    public static I2cResult Ok => default;

    /// <summary>True for <see cref="I2cStatus.Ok"/>.</summary>
    public bool IsOk => Status == I2cStatus.Ok;

    /// <summary>
    /// The device answered at all (its data may still be bad): false means it stopped answering, which the engine
    /// reports as a DDEATH until it answers again.
    /// </summary>
    public bool DeviceResponded => Status is I2cStatus.Ok or I2cStatus.InvalidData;

    /// <summary>Throws <see cref="I2cException"/> unless <see cref="IsOk"/>.</summary>
    public void ThrowIfFailed(string bus, int address)
    {
        if (!IsOk)
        {
            throw new I2cException(this, bus, address);
        }
    }

    /// <inheritdoc />
    public override string ToString() => Error is null ? Status.ToString() : $"{Status}: {Error}";

    /// <summary>The status an errno from a transfer means.</summary>
    internal static I2cStatus StatusOf(int errno) => errno switch
    {
        0 => I2cStatus.Ok,
        Interop.Errno.ENXIO or Interop.Errno.EREMOTEIO => I2cStatus.NotResponding,
        Interop.Errno.EIO or Interop.Errno.EAGAIN or Interop.Errno.EPROTO => I2cStatus.BusError,
        Interop.Errno.ETIMEDOUT => I2cStatus.Timeout,
        Interop.Errno.EBUSY => I2cStatus.AddressInUse,
        Interop.Errno.EOPNOTSUPP or Interop.Errno.ENOTTY or Interop.Errno.EINVAL => I2cStatus.Unsupported,
        Interop.Errno.ENOENT or Interop.Errno.ENOTDIR => I2cStatus.BusNotFound,
        Interop.Errno.EACCES or Interop.Errno.EPERM => I2cStatus.AccessDenied,
        _ => I2cStatus.BusUnavailable,
    };

    /// <summary>Failures worth another attempt: a NACK (a busy EEPROM, a sensor mid-conversion), a bus glitch, a timeout.</summary>
    internal static bool IsRetryable(I2cStatus status) =>
        status is I2cStatus.NotResponding or I2cStatus.BusError or I2cStatus.Timeout;
}

/// <summary>An I2C failure with an operator-readable message naming the bus, the address and what to check.</summary>
public sealed class I2cException : IOException
{
    /// <summary>Creates the exception from a failed result.</summary>
    public I2cException(I2cResult result, string bus, int address, Exception? inner = null)
        : base(result.Error ?? $"I2C {result.Status} at 0x{address:X2} on {bus}", inner)
    {
        Result = result;
        Bus = bus;
        Address = address;
        HResult = result.Errno;
    }

    /// <summary>Creates the exception without details.</summary>
    public I2cException()
        : this(new I2cResult(I2cStatus.BusError), "", 0)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public I2cException(string message)
        : this(new I2cResult(I2cStatus.BusError, 0, message), "", 0)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public I2cException(string message, Exception innerException)
        : this(new I2cResult(I2cStatus.BusError, 0, message), "", 0, innerException)
    {
    }

    /// <summary>The failed result.</summary>
    public I2cResult Result { get; }

    /// <summary>Why it failed.</summary>
    public I2cStatus Status => Result.Status;

    /// <summary>The errno behind it (0 when none).</summary>
    public int Errno => Result.Errno;

    /// <summary>The bus, e.g. /dev/i2c-1.</summary>
    public string Bus { get; }

    /// <summary>The 7-bit device address (0 for bus-level failures).</summary>
    public int Address { get; }

    /// <summary>The device did not answer (see <see cref="I2cResult.DeviceResponded"/>).</summary>
    public bool IsDeviceAbsent => !Result.DeviceResponded;
}
