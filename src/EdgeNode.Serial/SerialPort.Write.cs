using System.Diagnostics;
using System.Runtime.InteropServices;

namespace EdgeNode.Serial;

public sealed partial class SerialPort
{
    // A write that makes no progress for this long means a stuck driver (there is no flow control to wait for).
    private static readonly long s_writeStallTicks = Stopwatch.Frequency * 10;

    /// <summary>
    /// Queues <paramref name="data"/> in the kernel's transmit buffer, waiting (ppoll POLLOUT) only while that buffer is
    /// full. Returns before the bytes are on the wire; use <see cref="Drain"/> to wait for that.
    /// </summary>
    public void Write(ReadOnlySpan<byte> data, CancellationToken cancellationToken = default)
    {
        var written = WriteSome(data, block: true, cancellationToken);
        Debug.Assert(written == data.Length);
    }

    /// <summary>Writes asynchronously; completes synchronously when the kernel buffer takes everything at once (the usual case).</summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var written = WriteSome(data.Span, block: false, cancellationToken);
        if (written == data.Length)
        {
            return ValueTask.CompletedTask;
        }

        var rest = data[written..];
        return new ValueTask(Task.Factory.StartNew(() => Write(rest.Span, cancellationToken), cancellationToken,
            TaskCreationOptions.DenyChildAttach, TaskScheduler.Default));
    }

    private unsafe int WriteSome(ReadOnlySpan<byte> data, bool block, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        var added = false;
        _handle.DangerousAddRef(ref added);
        try
        {
            var fd = _handle.Fd;
            var offset = 0;
            var lastProgress = Stopwatch.GetTimestamp();
            fixed (byte* p = data)
            {
                while (offset < data.Length)
                {
                    var n = Interop.Write(fd, p + offset, (nuint)(data.Length - offset));
                    if (n > 0)
                    {
                        offset += (int)n;
                        lastProgress = Stopwatch.GetTimestamp();
                        continue;
                    }

                    var errno = n < 0 ? Marshal.GetLastPInvokeError() : Interop.Errno.EAGAIN;
                    if (errno == Interop.Errno.EINTR)
                    {
                        continue;
                    }

                    if (errno != Interop.Errno.EAGAIN)
                    {
                        throw errno == Interop.Errno.EIO ? Disconnected(errno) : SerialPortException.FromErrno(errno, PortName, "writing");
                    }

                    if (!block)
                    {
                        return offset;
                    }

                    if (Stopwatch.GetTimestamp() - lastProgress > s_writeStallTicks)
                    {
                        throw new TimeoutException($"Serial port {PortName}: the transmit buffer did not drain for 10 s");
                    }

                    // Bounded waits: the writer does not share the reader's eventfd, so it notices Dispose and
                    // cancellation at the next slice.
                    var pfd = new Interop.pollfd { fd = fd, events = Interop.POLLOUT };
                    var timeout = new Interop.timespec { tv_sec = 0, tv_nsec = 100_000_000 };
                    if (Interop.PPoll(&pfd, 1, &timeout, null) < 0 && Marshal.GetLastPInvokeError() != Interop.Errno.EINTR)
                    {
                        throw SerialPortException.FromErrno(Marshal.GetLastPInvokeError(), PortName, "waiting to write (ppoll)");
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                    ObjectDisposedException.ThrowIf(_disposed, this);
                    if ((pfd.revents & (Interop.POLLERR | Interop.POLLHUP | Interop.POLLNVAL)) != 0)
                    {
                        throw Disconnected(Interop.Errno.EIO);
                    }
                }
            }

            return offset;
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }
}
