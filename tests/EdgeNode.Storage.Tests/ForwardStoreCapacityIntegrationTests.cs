namespace EdgeNode.Storage.Tests;

/// <summary><c>storeForward.maxMegabytes</c>: a full store drops the oldest changes, counts them, never the newest.</summary>
public sealed class ForwardStoreCapacityIntegrationTests : IDisposable
{
    private const long OneMiB = 1024 * 1024;
    private readonly TempStore _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Full_OldestDroppedAndCounted_NewestKept_SizeBounded()
    {
        const int total = 400_000; // ≈ 4.4 MB of incompressible doubles into a 1 MiB store
        await using (var store = _temp.Open(o => o.MaxBytes = OneMiB))
        {
            var metric = store.GetOrAddMetric("T1", "Noise", 10);
            var random = new Random(3);
            for (var i = 0; i < total; i++)
            {
                // The sequence rides in the timestamp; the value is noise so nothing compresses.
                store.Append(metric, i, StoredValue.FromDouble(random.NextDouble()));
                if (i % 20_000 == 19_999)
                {
                    Assert.True(await store.FlushAsync());
                    Assert.True(store.Bytes <= OneMiB, $"{store.Bytes} bytes after {i + 1} changes");
                }
            }

            Assert.True(store.Dropped > 0);
            Assert.Equal(total, store.Pending + store.Dropped);
            Assert.True(store.Bytes <= OneMiB, $"{store.Bytes} bytes");

            var kept = await store.PeekAllAsync(10_000);
            Assert.Equal(store.Pending, kept.Count);
            Assert.Equal(total - 1, kept[^1].TimestampMs); // the newest is there
            Assert.Equal(store.Dropped, kept[0].TimestampMs); // exactly the oldest ones went
            Assert.True(kept.Select(c => c.TimestampMs).SequenceEqual(Enumerable.Range((int)store.Dropped, kept.Count).Select(i => (long)i)));
        }

        Assert.NotEmpty(_temp.Logger.Messages(1505));
        Assert.Single(_temp.Logger.Messages(1505)); // once, then throttled (at most once a minute)

        // The counter is persisted.
        long dropped;
        await using (var store = _temp.Open(o => o.MaxBytes = OneMiB))
        {
            dropped = store.Dropped;
            Assert.Equal(total, store.Pending + dropped);
        }

        Assert.True(dropped > 0);
    }

    [Fact]
    public async Task LimitLowered_OnOpen_DropsOldestAndShrinksTheFile()
    {
        await using (var store = _temp.Open(o => o.MaxBytes = 8 * OneMiB))
        {
            var metric = store.GetOrAddMetric("T1", "Noise", 10);
            var random = new Random(5);
            for (var i = 0; i < 500_000; i++)
            {
                store.Append(metric, i, StoredValue.FromDouble(random.NextDouble()));
            }

            Assert.True(await store.FlushAsync());
            Assert.Equal(0, store.Dropped);
        }

        await using (var store = _temp.Open(o => o.MaxBytes = 2 * OneMiB))
        {
            Assert.True(store.Dropped > 0);
            Assert.Equal(500_000, store.Pending + store.Dropped);
            Assert.True(store.Bytes <= 2 * OneMiB, $"{store.Bytes} bytes");
            var kept = await store.PeekAllAsync(50_000);
            Assert.Equal(499_999, kept[^1].TimestampMs);
        }

        Assert.Single(_temp.Logger.Messages(1516));
    }
}
