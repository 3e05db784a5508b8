using System.Text;
using EdgeNode.Kafka;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Bridging.Tests;

public sealed class RecordJournalUnitTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"journal-test-{Guid.NewGuid():N}");

    /// <summary>Remembers what was handed over; confirms only when told to (Kafka confirming, or not).</summary>
    private sealed class RecordingSink : IRecordSink
    {
        public List<(string Topic, string Key, string Value, DeliveryBatch? Batch, DeliveryBatch? Segment)> Records { get; } = [];

        public bool IsAvailable => true;

        public long Pending => Records.Count;

        public event Action<bool>? AvailabilityChanged { add { } remove { } }

        public ValueTask ProduceAsync(string topic, byte[]? key, byte[] value, DeliveryBatch? batch, DeliveryBatch? journalSegment,
            CancellationToken cancellationToken)
        {
            batch?.Add();
            Records.Add((topic, Encoding.UTF8.GetString(key!), Encoding.UTF8.GetString(value), batch, journalSegment));
            return ValueTask.CompletedTask;
        }

        public void ConfirmAll()
        {
            foreach (var r in Records)
            {
                r.Batch?.Delivered(true);
                r.Segment?.Delivered(true);
            }
        }

        public long Flush(TimeSpan timeout) => 0;
    }

    [Fact]
    public async Task Journal_UnconfirmedAtKill_ReplayedInOrderAtNextStart()
    {
        var first = new RecordJournal(_directory, NullLogger.Instance);
        var live = new RecordingSink();
        foreach (var (state, key, value) in new[] { (false, "G/N/D", "{\"v\":1}"), (true, "G/N", "{\"online\":true}"), (false, "G/N/D", "{\"v\":2}") })
        {
            var segment = first.Append(state, Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value));
            first.Flush();
            await live.ProduceAsync(state ? "s" : "d", Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value), null, segment, default);
        }

        // kill -9: no Dispose, nothing confirmed. A torn entry at the end (the process died inside a write).
        var file = Directory.GetFiles(_directory).Single();
        await File.AppendAllTextAsync(file, "\u0050\0\0\0\0partial");

        var second = new RecordJournal(_directory, NullLogger.Instance);
        var replay = new RecordingSink();
        Assert.Equal(3, await second.ReplayAsync(replay, "data", "state", default));
        Assert.Equal([("data", "G/N/D", "{\"v\":1}"), ("state", "G/N", "{\"online\":true}"), ("data", "G/N/D", "{\"v\":2}")],
            replay.Records.Select(r => (r.Topic, r.Key, r.Value)));

        replay.ConfirmAll();
        await WaitUntilAsync(() => !File.Exists(file));
        second.Dispose();
    }

    [Fact]
    public async Task Journal_ConfirmedAndClosed_SegmentDeletedNothingReplayed()
    {
        var journal = new RecordJournal(_directory, NullLogger.Instance);
        var sink = new RecordingSink();
        var segment = journal.Append(false, "k"u8, "v"u8);
        journal.Flush();
        await sink.ProduceAsync("d", "k"u8.ToArray(), "v"u8.ToArray(), null, segment, default);
        sink.ConfirmAll();
        journal.Dispose();
        await WaitUntilAsync(() => Directory.GetFiles(_directory).Length == 0);

        var next = new RecordJournal(_directory, NullLogger.Instance);
        Assert.Equal(0, await next.ReplayAsync(new RecordingSink(), "d", "s", default));
        next.Dispose();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
