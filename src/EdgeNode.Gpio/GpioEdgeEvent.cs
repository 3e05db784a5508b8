namespace EdgeNode.Gpio;

/// <summary>Which transition an edge event reports (enum gpio_v2_line_event_id).</summary>
public enum GpioEdgeKind
{
    /// <summary>Inactive to active (GPIO_V2_LINE_EVENT_RISING_EDGE = 1).</summary>
    Rising = 1,

    /// <summary>Active to inactive (GPIO_V2_LINE_EVENT_FALLING_EDGE = 2).</summary>
    Falling = 2,
}

/// <summary>
/// One edge, from a <c>struct gpio_v2_line_event</c> read off the line fd. Rising/falling are logical: on an
/// active-low line a physical high-to-low transition is <see cref="GpioEdgeKind.Rising"/>.
/// </summary>
/// <param name="LineOffset">The line on its chip.</param>
/// <param name="Kind">Rising or falling.</param>
/// <param name="TimestampNs">The kernel timestamp in nanoseconds on <paramref name="Clock"/> (CLOCK_MONOTONIC by default).</param>
/// <param name="Clock">The clock of <paramref name="TimestampNs"/>.</param>
/// <param name="Sequence">seqno: the event's number among all events of the request (from 1); gaps mean the kernel dropped events.</param>
/// <param name="LineSequence">line_seqno: the event's number among this line's events.</param>
/// <param name="UnixTimeNs">The wall-clock time of the edge in nanoseconds since the Unix epoch (UTC).</param>
public readonly record struct GpioEdgeEvent(int LineOffset, GpioEdgeKind Kind, ulong TimestampNs, GpioEventClock Clock,
    uint Sequence, uint LineSequence, long UnixTimeNs)
{
    /// <summary>The line's logical value after the edge (true after a rising edge).</summary>
    public bool Value => Kind == GpioEdgeKind.Rising;

    /// <summary>Milliseconds since the Unix epoch (UTC): the Sparkplug metric timestamp.</summary>
    public long UnixTimeMilliseconds => UnixTimeNs / 1_000_000;

    /// <summary>The wall-clock time of the edge (100 ns resolution).</summary>
    public DateTimeOffset Timestamp => new(DateTime.UnixEpoch.Ticks + UnixTimeNs / 100, TimeSpan.Zero);

    /// <summary>
    /// Converts a CLOCK_MONOTONIC event timestamp to Unix time, given both clocks sampled together just after the
    /// event was read: the edge happened <c>monotonicNow - timestamp</c> before <paramref name="realtimeNowNs"/>.
    /// A wall-clock step between the edge and the read shifts the result by the step, which is unavoidable without
    /// <see cref="GpioEventClock.Realtime"/>.
    /// </summary>
    public static long MonotonicToUnixTimeNs(ulong monotonicTimestampNs, long monotonicNowNs, long realtimeNowNs) =>
        realtimeNowNs - (monotonicNowNs - (long)monotonicTimestampNs);
}
