using System.Globalization;
using EdgeNode.Storage.Segments;
using EdgeNode.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace EdgeNode.Storage.Inspection;

/// <summary>
/// Read-only look into a store file — safe while the node runs (WAL readers never block the writer), never moves or
/// changes anything. Backs <c>edgenode store …</c> and the README's "how to inspect the buffer".
/// </summary>
public static class ForwardStoreInspector
{
    /// <summary>
    /// Summarises the store at <paramref name="path"/>: counts, oldest/newest timestamps, pending changes per device,
    /// and the <paramref name="sampleCount"/> oldest and newest pending changes. Decodes every segment (a few seconds
    /// for a full 256 MB store on a Pi).
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not an EdgeNode store or SQLite reports it damaged.</exception>
    public static StoreInspection Inspect(string path, int sampleCount = 5, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(sampleCount);
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"no store at {fullPath}", fullPath);
        }

        try
        {
            using var connection = StoreSchema.OpenConnection(fullPath, SqliteOpenMode.ReadOnly);
            return InspectCore(connection, fullPath, sampleCount, cancellationToken);
        }
        catch (SqliteException ex) when (StoreSchema.IsCorruption(ex) || ex.SqliteErrorCode == 1)
        {
            throw new InvalidDataException($"{fullPath} cannot be read as an EdgeNode store: {ex.Message}", ex);
        }
    }

    private static StoreInspection InspectCore(SqliteConnection connection, string path, int sampleCount, CancellationToken cancellationToken)
    {
        var applicationId = StoreSchema.ScalarInt64(connection, "PRAGMA application_id");
        if (applicationId != StoreSchema.ApplicationId)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{path} is not an EdgeNode store (application_id 0x{applicationId:X8})"));
        }

        // One read transaction: a consistent snapshot even while the node commits and drains.
        using var transaction = connection.BeginTransaction(deferred: true);
        var version = (int)StoreSchema.ScalarInt64(connection, "PRAGMA user_version", transaction);
        var dropped = StoreSchema.ScalarInt64(connection, "SELECT value FROM meta WHERE key = 'dropped'", transaction);
        var createdMs = StoreSchema.ScalarInt64(connection, "SELECT value FROM meta WHERE key = 'created_ms'", transaction);

        var metrics = new Dictionary<int, StoreMetric>();
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "SELECT id, device, name, datatype FROM metrics";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var id = reader.GetInt32(0);
                metrics[id] = new StoreMetric(id, reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), (uint)reader.GetInt64(3), null);
            }
        }

        var devices = new Dictionary<string, DeviceTally>(StringComparer.Ordinal);
        var oldest = new List<StoredChange>();
        var newest = new Queue<StoredChange>();
        var decoded = new List<StoredChange>();
        long segments = 0, pending = 0, damaged = 0;
        long? oldestTs = null, newestTs = null;
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "SELECT id, count, consumed, data FROM segments ORDER BY id";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                segments++;
                var count = reader.GetInt32(1);
                var consumed = reader.GetInt32(2);
                decoded.Clear();
                if (SegmentReader.TryDecode(reader.GetFieldValue<byte[]>(3), count, id => metrics.GetValueOrDefault(id), decoded) is not null)
                {
                    damaged++;
                    continue;
                }

                for (var i = consumed; i < decoded.Count; i++)
                {
                    var change = decoded[i];
                    pending++;
                    oldestTs = Math.Min(oldestTs ?? long.MaxValue, change.TimestampMs);
                    newestTs = Math.Max(newestTs ?? long.MinValue, change.TimestampMs);
                    var key = change.Metric.DeviceId ?? "";
                    if (!devices.TryGetValue(key, out var tally))
                    {
                        devices[key] = tally = new DeviceTally(change.Metric.DeviceId);
                    }

                    tally.Add(change);
                    if (oldest.Count < sampleCount)
                    {
                        oldest.Add(change);
                    }

                    if (sampleCount > 0)
                    {
                        if (newest.Count == sampleCount)
                        {
                            newest.Dequeue();
                        }

                        newest.Enqueue(change);
                    }
                }
            }
        }

        var databaseBytes = new FileInfo(path).Length;
        var wal = new FileInfo(StoreFiles.WalPath(path));
        return new StoreInspection(
            path,
            databaseBytes,
            wal.Exists ? wal.Length : 0,
            version,
            createdMs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(createdMs) : null,
            segments,
            pending,
            dropped,
            damaged,
            metrics.Count,
            oldestTs,
            newestTs,
            [.. devices.Values.OrderBy(d => d.DeviceId ?? "", StringComparer.Ordinal).Select(d => d.ToPending())],
            oldest,
            [.. newest]);
    }

    private sealed class DeviceTally(string? deviceId)
    {
        private readonly HashSet<int> _metrics = [];
        private long _pending;
        private long _oldest = long.MaxValue;
        private long _newest = long.MinValue;

        public string? DeviceId { get; } = deviceId;

        public void Add(StoredChange change)
        {
            _pending++;
            _metrics.Add(change.Metric.Id);
            _oldest = Math.Min(_oldest, change.TimestampMs);
            _newest = Math.Max(_newest, change.TimestampMs);
        }

        public StoreDevicePending ToPending() => new(DeviceId, _pending, _metrics.Count, _oldest, _newest);
    }
}

/// <summary>Pending changes of one device (null = node metrics).</summary>
/// <param name="DeviceId">The Sparkplug device_id, or null for node metrics.</param>
/// <param name="Pending">Changes waiting to be sent.</param>
/// <param name="Metrics">Distinct metrics among them.</param>
/// <param name="OldestTimestampMs">Oldest change timestamp, UTC ms.</param>
/// <param name="NewestTimestampMs">Newest change timestamp, UTC ms.</param>
public sealed record StoreDevicePending(string? DeviceId, long Pending, int Metrics, long OldestTimestampMs, long NewestTimestampMs);

/// <summary>What <see cref="ForwardStoreInspector.Inspect"/> found.</summary>
/// <param name="Path">The database file.</param>
/// <param name="DatabaseBytes">Size of the database file.</param>
/// <param name="WalBytes">Size of the -wal file (0 when absent).</param>
/// <param name="FormatVersion">Store format (<c>PRAGMA user_version</c>).</param>
/// <param name="Created">When the store file was created.</param>
/// <param name="Segments">Segment rows.</param>
/// <param name="Pending">Changes waiting to be sent.</param>
/// <param name="Dropped">Changes dropped since the store was created.</param>
/// <param name="DamagedSegments">Segments that fail their checksum (the node drops them when it reaches them).</param>
/// <param name="CatalogMetrics">Catalog entries.</param>
/// <param name="OldestTimestampMs">Oldest pending timestamp, UTC ms.</param>
/// <param name="NewestTimestampMs">Newest pending timestamp, UTC ms.</param>
/// <param name="Devices">Pending per device, node metrics first.</param>
/// <param name="Oldest">The oldest pending changes, in drain order.</param>
/// <param name="Newest">The newest pending changes, in drain order.</param>
public sealed record StoreInspection(
    string Path,
    long DatabaseBytes,
    long WalBytes,
    int FormatVersion,
    DateTimeOffset? Created,
    long Segments,
    long Pending,
    long Dropped,
    long DamagedSegments,
    int CatalogMetrics,
    long? OldestTimestampMs,
    long? NewestTimestampMs,
    IReadOnlyList<StoreDevicePending> Devices,
    IReadOnlyList<StoredChange> Oldest,
    IReadOnlyList<StoredChange> Newest)
{
    /// <summary>Writes the report as plain text, one fact per line (for <c>edgenode store info</c>).</summary>
    public void WriteText(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var c = CultureInfo.InvariantCulture;
        writer.WriteLine(string.Create(c, $"store:     {Path}"));
        writer.WriteLine(string.Create(c, $"size:      {DatabaseBytes + WalBytes:N0} bytes (database {DatabaseBytes:N0} + WAL {WalBytes:N0})"));
        writer.WriteLine(string.Create(c, $"format:    {FormatVersion}, created {(Created is { } created ? Time(created.ToUnixTimeMilliseconds()) : "unknown")}"));
        writer.WriteLine(string.Create(c, $"pending:   {Pending:N0} change(s) in {Segments:N0} segment(s), {CatalogMetrics} metric(s) in the catalog"));
        writer.WriteLine(string.Create(c, $"dropped:   {Dropped:N0} (store full or damaged data, since creation)"));
        if (DamagedSegments > 0)
        {
            writer.WriteLine(string.Create(c, $"damaged:   {DamagedSegments} segment(s) fail their checksum"));
        }

        if (OldestTimestampMs is { } oldest && NewestTimestampMs is { } newest)
        {
            writer.WriteLine(string.Create(c, $"oldest:    {Time(oldest)}"));
            writer.WriteLine(string.Create(c, $"newest:    {Time(newest)}"));
        }

        if (Devices.Count > 0)
        {
            writer.WriteLine("per device:");
            foreach (var device in Devices)
            {
                writer.WriteLine(string.Create(c, $"  {device.DeviceId ?? "(node)",-24} {device.Pending,12:N0} change(s), {device.Metrics} metric(s), {Time(device.OldestTimestampMs)} .. {Time(device.NewestTimestampMs)}"));
            }
        }

        WriteSamples(writer, "oldest pending:", Oldest);
        WriteSamples(writer, "newest pending:", Newest);
    }

    private static void WriteSamples(TextWriter writer, string title, IReadOnlyList<StoredChange> changes)
    {
        if (changes.Count == 0)
        {
            return;
        }

        writer.WriteLine(title);
        foreach (var change in changes)
        {
            var name = change.Metric.DeviceId is null ? change.Metric.Name : change.Metric.DeviceId + "/" + change.Metric.Name;
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {Time(change.TimestampMs)}  {name} = {change.Value} (datatype {change.Metric.DataType})"));
        }
    }

    private static string Time(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
