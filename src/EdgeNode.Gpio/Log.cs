using Microsoft.Extensions.Logging;

namespace EdgeNode.Gpio;

/// <summary>Source-generated log messages of EdgeNode.Gpio; EventIds 4000–4099 are stable.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Debug, Message = "GPIO chip {Chip} opened: {Info}")]
    public static partial void ChipOpened(ILogger logger, string chip, string info);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "GPIO {Chip}: requested {Lines} as '{Consumer}'")]
    public static partial void LinesRequested(ILogger logger, string chip, string lines, string consumer);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "GPIO {Chip}: released {Lines}")]
    public static partial void LinesReleased(ILogger logger, string chip, string lines);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning,
        Message = "GPIO {Chip}: {Count} edge events were lost ({Where}); {Total} lost so far on {Lines}")]
    public static partial void EventsLost(ILogger logger, string chip, long count, string where, long total, string lines);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error, Message = "GPIO {Chip}: edge events on {Lines} stopped: {Reason}")]
    public static partial void EventReaderFailed(ILogger logger, string chip, string lines, string reason);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "GPIO {Chip}: reconfigured {Lines}")]
    public static partial void LinesReconfigured(ILogger logger, string chip, string lines);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Debug, Message = "GPIO chip scan: skipped {Path} (errno {Errno})")]
    public static partial void ChipSkipped(ILogger logger, string path, int errno);
}
