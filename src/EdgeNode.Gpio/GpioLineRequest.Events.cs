using System.Runtime.InteropServices;
using System.Threading.Channels;
using static EdgeNode.Gpio.Interop;

namespace EdgeNode.Gpio;

/// <summary>
/// Edge events: a dedicated thread blocks in poll() on the line fd with a bounded timeout, so Dispose is noticed
/// within <see cref="PollTimeoutMs"/> (style.md §7, dotnet/iot's 100 ms), reads whole <c>gpio_v2_line_event</c>
/// records and hands them to async readers through a bounded channel.
/// </summary>
public sealed partial class GpioLineRequest
{
    /// <summary>How long one poll() waits before the reader thread checks for shutdown.</summary>
    internal const int PollTimeoutMs = 100;

    private const int EventSize = 48;
    private const int EventsPerRead = 16;

    private readonly Channel<GpioEdgeEvent> _events;
    private readonly TaskCompletionSource _readerExited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Thread? _reader;
    private volatile bool _stopping;
    private long _channelDropped;
    private long _kernelDropped;
    private uint _lastSequence;

    /// <summary>
    /// Edge events of the lines with edge detection, oldest first. Completes when the request is disposed, or with a
    /// <see cref="GpioException"/> when the chip fails (e.g. is unplugged): WaitToReadAsync and
    /// <see cref="ReadEdgeEventsAsync"/> throw it as is, ReadAsync wraps it in a ChannelClosedException. When no one
    /// reads and the channel is full, the oldest events are dropped and counted in <see cref="DroppedEventCount"/>.
    /// </summary>
    public ChannelReader<GpioEdgeEvent> EdgeEvents => _events.Reader;

    /// <summary>The edge events as an async stream (see <see cref="EdgeEvents"/>).</summary>
    public IAsyncEnumerable<GpioEdgeEvent> ReadEdgeEventsAsync(CancellationToken cancellationToken = default) =>
        _events.Reader.ReadAllAsync(cancellationToken);

    /// <summary>
    /// Edge events lost so far: dropped by the kernel because its buffer was full (gaps in the sequence numbers) or
    /// by the channel because nobody read it.
    /// </summary>
    public long DroppedEventCount => Interlocked.Read(ref _channelDropped) + Interlocked.Read(ref _kernelDropped);

    private void StartEventReader()
    {
        if (_reader is not null)
        {
            return;
        }

        _reader = new Thread(ReadEvents)
        {
            IsBackground = true,
            Name = $"gpio-events {Chip.Name}",
        };
        _reader.Start();
    }

    private Task StopEventReader(bool wait)
    {
        _stopping = true;
        Thread? reader;
        lock (_configLock)
        {
            reader = _reader;
        }

        if (reader is null)
        {
            return Task.CompletedTask;
        }

        if (wait && reader != Thread.CurrentThread)
        {
            reader.Join();
        }

        return _readerExited.Task;
    }

    private void ReadEvents()
    {
        Exception? fault = null;
        GpioFdSafeHandle.FdLease lease;
        try
        {
            lease = _handle.Lease();
        }
        catch (ObjectDisposedException)
        {
            _readerExited.TrySetResult();
            return;
        }

        try
        {
            var buffer = new byte[EventSize * EventsPerRead];
            while (!_stopping)
            {
                var revents = _kernel.Poll(lease.Fd, PollTimeoutMs);
                if (revents < 0)
                {
                    fault = GpioException.ForLines(-revents, Chip.Path, "waiting for edge events on", GpioChip.Describe(_offsets));
                    break;
                }

                if ((revents & POLLIN) != 0)
                {
                    var n = _kernel.Read(lease.Fd, buffer);
                    if (n == -Errno.EAGAIN || n == 0)
                    {
                        continue;
                    }

                    if (n < 0)
                    {
                        fault = GpioException.ForLines(-n, Chip.Path, "reading edge events of", GpioChip.Describe(_offsets));
                        break;
                    }

                    Publish(buffer.AsSpan(0, n - n % EventSize));
                    continue;
                }

                if ((revents & (POLLERR | POLLHUP | POLLNVAL)) != 0)
                {
                    fault = new GpioException(GpioErrorKind.Disconnected, Chip.Path, Errno.ENODEV,
                        $"GPIO chip {Chip} reported an error on the line fd of {GpioChip.Describe(_offsets)} (revents 0x{revents:X}): " +
                        "the chip went away.");
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The thread must end the channel whatever happened, or readers would wait forever.
            fault = ex;
        }
        finally
        {
            lease.Dispose();
            if (fault is not null)
            {
                Log.EventReaderFailed(_logger, Chip.Path, GpioChip.Describe(_offsets), fault.Message);
                _events.Writer.TryComplete(fault);
            }

            _readerExited.TrySetResult();
        }
    }

    private void Publish(ReadOnlySpan<byte> records)
    {
        // One clock sample per read() batch converts every CLOCK_MONOTONIC stamp of the batch to wall-clock time.
        var monotonicNow = _kernel.GetTimeNanoseconds(GpioEventClock.Monotonic);
        var realtimeNow = _kernel.GetTimeNanoseconds(GpioEventClock.Realtime);
        for (var at = 0; at + EventSize <= records.Length; at += EventSize)
        {
            var record = MemoryMarshal.Read<gpio_v2_line_event>(records.Slice(at, EventSize));
            // The kernel numbers events per request from 1 and drops the oldest when its buffer is full: a gap in
            // seqno is the only sign of lost edges. Counted before the event is published, so a reader that sees
            // the event also sees the loss.
            // uint arithmetic wraps with the kernel's u32 counter; a "gap" of 2^31 or more is a restart, not a loss.
            var gap = record.seqno - _lastSequence - 1;
            if (_lastSequence != 0 && gap is > 0 and < 0x8000_0000)
            {
                var total = Interlocked.Add(ref _kernelDropped, gap);
                Log.EventsLost(_logger, Chip.Path, gap, "kernel buffer overflow; raise eventBufferSize", total,
                    GpioChip.Describe(_offsets));
            }

            _lastSequence = record.seqno;
            var unixNs = EventClock == GpioEventClock.Realtime
                ? (long)record.timestamp_ns
                : GpioEdgeEvent.MonotonicToUnixTimeNs(record.timestamp_ns, monotonicNow, realtimeNow);
            var kind = record.id == LineEventId.FALLING_EDGE ? GpioEdgeKind.Falling : GpioEdgeKind.Rising;
            _events.Writer.TryWrite(new GpioEdgeEvent((int)record.offset, kind, record.timestamp_ns, EventClock, record.seqno,
                record.line_seqno, unixNs));
        }
    }

    /// <summary>For tests: waits until the reader thread has exited.</summary>
    internal Task ReaderExited => _readerExited.Task;

    internal bool ReaderRunning => _reader is { IsAlive: true };
}
