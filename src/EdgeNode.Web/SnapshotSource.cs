using EdgeNode.Engine;

namespace EdgeNode.Web;

/// <summary>
/// One shared, recent <see cref="EngineSnapshot"/> for every page, SSE stream and scrape: at most one request to the
/// event loop is in flight, and readers within <c>maxAge</c> share the last copy, so ten open browsers cost the loop no
/// more than one.
/// </summary>
internal sealed class SnapshotSource(INodeHost host, TimeProvider time)
{
    private static readonly TimeSpan LoopPatience = TimeSpan.FromSeconds(2);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private EngineSnapshot? _last;

    public async Task<EngineSnapshot> GetAsync(TimeSpan maxAge, CancellationToken cancellationToken)
    {
        var last = Volatile.Read(ref _last);
        if (last is not null && time.GetUtcNow().ToUnixTimeMilliseconds() - last.TakenMs < maxAge.TotalMilliseconds)
        {
            return last;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            last = Volatile.Read(ref _last);
            if (last is not null && time.GetUtcNow().ToUnixTimeMilliseconds() - last.TakenMs < maxAge.TotalMilliseconds)
            {
                return last;
            }

            if (host.Engine is { } engine)
            {
                try
                {
                    using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    patience.CancelAfter(LoopPatience);
                    last = await engine.SnapshotAsync(patience.Token).ConfigureAwait(false);
                    Volatile.Write(ref _last, last);
                    return last;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // the loop is busy (a slow broker) or restarting: the previous copy is better than nothing
                }
            }

            return Volatile.Read(ref _last) ?? Starting();
        }
        finally
        {
            _gate.Release();
        }
    }

    private EngineSnapshot Starting() => new()
    {
        TakenMs = 0,
        Generation = -1,
        Session = "connecting",
        Devices = [],
    };
}
