using System.Diagnostics;
using System.Globalization;
using EdgeNode.Storage.Segments;
using EdgeNode.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace EdgeNode.Storage;

public sealed partial class ForwardStore
{
    /// <summary>Bytes a segment row costs beyond its blob: record header, cell pointer, rowid, overflow pointers.</summary>
    private const int RowOverhead = 48;

    private bool _synchronousFull;
    private int _commitFailures;
    private long _capacityDroppedToLog;
    private long _lastCapacityLogTicks = long.MinValue;
    private bool _wasEmptyAtLastMaintenance = true;

    private async Task CommitLoopAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await _commitSignal.WaitAsync(_options.CommitInterval, token).ConfigureAwait(false);
                await _dbGate.WaitAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                Interlocked.Exchange(ref _commitRequested, 0);
                CommitCore();
                Maintain();
            }
#pragma warning disable CA1031 // The loop is the store's heartbeat: a surprise is logged and the next tick retries.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.CommitFailed(_logger, Path, Interlocked.Read(ref _memoryChanges), ex.ToString());
            }
            finally
            {
                _dbGate.Release();
            }
        }
    }

    /// <summary>
    /// Under <c>_dbGate</c>: writes the sealed segments (and the open one) and new catalog entries in
    /// <c>synchronous=FULL</c> transactions of at most <see cref="EarlyCommitBytes"/> each (so the WAL stays within
    /// its reserve), dropping the oldest data first when the store would exceed its limit.
    /// </summary>
    private bool CommitCore()
    {
        List<SealedSegment> segments;
        lock (_appendLock)
        {
            if (_writer.Count > 0)
            {
                SealOpenSegment();
            }

            segments = [.. _sealed];
            _sealed.Clear();
            _sealedBytes = 0;
        }

        List<StoreMetric> metrics;
        lock (_catalogLock)
        {
            metrics = [.. _unpersistedMetrics];
            _unpersistedMetrics.Clear();
        }

        LogMemoryDrops();
        if (segments.Count == 0 && metrics.Count == 0 && Interlocked.Read(ref _droppedUnpersisted) == 0)
        {
            return true;
        }

        var done = 0;
        while (true)
        {
            var end = done;
            long chunkBytes = 0;
            while (end < segments.Count && (end == done || chunkBytes + segments[end].Data.Length <= EarlyCommitBytes))
            {
                chunkBytes += segments[end++].Data.Length;
            }

            try
            {
                CommitChunk(segments, done, end, done == 0 ? metrics : []);
            }
            catch (SqliteException ex)
            {
                // Nothing of this transaction happened: put it and the rest back in front of newer appends.
                var rest = segments.GetRange(done, segments.Count - done);
                lock (_appendLock)
                {
                    _sealed.InsertRange(0, rest);
                    _sealedBytes += rest.Sum(r => (long)r.Data.Length);
                    EnforceMemoryLimit();
                }

                if (done == 0)
                {
                    lock (_catalogLock)
                    {
                        _unpersistedMetrics.InsertRange(0, metrics);
                    }
                }

                HandleCommitFailure(ex, chunkBytes);
                return false;
            }

            done = end;
            if (done >= segments.Count)
            {
                break;
            }
        }

        UpdateBytes();
        if (_commitFailures > 0)
        {
            Log.CommitRecovered(_logger, Path, _commitFailures);
            _commitFailures = 0;
        }

        return true;
    }

    private void CommitChunk(List<SealedSegment> all, int from, int to, List<StoreMetric> metrics)
    {
        var watch = Stopwatch.StartNew();
        var segments = all.GetRange(from, to - from);
        long incomingChanges = 0, bytes = 0;
        foreach (var segment in segments)
        {
            incomingChanges += segment.Count;
            bytes += segment.Data.Length;
        }

        var droppedBefore = Interlocked.Read(ref _droppedUnpersisted);
        SetSynchronous(full: true);
        long droppedIncoming, droppedStored;
        using (var transaction = _connection.BeginTransaction(deferred: false))
        {
            InsertMetrics(metrics, transaction);
            var skip = SkipIncomingBeyondBudget(segments, out droppedIncoming);
            droppedStored = DropOldestToFit(transaction, EstimateBytes(segments, skip));
            InsertSegments(segments, skip, transaction);
            var dropped = droppedBefore + droppedIncoming + droppedStored;
            if (dropped > 0)
            {
                StoreSchema.Execute(_connection, string.Create(CultureInfo.InvariantCulture,
                    $"UPDATE meta SET value = value + {dropped} WHERE key = 'dropped'"), transaction);
            }

            transaction.Commit();
        }

        Interlocked.Add(ref _memoryChanges, -incomingChanges);
        Interlocked.Add(ref _committedPending, incomingChanges - droppedIncoming - droppedStored);
        Interlocked.Add(ref _droppedUnpersisted, -droppedBefore);
        Interlocked.Add(ref _droppedPersisted, droppedBefore + droppedIncoming + droppedStored);
        Interlocked.Add(ref _durableChanges, incomingChanges);
        Interlocked.Increment(ref _commitCount);
        if (droppedStored > 0)
        {
            InvalidateReadCache();
        }

        LogCapacityDrops(droppedIncoming + droppedStored);
        Log.Committed(_logger, Path, incomingChanges, segments.Count, bytes, watch.Elapsed.TotalMilliseconds);
    }

    private void HandleCommitFailure(SqliteException ex, long bytes)
    {
        _commitFailures++;
        if (StoreSchema.IsCorruption(ex))
        {
            RecoverFromCorruption($"SQLite error {ex.SqliteExtendedErrorCode} while committing: {ex.Message}");
            return;
        }

        if (ex.SqliteErrorCode == StoreSchema.SqliteFull)
        {
            // The file system is full: give up the oldest stored changes so the new ones fit in the freed pages.
            var dropped = TryMakeRoom(Math.Max(bytes * 2, 64 * 1024));
            Log.DiskFullDropped(_logger, Path, dropped, Dropped);
        }

        // Warn once per run of failures (the loop retries every interval), then again after recovery.
        if (_commitFailures == 1 || _commitFailures % 60 == 0)
        {
            Log.CommitFailed(_logger, Path, Interlocked.Read(ref _memoryChanges), $"SQLite error {ex.SqliteExtendedErrorCode}: {ex.Message}");
        }
    }

    private long TryMakeRoom(long bytes)
    {
        try
        {
            SetSynchronous(full: true);
            using var transaction = _connection.BeginTransaction(deferred: false);
            var dropped = DeleteOldest(transaction, bytes);
            StoreSchema.Execute(_connection, string.Create(CultureInfo.InvariantCulture,
                $"UPDATE meta SET value = value + {dropped} WHERE key = 'dropped'"), transaction);
            transaction.Commit();
            Interlocked.Add(ref _committedPending, -dropped);
            Interlocked.Add(ref _droppedPersisted, dropped);
            InvalidateReadCache();
            return dropped;
        }
        catch (SqliteException)
        {
            return 0; // not even a delete fits; the commit loop keeps the data in memory
        }
    }

    private void InsertMetrics(List<StoreMetric> metrics, SqliteTransaction transaction)
    {
        if (metrics.Count == 0)
        {
            return;
        }

        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT OR REPLACE INTO metrics (id, device, name, datatype) VALUES ($id, $device, $name, $datatype)";
        var id = command.Parameters.Add("$id", SqliteType.Integer);
        var device = command.Parameters.Add("$device", SqliteType.Text);
        var name = command.Parameters.Add("$name", SqliteType.Text);
        var dataType = command.Parameters.Add("$datatype", SqliteType.Integer);
        command.Prepare();
        foreach (var metric in metrics)
        {
            id.Value = metric.Id;
            device.Value = (object?)metric.DeviceId ?? DBNull.Value;
            name.Value = metric.Name;
            dataType.Value = (long)metric.DataType;
            command.ExecuteNonQuery();
        }
    }

    private void InsertSegments(List<SealedSegment> segments, int skip, SqliteTransaction transaction)
    {
        if (segments.Count <= skip)
        {
            return;
        }

        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO segments (id, count, consumed, min_ts, max_ts, data) VALUES ($id, $count, 0, $min, $max, $data)";
        var id = command.Parameters.Add("$id", SqliteType.Integer);
        var count = command.Parameters.Add("$count", SqliteType.Integer);
        var min = command.Parameters.Add("$min", SqliteType.Integer);
        var max = command.Parameters.Add("$max", SqliteType.Integer);
        var data = command.Parameters.Add("$data", SqliteType.Blob);
        command.Prepare();
        for (var i = skip; i < segments.Count; i++)
        {
            var segment = segments[i];
            id.Value = segment.Id;
            count.Value = segment.Count;
            min.Value = segment.MinTimestampMs;
            max.Value = segment.MaxTimestampMs;
            data.Value = segment.Data;
            command.ExecuteNonQuery();
        }
    }

    private long EstimateBytes(List<SealedSegment> segments, int skip)
    {
        long total = 0;
        for (var i = skip; i < segments.Count; i++)
        {
            total += EstimateBytes(segments[i].Data.Length);
        }

        return total;
    }

    /// <summary>Blob plus row overhead, plus the 4-byte next-page pointer of every overflow page it spills to.</summary>
    private long EstimateBytes(long blobLength) => blobLength + RowOverhead + (blobLength / (_pageSize - 4) * 4);

    /// <summary>
    /// When the incoming segments alone exceed the budget (a tiny store after a long disk failure), the oldest of
    /// them go too — never the newest.
    /// </summary>
    private int SkipIncomingBeyondBudget(List<SealedSegment> segments, out long droppedChanges)
    {
        droppedChanges = 0;
        var room = BudgetBytes - (8 * _pageSize); // schema, catalog and meta pages
        var total = EstimateBytes(segments, 0);
        var skip = 0;
        while (total > room && skip < segments.Count - 1)
        {
            total -= EstimateBytes(segments[skip].Data.Length);
            droppedChanges += segments[skip].Count;
            skip++;
        }

        return skip;
    }

    /// <summary>
    /// Deletes the oldest stored segments until <paramref name="incomingBytes"/> more fit in the budget; returns the
    /// pending changes dropped. Pages in use are (page_count − freelist_count) × page_size as the transaction sees
    /// them; freed pages are reused before the file grows, so the file stays within the budget.
    /// </summary>
    private long DropOldestToFit(SqliteTransaction transaction, long incomingBytes)
    {
        var pages = StoreSchema.ScalarInt64(_connection, "PRAGMA page_count", transaction);
        var free = StoreSchema.ScalarInt64(_connection, "PRAGMA freelist_count", transaction);
        var used = (pages - free) * _pageSize;
        var excess = used + incomingBytes - BudgetBytes;
        return excess <= 0 ? 0 : DeleteOldest(transaction, excess);
    }

    private long DeleteOldest(SqliteTransaction transaction, long bytes)
    {
        long freed = 0, lastId = -1, dropped = 0;
        using (var command = _connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "SELECT id, count - consumed, length(data) FROM segments ORDER BY id";
            using var reader = command.ExecuteReader();
            while (freed < bytes && reader.Read())
            {
                lastId = reader.GetInt64(0);
                dropped += reader.GetInt64(1);
                freed += EstimateBytes(reader.GetInt64(2));
            }
        }

        if (lastId >= 0)
        {
            using var delete = _connection.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = "DELETE FROM segments WHERE id <= $last";
            delete.Parameters.AddWithValue("$last", lastId);
            delete.ExecuteNonQuery();
        }

        return dropped;
    }

    /// <summary>
    /// Under <c>_dbGate</c>, after a commit: gives free pages back to the file system when a drained store holds
    /// many (a little per tick, so a Pi's SD card is not hammered), and truncates the WAL when the store emptied.
    /// </summary>
    private void Maintain()
    {
        var empty = Pending == 0;
        var pages = StoreSchema.ScalarInt64(_connection, "PRAGMA page_count");
        var free = StoreSchema.ScalarInt64(_connection, "PRAGMA freelist_count");
        var freeBytes = free * _pageSize;
        if (freeBytes > Math.Max(4L * 1024 * 1024, pages * _pageSize / 4) || (empty && !_wasEmptyAtLastMaintenance && free > 0))
        {
            Vacuum(empty ? int.MaxValue : 2048);
        }

        if (empty && !_wasEmptyAtLastMaintenance)
        {
            SetSynchronous(full: false);
            StoreSchema.Execute(_connection, "PRAGMA wal_checkpoint(TRUNCATE)");
            UpdateBytes();
        }

        _wasEmptyAtLastMaintenance = empty;
    }

    private void Vacuum(int maxPages)
    {
        var before = StoreSchema.ScalarInt64(_connection, "PRAGMA freelist_count");
        if (before == 0 || StoreSchema.ScalarInt64(_connection, "PRAGMA auto_vacuum") != 2)
        {
            return;
        }

        SetSynchronous(full: false);
        StoreSchema.Execute(_connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA incremental_vacuum({Math.Min(before, maxPages)})"));
        StoreSchema.Execute(_connection, "PRAGMA wal_checkpoint(TRUNCATE)");
        UpdateBytes();
        Log.Vacuumed(_logger, Path, before - StoreSchema.ScalarInt64(_connection, "PRAGMA freelist_count"), Bytes);
    }

    private void SetSynchronous(bool full)
    {
        if (_synchronousFull != full)
        {
            StoreSchema.Execute(_connection, full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
            _synchronousFull = full;
        }
    }

    private void UpdateBytes()
    {
        var database = new FileInfo(Path);
        var wal = new FileInfo(StoreFiles.WalPath(Path));
        Interlocked.Exchange(ref _bytes, (database.Exists ? database.Length : 0) + (wal.Exists ? wal.Length : 0));
    }

    private void LogMemoryDrops()
    {
        var count = Interlocked.Exchange(ref _memoryDroppedToLog, 0);
        if (count > 0)
        {
            Log.MemoryDropped(_logger, Path, count, _options.MemoryLimitBytes);
        }
    }

    /// <summary>Warns at once, then at most once a minute with the sum, so a store that stays full does not flood the journal.</summary>
    private void LogCapacityDrops(long count)
    {
        _capacityDroppedToLog += count;
        var now = _time.GetTimestamp();
        if (_capacityDroppedToLog > 0 &&
            (_lastCapacityLogTicks == long.MinValue || _time.GetElapsedTime(_lastCapacityLogTicks, now) >= TimeSpan.FromMinutes(1)))
        {
            Log.CapacityDropped(_logger, Path, _options.MaxBytes, _capacityDroppedToLog, Dropped);
            _capacityDroppedToLog = 0;
            _lastCapacityLogTicks = now;
        }
    }

    /// <summary>
    /// Under <c>_dbGate</c>: the file went bad while open. Move it aside, start a fresh one, keep everything still in
    /// memory and the catalog (ids stay valid for the callers holding <see cref="StoreMetric"/>s); what was only on
    /// disk is counted as dropped.
    /// </summary>
    private void RecoverFromCorruption(string reason)
    {
        var lost = Interlocked.Exchange(ref _committedPending, 0);
        var persisted = Interlocked.Exchange(ref _droppedPersisted, 0);
        Interlocked.Add(ref _droppedUnpersisted, persisted + lost);
        MoveAside(reason);
        var problem = TryOpenDatabase(out _, out _);
        if (problem is not null)
        {
            throw new IOException($"store {Path}: a fresh store could not be created: {problem}");
        }

        lock (_catalogLock)
        {
            _unpersistedMetrics.Clear();
            _unpersistedMetrics.AddRange(_metricsByKey.Values.OrderBy(m => m.Id));
        }

        ResetDrain();
        UpdateBytes();
    }
}
