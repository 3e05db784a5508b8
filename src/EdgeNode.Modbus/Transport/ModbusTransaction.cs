using System.Threading.Tasks.Sources;

namespace EdgeNode.Modbus;

/// <summary>
/// One request/response exchange, reused across polls (a point reader owns one per block): fixed request and response
/// buffers and a resettable <see cref="IValueTaskSource{TResult}"/>, so a poll allocates nothing. Completed exactly
/// once per attempt by whoever gets there first (response, timeout timer, broken link, disposal).
/// </summary>
internal sealed class ModbusTransaction : IValueTaskSource<ModbusStatus>
{
    public readonly byte[] Request = new byte[ModbusPdu.MaxLength];
    public readonly byte[] Response = new byte[ModbusPdu.MaxLength];

    /// <summary>Scratch for the framed request (MBAP header + PDU) on TCP.</summary>
    public readonly byte[] Adu = new byte[MbapFraming.MaxAduLength];

    public int RequestLength;
    public int ResponseLength;
    public byte UnitId;
    public TimeSpan Timeout;
    public UnitHealth? Health;
    public ModbusExceptionCode ExceptionCode;
    public string? Error;
    public int AcknowledgeCount;
    public int MaxAcknowledgeWaits = 3;

    /// <summary>TCP: the MBAP transaction id of the current attempt.</summary>
    public ushort TransactionId;

    /// <summary>TCP: the transport that armed <see cref="Timer"/>.</summary>
    public Action<ModbusTransaction>? TimeoutHandler;

    private readonly Lock _timerLock = new();
    // Continuations run inline on the completing transport thread (the RTU bus thread, the TCP reader): our own code
    // between two requests of a poll then costs no thread hop. Public entry points leave that thread before user code
    // runs (see LeaveTransportThread).
    private ManualResetValueTaskSourceCore<ModbusStatus> _core = new() { RunContinuationsAsynchronously = false };

    [ThreadStatic]
    private static int t_completingDepth;
    private Timer? _timer;
    private long _timerDeadline = long.MaxValue;
    private int _state; // 0 idle, 1 pending, 2 completed
    private volatile bool _cancelRequested;

    public ReadOnlySpan<byte> RequestPdu => Request.AsSpan(0, RequestLength);

    public ReadOnlySpan<byte> ResponsePdu => Response.AsSpan(0, ResponseLength);

    public byte Function => Request[0];

    public bool IsBroadcast => UnitId == 0;

    public bool CancelRequested => _cancelRequested;

    /// <summary>Set by a transport that skipped the request because <see cref="RequestCancel"/> came first.</summary>
    public bool WasCancelled { get; private set; }

    /// <summary>Begins an attempt; the returned task completes when a transport calls <see cref="TryComplete"/>.</summary>
    public ValueTask<ModbusStatus> Start()
    {
        _core.Reset();
        ExceptionCode = ModbusExceptionCode.None;
        Error = null;
        ResponseLength = 0;
        AcknowledgeCount = 0;
        WasCancelled = false;
        Volatile.Write(ref _state, 1);
        return new ValueTask<ModbusStatus>(this, _core.Version);
    }

    /// <summary>Prepares a new request (clears the cancellation flag of the previous one).</summary>
    public void BeginRequest(byte unitId)
    {
        UnitId = unitId;
        _cancelRequested = false;
    }

    public void RequestCancel() => _cancelRequested = true;

    public bool TryComplete(ModbusStatus status, string? error = null)
    {
        if (Interlocked.CompareExchange(ref _state, 2, 1) != 1)
        {
            return false;
        }

        StopTimer();
        if (error is not null)
        {
            Error = error;
        }

        t_completingDepth++;
        try
        {
            _core.SetResult(status);
        }
        finally
        {
            t_completingDepth--;
        }

        return true;
    }

    /// <summary>True while continuations run inline inside a transport's completion (on its I/O thread).</summary>
    public static bool OnTransportThread => t_completingDepth > 0;

    /// <summary>
    /// Awaited at the end of every public async entry point: when the call completed inline on a transport thread,
    /// continue on the thread pool so the caller's code never runs on (and never blocks) the bus thread or TCP reader.
    /// </summary>
    public static TransportThreadExit LeaveTransportThread() => default;

    /// <summary>An awaitable that yields to the thread pool only when on a transport thread.</summary>
    public readonly struct TransportThreadExit : System.Runtime.CompilerServices.ICriticalNotifyCompletion
    {
        public TransportThreadExit GetAwaiter() => this;

        public bool IsCompleted => !OnTransportThread;

        public void GetResult()
        {
        }

        public void OnCompleted(Action continuation) =>
            ThreadPool.QueueUserWorkItem(static c => c(), continuation, preferLocal: false);

        public void UnsafeOnCompleted(Action continuation) =>
            ThreadPool.UnsafeQueueUserWorkItem(static c => c(), continuation, preferLocal: false);
    }

    /// <summary>Completes a request that was skipped because the caller cancelled it.</summary>
    public bool TryCompleteCancelled()
    {
        WasCancelled = true;
        return TryComplete(ModbusStatus.CommunicationError, "cancelled");
    }

    public bool IsPending => Volatile.Read(ref _state) == 1;

    /// <summary>Arms the timeout timer (one Timer per transaction, reused: no allocation per request).</summary>
    public void StartTimer(TimeSpan dueTime)
    {
        lock (_timerLock)
        {
            _timer ??= new Timer(static s => ((ModbusTransaction)s!).OnTimer(), this, System.Threading.Timeout.Infinite,
                System.Threading.Timeout.Infinite);
            _timerDeadline = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(dueTime.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
            _timer.Change(dueTime, System.Threading.Timeout.InfiniteTimeSpan);
        }
    }

    public void StopTimer()
    {
        lock (_timerLock)
        {
            _timerDeadline = long.MaxValue;
            _timer?.Change(System.Threading.Timeout.Infinite, System.Threading.Timeout.Infinite);
        }
    }

    private void OnTimer()
    {
        // A callback already on its way when the timer was stopped or re-armed (the next attempt reuses this object)
        // must not time out the new attempt. Timer due times run on a coarse millisecond tick and may fire a little
        // early: when the deadline has not passed, re-arm for the rest rather than drop the only callback.
        lock (_timerLock)
        {
            if (_timerDeadline == long.MaxValue)
            {
                return;
            }

            var remaining = _timerDeadline - System.Diagnostics.Stopwatch.GetTimestamp();
            if (remaining > 0)
            {
                _timer!.Change(TimeSpan.FromSeconds((double)remaining / System.Diagnostics.Stopwatch.Frequency) + TimeSpan.FromMilliseconds(1),
                    System.Threading.Timeout.InfiniteTimeSpan);
                return;
            }
        }

        TimeoutHandler?.Invoke(this);
    }

    ModbusStatus IValueTaskSource<ModbusStatus>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<ModbusStatus>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<ModbusStatus>.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);
}
