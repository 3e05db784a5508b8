using EdgeNode.Storage.Segments;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Storage;

/// <summary>
/// The store-and-forward buffer: report-by-exception changes that could not be published are appended here (in
/// memory, committed durably to SQLite in WAL mode every <see cref="ForwardStoreOptions.CommitInterval"/>), and
/// drained oldest first once publishing is possible again.
/// <para>
/// Durability: a commit is an SQLite transaction with <c>synchronous=FULL</c>, so the WAL is fsynced before the
/// commit returns. After a process crash (kill -9) or a power cut, every change appended before the start of the
/// last completed commit is in the store, and the store opens cleanly; only changes appended after it (at most one
/// commit interval, ≤ 1 s by default) are lost. <see cref="FlushAsync"/> makes everything appended before the call
/// durable at once. Acknowledgements (deletes) commit with <c>synchronous=NORMAL</c>: a power cut may bring back
/// the last acknowledged batches, which are then sent again — duplicates are possible, loss is not.
/// </para>
/// <para>
/// Threading: <see cref="Append(StoreMetric, long, in StoredValue)"/> and <see cref="GetOrAddMetric"/> may be called
/// from any number of threads and never touch the disk; one drainer calls <see cref="ReadBatchAsync"/>,
/// <see cref="AcknowledgeAsync"/> and <see cref="RewindDrain"/>. Counters are cheap to read from any thread.
/// </para>
/// </summary>
public sealed partial class ForwardStore : IAsyncDisposable
{
    private readonly ForwardStoreOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _dbGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _commitSignal = new(0, int.MaxValue);
    private FileStream? _lockFile;
    private SqliteConnection _connection = null!;
    private Task _commitLoop = Task.CompletedTask;
    private int _commitRequested;
    private int _disposed;

    // Append side, guarded by _appendLock.
    private readonly Lock _appendLock = new();
    private readonly SegmentWriter _writer = new();
    private readonly List<SealedSegment> _sealed = [];
    private long _sealedBytes;
    private long _nextSegmentId = 1;

    // Catalog, guarded by _catalogLock; _metricsById is replaced (copy on write) so decoding reads it without a lock.
    private readonly Lock _catalogLock = new();
    private readonly Dictionary<(string? Device, string Name, uint DataType), StoreMetric> _metricsByKey = [];
    private readonly List<StoreMetric> _unpersistedMetrics = [];
    private volatile StoreMetric?[] _metricsById = new StoreMetric?[16];
    private int _nextMetricId = 1;

    // Counters: written under the locks above or _dbGate, read lock-free (Interlocked for 32-bit ARM).
    private long _memoryChanges;
    private long _committedPending;
    private long _droppedPersisted;
    private long _droppedUnpersisted;
    private long _memoryDroppedToLog;
    private long _bytes;
    private long _durableChanges;
    private long _commitCount;

    private ForwardStore(ForwardStoreOptions options, ILogger logger, TimeProvider time)
    {
        _options = options;
        _logger = logger;
        _time = time;
        Path = System.IO.Path.GetFullPath(options.Path);
        WalReserveBytes = Math.Clamp(options.MaxBytes / 8, 256L * 1024, 8L * 1024 * 1024);
        BudgetBytes = options.MaxBytes - WalReserveBytes;
        EarlyCommitBytes = Math.Clamp(WalReserveBytes / 4, 16L * 1024, 1024L * 1024);
    }

    /// <summary>The full path of the database file.</summary>
    public string Path { get; }

    /// <summary>Changes accepted and not yet acknowledged: on disk plus those waiting for the next commit (<c>Store/Pending</c>).</summary>
    public long Pending => Interlocked.Read(ref _committedPending) + Interlocked.Read(ref _memoryChanges);

    /// <summary>Size of the store on disk, database file plus WAL, as of the last commit or acknowledgement (<c>Store/Bytes</c>).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Changes dropped since the store was created, because it was full or data was damaged (<c>Store/Dropped</c>); persisted.</summary>
    public long Dropped => Interlocked.Read(ref _droppedPersisted) + Interlocked.Read(ref _droppedUnpersisted);

    /// <summary>All three counters at once.</summary>
    public StoreCounters Counters => new(Pending, Bytes, Dropped);

    /// <summary>The options the store was opened with.</summary>
    public ForwardStoreOptions Options => _options;

    /// <summary>Changes made durable by commits since this instance opened (for tests and diagnostics).</summary>
    internal long DurableChanges => Interlocked.Read(ref _durableChanges);

    /// <summary>Durable (synchronous=FULL) transactions committed since this instance opened.</summary>
    internal long CommitCount => Interlocked.Read(ref _commitCount);

    /// <summary>Bytes kept free for the WAL inside <see cref="ForwardStoreOptions.MaxBytes"/>.</summary>
    internal long WalReserveBytes { get; }

    /// <summary>Bytes the database pages in use may take.</summary>
    internal long BudgetBytes { get; }

    /// <summary>Sealed bytes in memory that make the commit loop commit before the interval is up.</summary>
    internal long EarlyCommitBytes { get; }

    /// <summary>
    /// Opens (or creates) the store at <see cref="ForwardStoreOptions.Path"/>. A file that is not a database, is
    /// truncated, fails <c>PRAGMA quick_check</c> or belongs to another application is moved aside to
    /// <c>&lt;name&gt;.corrupt-&lt;UTC timestamp&gt;</c> (with its -wal/-shm) and a fresh store is started; a garbage
    /// -wal alone is moved aside and the database kept. Blocks for the integrity check (≈ 1 s per 100 MB on a Pi).
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="StoreLockedException">Another process uses the store.</exception>
    /// <exception cref="IOException">The disk failed in a way moving the file aside cannot fix.</exception>
    public static ForwardStore Open(ForwardStoreOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(options));
        }

        var store = new ForwardStore(options, logger ?? NullLogger.Instance, timeProvider ?? TimeProvider.System);
        try
        {
            store.OpenCore();
        }
        catch
        {
            store.CloseFiles();
            throw;
        }

        store._commitLoop = Task.Run(store.CommitLoopAsync);
        return store;
    }

    /// <summary>
    /// The catalog entry for a metric, created on first use (persisted with the next commit). Call once per metric
    /// and keep the result: <see cref="Append(StoreMetric, long, in StoredValue)"/> with it is the fast path.
    /// </summary>
    /// <param name="deviceId">The Sparkplug device_id, or null for a node metric.</param>
    /// <param name="name">The metric name.</param>
    /// <param name="dataType">The Sparkplug B datatype enum value.</param>
    public StoreMetric GetOrAddMetric(string? deviceId, string name, uint dataType)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (deviceId is { Length: 0 })
        {
            throw new ArgumentException("a device id must not be empty; use null for node metrics", nameof(deviceId));
        }

        lock (_catalogLock)
        {
            if (_metricsByKey.TryGetValue((deviceId, name, dataType), out var existing))
            {
                return existing;
            }

            var metric = new StoreMetric(_nextMetricId++, deviceId, name, dataType, this);
            AddToCatalog(metric);
            _unpersistedMetrics.Add(metric);
            return metric;
        }
    }

    /// <summary>All catalog entries (for inspection and tests).</summary>
    public IReadOnlyList<StoreMetric> Metrics
    {
        get
        {
            lock (_catalogLock)
            {
                return [.. _metricsByKey.Values.OrderBy(m => m.Id)];
            }
        }
    }

    /// <summary>
    /// Accepts one change. It is in memory until the next commit (at most <see cref="ForwardStoreOptions.CommitInterval"/>
    /// later, or <see cref="FlushAsync"/>). Never blocks on the disk; thread-safe.
    /// </summary>
    /// <param name="metric">A catalog entry of this store, from <see cref="GetOrAddMetric"/>.</param>
    /// <param name="timestampMs">The change's original timestamp, UTC milliseconds since the Unix epoch.</param>
    /// <param name="value">The value, or <see cref="StoredValue.Null"/>.</param>
    public void Append(StoreMetric metric, long timestampMs, in StoredValue value)
    {
        ArgumentNullException.ThrowIfNull(metric);
        if (!ReferenceEquals(metric.Owner, this))
        {
            throw new ArgumentException($"{metric} belongs to another store", nameof(metric));
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var signal = false;
        lock (_appendLock)
        {
            _writer.Write(metric.Id, timestampMs, value);
            Interlocked.Increment(ref _memoryChanges);
            if (_writer.Count >= _options.SegmentMaxChanges || _writer.Length >= _options.SegmentMaxBytes)
            {
                SealOpenSegment();
                EnforceMemoryLimit();
                signal = _sealedBytes >= EarlyCommitBytes;
            }
        }

        if (signal)
        {
            RequestCommit();
        }
    }

    /// <summary>Accepts one change of the metric (device, name, datatype); see <see cref="GetOrAddMetric"/>.</summary>
    public void Append(string? deviceId, string name, uint dataType, long timestampMs, in StoredValue value) =>
        Append(GetOrAddMetric(deviceId, name, dataType), timestampMs, value);

    /// <summary>
    /// Commits everything appended before the call. True when it is durable; false when the disk refused the commit
    /// (logged; the changes stay in memory and are retried by the commit loop).
    /// </summary>
    public async ValueTask<bool> FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _dbGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return CommitCore();
        }
        finally
        {
            _dbGate.Release();
        }
    }

    /// <summary>Stops the commit loop, commits what is in memory, and closes the files.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _commitLoop.ConfigureAwait(false);
        await _dbGate.WaitAsync().ConfigureAwait(false);
        try
        {
            CommitCore();
            Log.Closed(_logger, Path, Pending, Dropped);
        }
        catch (IOException ex)
        {
            // Recovery from a file that went bad during the last commit failed too; the files are closed regardless.
            Log.CommitFailed(_logger, Path, Interlocked.Read(ref _memoryChanges), ex.Message);
        }
        finally
        {
            CloseFiles();
            _dbGate.Release();
        }

        _stopping.Dispose();
    }

    private void CloseFiles()
    {
        _connection?.Dispose();
        _lockFile?.Dispose();
        _lockFile = null;
    }

    private void AddToCatalog(StoreMetric metric)
    {
        _metricsByKey[(metric.DeviceId, metric.Name, metric.DataType)] = metric;
        var byId = _metricsById;
        if (metric.Id >= byId.Length)
        {
            var grown = new StoreMetric?[Math.Max(byId.Length * 2, metric.Id + 1)];
            byId.CopyTo(grown, 0);
            byId = grown;
        }

        byId[metric.Id] = metric;
        _metricsById = byId;
    }

    private StoreMetric? LookupMetric(int id)
    {
        var byId = _metricsById;
        return (uint)id < (uint)byId.Length ? byId[id] : null;
    }

    /// <summary>Under <c>_appendLock</c>.</summary>
    private void SealOpenSegment()
    {
        var segment = _writer.Seal(_nextSegmentId++);
        _sealed.Add(segment);
        _sealedBytes += segment.Data.Length;
    }

    /// <summary>
    /// Under <c>_appendLock</c>: while commits fail, memory is the buffer; past the limit the oldest sealed segments
    /// go (the newest never), counted like a full store.
    /// </summary>
    private void EnforceMemoryLimit()
    {
        while (_sealedBytes > _options.MemoryLimitBytes && _sealed.Count > 1)
        {
            var oldest = _sealed[0];
            _sealed.RemoveAt(0);
            _sealedBytes -= oldest.Data.Length;
            Interlocked.Add(ref _memoryChanges, -oldest.Count);
            Interlocked.Add(ref _droppedUnpersisted, oldest.Count);
            Interlocked.Add(ref _memoryDroppedToLog, oldest.Count);
        }
    }

    private void RequestCommit()
    {
        if (Interlocked.Exchange(ref _commitRequested, 1) == 0)
        {
            _commitSignal.Release();
        }
    }
}
