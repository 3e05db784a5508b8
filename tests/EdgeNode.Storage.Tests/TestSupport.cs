using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Storage.Tests;

/// <summary>Collects log entries so a test can assert on the operator-facing messages.</summary>
internal sealed class CapturingLogger : ILogger
{
    public ConcurrentQueue<(LogLevel Level, EventId Id, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, eventId, formatter(state, exception)));

    public IReadOnlyList<string> Messages(int eventId) => [.. Entries.Where(e => e.Id.Id == eventId).Select(e => e.Message)];

    public IReadOnlyList<string> AtLeast(LogLevel level) => [.. Entries.Where(e => e.Level >= level).Select(e => $"[{e.Id.Id}] {e.Message}")];
}

/// <summary>A temporary folder holding one store; deleted on dispose.</summary>
internal sealed class TempStore : IDisposable
{
    public TempStore()
    {
        Directory = Path.Combine(Path.GetTempPath(), "edgenode-store-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        StorePath = Path.Combine(Directory, "store.db");
    }

    public string Directory { get; }

    public string StorePath { get; }

    public CapturingLogger Logger { get; } = new();

    public ForwardStoreOptions Options(Action<ForwardStoreOptions>? configure = null)
    {
        var options = new ForwardStoreOptions { Path = StorePath, CommitInterval = TimeSpan.FromMilliseconds(200) };
        configure?.Invoke(options);
        return options;
    }

    public ForwardStore Open(Action<ForwardStoreOptions>? configure = null) => ForwardStore.Open(Options(configure), Logger);

    public IReadOnlyList<string> Files() =>
        [.. System.IO.Directory.EnumerateFiles(Directory).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class StoreTestExtensions
{
    /// <summary>Reads and acknowledges everything, returning the changes in drain order.</summary>
    public static async Task<List<StoredChange>> DrainAllAsync(this ForwardStore store, int batchSize = 1000)
    {
        var all = new List<StoredChange>();
        while (true)
        {
            var batch = await store.ReadBatchAsync(batchSize);
            if (batch.IsEmpty)
            {
                return all;
            }

            all.AddRange(batch.Changes);
            Assert.True(await store.AcknowledgeAsync(batch));
        }
    }

    /// <summary>Reads everything without acknowledging, then rewinds so the store is as it was.</summary>
    public static async Task<List<StoredChange>> PeekAllAsync(this ForwardStore store, int batchSize = 1000)
    {
        var all = new List<StoredChange>();
        while (true)
        {
            var batch = await store.ReadBatchAsync(batchSize);
            if (batch.IsEmpty)
            {
                store.RewindDrain();
                return all;
            }

            all.AddRange(batch.Changes);
        }
    }
}
