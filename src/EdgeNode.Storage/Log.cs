using Microsoft.Extensions.Logging;

namespace EdgeNode.Storage;

/// <summary>Source-generated log messages of EdgeNode.Storage; EventIds 1500–1599 are stable.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1500, Level = LogLevel.Information,
        Message = "Store {Path} opened: {Pending} change(s) pending in {Segments} segment(s), {Bytes} bytes on disk (limit {MaxBytes}), {Dropped} dropped so far; quick_check {CheckMs} ms")]
    public static partial void Opened(ILogger logger, string path, long pending, long segments, long bytes, long maxBytes, long dropped, long checkMs);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Information, Message = "Store {Path} created (limit {MaxBytes} bytes, commit every {CommitMs} ms)")]
    public static partial void Created(ILogger logger, string path, long maxBytes, long commitMs);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Error,
        Message = "Store {Path} is unusable: {Reason}. Moved it aside to {AsidePath}{Companions} and started a fresh, empty store; the changes buffered in it are not replayed")]
    public static partial void MovedAside(ILogger logger, string path, string reason, string asidePath, string companions);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Error,
        Message = "Store {Path}: its write-ahead log {WalPath} is garbage ({Reason}); moved it aside to {AsidePath} and kept the database (changes committed only to that WAL are lost)")]
    public static partial void WalMovedAside(ILogger logger, string path, string walPath, string reason, string asidePath);

    [LoggerMessage(EventId = 1504, Level = LogLevel.Information, Message = "Store {Path}: deleted old moved-aside copy {File} (keeping the newest {Keep})")]
    public static partial void AsideCopyDeleted(ILogger logger, string path, string file, int keep);

    [LoggerMessage(EventId = 1505, Level = LogLevel.Warning,
        Message = "Store {Path} is full (limit {MaxBytes} bytes): dropped the {Count} oldest change(s), {Total} dropped so far (Store/Dropped)")]
    public static partial void CapacityDropped(ILogger logger, string path, long maxBytes, long count, long total);

    [LoggerMessage(EventId = 1506, Level = LogLevel.Warning,
        Message = "Store {Path}: commit of {Changes} change(s) failed ({Error}); they stay in memory and the commit is retried")]
    public static partial void CommitFailed(ILogger logger, string path, long changes, string error);

    [LoggerMessage(EventId = 1507, Level = LogLevel.Error,
        Message = "Store {Path}: {Count} oldest change(s) dropped from memory because the disk refuses commits and the in-memory limit of {LimitBytes} bytes was reached")]
    public static partial void MemoryDropped(ILogger logger, string path, long count, long limitBytes);

    [LoggerMessage(EventId = 1508, Level = LogLevel.Error,
        Message = "Store {Path}: segment {SegmentId} with {Count} pending change(s) is damaged ({Reason}); dropped it and counted its changes in Store/Dropped")]
    public static partial void SegmentDamaged(ILogger logger, string path, long segmentId, long count, string reason);

    [LoggerMessage(EventId = 1509, Level = LogLevel.Trace, Message = "Store {Path}: committed {Changes} change(s) in {Segments} segment(s), {Bytes} bytes, in {Ms:0.0} ms")]
    public static partial void Committed(ILogger logger, string path, long changes, int segments, long bytes, double ms);

    [LoggerMessage(EventId = 1510, Level = LogLevel.Trace, Message = "Store {Path}: acknowledged batch of {Changes} change(s); {Pending} pending")]
    public static partial void Acknowledged(ILogger logger, string path, int changes, long pending);

    [LoggerMessage(EventId = 1511, Level = LogLevel.Debug, Message = "Store {Path}: returned {Pages} free page(s) to the file system; {Bytes} bytes on disk")]
    public static partial void Vacuumed(ILogger logger, string path, long pages, long bytes);

    [LoggerMessage(EventId = 1512, Level = LogLevel.Information, Message = "Store {Path} closed: {Pending} change(s) pending, {Dropped} dropped so far")]
    public static partial void Closed(ILogger logger, string path, long pending, long dropped);

    [LoggerMessage(EventId = 1513, Level = LogLevel.Warning,
        Message = "Store {Path}: the disk is full; dropped the {Count} oldest change(s) to make room ({Total} dropped so far)")]
    public static partial void DiskFullDropped(ILogger logger, string path, long count, long total);

    [LoggerMessage(EventId = 1514, Level = LogLevel.Warning,
        Message = "Store {Path}: a drain batch was acknowledged after it became stale (rewound or store recovered); its changes stay queued and are sent again")]
    public static partial void StaleAcknowledge(ILogger logger, string path);

    [LoggerMessage(EventId = 1515, Level = LogLevel.Warning, Message = "Store {Path}: commits work again after {Failures} failure(s)")]
    public static partial void CommitRecovered(ILogger logger, string path, int failures);

    [LoggerMessage(EventId = 1516, Level = LogLevel.Warning,
        Message = "Store {Path} was larger than its limit of {MaxBytes} bytes (limit lowered?): dropped the {Count} oldest change(s)")]
    public static partial void ShrunkToLimit(ILogger logger, string path, long maxBytes, long count);

    [LoggerMessage(EventId = 1517, Level = LogLevel.Warning,
        Message = "Store file {Path} was readable or writable by group or others: now owner-only (0600), as the store creates its files")]
    public static partial void PermissionsTightened(ILogger logger, string path);
}
