using EdgeNode.Configuration;
using EdgeNode.Gpio;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Engine.Devices.Gpio;

/// <summary>
/// Creates <see cref="GpioDeviceDriver"/>s for devices with a <c>gpio:</c> section. Each device requests its own lines
/// (several devices may use one chip, each with its own lines); a line held by another device or program makes
/// <see cref="Create"/> throw a <see cref="GpioException"/> naming the holder.
/// </summary>
public sealed class GpioDeviceDriverFactory : IDeviceDriverFactory
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly Func<string, GpioChip> _openChip;

    /// <summary>A factory over the running kernel, or over <paramref name="chipOpener"/> (path, name or label → open chip).</summary>
    public GpioDeviceDriverFactory(ILoggerFactory loggerFactory, Func<string, GpioChip>? chipOpener = null)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _loggerFactory = loggerFactory;
        var chipLogger = loggerFactory.CreateLogger("EdgeNode.Gpio");
        _openChip = chipOpener ?? (chip => GpioChip.Open(chip, chipLogger));
    }

    /// <summary>A factory whose chips are opened through <paramref name="kernel"/> (e.g. a <see cref="EdgeNode.Gpio.Testing.FakeGpioKernel"/>).</summary>
    public GpioDeviceDriverFactory(ILoggerFactory loggerFactory, IGpioKernel kernel)
        : this(loggerFactory, OpenThrough(kernel, loggerFactory))
    {
    }

    /// <inheritdoc />
    public bool Supports(DeviceKind kind) => kind == DeviceKind.Gpio;

    /// <summary>Requests the device's lines.</summary>
    /// <exception cref="ArgumentException">The device is not a GPIO device, or its lines' settings are invalid.</exception>
    /// <exception cref="GpioException">
    /// The chip is missing, access is denied (the message names the <c>gpio</c> group), or a line is busy (it names the consumer).
    /// </exception>
    public IDeviceDriver Create(DeviceConfig device) =>
        new GpioDeviceDriver(device, _openChip, _loggerFactory.CreateLogger<GpioDeviceDriver>());

    private static Func<string, GpioChip> OpenThrough(IGpioKernel kernel, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var logger = loggerFactory.CreateLogger("EdgeNode.Gpio");
        return chip => GpioChip.Open(chip, kernel, logger);
    }
}
