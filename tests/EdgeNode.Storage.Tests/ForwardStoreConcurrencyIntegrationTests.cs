namespace EdgeNode.Storage.Tests;

/// <summary>Several poll loops appending while one drainer reads and acknowledges.</summary>
public sealed class ForwardStoreConcurrencyIntegrationTests : IDisposable
{
    private readonly TempStore _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ConcurrentAppendAndDrain_EveryChangeExactlyOnce_EachLoopInOrder()
    {
        const int loops = 4;
        const int perLoop = 40_000;
        await using var store = _temp.Open(o =>
        {
            o.CommitInterval = TimeSpan.FromMilliseconds(20);
            o.SegmentMaxChanges = 500; // many segments, many split batches
        });

        using var appendersDone = new CancellationTokenSource();
        var appenders = Enumerable.Range(0, loops).Select(loop => Task.Run(async () =>
        {
            var metric = store.GetOrAddMetric($"Device{loop}", "Seq", 4);
            var other = store.GetOrAddMetric($"Device{loop}", "Flag", 11);
            for (var i = 0; i < perLoop; i++)
            {
                store.Append(metric, i, StoredValue.FromInt64(i));
                if (i % 1000 == 0)
                {
                    store.Append(other, i, StoredValue.FromBoolean(true));
                    await Task.Yield();
                }
            }
        })).ToArray();

        var received = new List<long>[loops];
        for (var i = 0; i < loops; i++)
        {
            received[i] = [];
        }

        var flags = 0;
        var drainer = Task.Run(async () =>
        {
            var random = new Random(7);
            while (true)
            {
                var finished = appenders.All(a => a.IsCompleted);
                var batch = await store.ReadBatchAsync(random.Next(1, 1500));
                if (batch.IsEmpty)
                {
                    if (finished)
                    {
                        return;
                    }

                    await Task.Delay(5);
                    continue;
                }

                foreach (var change in batch.Changes)
                {
                    var loop = change.Metric.DeviceId![^1] - '0';
                    if (change.Metric.Name == "Seq")
                    {
                        received[loop].Add(change.Value.AsInt64());
                    }
                    else
                    {
                        flags++;
                    }
                }

                Assert.True(await store.AcknowledgeAsync(batch));
            }
        });

        await Task.WhenAll(appenders).WaitAsync(TimeSpan.FromMinutes(2));
        await drainer.WaitAsync(TimeSpan.FromMinutes(2));

        for (var loop = 0; loop < loops; loop++)
        {
            Assert.Equal(perLoop, received[loop].Count);
            Assert.True(received[loop].SequenceEqual(Enumerable.Range(0, perLoop).Select(i => (long)i)), $"loop {loop} out of order or duplicated");
        }

        Assert.Equal(loops * perLoop / 1000, flags);
        Assert.Equal(0, store.Pending);
        Assert.Equal(0, store.Dropped);
    }

    [Fact]
    public async Task ConcurrentGetOrAddMetric_SameKey_OneEntry()
    {
        await using var store = _temp.Open();
        var metrics = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            Enumerable.Range(0, 200).Select(i => store.GetOrAddMetric("D", $"M{i}", 9)).ToArray())));
        for (var i = 0; i < 200; i++)
        {
            Assert.All(metrics, m => Assert.Same(metrics[0][i], m[i]));
        }

        Assert.Equal(200, store.Metrics.Select(m => m.Id).Distinct().Count());
    }
}
