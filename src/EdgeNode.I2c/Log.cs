using Microsoft.Extensions.Logging;

namespace EdgeNode.I2c;

/// <summary>Source-generated log messages of EdgeNode.I2c; EventIds 4100–4199 are stable.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "I2C bus {Bus} opened")]
    public static partial void BusOpened(ILogger logger, string bus);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Debug, Message = "I2C bus {Bus} closed")]
    public static partial void BusClosed(ILogger logger, string bus);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Debug,
        Message = "I2C 0x{Address:X2} on {Bus}: attempt {Attempt} failed ({Status}, errno {Errno}); retrying")]
    public static partial void Retrying(ILogger logger, string bus, int address, int attempt, I2cStatus status, int errno);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "I2C {Model} at 0x{Address:X2} on {Bus} ready: {Details}")]
    public static partial void SensorReady(ILogger logger, string model, int address, string bus, string details);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Debug, Message = "I2C {Model} at 0x{Address:X2} on {Bus}: read failed: {Reason}")]
    public static partial void SensorReadFailed(ILogger logger, string model, int address, string bus, string reason);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning,
        Message = "I2C {Model} at 0x{Address:X2} on {Bus} lost its configuration (power cycle or reset?): configured again")]
    public static partial void SensorReconfigured(ILogger logger, string model, int address, string bus);
}
