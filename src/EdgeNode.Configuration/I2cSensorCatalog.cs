using System.Globalization;

namespace EdgeNode.Configuration;

/// <summary>
/// What the configuration knows about each I2C sensor model: its channels, the addresses the chip can have, and the
/// INA219 calibration limits (so <c>validate</c> refuses what the driver would refuse at start). The engine turns the
/// validated <see cref="I2cSensorConfig.Options"/> into the drivers' option records (EdgeNode.Engine's ConfigMapping).
/// </summary>
public static class I2cSensorCatalog
{
    private static readonly I2cChannelInfo Temperature = new("Temperature", "°C");
    private static readonly I2cChannelInfo Pressure = new("Pressure", "Pa");
    private static readonly I2cChannelInfo Humidity = new("Humidity", "%RH");

    /// <summary>ADS1115 channel names: single-ended, then differential (the driver's multiplexer settings, in its order).</summary>
    public static IReadOnlyList<string> Ads1115Inputs { get; } =
        ["AIN0", "AIN1", "AIN2", "AIN3", "AIN0-AIN1", "AIN0-AIN3", "AIN1-AIN3", "AIN2-AIN3"];

    /// <summary>
    /// Every channel a driver can report (names as the drivers name them; a metric's <c>channel</c> is matched without
    /// regard to case and stored in this spelling). Empty for <see cref="I2cSensorKind.Register"/>: its metrics name registers.
    /// </summary>
    public static IReadOnlyList<I2cChannelInfo> Channels(I2cSensorKind kind) => kind switch
    {
        I2cSensorKind.Bme280 => [Temperature, Pressure, Humidity],
        I2cSensorKind.Bmp280 => [Temperature, Pressure],
        I2cSensorKind.Sht3x => [Temperature, Humidity],
        I2cSensorKind.Ads1115 => Ads1115Inputs.Select(k => new I2cChannelInfo(k, "V")).ToArray(),
        I2cSensorKind.Ina219 => [new("BusVoltage", "V"), new("ShuntVoltage", "V"), new("Current", "A"), new("Power", "W")],
        _ => [],
    };

    /// <summary>The 7-bit addresses the chip can be strapped to (any of 0x03..0x77 for register devices).</summary>
    public static IReadOnlyList<int> Addresses(I2cSensorKind kind) => kind switch
    {
        I2cSensorKind.Bme280 or I2cSensorKind.Bmp280 => [0x76, 0x77],
        I2cSensorKind.Sht3x => [0x44, 0x45],
        I2cSensorKind.Ads1115 => [0x48, 0x49, 0x4A, 0x4B],
        I2cSensorKind.Ina219 => Enumerable.Range(0x40, 16).ToArray(),
        _ => Enumerable.Range(0x03, 0x77 - 0x03 + 1).ToArray(),
    };

    /// <summary>A register number as written in the file (decimal or 0x hex).</summary>
    public static int RegisterNumber(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Trim();
        return s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? int.Parse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
            : int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture);
    }

    /// <summary>INA219 default shunt resistance (Ω) when <c>shuntOhms</c> is not set.</summary>
    public const double Ina219DefaultShuntOhms = 0.1;

    /// <summary>INA219 default largest expected current (A) when <c>maxCurrentA</c> is not set.</summary>
    public const double Ina219DefaultMaxCurrentA = 3.2;

    // The driver's tolerance on the ±320 mV shunt range.
    private const double Ina219Epsilon = 1e-9;

    /// <summary>
    /// Why the INA219 driver would refuse this sensor's calibration (its option checks and its calibration register
    /// bounds, in its words, keys as the driver names them: <c>shuntOhms</c>, <c>maxExpectedCurrentAmps</c>,
    /// <c>currentLsbAmps</c>); empty when it would accept it. A test in EdgeNode.Engine.Tests holds this equal to the driver.
    /// </summary>
    public static IReadOnlyList<string> Ina219Problems(I2cSensorConfig sensor)
    {
        ArgumentNullException.ThrowIfNull(sensor);
        var shuntOhms = Double(sensor, "shuntOhms") ?? Ina219DefaultShuntOhms;
        var maxCurrent = Double(sensor, "maxCurrentA") ?? Ina219DefaultMaxCurrentA;
        var currentLsb = Double(sensor, "currentLsbA");
        var problems = new List<string>();
        if (!(shuntOhms > 0 && shuntOhms <= 100))
        {
            problems.Add($"shuntOhms: {shuntOhms} must be above 0 (and at most 100)");
        }

        if (!(maxCurrent > 0))
        {
            problems.Add($"maxExpectedCurrentAmps: {maxCurrent} must be above 0");
        }
        else if (shuntOhms > 0 && maxCurrent * shuntOhms > 0.32 + Ina219Epsilon)
        {
            problems.Add($"maxExpectedCurrentAmps: {maxCurrent} A through {shuntOhms} Ω drops " +
                         $"{maxCurrent * shuntOhms * 1000:0.#} mV, beyond the INA219's ±320 mV shunt range; use a smaller shunt");
        }

        if (currentLsb is { } chosen && !(chosen > 0))
        {
            problems.Add($"currentLsbAmps: {chosen} must be above 0");
        }

        if (problems.Count > 0)
        {
            return problems;
        }

        // The calibration register (datasheet §8.5.1 Eq. 1): below 2 the device cannot count.
        var lsb = currentLsb ?? maxCurrent / 32768.0;
        var cal = Math.Min(Math.Floor((0.04096 / (lsb * shuntOhms)) + 1e-9), 0xFFFE);
        if (((int)cal & 0xFFFE) < 2)
        {
            problems.Add($"a current LSB of {lsb} A with a {shuntOhms} Ω shunt needs a calibration below 2.");
        }

        return problems;
    }

    private static int? Int(I2cSensorConfig sensor, string key) =>
        sensor.Options.TryGetValue(key, out var text) ? int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture) : null;

    private static double? Double(I2cSensorConfig sensor, string key) =>
        sensor.Options.TryGetValue(key, out var text) ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) : null;
}
