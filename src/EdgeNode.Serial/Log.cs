using Microsoft.Extensions.Logging;

namespace EdgeNode.Serial;

/// <summary>Source-generated log messages of EdgeNode.Serial; EventIds 1000–1099 are stable.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Serial port {Port} opened: {Settings}")]
    public static partial void Opened(ILogger logger, string port, string settings);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Serial port {Port} closed")]
    public static partial void Closed(ILogger logger, string port);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug,
        Message = "Serial port {Port}: the driver has no termios2 (errno {Errno}); using TCGETS/TCSETS")]
    public static partial void LegacyTermios(ILogger logger, string port, int errno);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information,
        Message = "Serial port {Port} is a pseudo-terminal: it ignores the baud rate ({Baud} requested, errno {Errno})")]
    public static partial void PtyIgnoresBaud(ILogger logger, string port, int baud, int errno);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning,
        Message = "Serial port {Port}: the driver set {Actual} baud for the requested {Requested}")]
    public static partial void BaudMismatch(ILogger logger, string port, int requested, int actual);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information,
        Message = "Serial port {Port}: kernel RS-485 mode on (flags 0x{Flags:X}, RTS delays {Before}/{After} ms)")]
    public static partial void Rs485Enabled(ILogger logger, string port, uint flags, uint before, uint after);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning,
        Message = "Serial port {Port}: the driver has no kernel RS-485 mode (TIOCSRS485 errno {Errno}: {Reason}); " +
                  "continuing on the assumption that the adapter switches direction in hardware (USB-RS485 adapters, " +
                  "auto-direction HATs, pseudo-terminals)")]
    public static partial void Rs485Unsupported(ILogger logger, string port, int errno, string reason);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Debug, Message = "Serial port {Port}: kernel RS-485 mode off")]
    public static partial void Rs485Disabled(ILogger logger, string port);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "Serial port {Port} failed: {Reason}")]
    public static partial void Failed(ILogger logger, string port, string reason);
}
