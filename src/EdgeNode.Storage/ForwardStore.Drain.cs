using EdgeNode.Storage.Segments;
using EdgeNode.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace EdgeNode.Storage;

public sealed partial class ForwardStore
{
    private readonly Queue<StoreBatch> _outstanding = new();
    private long _generation;
    private long _cursorSegment;
    private int _cursorIndex;
    private long _cachedSegmentId = -1;
    private List<StoredChange>? _cachedChanges;

    /// <summary>
    /// Reads the next (at most <paramref name="maxChanges"/>) oldest changes without removing them, continuing after
    /// the batches already read and not yet acknowledged (so several may be in flight). Changes still waiting for
    /// their commit are committed first when the stored ones run out, so nothing appended before the call is
    /// skipped. Appends that happen meanwhile come after, in order. An empty batch means the store is drained.
    /// </summary>
    public async ValueTask<StoreBatch> ReadBatchAsync(int maxChanges, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChanges, 1);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _dbGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return ReadCore(maxChanges);
                }
                catch (SqliteException ex) when (StoreSchema.IsCorruption(ex) && attempt == 0)
                {
                    RecoverFromCorruption($"SQLite error {ex.SqliteExtendedErrorCode} while reading: {ex.Message}");
                }
            }
        }
        finally
        {
            _dbGate.Release();
        }
    }

    /// <summary>
    /// Removes <paramref name="batch"/> from the store after the broker acknowledged it. Batches are acknowledged in
    /// the order they were read. Returns false, and removes nothing, for a batch that went stale because
    /// <see cref="RewindDrain"/> was called or the store had to be recovered since (its changes will be read again).
    /// </summary>
    /// <exception cref="InvalidOperationException">An older batch is still unacknowledged.</exception>
    public async ValueTask<bool> AcknowledgeAsync(StoreBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _dbGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (batch.Generation != _generation || !_outstanding.Contains(batch))
            {
                Log.StaleAcknowledge(_logger, Path);
                return false;
            }

            if (!ReferenceEquals(_outstanding.Peek(), batch))
            {
                throw new InvalidOperationException("acknowledge store batches in the order they were read; an older batch is still outstanding");
            }

            try
            {
                AcknowledgeCore(batch);
            }
            catch (SqliteException ex) when (StoreSchema.IsCorruption(ex))
            {
                RecoverFromCorruption($"SQLite error {ex.SqliteExtendedErrorCode} while acknowledging: {ex.Message}");
                return false;
            }

            _outstanding.Dequeue();
            Log.Acknowledged(_logger, Path, batch.Count, Pending);
            return true;
        }
        finally
        {
            _dbGate.Release();
        }
    }

    /// <summary>
    /// Forgets the batches read and not yet acknowledged (call it when the connection dropped before their PUBACK):
    /// the next <see cref="ReadBatchAsync"/> starts again at the oldest stored change.
    /// </summary>
    public void RewindDrain()
    {
        _dbGate.Wait();
        try
        {
            ResetDrain();
        }
        finally
        {
            _dbGate.Release();
        }
    }

    /// <summary>
    /// Test hook: checkpoints the WAL into the database file and drops SQLite's page cache, so the next statement
    /// reads the file again (lets a test damage the file under an open store).
    /// </summary>
    internal void CheckpointAndForgetCache()
    {
        _dbGate.Wait();
        try
        {
            StoreSchema.Execute(_connection, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA shrink_memory;");
        }
        finally
        {
            _dbGate.Release();
        }
    }

    /// <summary>Under <c>_dbGate</c>.</summary>
    private void ResetDrain()
    {
        _generation++;
        _outstanding.Clear();
        _cursorSegment = 0;
        _cursorIndex = 0;
        InvalidateReadCache();
    }

    private void InvalidateReadCache()
    {
        _cachedSegmentId = -1;
        _cachedChanges = null;
    }

    private StoreBatch ReadCore(int maxChanges)
    {
        var changes = new List<StoredChange>(Math.Min(maxChanges, 4096));
        var position = new ReadPosition(_cursorSegment, _cursorIndex);
        for (var flushed = false; ; flushed = true)
        {
            ReadStored(changes, maxChanges, ref position);
            if (changes.Count >= maxChanges || flushed || Interlocked.Read(ref _memoryChanges) == 0)
            {
                break;
            }

            // The stored changes ran out but some wait in memory: commit them so the drain sees them in order.
            if (!CommitCore())
            {
                break;
            }
        }

        // The cursor moves only once the batch exists, so a failed read skips nothing.
        _cursorSegment = position.Segment;
        _cursorIndex = position.Index;
        var batch = new StoreBatch(changes, _generation, position.StartSegment, position.EndSegment, position.EndIndex, position.EndCount);
        if (changes.Count > 0)
        {
            _outstanding.Enqueue(batch);
        }

        return batch;
    }

    private void ReadStored(List<StoredChange> changes, int maxChanges, ref ReadPosition position)
    {
        List<(long Id, long Count, string Reason)>? damaged = null;
        using (var command = _connection.CreateCommand())
        {
            // The blob of the segment we already decoded is not read again.
            command.CommandText = "SELECT id, count, consumed, CASE WHEN id = $cached THEN NULL ELSE data END FROM segments WHERE id >= $from ORDER BY id";
            command.Parameters.AddWithValue("$cached", _cachedSegmentId);
            command.Parameters.AddWithValue("$from", position.Segment);
            using var reader = command.ExecuteReader();
            while (changes.Count < maxChanges && reader.Read())
            {
                var id = reader.GetInt64(0);
                var count = reader.GetInt32(1);
                var consumed = reader.GetInt32(2);
                var from = Math.Max(consumed, id == position.Segment ? position.Index : 0);
                if (from >= count)
                {
                    continue;
                }

                List<StoredChange> decoded;
                if (id == _cachedSegmentId && _cachedChanges is not null)
                {
                    decoded = _cachedChanges;
                }
                else
                {
                    decoded = new List<StoredChange>(count);
                    var error = SegmentReader.TryDecode(reader.GetFieldValue<byte[]>(3), count, LookupMetric, decoded);
                    if (error is not null)
                    {
                        (damaged ??= []).Add((id, count - consumed, error));
                        continue;
                    }
                }

                var take = Math.Min(count - from, maxChanges - changes.Count);
                for (var i = from; i < from + take; i++)
                {
                    changes.Add(decoded[i]);
                }

                if (position.StartSegment < 0)
                {
                    position.StartSegment = id;
                }

                position.EndSegment = id;
                position.EndIndex = from + take;
                position.EndCount = count;
                var partly = from + take < count;
                (position.Segment, position.Index) = partly ? (id, from + take) : (id + 1, 0);

                // A partly read segment is kept decoded for the next batch.
                _cachedSegmentId = partly ? id : -1;
                _cachedChanges = partly ? decoded : null;
            }
        }

        if (damaged is not null)
        {
            DropDamaged(damaged);
        }
    }

    /// <summary>Where a read goes on from, and the span of segments the batch covers.</summary>
    private struct ReadPosition(long segment, int index)
    {
        public long Segment = segment;
        public int Index = index;
        public long StartSegment = -1;
        public long EndSegment = -1;
        public int EndIndex;
        public int EndCount;
    }

    /// <summary>A segment whose checksum fails cannot be published; it is deleted and its changes counted as dropped.</summary>
    private void DropDamaged(List<(long Id, long Count, string Reason)> damaged)
    {
        SetSynchronous(full: true);
        using var transaction = _connection.BeginTransaction(deferred: false);
        long total = 0;
        foreach (var (id, count, reason) in damaged)
        {
            using var delete = _connection.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = "DELETE FROM segments WHERE id = $id";
            delete.Parameters.AddWithValue("$id", id);
            if (delete.ExecuteNonQuery() > 0)
            {
                total += count;
                Log.SegmentDamaged(_logger, Path, id, count, reason);
            }
        }

        using (var update = _connection.CreateCommand())
        {
            update.Transaction = transaction;
            update.CommandText = "UPDATE meta SET value = value + $n WHERE key = 'dropped'";
            update.Parameters.AddWithValue("$n", total);
            update.ExecuteNonQuery();
        }

        transaction.Commit();
        Interlocked.Add(ref _committedPending, -total);
        Interlocked.Add(ref _droppedPersisted, total);
    }

    /// <summary>
    /// Deletes the segments the batch covers entirely and records how far a partly covered last segment was
    /// drained. <c>synchronous=NORMAL</c>: after a power cut a just-acknowledged batch may come back (sent twice),
    /// which costs nothing in the append path's durability and saves an fsync per batch on SD cards.
    /// </summary>
    private void AcknowledgeCore(StoreBatch batch)
    {
        SetSynchronous(full: false);
        long removed = 0;
        using (var transaction = _connection.BeginTransaction(deferred: false))
        {
            var lastWhole = batch.EndIndex >= batch.EndSegmentCount ? batch.EndSegment : batch.EndSegment - 1;
            if (lastWhole >= batch.StartSegment)
            {
                using var delete = _connection.CreateCommand();
                delete.Transaction = transaction;
                delete.CommandText = "DELETE FROM segments WHERE id BETWEEN $first AND $last RETURNING count - consumed";
                delete.Parameters.AddWithValue("$first", batch.StartSegment);
                delete.Parameters.AddWithValue("$last", lastWhole);
                using var reader = delete.ExecuteReader();
                while (reader.Read())
                {
                    removed += reader.GetInt64(0);
                }
            }

            if (lastWhole < batch.EndSegment)
            {
                // The end segment may have been dropped meanwhile (store full): then there is nothing to record.
                using var update = _connection.CreateCommand();
                update.Transaction = transaction;
                update.CommandText = "SELECT consumed FROM segments WHERE id = $id";
                update.Parameters.AddWithValue("$id", batch.EndSegment);
                var before = update.ExecuteScalar();
                if (before is long consumed && consumed < batch.EndIndex)
                {
                    update.CommandText = "UPDATE segments SET consumed = $n WHERE id = $id";
                    update.Parameters.AddWithValue("$n", batch.EndIndex);
                    update.ExecuteNonQuery();
                    removed += batch.EndIndex - consumed;
                }
            }

            transaction.Commit();
        }

        Interlocked.Add(ref _committedPending, -removed);
        UpdateBytes();
    }
}
