using EdgeNode.Engine.Devices;
using EdgeNode.Engine.Devices.Gpio;
using EdgeNode.Engine.Devices.I2c;
using Microsoft.Extensions.Logging;

namespace EdgeNode;

/// <summary>The device driver factories of the gateway's own hardware (GPIO, I2C); Modbus is built into the engine.</summary>
internal static class HardwareFactories
{
    public static IReadOnlyList<IDeviceDriverFactory> Create(ILoggerFactory loggerFactory) =>
        [new GpioDeviceDriverFactory(loggerFactory), new I2cDeviceDriverFactory(loggerFactory)];
}
