using EdgeNode.Testing;

namespace EdgeNode.Storage.Tests;

/// <summary>
/// Issue 15: a full disk under the store while more changes arrive than the in-memory bound holds. The store lives
/// on a small tmpfs (<see cref="TmpfsMount"/>, root as in CI) that a filler file takes to the last byte. What the
/// store promises: it reports (logs, <see cref="ForwardStore.Dropped"/>), drops by its policy — the oldest, never the
/// newest; first stored changes to make room on the disk, then the oldest in memory past the bound — keeps every
/// other change in order, never corrupts, and commits again once space returns. Every change is either kept or
/// counted as dropped.
/// </summary>
public sealed class ForwardStoreDiskFullIntegrationTests
{
    [Fact]
    public async Task DiskFull_PastTheMemoryBound_OldestDroppedAndCounted_NewestKeptInOrder_NeverCorrupt_CommitsWhenSpaceReturns()
    {
        const int before = 5_000;  // committed before the disk fills
        const int during = 40_000; // ≈ 360 KB of noise while it is full: far past a 64 KiB memory bound
        await using var disk = await TmpfsMount.MountAsync(1024);
        var logger = new CapturingLogger();
        var options = new ForwardStoreOptions
        {
            Path = Path.Combine(disk.Path, "store.db"),
            MemoryLimitBytes = 64 * 1024,
            CommitInterval = TimeSpan.FromHours(1), // only our flushes commit
        };
        var random = new Random(15);
        await using (var store = ForwardStore.Open(options, logger))
        {
            var metric = store.GetOrAddMetric("Meter", "Noise", 10);
            for (var i = 0; i < before; i++)
            {
                store.Append(metric, i, StoredValue.FromDouble(random.NextDouble()));
            }

            Assert.True(await store.FlushAsync());
            await disk.FillAsync();

            for (var i = before; i < before + during; i++)
            {
                store.Append(metric, i, StoredValue.FromDouble(random.NextDouble()));
                if (i % 5_000 == 0)
                {
                    await store.FlushAsync(); // fails, or succeeds in the room the dropped oldest left
                }
            }

            Assert.False(await store.FlushAsync()); // the disk is still full: kept in memory up to the bound
            Assert.Equal(before + during, store.Pending + store.Dropped);
            Assert.True(store.Dropped > 0, "nothing dropped: the test never went past the memory bound");
            Assert.NotEmpty(logger.Messages(1506)); // commit failed (disk full), kept in memory
            Assert.NotEmpty(logger.Messages(1507)); // dropped from memory past the bound

            disk.Free();
            Assert.True(await store.FlushAsync());
            Assert.Single(logger.Messages(1515)); // commits work again
            Assert.Equal(before + during, store.Pending + store.Dropped);
            var kept = await store.PeekAllAsync(10_000);
            Assert.Equal(store.Pending, kept.Count);
            Assert.Equal(before + during - 1, kept[^1].TimestampMs); // the newest survive
            Assert.True(kept.Zip(kept.Skip(1)).All(p => p.First.TimestampMs < p.Second.TimestampMs), "the kept changes are out of order or repeated");
        }

        // Reopened from disk: the same store, not moved aside as corrupt, the same counts; and it drains.
        var reopenedLogger = new CapturingLogger();
        await using (var store = ForwardStore.Open(options, reopenedLogger))
        {
            Assert.DoesNotContain(Directory.EnumerateFiles(disk.Path), f => f.Contains(".corrupt-", StringComparison.Ordinal));
            Assert.Empty(reopenedLogger.Messages(1502));
            Assert.Empty(reopenedLogger.Messages(1503));
            Assert.Equal(before + during, store.Pending + store.Dropped);
            var drained = await store.DrainAllAsync(10_000);
            Assert.Equal(before + during - 1, drained[^1].TimestampMs);
            Assert.Equal(0, store.Pending);
        }
    }
}
