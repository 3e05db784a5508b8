using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Serial;

public sealed partial class SerialPort
{
    /// <summary>
    /// Opens and configures a port: <c>open(O_RDWR|O_NOCTTY|O_CLOEXEC|O_NONBLOCK)</c>, exclusive access, raw mode with
    /// the line settings, then kernel RS-485 mode when configured.
    /// </summary>
    /// <exception cref="ArgumentException">The settings are invalid (every problem is listed).</exception>
    /// <exception cref="SerialPortException">
    /// The device is missing, busy, not accessible (the message names the device and the <c>dialout</c> group), not a
    /// tty, or refused the line settings.
    /// </exception>
    public static SerialPort Open(SerialPortSettings settings, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        SerialPortSettingsValidator.ThrowIfInvalid(settings);
        logger ??= NullLogger.Instance;

        var fd = OpenWithRetry(settings.PortName);
        var handle = new SerialPortSafeHandle(fd);
        EventFdSafeHandle? wake = null;
        try
        {
            var wakeFd = Interop.EventFd(0, Interop.EFD_CLOEXEC | Interop.EFD_NONBLOCK);
            if (wakeFd < 0)
            {
                throw SerialPortException.FromErrno(Marshal.GetLastPInvokeError(), settings.PortName, "creating its eventfd");
            }

            wake = new EventFdSafeHandle(wakeFd);
            var port = new SerialPort(settings, handle, wake, logger)
            {
                IsPseudoTerminal = IsPtyPath(settings.PortName),
            };
            if (settings.Exclusive)
            {
                port.TakeExclusive();
            }

            port.Configure();
            port.ConfigureRs485();
            Log.Opened(logger, settings.PortName, settings.ToString());
            return port;
        }
        catch
        {
            handle.Dispose();
            wake?.Dispose();
            throw;
        }
    }

    private static int OpenWithRetry(string path)
    {
        // [System.IO.Ports pal_serial.c] O_NOCTTY so a tty never becomes our controlling terminal; O_NONBLOCK so open()
        // does not wait for carrier detect (CLOCAL is set right after) and reads never block outside ppoll().
        while (true)
        {
            var fd = Interop.Open(path, Interop.O_RDWR | Interop.O_NOCTTY | Interop.O_CLOEXEC | Interop.O_NONBLOCK);
            if (fd >= 0)
            {
                return fd;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != Interop.Errno.EINTR)
            {
                throw SerialPortException.FromErrno(errno, path, "opening");
            }
        }
    }

    private static bool IsPtyPath(string path)
    {
        try
        {
            var target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
            return target.StartsWith("/dev/pts/", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private void TakeExclusive()
    {
        var fd = _handle.Fd;
        // TIOCEXCL: further open()s by non-root processes fail with EBUSY until TIOCNXCL/close.
        if (Interop.Ioctl(fd, Interop.TIOCEXCL, 0) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw SerialPortException.FromErrno(errno, PortName, "taking exclusive access (TIOCEXCL)");
        }

        // flock: root ignores TIOCEXCL, so a second EdgeNode (or pyserial with exclusive=True) is stopped here.
        if (Interop.Flock(fd, Interop.LOCK_EX | Interop.LOCK_NB) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw SerialPortException.FromErrno(errno, PortName, "locking");
        }
    }
}
