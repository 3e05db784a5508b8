namespace EdgeNode.Benchmarks.Node;

/// <summary>
/// Every register change the farm made (unit, address, value, UTC ms) and the DDATA that reported it, so delivery and
/// latency are judged change by change. The farm writes a per-register counter, so a (unit, address, value) names one
/// change unambiguously for the length of a run (a register would need 65,536 changes to repeat a value).
/// </summary>
internal sealed class ChangeLedger
{
    /// <summary>
    /// How far inside a value's lifetime a read timestamp must fall to prove the read saw it: the change times are whole
    /// ms taken just before the farm writes, and a publisher stamps its read a little before or after the bytes left the
    /// simulator (event loop, GC).
    /// </summary>
    public const int ReadMarginMs = 5;

    private readonly Lock _lock = new();
    private readonly Dictionary<int, List<Change>> _changes = [];
    private readonly Dictionary<byte, HashSet<long>> _readTimes = [];
    private long _unmatched;
    private long _duplicates;

    /// <summary>The farm's Changed event.</summary>
    public void OnChanged(byte unit, int address, ushort value, long utcMs)
    {
        lock (_lock)
        {
            if (!_changes.TryGetValue(Key(unit, address), out var list))
            {
                _changes[Key(unit, address)] = list = [];
            }

            if (list.Count > 0)
            {
                list[^1].NextMs = utcMs;
            }

            list.Add(new Change(unit, address, value, utcMs));
        }
    }

    /// <summary>A metric value seen in a DDATA: <paramref name="receivedMs"/> is when the message reached the observer.</summary>
    public void OnReported(byte unit, int address, ushort value, double receivedMs)
    {
        lock (_lock)
        {
            if (!_changes.TryGetValue(Key(unit, address), out var list))
            {
                _unmatched++;
                return;
            }

            for (var i = list.Count - 1; i >= 0; i--)
            {
                if (list[i].Value == value)
                {
                    if (list[i].ReceivedMs is null)
                    {
                        list[i].ReceivedMs = receivedMs;
                    }
                    else
                    {
                        _duplicates++;
                    }

                    return;
                }
            }

            _unmatched++;
        }
    }

    /// <summary>
    /// When the publisher read a unit (the metric timestamps of its DDATA: "when the value was read"), to tell a value
    /// that no scan could have seen from one a scan saw and did not report.
    /// </summary>
    public void OnRead(byte unit, long readMs)
    {
        lock (_lock)
        {
            if (!_readTimes.TryGetValue(unit, out var set))
            {
                _readTimes[unit] = set = [];
            }

            set.Add(readMs);
        }
    }

    /// <summary>
    /// Judges the changes made in [<paramref name="windowStartMs"/>, <paramref name="windowEndMs"/>]; observation went
    /// on until <paramref name="observedUntilMs"/> (a value not overwritten by then was held at least that long).
    /// </summary>
    public LedgerResult Analyse(long windowStartMs, long windowEndMs, long observedUntilMs, int scanMs)
    {
        lock (_lock)
        {
            var readTimes = _readTimes.ToDictionary(p => p.Key, p => p.Value.Order().ToArray());
            var result = new LedgerResult { Unmatched = _unmatched, Duplicates = _duplicates };
            var latencies = new List<double>();
            foreach (var change in _changes.Values.SelectMany(l => l))
            {
                if (change.ChangedMs < windowStartMs || change.ChangedMs > windowEndMs)
                {
                    continue;
                }

                var held = (change.NextMs ?? observedUntilMs) - change.ChangedMs;
                var delivered = change.ReceivedMs is not null;
                if (delivered)
                {
                    latencies.Add(change.ReceivedMs!.Value - change.ChangedMs);
                }

                // A value held 1.5 scans or more is read by any poller scanning at scanMs with less than half a scan of
                // jitter; a shorter-lived one may fall between two scans.
                if (held * 2 >= scanMs * 3)
                {
                    result.Held.Count(delivered);
                    if (!delivered && result.MissedExamples.Count < 5)
                    {
                        result.MissedExamples.Add(change.ToString());
                    }
                }
                else
                {
                    result.Brief.Count(delivered);
                    // Missed although a scan of that unit read while the value was there (with a margin, see ReadMarginMs):
                    // that is a loss, not aliasing.
                    if (!delivered && change.NextMs is { } next && readTimes.TryGetValue(change.Unit, out var reads)
                        && FirstWithin(reads, change.ChangedMs + ReadMarginMs, next - ReadMarginMs) is { } read)
                    {
                        result.BriefMissedAlthoughRead++;
                        if (result.MissedExamples.Count < 5)
                        {
                            result.MissedExamples.Add($"{change}, read at +{read - change.ChangedMs} ms");
                        }
                    }
                }
            }

            latencies.Sort();
            result.Latencies = latencies;
            return result;
        }
    }

    private static long? FirstWithin(long[] sorted, long from, long to)
    {
        if (to < from)
        {
            return null;
        }

        var index = Array.BinarySearch(sorted, from);
        if (index < 0)
        {
            index = ~index;
        }

        return index < sorted.Length && sorted[index] <= to ? sorted[index] : null;
    }

    private static int Key(byte unit, int address) => (unit << 16) | address;

    private sealed class Change(byte unit, int address, ushort value, long changedMs)
    {
        public byte Unit { get; } = unit;

        public int Address { get; } = address;

        public ushort Value { get; } = value;

        public long ChangedMs { get; } = changedMs;

        public long? NextMs { get; set; }

        public double? ReceivedMs { get; set; }

        public override string ToString() =>
            $"unit {Unit} R{Address:000}={Value} at {ChangedMs} (held {(NextMs is { } n ? $"{n - ChangedMs} ms" : "to the end")})";
    }
}

/// <summary>Delivery of one class of changes.</summary>
internal sealed class DeliveryCount
{
    public long Total { get; private set; }

    public long Delivered { get; private set; }

    public double Fraction => Total == 0 ? 1 : Delivered / (double)Total;

    public void Count(bool delivered)
    {
        Total++;
        if (delivered)
        {
            Delivered++;
        }
    }
}

internal sealed class LedgerResult
{
    /// <summary>Changes whose value stayed at least 1.5 scans: each must be delivered.</summary>
    public DeliveryCount Held { get; } = new();

    /// <summary>Changes held less than 1.5 scans: they may legitimately fall between two scans.</summary>
    public DeliveryCount Brief { get; } = new();

    /// <summary>Brief changes not delivered although a scan of the unit happened while they were there.</summary>
    public long BriefMissedAlthoughRead { get; set; }

    /// <summary>Reported values that match no change (e.g. from before the farm started).</summary>
    public long Unmatched { get; init; }

    /// <summary>Changes reported more than once.</summary>
    public long Duplicates { get; init; }

    /// <summary>Change → receipt, ms, ascending, of every delivered change in the window.</summary>
    public IReadOnlyList<double> Latencies { get; set; } = [];

    public List<string> MissedExamples { get; } = [];

    public double Percentile(double p)
    {
        if (Latencies.Count == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p / 100 * Latencies.Count) - 1;
        return Latencies[Math.Clamp(rank, 0, Latencies.Count - 1)];
    }
}
