namespace EdgeNode.Modbus;

/// <summary>
/// One physical link (serial line, TCP connection). Sends one attempt of a transaction and completes it with the
/// response status; retries, busy/back-off policy and decoding live above, in <see cref="ModbusMaster"/>.
/// </summary>
internal interface IModbusTransport : IAsyncDisposable
{
    /// <summary>Human-readable name for logs: "rtu /dev/ttyUSB0", "tcp 10.0.0.7:502".</summary>
    string Name { get; }

    /// <summary>True when the wire carries one request at a time (RTU): callers then send a device's blocks one by one.</summary>
    bool IsSerialized { get; }

    /// <summary>How many requests may be outstanding at once.</summary>
    int MaxInFlight { get; }

    /// <summary>Sends one attempt of <paramref name="transaction"/> (already encoded) and completes with its status.</summary>
    ValueTask<ModbusStatus> SendAsync(ModbusTransaction transaction);

    /// <summary>Connections made (TCP) or times the port was opened (RTU).</summary>
    long Connections { get; }

    /// <summary>Stray bytes discarded (RTU: noise, echoes of nothing, late responses).</summary>
    long DiscardedBytes { get; }
}

/// <summary>Per-unit health on one link: consecutive failures and the back-off window that follows them.</summary>
internal sealed class UnitHealth(byte unitId)
{
    private long _backoffUntil;
    private int _failures;

    public byte UnitId { get; } = unitId;

    /// <summary>Why the unit was last marked failed (reported with <see cref="ModbusStatus.UnitBackedOff"/>).</summary>
    public string? LastError { get; private set; }

    public int ConsecutiveFailures => Volatile.Read(ref _failures);

    /// <summary>After a failure the next request is a probe: a single attempt, no retries.</summary>
    public bool IsProbing => Volatile.Read(ref _failures) > 0;

    public bool IsBackedOff(long now) => Volatile.Read(ref _backoffUntil) > now;

    public long BackoffUntil => Volatile.Read(ref _backoffUntil);

    /// <summary>Records a failed request; returns the back-off it starts (exponential, capped).</summary>
    public TimeSpan Failed(long now, TimeSpan initial, TimeSpan max, string error)
    {
        var failures = Interlocked.Increment(ref _failures);
        LastError = error;
        if (initial <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var factor = Math.Pow(2, Math.Min(failures - 1, 20));
        var delay = TimeSpan.FromTicks((long)Math.Min(max.Ticks, initial.Ticks * factor));
        Volatile.Write(ref _backoffUntil, now + (long)(delay.TotalSeconds * System.Diagnostics.Stopwatch.Frequency));
        return delay;
    }

    /// <summary>Records an answer; true when the unit was failing before.</summary>
    public bool Succeeded()
    {
        Volatile.Write(ref _backoffUntil, 0);
        return Interlocked.Exchange(ref _failures, 0) > 0;
    }
}
