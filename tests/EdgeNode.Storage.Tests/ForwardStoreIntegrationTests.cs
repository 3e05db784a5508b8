using Microsoft.Extensions.Logging;

namespace EdgeNode.Storage.Tests;

/// <summary>The store on real SQLite files in a temporary folder.</summary>
public sealed class ForwardStoreIntegrationTests : IDisposable
{
    private const uint Int64Type = 4;
    private const uint FloatType = 9;
    private const uint DoubleType = 10;
    private const uint BooleanType = 11;
    private const uint StringType = 12;

    private readonly TempStore _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Open_MissingFolders_CreatesStoreInWalMode()
    {
        var path = Path.Combine(_temp.Directory, "a", "b", "store.db");
        await using (var store = ForwardStore.Open(new ForwardStoreOptions { Path = path }, _temp.Logger))
        {
            Assert.True(File.Exists(path));
            Assert.True(File.Exists(path + ".lock"));
            Assert.Equal(new StoreCounters(0, store.Bytes, 0), store.Counters);
            Assert.True(store.Bytes > 0);
        }

        Assert.Single(_temp.Logger.Messages(1501));
        var header = File.ReadAllBytes(path)[18..20];
        Assert.Equal(new byte[] { 2, 2 }, header); // file format read/write version 2 = WAL (fileformat2 §1.3.3)
    }

    [Fact]
    public async Task AppendFlushReopen_EveryFieldSurvivesInAppendOrder()
    {
        var expected = new List<(string? Device, string Name, uint Type, long Ts, StoredValue Value)>
        {
            ("Turbine1", "Rotor/Speed", FloatType, 1_700_000_000_000, StoredValue.FromFloat(12.5f)),
            (null, "Uptime", Int64Type, 1_700_000_000_001, StoredValue.FromInt64(-42)),
            ("Turbine1", "Status/Run", BooleanType, 1_699_999_999_000, StoredValue.FromBoolean(true)),
            ("Turbine2", "Serial", StringType, 1_700_000_000_002, StoredValue.FromString("AB-12")),
            ("Turbine2", "Power/Active", DoubleType, 1_700_000_000_002, StoredValue.Null),
            ("Turbine1", "Rotor/Speed", FloatType, 1_700_000_000_003, StoredValue.FromFloat(13f)),
        };
        await using (var store = _temp.Open())
        {
            foreach (var (device, name, type, ts, value) in expected)
            {
                store.Append(device, name, type, ts, value);
            }

            Assert.True(await store.FlushAsync());
            Assert.Equal(6, store.Pending);
        }

        await using (var store = _temp.Open())
        {
            Assert.Equal(6, store.Pending);
            var changes = await store.DrainAllAsync();
            Assert.Equal(expected.Count, changes.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].Device, changes[i].Metric.DeviceId);
                Assert.Equal(expected[i].Name, changes[i].Metric.Name);
                Assert.Equal(expected[i].Type, changes[i].Metric.DataType);
                Assert.Equal(expected[i].Ts, changes[i].TimestampMs);
                Assert.Equal(expected[i].Value, changes[i].Value);
            }

            Assert.True(changes[4].IsNull);
            Assert.Same(changes[0].Metric, changes[5].Metric);
            Assert.Equal(0, store.Pending);
        }
    }

    [Fact]
    public async Task ReadBatch_WithoutAcknowledge_IsDeliveredAgainAfterReopen()
    {
        await using (var store = _temp.Open())
        {
            AppendSequence(store, "D1", 0, 250);
            var batch = await store.ReadBatchAsync(100);
            Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), batch.Changes.Select(c => c.Value.AsInt64()));
            Assert.Equal(250, store.Pending); // read is not remove
        }

        // "Crash" between read and acknowledge: nothing was removed.
        await using (var store = _temp.Open())
        {
            Assert.Equal(250, store.Pending);
            var changes = await store.DrainAllAsync(64);
            Assert.Equal(Enumerable.Range(0, 250).Select(i => (long)i), changes.Select(c => c.Value.AsInt64()));
        }
    }

    [Fact]
    public async Task Acknowledge_PartOfASegment_PersistsWhereTheDrainStopped()
    {
        await using (var store = _temp.Open(o => o.SegmentMaxChanges = 100))
        {
            AppendSequence(store, "D1", 0, 250); // segments of 100, 100, 50
            Assert.True(await store.FlushAsync());
            var first = await store.ReadBatchAsync(30);
            var second = await store.ReadBatchAsync(120); // rest of segment 1 and 50 of segment 2
            Assert.Equal(30, second.Changes[0].Value.AsInt64());
            Assert.Equal(149, second.Changes[^1].Value.AsInt64());
            Assert.True(await store.AcknowledgeAsync(first));
            Assert.True(await store.AcknowledgeAsync(second));
            Assert.Equal(100, store.Pending);
        }

        await using (var store = _temp.Open())
        {
            Assert.Equal(100, store.Pending);
            var rest = await store.DrainAllAsync(7);
            Assert.Equal(Enumerable.Range(150, 100).Select(i => (long)i), rest.Select(c => c.Value.AsInt64()));
        }
    }

    [Fact]
    public async Task ReadBatch_ChangesNotYetCommitted_AreIncludedInOrder()
    {
        await using var store = _temp.Open(o => o.CommitInterval = TimeSpan.FromHours(1));
        AppendSequence(store, "D1", 0, 10);
        Assert.True(await store.FlushAsync());
        AppendSequence(store, "D1", 10, 10); // only in memory
        Assert.Equal(20, store.Pending);
        var batch = await store.ReadBatchAsync(1000);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), batch.Changes.Select(c => c.Value.AsInt64()));
        Assert.True(await store.AcknowledgeAsync(batch));
        Assert.Equal(0, store.Pending);
        Assert.True((await store.ReadBatchAsync(10)).IsEmpty);
    }

    [Fact]
    public async Task ReadBatch_SeveralInFlight_AcknowledgedInOrderOnly()
    {
        await using var store = _temp.Open();
        AppendSequence(store, "D1", 0, 30);
        var a = await store.ReadBatchAsync(10);
        var b = await store.ReadBatchAsync(10);
        Assert.Equal(10, b.Changes[0].Value.AsInt64());
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await store.AcknowledgeAsync(b));
        Assert.True(await store.AcknowledgeAsync(a));
        Assert.True(await store.AcknowledgeAsync(b));
        Assert.False(await store.AcknowledgeAsync(b)); // twice: stale, nothing removed
        Assert.Equal(10, store.Pending);
    }

    [Fact]
    public async Task RewindDrain_InFlightBatches_AreReadAgainAndOldOnesGoStale()
    {
        await using var store = _temp.Open();
        AppendSequence(store, "D1", 0, 30);
        var a = await store.ReadBatchAsync(10);
        _ = await store.ReadBatchAsync(10);
        store.RewindDrain(); // the connection dropped before the PUBACKs

        Assert.False(await store.AcknowledgeAsync(a));
        Assert.Single(_temp.Logger.Messages(1514));
        var again = await store.ReadBatchAsync(15);
        Assert.Equal(Enumerable.Range(0, 15).Select(i => (long)i), again.Changes.Select(c => c.Value.AsInt64()));
        Assert.True(await store.AcknowledgeAsync(again));
        Assert.Equal(15, store.Pending);
    }

    [Fact]
    public async Task AppendDuringDrain_ComesAfterInOrder()
    {
        await using var store = _temp.Open(o => o.SegmentMaxChanges = 8);
        AppendSequence(store, "D1", 0, 20);
        var batch = await store.ReadBatchAsync(13);
        AppendSequence(store, "D1", 20, 20);
        Assert.True(await store.AcknowledgeAsync(batch));
        var rest = await store.DrainAllAsync(5);
        Assert.Equal(Enumerable.Range(13, 27).Select(i => (long)i), rest.Select(c => c.Value.AsInt64()));
    }

    [Fact]
    public async Task Partition_MetricsNoLongerConfigured_AreReportedNotLost()
    {
        await using var store = _temp.Open();
        store.Append("T1", "Kept", DoubleType, 1, StoredValue.FromDouble(1));
        store.Append("T1", "Removed", DoubleType, 2, StoredValue.FromDouble(2));
        store.Append("T1", "Retyped", DoubleType, 3, StoredValue.FromDouble(3));
        store.Append("T1", "Kept", DoubleType, 4, StoredValue.FromDouble(4));
        var aliases = new Dictionary<(string?, string, uint), ulong> { [("T1", "Kept", DoubleType)] = 7, [("T1", "Retyped", FloatType)] = 8 };

        var batch = await store.ReadBatchAsync(100);
        var calls = 0;
        var partition = batch.Partition<ulong>((StoreMetric m, out ulong alias) =>
        {
            calls++;
            return aliases.TryGetValue((m.DeviceId, m.Name, m.DataType), out alias);
        });

        Assert.Equal(3, calls); // once per distinct metric
        Assert.Equal(new[] { (7UL, 1L), (7UL, 4L) }, partition.Known.Select(k => (k.Target, k.Change.TimestampMs)));
        Assert.Equal(new[] { 2L, 3L }, partition.Unknown.Select(c => c.TimestampMs));
        Assert.Equal(new[] { "Removed", "Retyped" }, partition.UnknownMetrics.Select(m => m.Name));
    }

    [Fact]
    public async Task Catalog_IdsStableWhileDataPending_RestartAtOneWhenEmpty()
    {
        int id;
        await using (var store = _temp.Open())
        {
            store.GetOrAddMetric("D", "A", 1);
            id = store.GetOrAddMetric("D", "B", 1).Id;
            store.Append(store.GetOrAddMetric("D", "B", 1), 1, StoredValue.FromInt64(1));
            Assert.Same(store.GetOrAddMetric("D", "B", 1), store.GetOrAddMetric("D", "B", 1));
        }

        await using (var store = _temp.Open())
        {
            Assert.Equal(id, store.GetOrAddMetric("D", "B", 1).Id);
            Assert.NotEqual(id, store.GetOrAddMetric("D", "B", 2).Id); // datatype is part of the identity
            await store.DrainAllAsync();
        }

        await using (var store = _temp.Open())
        {
            Assert.Empty(store.Metrics);
            Assert.Equal(1, store.GetOrAddMetric("X", "Y", 1).Id);
        }
    }

    [Fact]
    public async Task Open_WhileAnotherInstanceHoldsIt_ThrowsStoreLockedNamingThePath()
    {
        await using var first = _temp.Open();
        var ex = Assert.Throws<StoreLockedException>(() => _temp.Open());
        Assert.Contains(_temp.StorePath, ex.Message, StringComparison.Ordinal);
        Assert.Contains("another process", ex.Message, StringComparison.Ordinal);
        first.Append("D", "M", 1, 1, StoredValue.FromInt64(1));
        Assert.True(await first.FlushAsync()); // the first one is unaffected
    }

    [Fact]
    public async Task Open_AfterTheHolderClosed_Succeeds()
    {
        await (await Task.Run(() => _temp.Open())).DisposeAsync();
        await using var again = _temp.Open();
        Assert.Equal(0, again.Pending);
    }

    [Fact]
    public async Task CommitLoop_WithoutFlush_MakesChangesDurable()
    {
        await using var store = _temp.Open(o => o.CommitInterval = TimeSpan.FromMilliseconds(50));
        AppendSequence(store, "D1", 0, 100);
        var deadline = DateTime.UtcNow.AddSeconds(60); // generous: only the fact is asserted, not the timing
        while (store.DurableChanges < 100 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(100, store.DurableChanges);
    }

    [Fact]
    public async Task Dispose_CommitsWhatIsInMemory()
    {
        await using (var store = _temp.Open(o => o.CommitInterval = TimeSpan.FromHours(1)))
        {
            AppendSequence(store, "D1", 0, 77);
        }

        Assert.False(File.Exists(_temp.StorePath + "-wal")); // a clean close checkpoints and removes the WAL
        await using var reopened = _temp.Open();
        Assert.Equal(77, reopened.Pending);
    }

    [Fact]
    public async Task Append_MetricOfAnotherStore_Throws()
    {
        using var other = new TempStore();
        await using var a = _temp.Open();
        await using var b = other.Open();
        var foreign = b.GetOrAddMetric("D", "M", 1);
        Assert.Throws<ArgumentException>(() => a.Append(foreign, 1, StoredValue.FromInt64(1)));
        Assert.Throws<ArgumentException>(() => a.GetOrAddMetric("", "M", 1));
    }

    [Fact]
    public async Task Drained_LargeStore_GivesSpaceBack()
    {
        await using var store = _temp.Open(o => o.CommitInterval = TimeSpan.FromMilliseconds(50));
        var metric = store.GetOrAddMetric("D", "Noise", DoubleType);
        var random = new Random(1);
        for (var i = 0; i < 600_000; i++)
        {
            store.Append(metric, i, StoredValue.FromDouble(random.NextDouble()));
        }

        Assert.True(await store.FlushAsync());
        var full = store.Bytes;
        Assert.True(full > 5_000_000, $"{full} bytes");
        await store.DrainAllAsync(5000);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (store.Bytes > full / 10 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(store.Bytes <= full / 10, $"still {store.Bytes} of {full} bytes");
        Assert.Contains(_temp.Logger.Entries, e => e.Id.Id == 1511 && e.Level == LogLevel.Debug);
    }

    [Fact]
    public void Options_Invalid_EachProblemNamed()
    {
        var options = new ForwardStoreOptions { Path = "", MaxBytes = 1000, CommitInterval = TimeSpan.Zero };
        var problems = options.Validate();
        Assert.Contains(problems, p => p.StartsWith("storeForward.path", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("storeForward.maxMegabytes", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("commit interval", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => ForwardStore.Open(options));
        Assert.Equal(256L << 20, ForwardStoreOptions.FromConfiguration("/x").MaxBytes);
    }

    internal static void AppendSequence(ForwardStore store, string device, long from, int count)
    {
        var metric = store.GetOrAddMetric(device, "Seq", Int64Type);
        for (var i = from; i < from + count; i++)
        {
            store.Append(metric, 1_700_000_000_000 + i, StoredValue.FromInt64(i));
        }
    }
}
