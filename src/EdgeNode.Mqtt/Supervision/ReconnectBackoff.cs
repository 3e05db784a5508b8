namespace EdgeNode.Mqtt;

/// <summary>
/// Randomised, capped exponential back-off between connection attempts: attempt n waits
/// <c>min(max, initial·2ⁿ)·(1 − jitter·r)</c> with r uniform in [0, 1), so clients that lost the same broker do not
/// return in lock step, and nobody waits longer than the cap. <see cref="Reset"/> only after a connection was
/// established, so a broker that accepts TCP and then drops us still backs off (SE.Redis, style.md §10).
/// </summary>
public sealed class ReconnectBackoff
{
    private readonly Random _random;

    /// <summary>Creates the back-off.</summary>
    /// <param name="initial">Delay before the first retry (attempt 0), before jitter.</param>
    /// <param name="max">Cap of every delay (the contract's default: 5 s).</param>
    /// <param name="jitter">Fraction of the delay that is randomised away (0 = none, 1 = full jitter).</param>
    /// <param name="random">Random source (tests pass a seeded one).</param>
    public ReconnectBackoff(TimeSpan initial, TimeSpan max, double jitter = 0.5, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial);
        ArgumentOutOfRangeException.ThrowIfLessThan(jitter, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(jitter, 1.0);
        Initial = initial;
        Max = max;
        Jitter = jitter;
        _random = random ?? Random.Shared;
    }

    /// <summary>Delay of the first retry before jitter.</summary>
    public TimeSpan Initial { get; }

    /// <summary>Upper bound of every delay.</summary>
    public TimeSpan Max { get; }

    /// <summary>Randomised fraction.</summary>
    public double Jitter { get; }

    /// <summary>Failed attempts since the last <see cref="Reset"/>.</summary>
    public int Attempt { get; private set; }

    /// <summary>The delay before the next attempt; counts one more failed attempt.</summary>
    public TimeSpan NextDelay() => ComputeDelay(Attempt++, Initial, Max, Jitter, _random.NextDouble());

    /// <summary>Starts over (call when a connection was established).</summary>
    public void Reset() => Attempt = 0;

    /// <summary>The pure formula: <c>min(max, initial·2^attempt)·(1 − jitter·random01)</c>.</summary>
    public static TimeSpan ComputeDelay(int attempt, TimeSpan initial, TimeSpan max, double jitter, double random01)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        var exponent = Math.Min(attempt, 62);
        var ceiling = Math.Min(max.Ticks, initial.Ticks * Math.Pow(2, exponent));
        var ticks = ceiling * (1 - (jitter * Math.Clamp(random01, 0, 1)));
        return TimeSpan.FromTicks((long)Math.Clamp(ticks, 0, max.Ticks));
    }
}
