namespace EdgeNode.Systemd;

/// <summary>
/// Sends service state notifications to the service manager (sd_notify(3)). Every method returns whether the
/// notification was sent; without <c>$NOTIFY_SOCKET</c> (not started by systemd with <c>Type=notify</c>) they are
/// no-ops that return <see langword="false"/>.
/// </summary>
public interface ISystemdNotifier
{
    /// <summary>Whether a notification socket is known, i.e. notifications go somewhere.</summary>
    bool IsEnabled { get; }

    /// <summary>Sends one datagram holding <paramref name="state"/> (newline-separated <c>VAR=value</c> assignments).</summary>
    bool Notify(string state);

    /// <summary><c>READY=1</c>: start-up is complete (systemd then considers the unit started).</summary>
    bool Ready();

    /// <summary><c>STOPPING=1</c>: the service is beginning its shutdown.</summary>
    bool Stopping();

    /// <summary><c>STATUS=…</c>: a one-line, human-readable state shown by <c>systemctl status</c>.</summary>
    bool Status(string status);

    /// <summary><c>WATCHDOG=1</c>: keep-alive ping for <c>WatchdogSec=</c>.</summary>
    bool Watchdog();

    /// <summary><c>EXTEND_TIMEOUT_USEC=…</c>: asks for more time in the current start or stop phase.</summary>
    bool ExtendTimeout(TimeSpan extension);
}
