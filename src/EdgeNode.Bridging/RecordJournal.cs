using System.Buffers.Binary;
using EdgeNode.Kafka;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Bridging;

/// <summary>
/// A local journal of records read but not yet confirmed by Kafka, so a bridge killed with -9 (or a crash) loses
/// nothing it had turned into records: they are replayed at the next start. Append-only segment files; a segment is
/// deleted once it is closed and Kafka confirmed (or refused for good) every record in it. Each MQTT message's records
/// reach the kernel (one write) before they are handed to Kafka; no fsync: a process kill keeps the page cache, only
/// a power cut of the bridge's machine can lose the last writes.
/// <para>Entry: int32 length of what follows, byte kind (0 data, 1 state), int32 key length, key, value.</para>
/// </summary>
public sealed class RecordJournal : IDisposable
{
    private const string Prefix = "journal-";
    private const string Suffix = ".log";
    private const long RotateBytes = 16 * 1024 * 1024;
    // Short segments: after a kill, what is replayed although Kafka had confirmed it is at most this much traffic.
    private static readonly TimeSpan s_rotateAge = TimeSpan.FromMilliseconds(250);

    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private FileStream? _stream;
    private DeliveryBatch? _segment;
    private string? _segmentPath;
    private long _segmentNumber;
    private long _segmentBytes;
    private long _segmentOpened;
    private byte[] _buffer = new byte[64 * 1024];
    private int _buffered;

    /// <summary>Opens the journal folder (created if missing); existing segments wait for <see cref="ReplayAsync"/>.</summary>
    public RecordJournal(string directory, ILogger logger)
    {
        _directory = directory;
        _logger = logger;
        Directory.CreateDirectory(directory);
        _segmentNumber = Segments().Select(s => s.Number).DefaultIfEmpty(0).Max();
    }

    private IEnumerable<(long Number, string Path)> Segments() =>
        Directory.EnumerateFiles(_directory, Prefix + "*" + Suffix)
            .Select(p => (Name: Path.GetFileName(p), Path: p))
            .Select(f => (Ok: long.TryParse(f.Name.AsSpan(Prefix.Length, f.Name.Length - Prefix.Length - Suffix.Length), out var n), Number: n, f.Path))
            .Where(f => f.Ok)
            .OrderBy(f => f.Number)
            .Select(f => (f.Number, f.Path));

    /// <summary>
    /// Hands every record of the segments left by an earlier run to <paramref name="sink"/> again, in their order, and
    /// deletes each segment once Kafka confirmed all of it. Returns the number of records replayed.
    /// </summary>
    public async Task<long> ReplayAsync(IRecordSink sink, string dataTopic, string stateTopic, CancellationToken cancellationToken)
    {
        long replayed = 0;
        foreach (var (number, path) in Segments().ToList())
        {
            if (number > _segmentNumber)
            {
                continue;
            }

            var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            var batch = new DeliveryBatch();
            var offset = 0;
            var count = 0;
            while (offset + 4 <= bytes.Length)
            {
                var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset));
                if (length < 5 || offset + 4 + length > bytes.Length)
                {
                    break; // a torn last entry: the process died inside its write, before the records were handed over
                }

                var entry = bytes.AsSpan(offset + 4, length);
                var kind = entry[0];
                var keyLength = BinaryPrimitives.ReadInt32LittleEndian(entry[1..]);
                if (keyLength < 0 || 5 + keyLength > length)
                {
                    break;
                }

                var key = entry.Slice(5, keyLength).ToArray();
                var value = entry[(5 + keyLength)..].ToArray();
                await sink.ProduceAsync(kind == 1 ? stateTopic : dataTopic, key, value, batch, null, cancellationToken).ConfigureAwait(false);
                offset += 4 + length;
                count++;
            }

            batch.Seal();
            replayed += count;
            Log.JournalReplaying(_logger, count, path);
            _ = batch.Completion.ContinueWith(_ => TryDelete(path), TaskScheduler.Default);
        }

        return replayed;
    }

    /// <summary>
    /// Appends one record (buffered until <see cref="Flush()"/>) and returns the segment's delivery counter, to be passed
    /// with the record to the sink.
    /// </summary>
    public DeliveryBatch Append(bool isState, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        lock (_lock)
        {
            EnsureSegment();
            var length = 5 + key.Length + value.Length;
            var needed = _buffered + 4 + length;
            if (needed > _buffer.Length)
            {
                WriteBuffered();
                if (4 + length > _buffer.Length)
                {
                    _buffer = new byte[Math.Max(4 + length, _buffer.Length * 2)];
                }
            }

            var span = _buffer.AsSpan(_buffered);
            BinaryPrimitives.WriteInt32LittleEndian(span, length);
            span[4] = isState ? (byte)1 : (byte)0;
            BinaryPrimitives.WriteInt32LittleEndian(span[5..], key.Length);
            key.CopyTo(span[9..]);
            value.CopyTo(span[(9 + key.Length)..]);
            _buffered += 4 + length;
            _segmentBytes += 4 + length;
            // Counted now, not when handed to Kafka: a rotation between the two must not see the segment as done.
            _segment!.Add();
            return _segment;
        }
    }

    /// <summary>Writes what was appended to the kernel (call once per MQTT message, before handing its records over).</summary>
    public void Flush() => Flush(durable: false);

    /// <summary>
    /// Writes what was appended to the kernel and, when <paramref name="durable"/>, to the disk (fsync): a QoS 1 message is
    /// acknowledged on the strength of it, so it must outlive a power cut as the broker's copy would have.
    /// </summary>
    public void Flush(bool durable)
    {
        lock (_lock)
        {
            WriteBuffered();
            if (durable && _stream is not null)
            {
                _stream.Flush(flushToDisk: true);
            }

            if (_segment is not null && (_segmentBytes >= RotateBytes || Environment.TickCount64 - _segmentOpened >= s_rotateAge.TotalMilliseconds))
            {
                CloseSegment();
            }
        }
    }

    private void WriteBuffered()
    {
        if (_buffered > 0 && _stream is not null)
        {
            _stream.Write(_buffer, 0, _buffered);
            _stream.Flush();
            _buffered = 0;
        }
    }

    private void EnsureSegment()
    {
        if (_segment is not null)
        {
            return;
        }

        _segmentNumber++;
        var path = Path.Combine(_directory, $"{Prefix}{_segmentNumber:D12}{Suffix}");
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1, FileOptions.None);
        _segment = new DeliveryBatch();
        _segmentPath = path;
        _segmentBytes = 0;
        _segmentOpened = Environment.TickCount64;
        var segment = _segment;
        _ = segment.Completion.ContinueWith(_ => TryDelete(path), TaskScheduler.Default);
    }

    private void CloseSegment()
    {
        _stream?.Dispose();
        _stream = null;
        var segment = _segment;
        _segment = null;
        segment?.Seal();
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException ex)
        {
            Log.JournalDeleteFailed(_logger, path, ex.Message);
        }
        catch (UnauthorizedAccessException ex)
        {
            Log.JournalDeleteFailed(_logger, path, ex.Message);
        }
    }

    /// <summary>Closes the current segment (it is deleted once Kafka confirmed it; else replayed at the next start).</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            WriteBuffered();
            var segment = _segment;
            var path = _segmentPath;
            CloseSegment();
            // After a clean stop's flush everything is confirmed: delete now, before the process exits.
            if (segment is not null && path is not null && segment.Completion.IsCompleted)
            {
                TryDelete(path);
            }
        }
    }
}
