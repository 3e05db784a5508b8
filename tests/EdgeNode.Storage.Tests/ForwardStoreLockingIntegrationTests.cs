using Microsoft.Data.Sqlite;

namespace EdgeNode.Storage.Tests;

/// <summary>Another program holding SQLite's write lock (e.g. an sqlite3 shell left in a transaction).</summary>
public sealed class ForwardStoreLockingIntegrationTests : IDisposable
{
    private readonly TempStore _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Open_WhileAnotherProgramHoldsTheWriteLock_ThrowsStoreLocked()
    {
        await (_temp.Open()).DisposeAsync();
        using var holder = HoldWriteLock();
        var ex = await Assert.ThrowsAsync<StoreLockedException>(() => Task.Run(() => _temp.Open()));
        Assert.Contains("locked by another program", ex.Message, StringComparison.Ordinal);
        Assert.Contains(_temp.StorePath, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommitsRefused_MemoryIsTheBuffer_OldestDroppedPastItsLimit_ThenCommitsResume()
    {
        const int total = 30_000; // ≈ 330 KB of noise, far past a 64 KiB memory limit
        await using var store = _temp.Open(o =>
        {
            o.MemoryLimitBytes = 64 * 1024;
            o.CommitInterval = TimeSpan.FromHours(1); // only our flushes commit
        });
        var metric = store.GetOrAddMetric("T1", "Noise", 10);
        Assert.True(await store.FlushAsync());

        using (var holder = HoldWriteLock())
        {
            var random = new Random(11);
            for (var i = 0; i < total; i++)
            {
                store.Append(metric, i, StoredValue.FromDouble(random.NextDouble()));
            }

            Assert.False(await store.FlushAsync()); // refused: kept in memory, not lost
            Assert.Equal(total, store.Pending + store.Dropped);
        }

        Assert.True(await store.FlushAsync());
        Assert.True(store.Dropped > 0);
        Assert.Equal(total, store.Pending + store.Dropped);
        var kept = await store.PeekAllAsync(10_000);
        Assert.Equal(total - 1, kept[^1].TimestampMs); // the newest survive
        Assert.True(kept.Select(c => c.TimestampMs).SequenceEqual(Enumerable.Range((int)store.Dropped, kept.Count).Select(i => (long)i)));
        Assert.NotEmpty(_temp.Logger.Messages(1506));
        Assert.NotEmpty(_temp.Logger.Messages(1507));
        Assert.Single(_temp.Logger.Messages(1515));
    }

    private SqliteConnection HoldWriteLock()
    {
        var connection = new SqliteConnection($"Data Source={_temp.StorePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "BEGIN IMMEDIATE; INSERT INTO meta (key, value) VALUES ('held', 1);";
        command.ExecuteNonQuery();
        return connection; // disposing rolls the transaction back and releases the lock
    }
}
