using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Systemd;

/// <summary>Source-generated log messages of EdgeNode.Systemd; EventIds 1700–1799 are stable.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1700, Level = LogLevel.Trace, Message = "sd_notify: {State}")]
    public static partial void Notified(ILogger logger, string state);

    [LoggerMessage(EventId = 1701, Level = LogLevel.Warning,
        Message = "sd_notify: could not send {State} to {Socket}: {Error} ({Reason}); systemd may consider the service hung")]
    public static partial void NotifyFailed(ILogger logger, string state, string socket, SocketError error, string reason);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Debug, Message = "sd_notify: could not send {State} to {Socket}: {Error}")]
    public static partial void NotifyFailedAgain(ILogger logger, string state, string socket, SocketError error);

    [LoggerMessage(EventId = 1703, Level = LogLevel.Warning,
        Message = "NOTIFY_SOCKET={Socket} is neither a path nor an abstract socket (@name); service notifications are off")]
    public static partial void NotifySocketUnsupported(ILogger logger, string socket);

    [LoggerMessage(EventId = 1710, Level = LogLevel.Information,
        Message = "Watchdog on: WatchdogSec={TimeoutSeconds} s, WATCHDOG=1 every {IntervalSeconds} s while {Loops} loop(s) make progress")]
    public static partial void WatchdogOn(ILogger logger, double timeoutSeconds, double intervalSeconds, int loops);

    [LoggerMessage(EventId = 1711, Level = LogLevel.Debug, Message = "Watchdog off (no WatchdogSec= for this process or no NOTIFY_SOCKET)")]
    public static partial void WatchdogOff(ILogger logger);

    [LoggerMessage(EventId = 1712, Level = LogLevel.Error,
        Message = "Watchdog: loop '{Loop}' made no progress for {SilentSeconds:0.#} s (allowed {AllowedSeconds:0.#} s); " +
                  "withholding WATCHDOG=1, systemd restarts the node if it stays stuck for {TimeoutSeconds:0.#} s")]
    public static partial void WatchdogWithheld(ILogger logger, string loop, double silentSeconds, double allowedSeconds, double timeoutSeconds);

    [LoggerMessage(EventId = 1713, Level = LogLevel.Warning, Message = "Watchdog: loop '{Loop}' made progress again; WATCHDOG=1 resumed")]
    public static partial void WatchdogResumed(ILogger logger, string loop);
}
