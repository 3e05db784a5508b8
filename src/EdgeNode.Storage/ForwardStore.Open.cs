using System.Diagnostics;
using System.Globalization;
using EdgeNode.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace EdgeNode.Storage;

public sealed partial class ForwardStore
{
    private long _pageSize = 4096;

    private void OpenCore()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        AcquireLock();

        var walPath = StoreFiles.WalPath(Path);
        if (!File.Exists(Path) && (File.Exists(walPath) || File.Exists(StoreFiles.ShmPath(Path))))
        {
            // A WAL without its database cannot be applied to anything; SQLite would start a new database and
            // might misread the stale index. Keep it for forensics.
            MoveWalAside(walPath, "there is no database file beside it");
        }
        else if (StoreFiles.CheckWalHeader(walPath) is { } walProblem)
        {
            MoveWalAside(walPath, walProblem);
        }

        var headerProblem = StoreFiles.CheckDatabaseHeader(Path, StoreFiles.WalHasContent(walPath));
        if (headerProblem is not null)
        {
            MoveAside(headerProblem);
        }

        var problem = TryOpenDatabase(out var checkMs, out var created) ?? TryLoadState();
        if (problem is not null)
        {
            MoveAside(problem);
            problem = TryOpenDatabase(out checkMs, out created) ?? TryLoadState();
            if (problem is not null)
            {
                throw new IOException($"store {Path}: a fresh store could not be created either: {problem}");
            }
        }

        if (created)
        {
            Log.Created(_logger, Path, _options.MaxBytes, (long)_options.CommitInterval.TotalMilliseconds);
        }
        else
        {
            var segments = StoreSchema.ScalarInt64(_connection, "SELECT count(*) FROM segments");
            Log.Opened(_logger, Path, Interlocked.Read(ref _committedPending), segments, Bytes, _options.MaxBytes, Dropped, checkMs);
        }
    }

    private void AcquireLock()
    {
        var lockPath = StoreFiles.LockPath(Path);
        try
        {
            // FileShare.None takes flock(LOCK_EX) on Unix: a second node on the same store fails here instead of
            // interleaving two drainers; the lock dies with the process, so kill -9 leaves nothing stale behind.
            _lockFile = new FileStream(lockPath, PrivateFiles.CreateOptions(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            _lockFile.SetLength(0);
            _lockFile.Write(System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"));
            _lockFile.Flush();
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new StoreLockedException(
                $"store {Path} is in use by another process (it holds {lockPath}; `fuser {lockPath}` names it). " +
                "Stop that process or set storeForward.path to another file.", ex);
        }
    }

    /// <summary>Opens and verifies the database; returns why it is unusable (to move it aside), or null.</summary>
    private string? TryOpenDatabase(out long checkMs, out bool created)
    {
        checkMs = 0;
        created = false;
        SqliteConnection? connection = null;
        try
        {
            var existed = File.Exists(Path) && new FileInfo(Path).Length > 0;
            foreach (var file in PrivateFiles.EnsureDatabase(Path))
            {
                Log.PermissionsTightened(_logger, file);
            }

            connection = StoreSchema.OpenConnection(Path, SqliteOpenMode.ReadWriteCreate);
            StoreSchema.Execute(connection, "PRAGMA busy_timeout = 2000");
            if (!existed)
            {
                // Both only take effect before the first table exists. Incremental auto-vacuum lets the store give
                // space back after a long outage has drained, a little at a time.
                StoreSchema.Execute(connection, "PRAGMA page_size = 4096; PRAGMA auto_vacuum = INCREMENTAL;");
            }

            var mode = StoreSchema.ScalarString(connection, "PRAGMA journal_mode = WAL");
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new IOException($"store {Path}: SQLite refused WAL mode (journal_mode is {mode}); is the file system a network share?");
            }

            if (existed && _options.QuickCheckOnOpen)
            {
                var watch = Stopwatch.StartNew();
                var rows = StoreSchema.Rows(connection, "PRAGMA quick_check(5)");
                checkMs = watch.ElapsedMilliseconds;
                if (rows is not ["ok"])
                {
                    return "PRAGMA quick_check failed: " + string.Join("; ", rows);
                }
            }

            var applicationId = StoreSchema.ScalarInt64(connection, "PRAGMA application_id");
            var tables = StoreSchema.ScalarInt64(connection, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'");
            if (applicationId != StoreSchema.ApplicationId)
            {
                if (tables > 0 || applicationId != 0)
                {
                    return string.Create(CultureInfo.InvariantCulture,
                        $"it is not an EdgeNode store (application_id 0x{applicationId:X8}, {tables} table(s))");
                }

                using var transaction = connection.BeginTransaction(deferred: false);
                StoreSchema.Execute(connection, StoreSchema.CreateTables, transaction);
                StoreSchema.Execute(connection, string.Create(CultureInfo.InvariantCulture,
                    $"PRAGMA application_id = {StoreSchema.ApplicationId}; PRAGMA user_version = {StoreSchema.Version};"), transaction);
                transaction.Commit();
                created = true;
            }
            else
            {
                var version = StoreSchema.ScalarInt64(connection, "PRAGMA user_version");
                if (version > StoreSchema.Version)
                {
                    return $"it was written by a newer EdgeNode (store format {version}; this build reads {StoreSchema.Version})";
                }

                StoreSchema.Execute(connection, StoreSchema.CreateTables);
            }

            try
            {
                StoreSchema.Execute(connection, "SELECT id, count, consumed, min_ts, max_ts, data FROM segments LIMIT 0; " +
                                                "SELECT id, device, name, datatype FROM metrics LIMIT 0; SELECT key, value FROM meta LIMIT 0;");
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == 1)
            {
                return $"its tables are not the expected ones ({ex.Message})";
            }

            var pages = WalReserveBytes / 2 / 4096;
            StoreSchema.Execute(connection, string.Create(CultureInfo.InvariantCulture,
                $"PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = {pages}; PRAGMA journal_size_limit = {WalReserveBytes};"));
            _synchronousFull = true;
            _pageSize = StoreSchema.ScalarInt64(connection, "PRAGMA page_size");
            _connection = connection;
            connection = null;
            return null;
        }
        catch (SqliteException ex) when (StoreSchema.IsCorruption(ex))
        {
            return $"SQLite error {ex.SqliteExtendedErrorCode}: {ex.Message}";
        }
        catch (SqliteException ex) when (StoreSchema.IsLocked(ex))
        {
            throw new StoreLockedException(
                $"store {Path} is locked by another program (SQLite: {ex.Message}); close whatever holds it (e.g. an sqlite3 shell in a transaction)", ex);
        }
        finally
        {
            connection?.Dispose();
        }
    }

    /// <summary>Loads counters and the catalog; a damaged page met on the way makes the store unusable.</summary>
    private string? TryLoadState()
    {
        try
        {
            LoadState();
            return null;
        }
        catch (SqliteException ex) when (StoreSchema.IsCorruption(ex))
        {
            return $"SQLite error {ex.SqliteExtendedErrorCode} while loading: {ex.Message}";
        }
    }

    private void LoadState()
    {
        Interlocked.Exchange(ref _droppedPersisted, StoreSchema.ScalarInt64(_connection, "SELECT value FROM meta WHERE key = 'dropped'"));
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "SELECT count(*), coalesce(sum(count - consumed), 0), coalesce(max(id), 0) FROM segments";
            using var reader = command.ExecuteReader();
            reader.Read();
            var segments = reader.GetInt64(0);
            Interlocked.Exchange(ref _committedPending, reader.GetInt64(1));
            _nextSegmentId = Math.Max(_nextSegmentId, reader.GetInt64(2) + 1);
            if (segments == 0)
            {
                // Nothing refers to the catalog: start ids at 1 again so they stay one-byte varints.
                reader.Close();
                StoreSchema.Execute(_connection, "DELETE FROM metrics");
            }
        }

        lock (_catalogLock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT id, device, name, datatype FROM metrics ORDER BY id";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var id = reader.GetInt32(0);
                var metric = new StoreMetric(id, reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), (uint)reader.GetInt64(3), this);
                AddToCatalog(metric);
                _nextMetricId = Math.Max(_nextMetricId, id + 1);
            }
        }

        // A lowered maxMegabytes applies at once, oldest first, and the file gives the space back.
        using (var transaction = _connection.BeginTransaction(deferred: false))
        {
            var dropped = DropOldestToFit(transaction, 0);
            if (dropped > 0)
            {
                StoreSchema.Execute(_connection, string.Create(CultureInfo.InvariantCulture,
                    $"UPDATE meta SET value = value + {dropped} WHERE key = 'dropped'"), transaction);
                transaction.Commit();
                Interlocked.Add(ref _droppedPersisted, dropped);
                Interlocked.Add(ref _committedPending, -dropped);
                Log.ShrunkToLimit(_logger, Path, _options.MaxBytes, dropped);
            }
        }

        UpdateBytes();
        if (Bytes > _options.MaxBytes)
        {
            Vacuum(int.MaxValue);
        }
    }

    private void MoveAside(string reason)
    {
        _connection?.Dispose();
        _connection = null!;
        var aside = StoreFiles.AsidePath(Path, _time.GetUtcNow());
        var moved = StoreFiles.MoveAside(Path, aside, includeDatabase: true);
        var companions = moved.Where(m => m != aside).Select(m => m[aside.Length..]).ToList();
        Log.MovedAside(_logger, Path, reason, aside, companions.Count == 0 ? "" : " (with its " + string.Join(" and ", companions) + ")");
        PruneAsideCopies();
    }

    private void MoveWalAside(string walPath, string reason)
    {
        var aside = StoreFiles.AsidePath(Path, _time.GetUtcNow());
        StoreFiles.MoveAside(Path, aside, includeDatabase: false);
        Log.WalMovedAside(_logger, Path, walPath, reason, StoreFiles.WalPath(aside));
        PruneAsideCopies();
    }

    private void PruneAsideCopies()
    {
        foreach (var file in StoreFiles.PruneAsideCopies(Path, _options.KeepCorruptCopies))
        {
            Log.AsideCopyDeleted(_logger, Path, file, _options.KeepCorruptCopies);
        }
    }
}
