namespace EdgeNode.Gpio;

/// <summary>Why a GPIO operation failed.</summary>
public enum GpioErrorKind
{
    /// <summary>Any other native failure.</summary>
    Other,

    /// <summary>No GPIO chip with that path, name or label (ENOENT, or no label matched).</summary>
    ChipNotFound,

    /// <summary>The path exists but is not a GPIO character device (ENOTTY on GPIO_GET_CHIPINFO_IOCTL).</summary>
    NotAGpioChip,

    /// <summary>No line with that number or name on the chip.</summary>
    LineNotFound,

    /// <summary>Permission denied (EACCES/EPERM): the user is not in the <c>gpio</c> group.</summary>
    AccessDenied,

    /// <summary>A line is held by another process or a kernel driver (EBUSY); <see cref="GpioException.Consumer"/> names it.</summary>
    LineBusy,

    /// <summary>The kernel refused the configuration (EINVAL/EPERM), or the request cannot be expressed (too many attributes).</summary>
    InvalidConfiguration,

    /// <summary>The kernel or chip lacks a feature (ENOTTY for uAPI v2 before Linux 5.10, ENOTSUPP for bias/drive).</summary>
    NotSupported,

    /// <summary>The chip went away (ENODEV/ENXIO, POLLERR): e.g. a USB GPIO expander was unplugged.</summary>
    Disconnected,
}

/// <summary>A GPIO failure with an operator-readable message naming the chip, the line and what to do.</summary>
public sealed class GpioException : IOException
{
    /// <summary>Creates the exception.</summary>
    public GpioException(GpioErrorKind kind, string chip, int errno, string message, int? line = null, string? consumer = null,
        Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Chip = chip;
        Errno = errno;
        Line = line;
        Consumer = consumer;
        HResult = errno;
    }

    /// <summary>Creates the exception without details.</summary>
    public GpioException()
        : this(GpioErrorKind.Other, "", 0, "GPIO error")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public GpioException(string message)
        : this(GpioErrorKind.Other, "", 0, message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public GpioException(string message, Exception innerException)
        : this(GpioErrorKind.Other, "", 0, message, inner: innerException)
    {
    }

    /// <summary>The failure class.</summary>
    public GpioErrorKind Kind { get; }

    /// <summary>The chip path, name or label involved (empty when none).</summary>
    public string Chip { get; }

    /// <summary>The errno behind it (0 when none).</summary>
    public int Errno { get; }

    /// <summary>The line offset involved, when one is.</summary>
    public int? Line { get; }

    /// <summary>For <see cref="GpioErrorKind.LineBusy"/>: the consumer label of the current holder ("" when unnamed).</summary>
    public string? Consumer { get; }

    /// <summary>Failures that may heal by themselves (busy lines, unplugged chips): retry later.</summary>
    public bool IsTransient => Kind is GpioErrorKind.LineBusy or GpioErrorKind.Disconnected or GpioErrorKind.ChipNotFound
        or GpioErrorKind.Other;

    internal const string PermissionHint =
        "The user running EdgeNode must be in the 'gpio' group (sudo usermod -aG gpio <user>, then log in again or " +
        "restart the service), or the systemd unit must grant it with SupplementaryGroups=gpio. Where no such group " +
        "exists, create it and add a udev rule, e.g. /etc/udev/rules.d/60-gpio.rules: " +
        "SUBSYSTEM==\"gpio\", KERNEL==\"gpiochip*\", GROUP=\"gpio\", MODE=\"0660\"";

    /// <summary>Builds the operator message for a failure on a chip (open, chip info, line info).</summary>
    internal static GpioException ForChip(int errno, string chip, string operation)
    {
        var detail = $"(errno {errno}: {Interop.StrError(errno)})";
        return errno switch
        {
            Interop.Errno.ENOENT or Interop.Errno.ENOTDIR => new GpioException(GpioErrorKind.ChipNotFound, chip, errno,
                $"GPIO chip {chip} does not exist {detail}. 'ls /dev/gpiochip*' or gpiodetect lists the chips; open a chip " +
                "by its label (e.g. pinctrl-rp1 on a Raspberry Pi 5) to be independent of the numbering."),
            Interop.Errno.EACCES or Interop.Errno.EPERM => new GpioException(GpioErrorKind.AccessDenied, chip, errno,
                $"Permission denied {operation} GPIO chip {chip} {detail}. {PermissionHint}."),
            Interop.Errno.ENOTTY => new GpioException(GpioErrorKind.NotAGpioChip, chip, errno,
                $"{chip} is not a GPIO character device {detail}."),
            Interop.Errno.ENODEV or Interop.Errno.ENXIO => new GpioException(GpioErrorKind.Disconnected, chip, errno,
                $"GPIO chip {chip} went away while {operation} it {detail}."),
            _ => new GpioException(GpioErrorKind.Other, chip, errno, $"GPIO chip {chip}: {operation} failed {detail}."),
        };
    }

    /// <summary>Builds the operator message for a failed operation on requested lines.</summary>
    internal static GpioException ForLines(int errno, string chip, string operation, string lines)
    {
        var detail = $"(errno {errno}: {Interop.StrError(errno)})";
        return errno switch
        {
            Interop.Errno.EACCES => new GpioException(GpioErrorKind.AccessDenied, chip, errno,
                $"Permission denied {operation} {lines} on {chip} {detail}. {PermissionHint}."),
            Interop.Errno.EPERM => new GpioException(GpioErrorKind.InvalidConfiguration, chip, errno,
                $"The kernel refused {operation} {lines} on {chip} {detail}: values can only be set on output lines."),
            Interop.Errno.EINVAL => new GpioException(GpioErrorKind.InvalidConfiguration, chip, errno,
                $"The kernel refused {operation} {lines} on {chip} {detail}: the line settings are not valid for this kernel " +
                "(event clock 'realtime' needs Linux 5.11, debounce needs 5.10)."),
            Interop.Errno.ENOTTY => new GpioException(GpioErrorKind.NotSupported, chip, errno,
                $"The kernel does not support the GPIO character device uAPI v2 needed for {operation} {lines} on {chip} " +
                $"{detail}: EdgeNode needs Linux 5.10 or later."),
            Interop.Errno.ENOTSUPP or Interop.Errno.EOPNOTSUPP => new GpioException(GpioErrorKind.NotSupported, chip, errno,
                $"GPIO chip {chip} cannot do what {operation} {lines} asks {detail}: the chip lacks the bias or drive " +
                "mode; use an external resistor and 'bias: asIs' / 'drive: pushPull'."),
            Interop.Errno.ENODEV or Interop.Errno.ENXIO or Interop.Errno.EIO => new GpioException(GpioErrorKind.Disconnected,
                chip, errno, $"GPIO chip {chip} went away while {operation} {lines} {detail}."),
            _ => new GpioException(GpioErrorKind.Other, chip, errno, $"GPIO chip {chip}: {operation} {lines} failed {detail}."),
        };
    }
}
