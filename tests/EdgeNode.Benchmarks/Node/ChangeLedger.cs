namespace EdgeNode.Benchmarks.Node;

/// <summary>
/// Every register change the farm made (unit, address, value, UTC ms) and the DDATA that reported it, so delivery and
/// latency are judged change by change. The farm writes a per-register counter, so a (unit, address, value) names one
/// change unambiguously for the length of a run (a register would need 65,536 changes to repeat a value).
/// </summary>
internal sealed class ChangeLedger
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, List<Change>> _changes = [];
    private readonly List<ModbusRead> _reads = [];
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

    /// <summary>A register read seen on the wire between the publisher and the simulator (<see cref="ModbusTap"/>).</summary>
    public void OnRead(ModbusRead read)
    {
        lock (_lock)
        {
            _reads.Add(read);
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
            // Reads by unit and first address (one block of a scan each), in time order.
            var reads = _reads.GroupBy(r => (r.Unit, r.Address)).ToDictionary(g => g.Key, g => g.OrderBy(r => r.RequestMs).ToArray());
            var result = new LedgerResult { Unmatched = _unmatched, Duplicates = _duplicates };
            var intervals = new List<double>();
            foreach (var block in reads.Values)
            {
                for (var i = 1; i < block.Length; i++)
                {
                    if (block[i].RequestMs >= windowStartMs && block[i].RequestMs <= windowEndMs)
                    {
                        intervals.Add(block[i].RequestMs - block[i - 1].RequestMs);
                    }
                }
            }

            intervals.Sort();
            result.ScanIntervals = intervals;
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
                    // Missed although a read of that register went to the simulator after the change and came back before the
                    // next one: that is a loss, not aliasing. (+1: change times are whole ms taken just before the write.)
                    if (!delivered && change.NextMs is { } next && ReadWithin(reads, change, change.ChangedMs + 1, next) is { } read)
                    {
                        result.BriefMissedAlthoughRead++;
                        if (result.MissedExamples.Count < 5)
                        {
                            result.MissedExamples.Add($"{change}, read from +{read.RequestMs - change.ChangedMs:0.0} to +{read.ResponseMs - change.ChangedMs:0.0} ms");
                        }
                    }
                }
            }

            latencies.Sort();
            result.Latencies = latencies;
            return result;
        }
    }

    private static ModbusRead? ReadWithin(Dictionary<(byte, int), ModbusRead[]> reads, Change change, double from, double to)
    {
        foreach (var ((unit, _), block) in reads)
        {
            if (unit != change.Unit || block.Length == 0 || change.Address < block[0].Address || change.Address >= block[0].Address + block[0].Count)
            {
                continue;
            }

            // The first read sent after the change is the one that could see it before the next change.
            var lo = 0;
            var hi = block.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (block[mid].RequestMs < from)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            if (lo < block.Length && block[lo].ResponseMs <= to)
            {
                return block[lo];
            }
        }

        return null;
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

    /// <summary>Brief changes not delivered although a read of their register saw them (per <see cref="ModbusTap"/>).</summary>
    public long BriefMissedAlthoughRead { get; set; }

    /// <summary>Reported values that match no change (e.g. from before the farm started).</summary>
    public long Unmatched { get; init; }

    /// <summary>Changes reported more than once.</summary>
    public long Duplicates { get; init; }

    /// <summary>Change → receipt, ms, ascending, of every delivered change in the window.</summary>
    public IReadOnlyList<double> Latencies { get; set; } = [];

    public List<string> MissedExamples { get; } = [];

    /// <summary>Time between successive reads of the same block of registers (request to request), ms, ascending.</summary>
    public IReadOnlyList<double> ScanIntervals { get; set; } = [];

    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];

    public double Percentile(double p) => Percentile(Latencies, p);
}
