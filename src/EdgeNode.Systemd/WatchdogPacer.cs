using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Systemd;

/// <summary>What one <see cref="WatchdogPacer.Tick"/> did.</summary>
public enum WatchdogPing
{
    /// <summary>No watchdog: <c>WatchdogSec=</c> is not set for this process, or there is no notify socket.</summary>
    Disabled,

    /// <summary>Every registered loop made progress; <c>WATCHDOG=1</c> was sent.</summary>
    Sent,

    /// <summary>A registered loop is stalled; <c>WATCHDOG=1</c> was withheld so that systemd restarts the node.</summary>
    Withheld,

    /// <summary>The loops are alive but the datagram could not be sent (logged by the notifier).</summary>
    Failed,
}

/// <summary>
/// Paces systemd's software watchdog: sends <c>WATCHDOG=1</c> every half of <c>$WATCHDOG_USEC</c>, but only while
/// every registered <see cref="Heartbeat"/> shows progress. A hung poll or publish loop therefore stops the pings and
/// systemd kills and restarts the node after <c>WatchdogSec=</c> (<c>Restart=on-failure</c>), which a timer that
/// pings unconditionally would never achieve.
/// </summary>
public sealed class WatchdogPacer
{
    /// <summary>The watchdog timeout in microseconds, set by systemd when <c>WatchdogSec=</c> is configured.</summary>
    public const string WatchdogUsecVariable = "WATCHDOG_USEC";

    /// <summary>The PID the watchdog timeout is meant for (sd_watchdog_enabled(3)).</summary>
    public const string WatchdogPidVariable = "WATCHDOG_PID";

    private static readonly TimeSpan s_minimumPingInterval = TimeSpan.FromMilliseconds(1);

    private readonly ISystemdNotifier _notifier;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private Heartbeat[] _heartbeats = [];
    private string? _stalled;

    /// <summary>A pacer for this process's watchdog as systemd configured it (<c>$WATCHDOG_USEC</c>, <c>$WATCHDOG_PID</c>).</summary>
    public WatchdogPacer(ISystemdNotifier notifier, ILogger<WatchdogPacer>? logger = null)
        : this(notifier, GetWatchdogTimeout(), TimeProvider.System, logger)
    {
    }

    /// <summary>A pacer for an explicit watchdog timeout (null: disabled) and clock; for tests.</summary>
    public WatchdogPacer(ISystemdNotifier notifier, TimeSpan? watchdogTimeout, TimeProvider timeProvider, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(notifier);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (watchdogTimeout is { } timeout)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero, nameof(watchdogTimeout));
        }

        _notifier = notifier;
        _time = timeProvider;
        _logger = logger ?? NullLogger.Instance;
        WatchdogTimeout = watchdogTimeout;
    }

    /// <summary>systemd's <c>WatchdogSec=</c> for this process, or null when the watchdog is off.</summary>
    public TimeSpan? WatchdogTimeout { get; }

    /// <summary>How often <c>WATCHDOG=1</c> is sent: half the timeout, as sd_watchdog_enabled(3) recommends.</summary>
    public TimeSpan? PingInterval => WatchdogTimeout is { } timeout
        ? TimeSpan.FromTicks(Math.Max(timeout.Ticks / 2, s_minimumPingInterval.Ticks))
        : null;

    /// <summary>Whether pings go anywhere: a watchdog timeout is set and the notifier has a socket.</summary>
    public bool IsEnabled => WatchdogTimeout is not null && _notifier.IsEnabled;

    /// <summary>The loops being watched.</summary>
    public IReadOnlyList<Heartbeat> Heartbeats => Volatile.Read(ref _heartbeats);

    /// <summary>
    /// The watchdog timeout systemd configured for this process, by sd_watchdog_enabled(3)'s rules: <c>$WATCHDOG_USEC</c>
    /// set to a positive integer, and <c>$WATCHDOG_PID</c> unset or equal to our PID; otherwise null.
    /// </summary>
    public static TimeSpan? GetWatchdogTimeout() => ParseWatchdogTimeout(
        Environment.GetEnvironmentVariable(WatchdogUsecVariable),
        Environment.GetEnvironmentVariable(WatchdogPidVariable),
        Environment.ProcessId);

    internal static TimeSpan? ParseWatchdogTimeout(string? usec, string? pid, int processId)
    {
        if (string.IsNullOrEmpty(usec) ||
            !ulong.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds) ||
            microseconds == 0)
        {
            return null;
        }

        // The PID check keeps a child process that inherited the environment from pinging on the service's behalf.
        if (!string.IsNullOrEmpty(pid) &&
            (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var target) || target != processId))
        {
            return null;
        }

        // TimeSpan holds 100 ns ticks; clamp absurd values instead of overflowing.
        const ulong maxMicroseconds = (ulong)(long.MaxValue / 10);
        return TimeSpan.FromTicks((long)Math.Min(microseconds, maxMicroseconds) * 10);
    }

    /// <summary>
    /// Watches a loop from now on: it must call <see cref="Heartbeat.Beat"/> at least once per
    /// <paramref name="allowedSilence"/> (choose it above the loop's longest legitimate iteration, e.g. a poll cycle
    /// with every timeout and retry, or the reconnect back-off).
    /// </summary>
    public Heartbeat Register(string name, TimeSpan allowedSilence)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(allowedSilence, TimeSpan.Zero);
        var heartbeat = new Heartbeat(this, name, allowedSilence, _time);
        lock (_lock)
        {
            _heartbeats = [.. _heartbeats, heartbeat];
        }

        return heartbeat;
    }

    internal void Unregister(Heartbeat heartbeat)
    {
        lock (_lock)
        {
            _heartbeats = Array.FindAll(_heartbeats, h => !ReferenceEquals(h, heartbeat));
        }
    }

    /// <summary>
    /// The liveness predicate: true when every registered loop beat within its allowance; otherwise false with the
    /// loop that has been silent the longest beyond its allowance.
    /// </summary>
    public bool IsAlive(out Heartbeat? stalled)
    {
        stalled = null;
        var worst = TimeSpan.Zero;
        foreach (var heartbeat in Volatile.Read(ref _heartbeats))
        {
            var overdue = heartbeat.SinceLastBeat - heartbeat.AllowedSilence;
            if (overdue > worst)
            {
                worst = overdue;
                stalled = heartbeat;
            }
        }

        return stalled is null;
    }

    /// <summary>One pacing step: checks liveness and sends <c>WATCHDOG=1</c> only when every loop is alive.</summary>
    public WatchdogPing Tick()
    {
        if (!IsEnabled)
        {
            return WatchdogPing.Disabled;
        }

        if (!IsAlive(out var stalled))
        {
            if (_stalled != stalled!.Name)
            {
                _stalled = stalled.Name;
                Log.WatchdogWithheld(_logger, stalled.Name, stalled.SinceLastBeat.TotalSeconds,
                    stalled.AllowedSilence.TotalSeconds, WatchdogTimeout!.Value.TotalSeconds);
            }

            return WatchdogPing.Withheld;
        }

        if (_stalled is not null)
        {
            Log.WatchdogResumed(_logger, _stalled);
            _stalled = null;
        }

        return _notifier.Watchdog() ? WatchdogPing.Sent : WatchdogPing.Failed;
    }

    /// <summary>
    /// Pings at <see cref="PingInterval"/> until cancelled (one ping at once, then one per interval); completes at once
    /// when the watchdog is off. Run it on its own task so a stalled loop cannot also stall the pacing.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!IsEnabled)
        {
            Log.WatchdogOff(_logger);
            return;
        }

        var interval = PingInterval!.Value;
        Log.WatchdogOn(_logger, WatchdogTimeout!.Value.TotalSeconds, interval.TotalSeconds, Heartbeats.Count);
        cancellationToken.ThrowIfCancellationRequested();
        Tick();
        using var timer = new PeriodicTimer(interval, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            Tick();
        }
    }
}
