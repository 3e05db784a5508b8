using System.Globalization;

namespace EdgeNode.Storage.Tests;

/// <summary>
/// Child process of the kill -9 tests: appends an increasing sequence to a store and reports what is durable on
/// stdout, until it is killed. <c>flush</c> mode flushes every 500 changes and prints <c>durable N</c> (all of
/// 0..N are committed); <c>interval</c> mode appends N changes without flushing, prints <c>durable-by-interval N</c>
/// once the commit loop made them durable on its own, then keeps appending.
/// </summary>
internal static class CrashWriter
{
    public const string Command = "crash-writer";

    public const string Metric = "Seq";

    public const uint Int64DataType = 4;

    public static async Task<int> RunAsync(string[] args)
    {
        var path = args[0];
        var mode = args[1];
        var device = args[2];
        var count = long.Parse(args[3], CultureInfo.InvariantCulture);
        var options = new ForwardStoreOptions { Path = path, CommitInterval = TimeSpan.FromMilliseconds(100) };
        var store = ForwardStore.Open(options);
        var metric = store.GetOrAddMetric(device, Metric, Int64DataType);
        Console.WriteLine("opened");
        long seq = 0;
        if (mode == "flush")
        {
            while (true)
            {
                for (var i = 0; i < 500; i++, seq++)
                {
                    store.Append(metric, 1_700_000_000_000 + seq, StoredValue.FromInt64(seq));
                }

                if (!await store.FlushAsync())
                {
                    Console.WriteLine("flush failed");
                    return 1;
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"durable {seq - 1}"));
            }
        }

        for (; seq < count; seq++)
        {
            store.Append(metric, 1_700_000_000_000 + seq, StoredValue.FromInt64(seq));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"appended {count}"));
        while (store.DurableChanges < count)
        {
            await Task.Delay(20);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"durable-by-interval {count}"));
        while (true)
        {
            for (var i = 0; i < 100; i++, seq++)
            {
                store.Append(metric, 1_700_000_000_000 + seq, StoredValue.FromInt64(seq));
            }

            await Task.Delay(1);
        }
    }
}
