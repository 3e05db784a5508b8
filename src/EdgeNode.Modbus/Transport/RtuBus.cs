using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Modbus;

/// <summary>
/// One RTU line (a serial port, or a TCP stream to a device server): every unit on it shares this single FIFO queue,
/// served by a dedicated thread that owns the line. Per transaction the thread waits for the inter-frame silence
/// (t3.5, discarding stray bytes), writes the request, and reads in ppoll() until the length-predicted response with
/// a valid CRC is there, the response timeout passes, or a started frame stalls beyond the inter-character timeout.
/// Retries and back-off live in <see cref="ModbusMaster"/>; a retry re-enters the queue behind the other units'
/// requests, so one dead unit cannot hold the line.
/// </summary>
internal sealed class RtuBus : IModbusTransport
{
    private static readonly long s_silenceSpinTicks = Stopwatch.Frequency / 10_000; // 100 µs

    private readonly IRtuChannel _channel;
    private readonly ModbusLinkSettings _settings;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly Queue<ModbusTransaction> _queue = new();
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly byte[] _adu = new byte[RtuFraming.MaxAduLength];
    private readonly byte[] _rx = new byte[4 * RtuFraming.MaxAduLength];
    private readonly byte[] _scratch = new byte[RtuFraming.MaxAduLength];
    private readonly long _interFrameTicks;
    private readonly long _interCharTicks;
    private readonly double _ticksPerCharacter;
    private readonly long _broadcastTurnaroundTicks;
    private long _discardedBytes;
    private long _opens;
    private long _lastActivity;
    private bool _echoLearned;
    private bool _disposed;
    private long _reopenNotBefore;
    private int _reopenFailures;
    private string? _lastOpenError;
    private bool _everOpened;

    public RtuBus(IRtuChannel channel, ModbusLinkSettings settings, ILogger logger)
    {
        _channel = channel;
        _settings = settings;
        _logger = logger;
        Name = settings.Transport == ModbusTransportKind.Rtu ? $"rtu {channel.Name}" : $"rtuOverTcp {channel.Name}";
        var timing = settings.Timing;
        Timing = timing;
        _interFrameTicks = ToTicks(timing.InterFrameDelay);
        _interCharTicks = Math.Max(ToTicks(timing.InterCharacterTimeout), ToTicks(TimeSpan.FromMilliseconds(settings.InterCharTimeoutMs)));
        _ticksPerCharacter = timing.CharacterTime.TotalSeconds * Stopwatch.Frequency;
        _broadcastTurnaroundTicks = ToTicks(TimeSpan.FromMilliseconds(settings.BroadcastTurnaroundMs));
        _thread = new Thread(Run) { IsBackground = true, Name = $"modbus {Name}" };
        _thread.Start();
    }

    public string Name { get; }

    public bool IsSerialized => true;

    public int MaxInFlight => 1;

    public RtuTiming Timing { get; }

    public long Connections => Interlocked.Read(ref _opens);

    public long DiscardedBytes => Interlocked.Read(ref _discardedBytes);

    public ValueTask<ModbusStatus> SendAsync(ModbusTransaction transaction)
    {
        var task = transaction.Start();
        bool closed;
        lock (_gate)
        {
            closed = _disposed;
            if (!closed)
            {
                _queue.Enqueue(transaction);
                if (_queue.Count == 1)
                {
                    Monitor.Pulse(_gate);
                }
            }
        }

        // Completions never happen under the lock: continuations run inline.
        if (closed)
        {
            transaction.TryComplete(ModbusStatus.CommunicationError, $"{Name} is closed");
        }

        return task;
    }

    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return ValueTask.CompletedTask;
            }

            _disposed = true;
            Monitor.PulseAll(_gate);
        }

        // Closing the channel wakes a read in progress; the thread then fails what is left and exits.
        _channel.Dispose();
        Log.LinkClosed(_logger, Name);
        return Thread.CurrentThread == _thread ? ValueTask.CompletedTask : new ValueTask(WaitStoppedAsync());
    }

    private async Task WaitStoppedAsync()
    {
        try
        {
            await _stopped.Task.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // a transaction stuck in a driver call; the background thread ends with the process
        }
    }

    private void Run()
    {
        Interop.TrySetPreciseTimerSlack();
        while (true)
        {
            ModbusTransaction transaction;
            lock (_gate)
            {
                while (_queue.Count == 0 && !_disposed)
                {
                    Monitor.Wait(_gate);
                }

                if (_disposed)
                {
                    break;
                }

                transaction = _queue.Dequeue();
                }

            try
            {
                Process(transaction);
            }
            catch (Exception ex)
            {
                // A bug, not a line fault: keep the bus alive for the other units and say so loudly.
                Log.BusFault(_logger, Name, ex);
                CloseChannel();
                transaction.TryComplete(ModbusStatus.CommunicationError, ex.Message);
            }
        }

        ModbusTransaction[] left;
        lock (_gate)
        {
            left = [.. _queue];
            _queue.Clear();
        }

        foreach (var tx in left)
        {
            tx.TryComplete(ModbusStatus.CommunicationError, $"{Name} is closed");
        }

        _channel.Dispose();
        _stopped.TrySetResult();
    }

    private void Process(ModbusTransaction tx)
    {
        if (tx.CancelRequested)
        {
            tx.TryCompleteCancelled();
            return;
        }

        var now = Stopwatch.GetTimestamp();
        if (tx.Health is { } health && health.IsBackedOff(now))
        {
            // It failed while this request waited in the queue: skip it rather than spend the bus on a dead unit.
            tx.TryComplete(ModbusStatus.UnitBackedOff, health.LastError);
            return;
        }

        if (!EnsureOpen(now, out var openError))
        {
            tx.TryComplete(ModbusStatus.CommunicationError, openError);
            return;
        }

        try
        {
            WaitForSilence();
            var length = RtuFraming.Encode(_adu, tx.UnitId, tx.RequestPdu);
            var request = _adu.AsSpan(0, length);
            if (_logger.IsEnabled(LogLevel.Trace))
            {
                Log.Tx(_logger, Name, length, Convert.ToHexString(request));
            }

            var sent = Stopwatch.GetTimestamp();
            _channel.Write(request);
            // The bytes leave at line speed after write() returns; the response clock starts when they are out.
            var wireEnd = sent + (long)(length * _ticksPerCharacter);
            _lastActivity = wireEnd;
            if (tx.IsBroadcast)
            {
                // §2.1: no reply to a broadcast; give the slaves the turnaround delay before the next request.
                _lastActivity = wireEnd + _broadcastTurnaroundTicks;
                tx.TryComplete(ModbusStatus.Ok);
                return;
            }

            var status = Receive(tx, request, wireEnd);
            tx.TryComplete(status);
        }
        catch (ModbusCommunicationException ex)
        {
            LinkFailed(ex.Message);
            tx.TryComplete(ModbusStatus.CommunicationError, ex.Message);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or TimeoutException)
        {
            LinkFailed(ex.Message);
            tx.TryComplete(ModbusStatus.CommunicationError, ex.Message);
        }
    }

    private ModbusStatus Receive(ModbusTransaction tx, ReadOnlySpan<byte> request, long wireEnd)
    {
        // A transceiver told to receive while it transmits (rs485.rxDuringTx) echoes every frame by design.
        var echo = _settings.Echo == RtuEchoMode.Auto && _settings.Serial?.Rs485 is { Enabled: true, RxDuringTx: true }
            ? RtuEchoMode.On
            : _settings.Echo;
        var skipEcho = echo == RtuEchoMode.On
            || (echo == RtuEchoMode.Auto && (_echoLearned || !ModbusPdu.ResponseEchoesRequest(tx.RequestPdu)));
        var timeoutTicks = ToTicks(tx.Timeout);
        var deadline = wireEnd + timeoutTicks;
        // A response cannot take longer than a full-size frame on the wire plus the inter-character allowance.
        var maxFrameTicks = (long)(RtuFraming.MaxAduLength * _ticksPerCharacter) + _interCharTicks;
        var hardCap = deadline + maxFrameTicks;
        var count = 0;
        long lastRx = 0;
        var sawGarbage = false;
        var sawBadCrc = false;
        var echoDone = false;
        var now = Stopwatch.GetTimestamp();
        while (true)
        {
            long waitUntil;
            if (count == 0)
            {
                if (now >= deadline)
                {
                    break;
                }

                // After a frame that failed its CRC, only wait for the line to go quiet (see below).
                waitUntil = sawBadCrc ? Math.Min(deadline, lastRx + _interCharTicks) : deadline;
            }
            else
            {
                if (now >= hardCap)
                {
                    // Bytes kept coming without ever forming the response (a babbling device, a flood of noise).
                    DiscardReceived(_rx.AsSpan(0, count));
                    sawGarbage = true;
                    break;
                }

                waitUntil = Math.Min(lastRx + _interCharTicks, hardCap);
            }

            var n = _channel.Read(_rx.AsSpan(count), waitUntil);
            now = Stopwatch.GetTimestamp();
            if (n == 0)
            {
                if (count > 0)
                {
                    // A started frame stalled beyond the inter-character timeout (§2.5.1.1: the frame is incomplete
                    // and must be discarded). Keep listening for a clean frame until the response deadline.
                    DiscardReceived(_rx.AsSpan(0, count));
                    sawGarbage = true;
                    count = 0;
                }

                if (sawBadCrc && now >= lastRx + _interCharTicks)
                {
                    // The unit answered and the line went quiet: its frame was corrupted on the way. Retry now
                    // instead of waiting out the timeout; it will not send another.
                    break;
                }

                continue;
            }

            if (_logger.IsEnabled(LogLevel.Trace))
            {
                Log.Rx(_logger, Name, n, Convert.ToHexString(_rx, count, n));
            }

            lastRx = now;
            _lastActivity = now;
            count += n;
            var scan = RtuFraming.Scan(_rx.AsSpan(0, count), request, skipEcho && !echoDone, out var start, out var length,
                out var consumed, out var echoSkipped, out var badCrc);
            sawBadCrc |= badCrc;
            if (echoSkipped)
            {
                echoDone = true;
                if (!_echoLearned && echo == RtuEchoMode.Auto)
                {
                    _echoLearned = true;
                    Log.EchoDetected(_logger, Name);
                }
            }

            if (scan == RtuScanStatus.Found)
            {
                var pdu = _rx.AsSpan(start + 1, length - 3);
                pdu.CopyTo(tx.Response);
                tx.ResponseLength = pdu.Length;
                var status = ModbusPdu.Validate(tx.RequestPdu, pdu, out var code, out var error);
                tx.ExceptionCode = code;
                tx.Error = error;
                if (status == ModbusStatus.Exception && code == ModbusExceptionCode.Acknowledge
                    && tx.AcknowledgeCount < tx.MaxAcknowledgeWaits)
                {
                    // §7 code 05 (NModbus: read again without resending): the real response follows later.
                    tx.AcknowledgeCount++;
                    Log.Acknowledged(_logger, tx.UnitId, Name);
                    var after = start + length;
                    _rx.AsSpan(after, count - after).CopyTo(_rx);
                    count -= after;
                    deadline = now + timeoutTicks;
                    hardCap = deadline + maxFrameTicks;
                    echoDone = true;
                    continue;
                }

                if (start > 0 && !echoSkipped)
                {
                    DiscardReceived(_rx.AsSpan(0, start));
                }

                return status;
            }

            if (consumed > 0)
            {
                if (consumed > (echoSkipped ? request.Length : 0))
                {
                    sawGarbage = true;
                    DiscardReceived(_rx.AsSpan(0, consumed));
                }

                _rx.AsSpan(consumed, count - consumed).CopyTo(_rx);
                count -= consumed;
            }

            if (count == _rx.Length)
            {
                // A flood of bytes that never forms a frame: keep the newest half.
                var half = _rx.Length / 2;
                DiscardReceived(_rx.AsSpan(0, half));
                _rx.AsSpan(half).CopyTo(_rx);
                count -= half;
                sawGarbage = true;
            }
        }

        tx.Error = sawBadCrc ? "response failed its CRC check" : sawGarbage ? "corrupt or incomplete response (cut-off frame or line noise)"
            : $"no response within {tx.Timeout.TotalMilliseconds:0} ms";
        return sawGarbage ? ModbusStatus.InvalidResponse : ModbusStatus.Timeout;
    }

    /// <summary>
    /// §2.5.1.1: a new frame may start only after 3.5 character times of silence. Bytes arriving meanwhile (a late
    /// response, noise) restart the wait and are discarded, so they cannot be mistaken for the next response. The
    /// wait blocks in ppoll() until shortly before the end and spins the rest: a kernel timer wakes a thread 30–120 µs
    /// late (measured on a VM with 1 µs timer slack), which would stretch every gap at 115200 baud by up to 7 %.
    /// </summary>
    private void WaitForSilence()
    {
        while (true)
        {
            var target = _lastActivity + _interFrameTicks;
            var now = Stopwatch.GetTimestamp();
            // Block while the end is far; a deadline in the past just drains what is already queued.
            var n = _channel.Read(_scratch, Math.Max(now, target - s_silenceSpinTicks));
            if (n > 0)
            {
                DiscardReceived(_scratch.AsSpan(0, n));
                _lastActivity = Stopwatch.GetTimestamp();
                continue;
            }

            var spinner = default(SpinWait);
            while (Stopwatch.GetTimestamp() < target)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }

            // Anything that arrived during the spin restarts the silence.
            n = _channel.Read(_scratch, 0);
            if (n == 0)
            {
                return;
            }

            DiscardReceived(_scratch.AsSpan(0, n));
            _lastActivity = Stopwatch.GetTimestamp();
        }
    }

    private void DiscardReceived(ReadOnlySpan<byte> bytes)
    {
        Interlocked.Add(ref _discardedBytes, bytes.Length);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.Discarded(_logger, Name, bytes.Length, Convert.ToHexString(bytes));
        }
    }

    private bool EnsureOpen(long now, out string? error)
    {
        error = null;
        if (_channel.IsOpen)
        {
            return true;
        }

        if (now < _reopenNotBefore)
        {
            error = _lastOpenError;
            return false;
        }

        try
        {
            _channel.Open();
            Interlocked.Increment(ref _opens);
            _reopenFailures = 0;
            _lastOpenError = null;
            _everOpened = true;
            _lastActivity = Stopwatch.GetTimestamp();
            Log.LinkReady(_logger, Name);
            return true;
        }
        catch (ModbusCommunicationException ex)
        {
            var delay = ReopenDelay(++_reopenFailures);
            _reopenNotBefore = Stopwatch.GetTimestamp() + ToTicks(delay);
            if (ex.Message != _lastOpenError)
            {
                Log.LinkUnavailable(_logger, Name, ex.Message, (long)delay.TotalMilliseconds);
            }

            _lastOpenError = ex.Message;
            error = ex.Message;
            return false;
        }
    }

    private void LinkFailed(string reason)
    {
        if (_disposed)
        {
            return;
        }

        if (_everOpened)
        {
            Log.LinkLost(_logger, Name, reason);
        }

        CloseChannel();
        _lastOpenError = reason;
        // The first reopen is immediate (an unplugged-and-replugged adapter, a restarted device server); repeated
        // failures back off in EnsureOpen.
        _reopenNotBefore = 0;
    }

    private void CloseChannel()
    {
        try
        {
            _channel.Close();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // closing a failed channel: nothing left to do
        }
    }

    private TimeSpan ReopenDelay(int failures)
    {
        var first = Math.Max(0, _settings.ReconnectDelayMs);
        var ms = Math.Min(_settings.ReconnectDelayMaxMs, first * Math.Pow(2, Math.Min(failures - 1, 20)));
        return TimeSpan.FromMilliseconds(ms);
    }

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
