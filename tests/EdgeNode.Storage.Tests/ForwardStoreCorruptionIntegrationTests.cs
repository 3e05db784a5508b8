using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Storage.Tests;

/// <summary>A damaged store is moved aside with a clear log line and a fresh one started: the node never refuses to run because of its buffer.</summary>
public sealed class ForwardStoreCorruptionIntegrationTests : IDisposable
{
    private readonly TempStore _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("this is a text file, not a database. ")]
    [InlineData("short")]
    public async Task NotADatabase_MovedAsideAndFreshStoreWorks(string content)
    {
        var text = string.Concat(Enumerable.Repeat(content, 10));
        await File.WriteAllTextAsync(_temp.StorePath, text);

        await using (var store = _temp.Open())
        {
            await AssertUsable(store);
        }

        var aside = AssertMovedAside();
        Assert.Equal(text, await File.ReadAllTextAsync(aside)); // kept as it was, for forensics
    }

    [Fact]
    public async Task TruncatedFile_MovedAside()
    {
        await CreateStoreWithData(100_000);
        var length = new FileInfo(_temp.StorePath).Length;
        using (var stream = new FileStream(_temp.StorePath, FileMode.Open))
        {
            stream.SetLength(length / 2 / 4096 * 4096); // whole pages, fewer than the header says
        }

        await using (var store = _temp.Open())
        {
            await AssertUsable(store);
        }

        Assert.Contains("truncated", _temp.Logger.Messages(1502).Single(), StringComparison.Ordinal);
        AssertMovedAside();
    }

    [Fact]
    public async Task TornFile_NotWholePages_MovedAside()
    {
        await CreateStoreWithData(20_000);
        using (var stream = new FileStream(_temp.StorePath, FileMode.Open))
        {
            stream.SetLength(stream.Length - 1000);
        }

        await using (var store = _temp.Open())
        {
            await AssertUsable(store);
        }

        AssertMovedAside();
    }

    [Fact]
    public async Task DamagedPage_FailsQuickCheck_MovedAside()
    {
        await CreateStoreWithData(200_000);
        OverwritePage(RootPage("segments"));

        await using (var store = _temp.Open())
        {
            await AssertUsable(store);
        }

        Assert.Contains("quick_check", _temp.Logger.Messages(1502).Single(), StringComparison.Ordinal);
        AssertMovedAside();
    }

    [Fact]
    public async Task DamagedPage_WithoutQuickCheck_CaughtWhileLoading()
    {
        await CreateStoreWithData(200_000);
        OverwritePage(RootPage("segments"));

        await using (var store = _temp.Open(o => o.QuickCheckOnOpen = false))
        {
            await AssertUsable(store);
        }

        AssertMovedAside();
    }

    [Fact]
    public async Task GarbageWal_WalMovedAside_DatabaseKept()
    {
        await CreateStoreWithData(1000);
        var garbage = new byte[8192];
        new Random(9).NextBytes(garbage);
        await File.WriteAllBytesAsync(_temp.StorePath + "-wal", garbage);

        await using (var store = _temp.Open())
        {
            Assert.Equal(1000, store.Pending); // the database itself was fine
        }

        var line = _temp.Logger.Messages(1503).Single();
        Assert.Contains(_temp.StorePath + "-wal", line, StringComparison.Ordinal);
        var aside = _temp.Files().Single(f => f.Contains(".corrupt-", StringComparison.Ordinal));
        Assert.EndsWith("-wal", aside, StringComparison.Ordinal);
        Assert.Contains(aside, line, StringComparison.Ordinal);
        Assert.Equal(garbage, await File.ReadAllBytesAsync(Path.Combine(_temp.Directory, aside)));
        Assert.Empty(_temp.Logger.Messages(1502));
    }

    [Fact]
    public async Task ForeignDatabase_MovedAside()
    {
        using (var connection = new SqliteConnection($"Data Source={_temp.StorePath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE users (name TEXT); INSERT INTO users VALUES ('ann');";
            command.ExecuteNonQuery();
        }

        await using (var store = _temp.Open())
        {
            await AssertUsable(store);
        }

        Assert.Contains("not an EdgeNode store", _temp.Logger.Messages(1502).Single(), StringComparison.Ordinal);
        AssertMovedAside();
    }

    [Fact]
    public async Task DamagedSegmentBlob_SkippedDroppedAndCounted()
    {
        await using (var store = _temp.Open(o => o.SegmentMaxChanges = 100))
        {
            ForwardStoreIntegrationTests.AppendSequence(store, "D1", 0, 300);
        }

        using (var connection = new SqliteConnection($"Data Source={_temp.StorePath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // Flip one byte inside the second segment's blob: SQLite's checks cannot see it, our CRC-32C does.
            command.CommandText = "UPDATE segments SET data = substr(data, 1, 10) || x'FF' || substr(data, 12) WHERE id = (SELECT min(id) + 1 FROM segments)";
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        await using (var store = _temp.Open())
        {
            var changes = await store.DrainAllAsync(1000);
            Assert.Equal(Enumerable.Range(0, 100).Concat(Enumerable.Range(200, 100)).Select(i => (long)i), changes.Select(c => c.Value.AsInt64()));
            Assert.Equal(100, store.Dropped);
            Assert.Equal(0, store.Pending);
        }

        Assert.Contains("checksum", _temp.Logger.Messages(1508).Single(), StringComparison.Ordinal);
        await using (var store = _temp.Open())
        {
            Assert.Equal(100, store.Dropped); // persisted
        }
    }

    [Fact]
    public async Task DamagedWhileOpen_MovedAsideAndAppendsGoOn()
    {
        await using var store = _temp.Open();
        ForwardStoreIntegrationTests.AppendSequence(store, "D1", 0, 200_000);
        Assert.True(await store.FlushAsync());
        store.CheckpointAndForgetCache();
        OverwritePage(RootPage("segments"));

        var batch = await store.ReadBatchAsync(100); // meets the damage, recovers, reads the fresh (empty) store
        Assert.True(batch.IsEmpty);
        Assert.Equal(200_000, store.Dropped);
        Assert.Single(_temp.Logger.Messages(1502));

        ForwardStoreIntegrationTests.AppendSequence(store, "D1", 200_000, 10);
        var changes = await store.DrainAllAsync();
        Assert.Equal(Enumerable.Range(200_000, 10).Select(i => (long)i), changes.Select(c => c.Value.AsInt64()));
        Assert.Equal("D1", changes[0].Metric.DeviceId); // the catalog went over to the fresh file
    }

    [Fact]
    public async Task RepeatedCorruption_OnlyNewestAsideCopiesKept()
    {
        for (var i = 0; i < 3; i++)
        {
            await File.WriteAllTextAsync(_temp.StorePath, $"garbage {i} ................................................................................................");
            await (_temp.Open(o => o.KeepCorruptCopies = 1)).DisposeAsync();
        }

        var asides = _temp.Files().Where(f => f.Contains(".corrupt-", StringComparison.Ordinal)).ToList();
        Assert.Single(asides);
        Assert.StartsWith("garbage 2", await File.ReadAllTextAsync(Path.Combine(_temp.Directory, asides[0])), StringComparison.Ordinal);
        Assert.Equal(2, _temp.Logger.Messages(1504).Count);
    }

    private async Task AssertUsable(ForwardStore store)
    {
        Assert.Equal(0, store.Pending);
        ForwardStoreIntegrationTests.AppendSequence(store, "D1", 0, 10);
        Assert.True(await store.FlushAsync());
        Assert.Equal(10, (await store.PeekAllAsync()).Count);
    }

    /// <summary>Asserts one Error line naming the store and where it went, and returns the moved file.</summary>
    private string AssertMovedAside()
    {
        var line = _temp.Logger.Messages(1502).Single();
        var aside = _temp.Files().Where(f => f.StartsWith("store.db.corrupt-", StringComparison.Ordinal) && !f.EndsWith("-wal", StringComparison.Ordinal) && !f.EndsWith("-shm", StringComparison.Ordinal)).Single();
        Assert.Matches(@"^store\.db\.corrupt-\d{8}T\d{6}Z$", aside);
        Assert.Contains(_temp.StorePath, line, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_temp.Directory, aside), line, StringComparison.Ordinal);
        Assert.Contains(_temp.Logger.Entries, e => e.Id.Id == 1502 && e.Level == LogLevel.Error);
        return Path.Combine(_temp.Directory, aside);
    }

    private async Task CreateStoreWithData(int count)
    {
        await using var store = _temp.Open();
        var metric = store.GetOrAddMetric("T1", "Noise", 10);
        var random = new Random(count);
        for (var i = 0; i < count; i++)
        {
            store.Append(metric, i, StoredValue.FromDouble(random.NextDouble()));
        }
    }

    private long RootPage(string table)
    {
        using var connection = new SqliteConnection($"Data Source={_temp.StorePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT rootpage FROM sqlite_schema WHERE name = '{table}'";
        return (long)command.ExecuteScalar()!;
    }

    private void OverwritePage(long page)
    {
        using var stream = new FileStream(_temp.StorePath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        stream.Position = (page - 1) * 4096;
        var garbage = Enumerable.Range(0, 4096).Select(i => (byte)(i * 37 + 11)).ToArray();
        stream.Write(garbage);
        stream.Flush(flushToDisk: true);
    }
}
