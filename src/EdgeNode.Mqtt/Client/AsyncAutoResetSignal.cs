using System.Threading.Tasks.Sources;

namespace EdgeNode.Mqtt.Client;

/// <summary>
/// An allocation-free auto-reset event for exactly one waiter at a time (the writer loop; the single application
/// producer that holds the order lock). <see cref="Set()"/> may be called from any thread, any number of times; a set
/// with nobody waiting is remembered once. <see cref="Close"/> wakes the waiter for good.
/// </summary>
internal sealed class AsyncAutoResetSignal : IValueTaskSource
{
    private const int Idle = 0;
    private const int Signaled = 1;
    private const int Waiting = 2;

    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _registration;
    private int _state;
    private volatile bool _closed;

    public bool IsClosed => _closed;

    public void Set() => Set(runWaiterInline: false);

    /// <summary>
    /// Like <see cref="Set()"/>, but a waiter that this call wakes continues on the calling thread, before Set returns,
    /// instead of on a pool thread: for a caller that holds no lock and can afford to run the waiter's next step (the
    /// QoS 0 publish that hands its packet straight to the writer: one socket write instead of a thread switch and a
    /// write).
    /// </summary>
    public void Set(bool runWaiterInline)
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if (state == Signaled)
            {
                return;
            }

            if (state == Idle)
            {
                if (Interlocked.CompareExchange(ref _state, Signaled, Idle) == Idle)
                {
                    return;
                }

                continue;
            }

            if (Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting)
            {
                // Only the winner of the Waiting → Idle exchange completes this wait, so the flag is ours until the
                // waiter's next WaitAsync sets it back.
                _core.RunContinuationsAsynchronously = !runWaiterInline;
                _core.SetResult(true);
                return;
            }
        }
    }

    public void Close()
    {
        _closed = true;
        Set();
    }

    /// <summary>Completes when signaled (at once if a signal is pending). Only one caller may wait at a time.</summary>
    public ValueTask WaitAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Signaled) == Signaled || _closed)
        {
            return default;
        }

        cancellationToken.ThrowIfCancellationRequested();
        _core.Reset();
        _core.RunContinuationsAsynchronously = true;

        // Register before publishing the Waiting state so GetResult always sees (and disposes) this registration.
        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.UnsafeRegister(static (s, token) => ((AsyncAutoResetSignal)s!).Cancel(token), this);
        }

        if (Interlocked.CompareExchange(ref _state, Waiting, Idle) != Idle)
        {
            // Set() won the race between our two CAS operations.
            _registration.Dispose();
            _registration = default;
            Volatile.Write(ref _state, Idle);
            return default;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            // The callback may have run before we were Waiting and found nothing to cancel.
            Cancel(cancellationToken);
        }

        return new ValueTask(this, _core.Version);
    }

    private void Cancel(CancellationToken token)
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting)
        {
            _core.SetException(new OperationCanceledException(token));
        }
    }

    void IValueTaskSource.GetResult(short token)
    {
        _registration.Dispose();
        _registration = default;
        _core.GetResult(token);
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);
}
