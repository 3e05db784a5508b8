using EdgeNode.Gpio;

namespace EdgeNode.Configuration;

/// <summary>Conversions of GPIO metric settings to the driver's types.</summary>
public static class GpioMetricConfigExtensions
{
    /// <summary>The line settings the GPIO driver requests for this metric.</summary>
    public static GpioLineSettings ToLineSettings(this GpioMetricConfig gpio)
    {
        ArgumentNullException.ThrowIfNull(gpio);
        return gpio.Direction == GpioDirection.Output
            ? GpioLineSettings.Output(gpio.Initial, gpio.Drive, gpio.ActiveLow) with { Bias = gpio.Bias }
            : GpioLineSettings.Input(gpio.Edge, gpio.Bias, gpio.ActiveLow, gpio.DebounceMs);
    }
}
