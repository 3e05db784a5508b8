using System.Diagnostics;
using System.Runtime.InteropServices;

namespace EdgeNode.Serial;

public sealed partial class SerialPort
{
    private unsafe int ReadCore(Span<byte> buffer, long deadline, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var addedPort = false;
        var addedWake = false;
        var registration = default(CancellationTokenRegistration);
        try
        {
            _handle.DangerousAddRef(ref addedPort);
            _wake.DangerousAddRef(ref addedWake);
            if (cancellationToken.CanBeCanceled)
            {
                registration = cancellationToken.UnsafeRegister(static state => ((SerialPort)state!).Wake(), this);
            }

            var fd = _handle.Fd;
            var pollFds = stackalloc Interop.pollfd[2];
            fixed (byte* p = buffer)
            {
                var hungUp = false;
                while (true)
                {
                    // Read first: bytes that are already queued cost no ppoll().
                    var n = Interop.Read(fd, p, (nuint)buffer.Length);
                    if (n > 0)
                    {
                        return (int)n;
                    }

                    if (n < 0)
                    {
                        var errno = Marshal.GetLastPInvokeError();
                        if (errno == Interop.Errno.EINTR)
                        {
                            continue;
                        }

                        if (errno != Interop.Errno.EAGAIN)
                        {
                            throw errno == Interop.Errno.EIO ? Disconnected(errno) : SerialPortException.FromErrno(errno, PortName, "reading");
                        }
                    }
                    else if (hungUp)
                    {
                        // With VMIN = VTIME = 0, read() = 0 just means "nothing queued"; after POLLHUP it means the
                        // line is gone for good (USB adapter unplugged, pty peer closed).
                        throw Disconnected(Interop.Errno.EIO);
                    }

                    var remaining = deadline == long.MaxValue ? long.MaxValue : deadline - Stopwatch.GetTimestamp();
                    if (remaining <= 0)
                    {
                        return 0;
                    }

                    pollFds[0] = new Interop.pollfd { fd = fd, events = Interop.POLLIN };
                    pollFds[1] = new Interop.pollfd { fd = _wake.Fd, events = Interop.POLLIN };
                    var slice = Math.Min(remaining, s_maxPollSliceTicks);
                    var timeout = ToTimespec(slice);
                    var ready = Interop.PPoll(pollFds, 2, &timeout, null);
                    if (ready < 0)
                    {
                        var errno = Marshal.GetLastPInvokeError();
                        if (errno == Interop.Errno.EINTR)
                        {
                            continue;
                        }

                        throw SerialPortException.FromErrno(errno, PortName, "waiting for data (ppoll)");
                    }

                    if (pollFds[1].revents != 0)
                    {
                        if (_disposed)
                        {
                            throw new ObjectDisposedException(nameof(SerialPort), $"Serial port {PortName} was closed while reading");
                        }

                        ClearWake();
                        cancellationToken.ThrowIfCancellationRequested();
                    }

                    var revents = pollFds[0].revents;
                    if ((revents & Interop.POLLNVAL) != 0)
                    {
                        throw Disconnected(Interop.Errno.EBADF);
                    }

                    // Read what is left before reporting the hang-up.
                    hungUp |= (revents & (Interop.POLLERR | Interop.POLLHUP)) != 0;
                }
            }
        }
        finally
        {
            registration.Dispose();
            if (addedWake)
            {
                _wake.DangerousRelease();
            }

            if (addedPort)
            {
                _handle.DangerousRelease();
            }
        }
    }

    private SerialPortException Disconnected(int errno)
    {
        var ex = new SerialPortException(SerialPortErrorKind.Disconnected, PortName, errno,
            $"Serial port {PortName} hung up (errno {errno}: {Interop.StrError(errno)}): the device was unplugged or its peer closed.");
        Log.Failed(_logger, PortName, ex.Message);
        return ex;
    }

    private static Interop.timespec ToTimespec(long stopwatchTicks)
    {
        var ns = stopwatchTicks == long.MaxValue ? long.MaxValue
            : (long)(stopwatchTicks * (1_000_000_000.0 / Stopwatch.Frequency));
        return new Interop.timespec { tv_sec = (nint)(ns / 1_000_000_000), tv_nsec = (nint)(ns % 1_000_000_000) };
    }
}
