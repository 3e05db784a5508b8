using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Serial;

/// <summary>
/// A Linux serial port (tty) opened raw through termios2, with optional kernel RS-485 mode and exclusive access.
/// Reads block in ppoll() (nanosecond timeout) on the tty fd and an eventfd, so a timeout, a cancellation or Dispose
/// ends them at once: there is no polling loop. One reader and one writer may run concurrently.
/// </summary>
/// <remarks>
/// Synchronous, span-based <see cref="Read(Span{byte}, TimeSpan, CancellationToken)"/> and
/// <see cref="Write(ReadOnlySpan{byte}, CancellationToken)"/> are meant for a dedicated I/O thread (the Modbus RTU bus
/// runs one per port); <see cref="ReadAsync"/>/<see cref="WriteAsync"/> serve async callers through a dedicated reader
/// thread.
/// </remarks>
public sealed partial class SerialPort : IDisposable
{
    // Upper bound of a single ppoll() so a lost wake-up can never hang a reader for long.
    private static readonly long s_maxPollSliceTicks = Stopwatch.Frequency / 2;

    private readonly SerialPortSafeHandle _handle;
    private readonly EventFdSafeHandle _wake;
    private readonly ILogger _logger;
    private AsyncReader? _asyncReader;
    private volatile bool _disposed;

    private SerialPort(SerialPortSettings settings, SerialPortSafeHandle handle, EventFdSafeHandle wake, ILogger logger)
    {
        Settings = settings;
        _handle = handle;
        _wake = wake;
        _logger = logger;
    }

    /// <summary>The settings the port was opened with.</summary>
    public SerialPortSettings Settings { get; }

    /// <summary>The device path.</summary>
    public string PortName => Settings.PortName;

    /// <summary>The baud rate the driver reports after configuration (a pseudo-terminal reports what was asked).</summary>
    public int ActualBaudRate { get; private set; }

    /// <summary>True when the kernel accepted RS-485 mode (the driver switches RTS/DE around transmissions).</summary>
    public bool IsRs485Enabled { get; private set; }

    /// <summary>True for a pseudo-terminal (/dev/pts/N, e.g. a socat pair): baud rate and RS-485 do not apply.</summary>
    public bool IsPseudoTerminal { get; private set; }

    /// <summary>True when the legacy TCGETS/TCSETS ABI had to be used (no custom baud rates).</summary>
    public bool UsesLegacyTermios { get; private set; }

    /// <summary>False after <see cref="Dispose"/>.</summary>
    public bool IsOpen => !_disposed;

    /// <summary>Bytes received and not read yet (FIONREAD).</summary>
    public int BytesToRead => QueueSize(Interop.FIONREAD, "reading FIONREAD");

    /// <summary>Bytes written and not sent yet (TIOCOUTQ).</summary>
    public int BytesToWrite => QueueSize(Interop.TIOCOUTQ, "reading TIOCOUTQ");

    /// <summary>
    /// Reads what has arrived, up to <paramref name="buffer"/>'s length, waiting at most <paramref name="timeout"/> for
    /// the first byte. Returns 0 on timeout.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The port was disposed (also while waiting).</exception>
    /// <exception cref="SerialPortException">The device failed or went away (unplugged USB adapter).</exception>
    public int Read(Span<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var ticks = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue
            : (long)(Math.Max(0, timeout.TotalSeconds) * Stopwatch.Frequency);
        return ReadCore(buffer, ticks == long.MaxValue ? long.MaxValue : Stopwatch.GetTimestamp() + ticks, cancellationToken);
    }

    /// <summary>
    /// Like <see cref="Read(Span{byte}, TimeSpan, CancellationToken)"/> with an absolute deadline in
    /// <see cref="Stopwatch.GetTimestamp"/> ticks; a deadline in the past still returns bytes already received.
    /// </summary>
    public int ReadUntil(Span<byte> buffer, long deadlineTimestamp, CancellationToken cancellationToken = default) =>
        ReadCore(buffer, deadlineTimestamp, cancellationToken);

    /// <summary>Discards received bytes not read yet (TCFLSH TCIFLUSH).</summary>
    public void DiscardInBuffer() => Flush(Interop.TCIFLUSH);

    /// <summary>Discards written bytes not sent yet (TCFLSH TCOFLUSH).</summary>
    public void DiscardOutBuffer() => Flush(Interop.TCOFLUSH);

    /// <summary>Blocks until every written byte has left the UART (tcdrain).</summary>
    public void Drain()
    {
        var added = false;
        _handle.DangerousAddRef(ref added);
        try
        {
            while (Interop.Ioctl(_handle.Fd, Interop.TCSBRK, 1) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != Interop.Errno.EINTR)
                {
                    throw SerialPortException.FromErrno(errno, PortName, "draining output");
                }
            }
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    /// <summary>Sets or clears the DTR line (some adapters are powered or enabled through it).</summary>
    public void SetDtr(bool on) => SetModemLine(Interop.TIOCM_DTR, on);

    /// <summary>Sets or clears the RTS line by hand (not while kernel RS-485 mode drives it).</summary>
    public void SetRts(bool on) => SetModemLine(Interop.TIOCM_RTS, on);

    /// <summary>Closes the port; a reader blocked in <see cref="Read(Span{byte}, TimeSpan, CancellationToken)"/> wakes with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Wake();
        _asyncReader?.Dispose();
        // The SafeHandles' ref counts keep the fds alive until a reader still inside ppoll()/read() has left it.
        _handle.Dispose();
        _wake.Dispose();
        Log.Closed(_logger, PortName);
    }

    private int QueueSize(uint request, string what)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var added = false;
        _handle.DangerousAddRef(ref added);
        try
        {
            int value;
            unsafe
            {
                if (Interop.Ioctl(_handle.Fd, request, &value) != 0)
                {
                    throw SerialPortException.FromErrno(Marshal.GetLastPInvokeError(), PortName, what);
                }
            }

            return value;
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    private void Flush(int queue)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var added = false;
        _handle.DangerousAddRef(ref added);
        try
        {
            if (Interop.Ioctl(_handle.Fd, Interop.TCFLSH, queue) != 0)
            {
                throw SerialPortException.FromErrno(Marshal.GetLastPInvokeError(), PortName, "flushing");
            }
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    private void SetModemLine(int bit, bool on)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var added = false;
        _handle.DangerousAddRef(ref added);
        try
        {
            unsafe
            {
                if (Interop.Ioctl(_handle.Fd, on ? Interop.TIOCMBIS : Interop.TIOCMBIC, &bit) != 0)
                {
                    throw SerialPortException.FromErrno(Marshal.GetLastPInvokeError(), PortName, "setting modem lines");
                }
            }
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    /// <summary>Wakes any thread blocked in ppoll() on this port (Dispose, cancellation).</summary>
    private void Wake()
    {
        if (_wake.IsClosed)
        {
            return;
        }

        var added = false;
        try
        {
            _wake.DangerousAddRef(ref added);
            ulong one = 1;
            unsafe
            {
                // A full counter (EAGAIN) already wakes every poller; nothing else can fail on an eventfd.
                _ = Interop.Write(_wake.Fd, (byte*)&one, sizeof(ulong));
            }
        }
        catch (ObjectDisposedException)
        {
            // closed concurrently: nobody is left to wake
        }
        finally
        {
            if (added)
            {
                _wake.DangerousRelease();
            }
        }
    }

    private void ClearWake()
    {
        ulong value;
        unsafe
        {
            // EAGAIN when already clear; both outcomes leave the counter at zero.
            _ = Interop.Read(_wake.Fd, (byte*)&value, sizeof(ulong));
        }
    }
}
