namespace EdgeNode.Systemd;

/// <summary>
/// A loop's proof of progress for the <see cref="WatchdogPacer"/>: the loop calls <see cref="Beat"/> once per
/// iteration (a completed poll cycle, a publish, a wait that ended); while any registered heartbeat has been silent
/// longer than its <see cref="AllowedSilence"/>, the pacer withholds <c>WATCHDOG=1</c> and systemd restarts the node.
/// Dispose it when the loop ends on purpose.
/// </summary>
public sealed class Heartbeat : IDisposable
{
    private readonly WatchdogPacer _owner;
    private readonly TimeProvider _time;
    private long _lastBeat;

    internal Heartbeat(WatchdogPacer owner, string name, TimeSpan allowedSilence, TimeProvider time)
    {
        _owner = owner;
        _time = time;
        Name = name;
        AllowedSilence = allowedSilence;
        // A new loop gets its full allowance before it must first beat.
        _lastBeat = time.GetTimestamp();
    }

    /// <summary>The loop's name, used in the log when it stalls (e.g. <c>poll Turbine1</c>).</summary>
    public string Name { get; }

    /// <summary>How long the loop may go without a beat before the node counts as hung.</summary>
    public TimeSpan AllowedSilence { get; }

    /// <summary>Time since the last beat (or since registration).</summary>
    public TimeSpan SinceLastBeat => _time.GetElapsedTime(Volatile.Read(ref _lastBeat));

    /// <summary>Whether the loop beat within its allowance.</summary>
    public bool IsAlive => SinceLastBeat <= AllowedSilence;

    /// <summary>Records progress: cheap (one monotonic clock read and one store), callable from any thread.</summary>
    public void Beat() => Volatile.Write(ref _lastBeat, _time.GetTimestamp());

    /// <summary>Unregisters the heartbeat: the pacer stops watching this loop.</summary>
    public void Dispose() => _owner.Unregister(this);
}
