using Microsoft.Extensions.Logging;

namespace EdgeNode.Engine.Devices.Gpio;

/// <summary>Log messages of the GPIO device driver; EventIds 6500–6549 are stable.</summary>
internal static partial class GpioDeviceLog
{
    [LoggerMessage(EventId = 6500, Level = LogLevel.Information,
        Message = "GPIO device {Device}: {Count} line(s) of {Chip} requested as '{Consumer}', edge events on {EventClock} clock")]
    public static partial void Opened(ILogger logger, string device, int count, string chip, string consumer, string eventClock);

    [LoggerMessage(EventId = 6501, Level = LogLevel.Information,
        Message = "GPIO device {Device}: the kernel refused realtime event timestamps (Linux < 5.11); using the monotonic clock")]
    public static partial void RealtimeClockRefused(ILogger logger, string device);

    [LoggerMessage(EventId = 6502, Level = LogLevel.Warning, Message = "GPIO device {Device} stopped answering: {Reason}")]
    public static partial void Lost(ILogger logger, string device, string reason);

    [LoggerMessage(EventId = 6503, Level = LogLevel.Debug, Message = "GPIO device {Device}: lines still unavailable: {Reason}")]
    public static partial void ReopenFailed(ILogger logger, string device, string reason);

    [LoggerMessage(EventId = 6504, Level = LogLevel.Warning, Message = "GPIO device {Device}: edge events stopped: {Reason}")]
    public static partial void EventsStopped(ILogger logger, string device, string reason);

    [LoggerMessage(EventId = 6505, Level = LogLevel.Warning, Message = "GPIO device {Device}: write of {Metric} failed: {Reason}")]
    public static partial void WriteFailed(ILogger logger, string device, string metric, string reason);
}
