using Microsoft.Extensions.Logging;

namespace EdgeNode;

internal static partial class Log
{
    [LoggerMessage(8000, LogLevel.Debug, "Start-up {Phase}")]
    public static partial void StartupPhase(ILogger logger, string phase);
}
