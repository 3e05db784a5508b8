using System.Threading.Channels;
using System.Threading.Tasks.Sources;
using EdgeNode.Configuration;
using EdgeNode.Engine.Devices;
using EdgeNode.Sparkplug;
using EdgeNode.Storage;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Engine;

/// <summary>
/// One device: its scan loop (the only caller of its driver) and the report-by-exception state the event loop keeps
/// for it. The loop and the scan task talk through events and the write queue only.
/// </summary>
internal sealed class DeviceRuntime
{
    /// <summary>Writes in one scan cycle, at most: reads keep their rate while a long queue of writes waits.</summary>
    internal const int MaxWritesPerCycle = 16;

    // Pending DCMD writes: at most one per metric (the latest value wins), in the order metrics were first asked for,
    // so the queue is bounded by the device's metric count however many commands arrive. A queued write sets
    // _writeSignalled and wakes the loop.
    private readonly Lock _writeLock = new();
    private readonly Dictionary<int, SparkplugValue> _pendingWrites = [];
    private readonly Queue<int> _writeOrder = new();
    // The loop's wait between scans: one timer per device, re-armed for each wait, and one reusable completion source
    // that the timer, a queued write, a stop or the cancellation completes (_waiting under _writeLock). A linked token
    // source, a Task.Delay, a channel waiter and a Task.WhenAny per wait cost the scan path more than the scan's own
    // work (a cancelled channel waiter even captures a stack trace for its OperationCanceledException). The timer's
    // callback already runs on a pool thread, so it runs the scan there instead of queueing it to another one (a
    // thread switch per scan); the other wakes come from the engine loop or a canceller and hand the scan to the pool.
    private readonly ScanWake _wake = new();
    private bool _waiting;
    private bool _writeSignalled;
    private bool _stopping;
    private readonly Func<DeviceConfig, IDeviceDriver> _createDriver;
    private readonly ILogger _logger;
    private Task? _scanLoop;
    private Task? _eventPump;
    private CancellationTokenSource? _stop;
    private long _lastProgressMs;
    private long _lastScanTicks;
    private SparkplugSnapshot? _spareSnapshot;

    public DeviceRuntime(DeviceConfig config, int index, ulong firstAlias, Func<DeviceConfig, IDeviceDriver> createDriver, ILogger logger)
    {
        Config = config;
        Index = index;
        _createDriver = createDriver;
        _logger = logger;
        var n = config.Metrics.Count;
        Names = [.. config.Metrics.Select(m => m.Name)];
        DataTypes = [.. config.Metrics.Select(MetricTypes.ToSparkplug)];
        Aliases = new ulong[n];
        for (var i = 0; i < n; i++)
        {
            Aliases[i] = firstAlias + (ulong)i;
        }

        InstanceAlias = firstAlias + (ulong)n;
        Current = new SparkplugValue[n];
        CurrentGood = new bool[n];
        CurrentTs = new long[n];
        Reported = new SparkplugValue[n];
        HasReported = new bool[n];
        ReportedAtMs = new long[n];
        ForceReport = new bool[n];
        StoreMetrics = new StoreMetric?[n];
        for (var i = 0; i < n; i++)
        {
            Current[i] = SparkplugValue.Null(DataTypes[i]);
        }
    }

    public DeviceConfig Config { get; }

    public string Id => Config.Id;

    public int Index { get; }

    public string[] Names { get; }

    public SparkplugDataType[] DataTypes { get; }

    public ulong[] Aliases { get; }

    /// <summary>Alias of the Template instance metric of a typed device.</summary>
    public ulong InstanceAlias { get; }

    /// <summary>Aliases this device uses (members and the instance).</summary>
    public int AliasCount => Names.Length + 1;

    public SparkplugValue[] Current { get; }

    public bool[] CurrentGood { get; }

    public long[] CurrentTs { get; }

    public SparkplugValue[] Reported { get; }

    public bool[] HasReported { get; }

    public long[] ReportedAtMs { get; }

    public bool[] ForceReport { get; }

    public StoreMetric?[] StoreMetrics { get; }

    /// <summary>The device answered its last scan.</summary>
    public bool Answering { get; set; }

    /// <summary>A DBIRTH was published in the current MQTT session (and no DDEATH since).</summary>
    public bool Born { get; set; }

    public string? LastError { get; set; }

    /// <summary>The DDATA topic (engine loop only), for <see cref="DataTopicConfig"/>.</summary>
    public string? DataTopic { get; set; }

    /// <summary>The node section the cached <see cref="DataTopic"/> was built from.</summary>
    public object? DataTopicConfig { get; set; }

    /// <summary>Consecutive scans that reached the device and failed (reset by an answer).</summary>
    public int FailedScans { get; set; }

    public bool IsTemplateInstance { get; set; }

    public int Generation { get; private set; }

    /// <summary>How long the last read took (Stopwatch ticks; written by the scan loop before it posts the result).</summary>
    public long LastScanTicks => Volatile.Read(ref _lastScanTicks);

    /// <summary>Starts the scan loop; results are posted to <paramref name="post"/>.</summary>
    public void Start(int generation, Func<int> defaultScanMs, Action<EngineEvent> post, Action? pollBeat, TimeProvider time,
        CancellationToken cancellationToken)
    {
        Generation = generation;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cancellationToken = _stop.Token;
        _scanLoop = Task.Run(() => ScanLoopAsync(generation, defaultScanMs, post, pollBeat, time, cancellationToken), CancellationToken.None);
    }

    /// <summary>
    /// Queues a DCMD write; the scan loop performs it before its next read. A value still pending for the same metric
    /// is replaced (returns true): the device only ever needs the latest one.
    /// </summary>
    public bool EnqueueWrite(int metric, SparkplugValue value)
    {
        bool replaced;
        lock (_writeLock)
        {
            replaced = _pendingWrites.ContainsKey(metric);
            if (!replaced)
            {
                _writeOrder.Enqueue(metric);
            }

            _pendingWrites[metric] = value;
            _writeSignalled = true;
        }

        Wake(fromTimer: false);
        return replaced;
    }

    /// <summary>Writes waiting for the scan loop.</summary>
    public int PendingWrites
    {
        get
        {
            lock (_writeLock)
            {
                return _writeOrder.Count;
            }
        }
    }

    private bool TryTakeWrite(out int metric, out SparkplugValue value)
    {
        lock (_writeLock)
        {
            if (_writeOrder.TryDequeue(out metric))
            {
                _pendingWrites.Remove(metric, out value);
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>
    /// Whether the scan loop made progress recently enough: a scan (or a failed open) within three scan periods plus a
    /// minute for slow buses and retries. A hung loop makes the node withhold the systemd watchdog.
    /// </summary>
    public bool IsProgressing(long nowMs, int defaultScanMs)
    {
        var last = Volatile.Read(ref _lastProgressMs);
        if (last == 0)
        {
            Volatile.Write(ref _lastProgressMs, nowMs); // not started yet: the allowance starts now
            return true;
        }

        var scan = Config.ScanMs ?? defaultScanMs;
        return nowMs - last <= (3L * scan) + 60_000;
    }

    /// <summary>Stops the scan loop (a reconfiguration replaces this device).</summary>
    public void Cancel() => _stop?.Cancel();

    public async Task StopAsync()
    {
        lock (_writeLock)
        {
            _stopping = true;
        }

        Wake(fromTimer: false);
        foreach (var task in new[] { _scanLoop, _eventPump })
        {
            if (task is not null)
            {
                try
                {
                    await task.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    private async Task ScanLoopAsync(int generation, Func<int> defaultScanMs, Action<EngineEvent> post, Action? pollBeat, TimeProvider time,
        CancellationToken cancellationToken)
    {
        IDeviceDriver? driver = null;
        using var timer = time.CreateTimer(static s => ((DeviceRuntime)s!).Wake(fromTimer: true), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        using var stopped = cancellationToken.UnsafeRegister(static s => ((DeviceRuntime)s!).Wake(fromTimer: false), this);
        try
        {
            var reading = new DeviceReading(Names.Length);
            var next = time.GetUtcNow();
            while (!cancellationToken.IsCancellationRequested)
            {
                if (driver is null)
                {
                    try
                    {
                        driver = _createDriver(Config);
                        if (driver.Events is { } events)
                        {
                            _eventPump = Task.Run(() => PumpEventsAsync(events, generation, post, cancellationToken), CancellationToken.None);
                        }
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        Log.DriverOpenFailed(_logger, Id, ex.Message);
                        Volatile.Write(ref _lastProgressMs, time.GetUtcNow().ToUnixTimeMilliseconds());
                        post(new ScanCompleted(this, generation, DeviceReadResult.Dead(ex.Message), Empty()));
                        await Task.Delay(TimeSpan.FromSeconds(Math.Max(5, ScanMs(defaultScanMs) / 1000.0)), time, cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                }

                // Writes until the next read is due (at least one, at most MaxWritesPerCycle): the read follows at
                // its scan rate however many writes wait, and the writes still make progress on a slow bus.
                var wrote = false;
                lock (_writeLock)
                {
                    _writeSignalled = false;
                }

                for (var n = 0; n < MaxWritesPerCycle && (n == 0 || time.GetUtcNow() < next) && TryTakeWrite(out var metric, out var value); n++)
                {
                    DeviceWriteResult result;
                    try
                    {
                        result = await driver.WriteAsync(metric, value, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        result = new DeviceWriteResult(DeviceWriteStatus.Failed, ex.Message);
                    }

                    post(new WriteCompleted(this, generation, metric, value, result));
                    wrote = true;
                }

                lock (_writeLock)
                {
                    _writeSignalled |= _writeOrder.Count > 0; // more to do after the read
                }

                var now = time.GetUtcNow();
                if (wrote || now >= next)
                {
                    reading.Clear();
                    DeviceReadResult outcome;
                    var started = System.Diagnostics.Stopwatch.GetTimestamp();
                    try
                    {
                        outcome = await driver.ReadAsync(reading, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        outcome = DeviceReadResult.Dead(ex.Message);
                    }

                    Volatile.Write(ref _lastScanTicks, System.Diagnostics.Stopwatch.GetTimestamp() - started);

                    if (reading.TimestampMs == 0)
                    {
                        reading.TimestampMs = time.GetUtcNow().ToUnixTimeMilliseconds();
                    }

                    post(new ScanCompleted(this, generation, outcome, TakeSnapshot(reading)));
                    Volatile.Write(ref _lastProgressMs, time.GetUtcNow().ToUnixTimeMilliseconds());
                    if (!wrote || now >= next)
                    {
                        var period = TimeSpan.FromMilliseconds(ScanMs(defaultScanMs));
                        next += period;
                        var after = time.GetUtcNow();
                        if (next <= after)
                        {
                            next = after + period;
                        }
                    }
                }

                // Whole milliseconds: a sub-millisecond wait would be no wait at all, and the loop would spin until `next`.
                var wait = TimeSpan.FromMilliseconds(Math.Ceiling((next - time.GetUtcNow()).TotalMilliseconds));
                if (wait > TimeSpan.Zero && !await WaitAsync(timer, wait, cancellationToken).ConfigureAwait(false))
                {
                    return; // the device is stopping
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            if (driver is not null)
            {
                try
                {
                    await driver.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    Log.DriverCloseFailed(_logger, Id, ex.Message);
                }
            }
        }
    }

    /// <summary>
    /// Waits until the next scan is due, a write is queued or the device stops; false when it stops.
    /// </summary>
    private async ValueTask<bool> WaitAsync(ITimer timer, TimeSpan wait, CancellationToken cancellationToken)
    {
        ValueTask woken;
        lock (_writeLock)
        {
            if (_stopping)
            {
                return false;
            }

            if (_writeSignalled || cancellationToken.IsCancellationRequested)
            {
                return true;
            }

            woken = _wake.Arm();
            _waiting = true;
        }

        timer.Change(wait, Timeout.InfiniteTimeSpan);
        await woken.ConfigureAwait(false);
        timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        lock (_writeLock)
        {
            return !_stopping;
        }
    }

    /// <summary>
    /// Ends the loop's wait, if it waits. From the timer the scan continues on the timer's pool thread; any other waker
    /// (the engine loop queueing a write, a stop, a cancellation) must not run the scan itself, so it is queued.
    /// </summary>
    private void Wake(bool fromTimer)
    {
        lock (_writeLock)
        {
            if (!_waiting)
            {
                return;
            }

            _waiting = false;
        }

        if (fromTimer)
        {
            _wake.Complete();
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(static w => w.Complete(), _wake, preferLocal: false);
        }
    }

    /// <summary>The scan loop's reusable wait: armed by the loop, completed once per arming by the one waker that won.</summary>
    private sealed class ScanWake : IValueTaskSource
    {
        private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = false };

        public ValueTask Arm()
        {
            _core.Reset();
            return new ValueTask(this, _core.Version);
        }

        public void Complete() => _core.SetResult(true);

        void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

        ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

        void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }

    private async Task PumpEventsAsync(ChannelReader<DeviceEvent> events, int generation, Action<EngineEvent> post,
        CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var e in events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                post(new DeviceValueEvent(this, generation, e));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ChannelClosedException)
        {
        }
    }

    private int ScanMs(Func<int> defaultScanMs) => Config.ScanMs ?? defaultScanMs();

    /// <summary>
    /// A copy of <paramref name="reading"/> for the engine, in the arrays of a snapshot the engine has finished with
    /// when there is one: a copy per scan (~7 KB at 250 metrics) was most of what a scan allocated.
    /// </summary>
    private SparkplugSnapshot TakeSnapshot(DeviceReading reading)
    {
        var spare = Interlocked.Exchange(ref _spareSnapshot, null);
        if (spare is null || spare.Values.Length != reading.Values.Length)
        {
            return new SparkplugSnapshot((SparkplugValue[])reading.Values.Clone(), (bool[])reading.Good.Clone(), reading.TimestampMs);
        }

        reading.Values.AsSpan().CopyTo(spare.Values);
        reading.Good.AsSpan().CopyTo(spare.Good);
        return spare with { TimestampMs = reading.TimestampMs };
    }

    /// <summary>The engine hands back a scan's snapshot once it has taken the values (its arrays are reused).</summary>
    public void ReturnSnapshot(SparkplugSnapshot snapshot) => Volatile.Write(ref _spareSnapshot, snapshot);

    private SparkplugSnapshot Empty() => new(new SparkplugValue[Names.Length], new bool[Names.Length], 0);

}
