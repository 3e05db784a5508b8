using Microsoft.Extensions.Logging;

namespace EdgeNode.Modbus;

/// <summary>Source-generated log messages of EdgeNode.Modbus; EventIds 2000–2099 are stable.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Modbus link {Link} ready")]
    public static partial void LinkReady(ILogger logger, string link);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Modbus link {Link} unavailable: {Reason}; next attempt in {DelayMs} ms")]
    public static partial void LinkUnavailable(ILogger logger, string link, string reason, long delayMs);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Modbus link {Link} lost: {Reason}")]
    public static partial void LinkLost(ILogger logger, string link, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Modbus link {Link} closed")]
    public static partial void LinkClosed(ILogger logger, string link);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning,
        Message = "Modbus unit {Unit} on {Link}: {Status} after {Attempts} attempt(s) ({Reason}); skipping it for {BackoffMs} ms")]
    public static partial void UnitFailed(ILogger logger, byte unit, string link, ModbusStatus status, int attempts, string reason, long backoffMs);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Information, Message = "Modbus unit {Unit} on {Link} answers again")]
    public static partial void UnitRecovered(ILogger logger, byte unit, string link);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Debug,
        Message = "Modbus unit {Unit} on {Link}: {Status} ({Reason}), attempt {Attempt} of {Attempts}")]
    public static partial void Retrying(ILogger logger, byte unit, string link, ModbusStatus status, string reason, int attempt, int attempts);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Debug, Message = "Modbus unit {Unit} on {Link} is busy (exception 06); resending in {DelayMs} ms")]
    public static partial void Busy(ILogger logger, byte unit, string link, int delayMs);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Debug, Message = "Modbus unit {Unit} on {Link} acknowledged (exception 05); waiting for the response")]
    public static partial void Acknowledged(ILogger logger, byte unit, string link);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Information,
        Message = "Modbus link {Link} echoes requests (the adapter receives while it transmits); echoes are discarded from now on")]
    public static partial void EchoDetected(ILogger logger, string link);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Debug, Message = "Modbus link {Link}: discarded {Count} stray bytes: {Hex}")]
    public static partial void Discarded(ILogger logger, string link, int count, string hex);

    [LoggerMessage(EventId = 2022, Level = LogLevel.Debug, Message = "Modbus link {Link}: dropped a response with transaction id {TransactionId} (none pending: late or duplicate)")]
    public static partial void StaleResponse(ILogger logger, string link, ushort transactionId);

    [LoggerMessage(EventId = 2030, Level = LogLevel.Trace, Message = "{Link} TX ({Count} bytes) >>> {Hex}")]
    public static partial void Tx(ILogger logger, string link, int count, string hex);

    [LoggerMessage(EventId = 2031, Level = LogLevel.Trace, Message = "{Link} RX ({Count} bytes) <<< {Hex}")]
    public static partial void Rx(ILogger logger, string link, int count, string hex);

    [LoggerMessage(EventId = 2040, Level = LogLevel.Error, Message = "Modbus link {Link}: unexpected failure in the bus loop")]
    public static partial void BusFault(ILogger logger, string link, Exception exception);
}
