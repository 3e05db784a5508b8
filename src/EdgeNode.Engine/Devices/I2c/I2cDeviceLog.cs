using Microsoft.Extensions.Logging;

namespace EdgeNode.Engine.Devices.I2c;

/// <summary>Log messages of the I2C device driver; EventIds 6550–6599 are stable.</summary>
internal static partial class I2cDeviceLog
{
    [LoggerMessage(EventId = 6550, Level = LogLevel.Information,
        Message = "I2C device {Device}: {Sensors} sensor(s) on {Bus} for {Metrics} metric(s)")]
    public static partial void Created(ILogger logger, string device, int sensors, string bus, int metrics);

    [LoggerMessage(EventId = 6551, Level = LogLevel.Warning, Message = "I2C device {Device}: {Sensor} failed: {Reason}")]
    public static partial void SensorFailed(ILogger logger, string device, string sensor, string reason);

    [LoggerMessage(EventId = 6552, Level = LogLevel.Information, Message = "I2C device {Device}: {Sensor} answers again")]
    public static partial void SensorRecovered(ILogger logger, string device, string sensor);
}
