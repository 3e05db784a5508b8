using Microsoft.Extensions.Logging;

namespace EdgeNode.Web;

internal static partial class Log
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "Web console on {Url} ({Mode})")]
    public static partial void Listening(ILogger logger, string url, string mode);

    [LoggerMessage(EventId = 601, Level = LogLevel.Information, Message = "Web console: {User} signed in from {Remote}")]
    public static partial void SignedIn(ILogger logger, string user, string remote);

    [LoggerMessage(EventId = 602, Level = LogLevel.Warning, Message = "Web console: failed sign-in as '{User}' from {Remote}")]
    public static partial void SignInFailed(ILogger logger, string user, string remote);

    [LoggerMessage(EventId = 603, Level = LogLevel.Warning, Message = "Web console: sign-in from {Remote} refused for {Seconds} s after repeated failures")]
    public static partial void SignInThrottled(ILogger logger, string remote, int seconds);

    [LoggerMessage(EventId = 604, Level = LogLevel.Information, Message = "Web console: {User} wrote {Device}/{Metric} = {Value} (sent as a DCMD)")]
    public static partial void ValueWritten(ILogger logger, string user, string device, string metric, string value);

    [LoggerMessage(EventId = 605, Level = LogLevel.Information, Message = "Web console: {User} saved {File} (previous version kept as {Previous})")]
    public static partial void ConfigSaved(ILogger logger, string user, string file, string previous);

    [LoggerMessage(EventId = 606, Level = LogLevel.Warning, Message = "Web console: {User} tried to save {File}; refused: {Problems} problem(s)")]
    public static partial void ConfigRefused(ILogger logger, string user, string file, int problems);

    [LoggerMessage(EventId = 607, Level = LogLevel.Error, Message = "Web console: {User} could not save {File}: {Error}")]
    public static partial void ConfigWriteFailed(ILogger logger, string user, string file, string error);

    [LoggerMessage(EventId = 608, Level = LogLevel.Information, Message = "Web console: {User} signed out")]
    public static partial void SignedOut(ILogger logger, string user);

    [LoggerMessage(EventId = 609, Level = LogLevel.Warning, Message = "Web console: {Method} {Path} refused: {Why}")]
    public static partial void Forbidden(ILogger logger, string method, string path, string why);
}
