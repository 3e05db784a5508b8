namespace EdgeNode.Configuration;

/// <summary>The <c>i2c:</c> section of a device: a bus and its sensors.</summary>
public sealed record I2cDeviceConfig
{
    /// <summary>Bus number (<c>1</c>) or device path (<c>/dev/i2c-1</c>).</summary>
    public required string Bus { get; init; }

    /// <summary>Sensors on the bus, each with its metrics (the device's metrics point at them).</summary>
    public required IReadOnlyList<I2cSensorConfig> Sensors { get; init; }
}

/// <summary>Sensor models with a driver.</summary>
public enum I2cSensorKind
{
    /// <summary>Bosch BME280 (temperature, pressure, humidity).</summary>
    Bme280,

    /// <summary>Bosch BMP280 (temperature, pressure).</summary>
    Bmp280,

    /// <summary>Sensirion SHT3x (temperature, humidity).</summary>
    Sht3x,

    /// <summary>TI ADS1115 ADC (4 channels).</summary>
    Ads1115,

    /// <summary>TI INA219 (bus voltage, shunt voltage, current, power).</summary>
    Ina219,

    /// <summary>Generic register read.</summary>
    Register,
}

/// <summary>One sensor of an I2C device.</summary>
public sealed record I2cSensorConfig
{
    /// <summary>Driver.</summary>
    public required I2cSensorKind Type { get; init; }

    /// <summary>7-bit address.</summary>
    public required int Address { get; init; }

    /// <summary>Driver options by name as written in the file (e.g. INA219 <c>shuntOhms</c>, <c>maxCurrentA</c>).</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
}

/// <summary>Where an I2C metric's value comes from.</summary>
public sealed record I2cMetricConfig
{
    /// <summary>Index of the sensor in <see cref="I2cDeviceConfig.Sensors"/>.</summary>
    public required int Sensor { get; init; }

    /// <summary>The driver's channel name (e.g. <c>temperature</c>, <c>pressure</c>, <c>humidity</c>, <c>ain0</c>,
    /// <c>busVoltage</c>, <c>current</c>, <c>power</c>); for <c>register</c> sensors the register address as written.</summary>
    public required string Channel { get; init; }

    /// <summary>Register reads: bytes to read.</summary>
    public int Length { get; init; }
}
