using System.Diagnostics.CodeAnalysis;

namespace EdgeNode.Storage;

/// <summary>
/// The oldest stored changes, read but not yet removed. Publish them (NDATA/DDATA with <c>is_historical = true</c>),
/// then hand the batch to <see cref="ForwardStore.AcknowledgeAsync"/> once the broker acknowledged it (PUBACK).
/// A crash or rewind before that re-delivers the same changes: duplicates are possible, loss is not.
/// </summary>
public sealed class StoreBatch
{
    internal StoreBatch(IReadOnlyList<StoredChange> changes, long generation, long startSegment, long endSegment, int endIndex, int endSegmentCount)
    {
        Changes = changes;
        Generation = generation;
        StartSegment = startSegment;
        EndSegment = endSegment;
        EndIndex = endIndex;
        EndSegmentCount = endSegmentCount;
    }

    /// <summary>The changes, oldest first (append order).</summary>
    public IReadOnlyList<StoredChange> Changes { get; }

    /// <summary>Number of changes.</summary>
    public int Count => Changes.Count;

    /// <summary>True when the store had nothing to drain.</summary>
    public bool IsEmpty => Changes.Count == 0;

    internal long Generation { get; }

    internal long StartSegment { get; }

    internal long EndSegment { get; }

    /// <summary>Index after the last change of this batch in <see cref="EndSegment"/>.</summary>
    internal int EndIndex { get; }

    internal int EndSegmentCount { get; }

    /// <summary>
    /// Splits the batch by whether each change's metric still exists. <paramref name="resolver"/> maps a catalog entry
    /// (device, name, datatype) to the caller's current metric (e.g. its alias) and is called once per distinct
    /// metric. Changes of metrics that no longer exist in the configuration, or whose datatype changed, come back in
    /// <see cref="StoreBatchPartition{T}.Unknown"/> so the caller can count and log them; acknowledging the batch
    /// removes them too.
    /// </summary>
    public StoreBatchPartition<T> Partition<T>(StoreMetricResolver<T> resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        var resolved = new Dictionary<StoreMetric, (bool Found, T? Target)>(ReferenceEqualityComparer.Instance);
        var known = new List<ResolvedChange<T>>(Changes.Count);
        var unknown = new List<StoredChange>();
        var unknownMetrics = new List<StoreMetric>();
        foreach (var change in Changes)
        {
            if (!resolved.TryGetValue(change.Metric, out var entry))
            {
                entry.Found = resolver(change.Metric, out entry.Target);
                resolved.Add(change.Metric, entry);
                if (!entry.Found)
                {
                    unknownMetrics.Add(change.Metric);
                }
            }

            if (entry.Found)
            {
                known.Add(new ResolvedChange<T>(entry.Target!, change));
            }
            else
            {
                unknown.Add(change);
            }
        }

        return new StoreBatchPartition<T>(known, unknown, unknownMetrics);
    }
}

/// <summary>Maps a stored metric to the caller's current metric; false when it no longer exists.</summary>
/// <typeparam name="T">The caller's metric handle (an alias, a metric definition…).</typeparam>
public delegate bool StoreMetricResolver<T>(StoreMetric metric, [MaybeNullWhen(false)] out T target);

/// <summary>A stored change together with the caller's current metric.</summary>
/// <param name="Target">What the resolver returned for the change's metric.</param>
/// <param name="Change">The stored change.</param>
public readonly record struct ResolvedChange<T>(T Target, StoredChange Change);

/// <summary>The result of <see cref="StoreBatch.Partition{T}"/>, both lists in append order.</summary>
/// <param name="Known">Changes whose metric still exists, with the caller's metric.</param>
/// <param name="Unknown">Changes whose metric no longer exists (or changed datatype).</param>
/// <param name="UnknownMetrics">The distinct catalog entries behind <paramref name="Unknown"/>.</param>
public sealed record StoreBatchPartition<T>(
    IReadOnlyList<ResolvedChange<T>> Known,
    IReadOnlyList<StoredChange> Unknown,
    IReadOnlyList<StoreMetric> UnknownMetrics);

/// <summary>A cheap snapshot of the node metrics <c>Store/Pending</c>, <c>Store/Bytes</c> and <c>Store/Dropped</c>.</summary>
/// <param name="Pending">Changes accepted and not yet acknowledged (on disk and in the commit buffer).</param>
/// <param name="Bytes">Size of the store on disk: database file plus WAL.</param>
/// <param name="Dropped">Changes dropped since the store was created (full store, damaged data); persisted.</param>
public readonly record struct StoreCounters(long Pending, long Bytes, long Dropped);
