using System.Diagnostics;

namespace EdgeNode.Serial;

public sealed partial class SerialPort
{
    /// <summary>
    /// Reads what has arrived (at least one byte), waiting as long as needed. Bytes already queued are returned
    /// synchronously; otherwise a dedicated reader thread blocks in ppoll() and completes the call. One pending
    /// <see cref="ReadAsync"/> at a time.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The port was disposed.</exception>
    /// <exception cref="SerialPortException">The device failed or went away.</exception>
    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return ValueTask.FromResult(0);
        }

        // Fast path: a deadline in the past reads without waiting.
        var n = ReadCore(buffer.Span, Stopwatch.GetTimestamp(), cancellationToken);
        if (n > 0)
        {
            return ValueTask.FromResult(n);
        }

        var reader = _asyncReader;
        if (reader is null)
        {
            var created = new AsyncReader(this);
            reader = Interlocked.CompareExchange(ref _asyncReader, created, null) ?? created;
            if (reader != created)
            {
                created.Dispose();
            }
        }

        return new ValueTask<int>(reader.Enqueue(buffer, cancellationToken));
    }

    /// <summary>The dedicated thread behind <see cref="ReadAsync"/>: idle on a semaphore, reading in ppoll() when asked.</summary>
    private sealed class AsyncReader : IDisposable
    {
        private readonly SerialPort _port;
        private readonly SemaphoreSlim _requested = new(0);
        private Memory<byte> _buffer;
        private CancellationToken _cancellationToken;
        private TaskCompletionSource<int>? _completion;
        private int _busy;
        private volatile bool _stopping;

        public AsyncReader(SerialPort port)
        {
            _port = port;
            var thread = new Thread(Run) { IsBackground = true, Name = $"serial-read {port.PortName}" };
            thread.Start();
        }

        public Task<int> Enqueue(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _busy, 1) != 0)
            {
                throw new InvalidOperationException($"Serial port {_port.PortName} already has a pending ReadAsync");
            }

            ObjectDisposedException.ThrowIf(_stopping, _port);
            _buffer = buffer;
            _cancellationToken = cancellationToken;
            var completion = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            _completion = completion;
            _requested.Release();
            return completion.Task;
        }

        public void Dispose()
        {
            _stopping = true;
            _requested.Release();
        }

        private void Run()
        {
            while (true)
            {
                _requested.Wait();
                var completion = _completion;
                _completion = null;
                if (completion is null)
                {
                    if (_stopping)
                    {
                        _requested.Dispose();
                        return;
                    }

                    continue;
                }

                try
                {
                    var n = 0;
                    while (n == 0)
                    {
                        n = _port.Read(_buffer.Span, Timeout.InfiniteTimeSpan, _cancellationToken);
                    }

                    Volatile.Write(ref _busy, 0);
                    completion.SetResult(n);
                }
                catch (OperationCanceledException)
                {
                    Volatile.Write(ref _busy, 0);
                    completion.SetCanceled(_cancellationToken);
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or TimeoutException)
                {
                    Volatile.Write(ref _busy, 0);
                    completion.SetException(ex);
                }
                finally
                {
                    _buffer = default;
                }
            }
        }
    }
}
