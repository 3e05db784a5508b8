using Microsoft.Extensions.Logging;

namespace EdgeNode.I2c;

/// <summary>Which Bosch chip a <see cref="Bme280"/> driver expects.</summary>
public enum Bme280Model
{
    /// <summary>Whichever the chip id says (0x60 BME280, 0x58 BMP280).</summary>
    Auto,

    /// <summary>BME280 (chip id 0x60): temperature, pressure, humidity.</summary>
    Bme280,

    /// <summary>BMP280 (chip id 0x58; 0x56/0x57 on samples): temperature and pressure.</summary>
    Bmp280,
}

/// <summary>Oversampling of one BME280 measurement (osrs_x register fields).</summary>
public enum Bme280Oversampling : byte
{
    /// <summary>Not measured (the output reads 0x80000 / 0x8000).</summary>
    Skipped = 0,

    /// <summary>One sample.</summary>
    X1 = 1,

    /// <summary>Two samples.</summary>
    X2 = 2,

    /// <summary>Four samples.</summary>
    X4 = 3,

    /// <summary>Eight samples.</summary>
    X8 = 4,

    /// <summary>Sixteen samples.</summary>
    X16 = 5,
}

/// <summary>IIR filter coefficient (config register filter[2:0]).</summary>
public enum Bme280Filter : byte
{
    /// <summary>No filter.</summary>
    Off = 0,

    /// <summary>Coefficient 2.</summary>
    X2 = 1,

    /// <summary>Coefficient 4.</summary>
    X4 = 2,

    /// <summary>Coefficient 8.</summary>
    X8 = 3,

    /// <summary>Coefficient 16.</summary>
    X16 = 4,
}

/// <summary>
/// BME280/BMP280 settings. The defaults are the datasheet's "weather monitoring" recommendation (§3.5.1): forced
/// mode, 1× oversampling of each value, filter off — one measurement per poll, lowest self-heating.
/// </summary>
public sealed record Bme280Options
{
    /// <summary>The chip expected; <see cref="Bme280Model.Auto"/> accepts either.</summary>
    public Bme280Model Model { get; init; } = Bme280Model.Auto;

    /// <summary>Temperature oversampling; cannot be skipped (pressure and humidity need t_fine).</summary>
    public Bme280Oversampling TemperatureOversampling { get; init; } = Bme280Oversampling.X1;

    /// <summary>Pressure oversampling; <see cref="Bme280Oversampling.Skipped"/> drops the pressure channel.</summary>
    public Bme280Oversampling PressureOversampling { get; init; } = Bme280Oversampling.X1;

    /// <summary>Humidity oversampling (BME280 only); <see cref="Bme280Oversampling.Skipped"/> drops the humidity channel.</summary>
    public Bme280Oversampling HumidityOversampling { get; init; } = Bme280Oversampling.X1;

    /// <summary>IIR filter (smooths pressure against slams and gusts; slows the response).</summary>
    public Bme280Filter Filter { get; init; } = Bme280Filter.Off;
}

/// <summary>One BME280/BMP280 measurement; a value not measured is NaN.</summary>
/// <param name="TemperatureCelsius">Temperature, °C (0.01 °C resolution).</param>
/// <param name="PressurePascals">Pressure, Pa (NaN when skipped).</param>
/// <param name="HumidityPercent">Relative humidity, %RH (NaN on a BMP280 or when skipped).</param>
public readonly record struct Bme280Measurement(double TemperatureCelsius, double PressurePascals, double HumidityPercent);

/// <summary>
/// Bosch BME280 (temperature, pressure, humidity) and BMP280 (temperature, pressure) in forced mode: each read starts
/// one measurement (ctrl_meas mode 01), waits the datasheet's maximum measurement time, checks status.measuring, reads
/// the data burst 0xF7.. and compensates it with the chip's trimming parameters (datasheet §4.2.3).
/// Addresses 0x76 (SDO to GND) and 0x77 (SDO to VDDIO).
/// </summary>
public sealed class Bme280 : I2cSensor<Bme280Measurement>
{
    /// <summary>SDO to GND.</summary>
    public const int DefaultAddress = 0x76;

    /// <summary>SDO to VDDIO.</summary>
    public const int AlternateAddress = 0x77;

    /// <summary>chip_id of a BME280.</summary>
    public const byte Bme280ChipId = 0x60;

    /// <summary>chip_id of a BMP280 (mass production; samples read 0x56 or 0x57).</summary>
    public const byte Bmp280ChipId = 0x58;

    // Register map (BME280 datasheet §5.3, Table 18).
    internal const byte RegCalib00 = 0x88, RegChipId = 0xD0, RegReset = 0xE0, RegCalib26 = 0xE1, RegCtrlHum = 0xF2,
        RegStatus = 0xF3, RegCtrlMeas = 0xF4, RegConfig = 0xF5, RegData = 0xF7;

    internal const byte ResetCommand = 0xB6, StatusMeasuring = 0x08, StatusImUpdate = 0x01, ModeForced = 0x01;

    private static readonly I2cSensorChannel Temperature = new("Temperature", "°C");
    private static readonly I2cSensorChannel Pressure = new("Pressure", "Pa");
    private static readonly I2cSensorChannel Humidity = new("Humidity", "%RH");

    private readonly Bme280Options _options;
    private readonly byte[] _data = new byte[8];
    private I2cSensorChannel[] _channels;

    /// <summary>Creates the driver; nothing is sent until the first read.</summary>
    /// <exception cref="ArgumentException">Temperature oversampling is skipped, or an option is out of range.</exception>
    public Bme280(I2cDevice device, Bme280Options? options = null, ILogger? logger = null)
        : base(device, logger)
    {
        _options = options ?? new Bme280Options();
        if (_options.TemperatureOversampling == Bme280Oversampling.Skipped || !Enum.IsDefined(_options.TemperatureOversampling)
            || !Enum.IsDefined(_options.PressureOversampling) || !Enum.IsDefined(_options.HumidityOversampling)
            || !Enum.IsDefined(_options.Filter) || !Enum.IsDefined(_options.Model))
        {
            throw new ArgumentException("Invalid BME280 options: temperature oversampling 1x..16x, pressure/humidity skipped or 1x..16x.",
                nameof(options));
        }

        DetectedModel = _options.Model;
        _channels = ChannelsFor(_options.Model == Bme280Model.Bmp280);
    }

    /// <inheritdoc />
    public override string Model => DetectedModel == Bme280Model.Bmp280 ? "BMP280" : "BME280";

    /// <summary>
    /// Temperature, then pressure and humidity unless skipped; a BMP280 has no humidity. With <see cref="Bme280Model.Auto"/>
    /// the list is final after the first successful read (or <see cref="I2cSensor{T}.Initialize"/>).
    /// </summary>
    public override IReadOnlyList<I2cSensorChannel> Channels => _channels;

    /// <summary>The model the chip id showed (the configured one until the first read).</summary>
    public Bme280Model DetectedModel { get; private set; }

    /// <summary>The chip id read (0 until the first read).</summary>
    public byte ChipId { get; private set; }

    /// <summary>The trimming parameters read from the chip (null until the first read).</summary>
    public Bme280Calibration? Calibration { get; private set; }

    private bool HasHumidity => DetectedModel != Bme280Model.Bmp280;

    private I2cSensorChannel[] ChannelsFor(bool bmp280)
    {
        var channels = new List<I2cSensorChannel> { Temperature };
        if (_options.PressureOversampling != Bme280Oversampling.Skipped)
        {
            channels.Add(Pressure);
        }

        if (!bmp280 && _options.HumidityOversampling != Bme280Oversampling.Skipped)
        {
            channels.Add(Humidity);
        }

        return channels.ToArray();
    }

    /// <inheritdoc />
    protected override I2cResult OnInitialize(out string details)
    {
        details = "";
        Span<byte> id = stackalloc byte[1];
        var result = Device.TryReadRegisters(RegChipId, id);
        if (!result.IsOk)
        {
            return result;
        }

        var model = id[0] switch
        {
            Bme280ChipId => Bme280Model.Bme280,
            Bmp280ChipId or 0x56 or 0x57 => Bme280Model.Bmp280,
            _ => Bme280Model.Auto,
        };
        if (model == Bme280Model.Auto)
        {
            var known = id[0] switch
            {
                0x55 => " (a BMP180, which this driver does not support)",
                0x61 => " (a BME680, which this driver does not support)",
                0x50 => " (a BMP388/390, which this driver does not support)",
                _ => "",
            };
            return Fail(I2cStatus.InvalidData, $"chip id 0x{id[0]:X2}{known} is neither a BME280 (0x60) nor a BMP280 (0x58); check the address.");
        }

        if (_options.Model != Bme280Model.Auto && model != _options.Model)
        {
            return Fail(I2cStatus.InvalidData,
                $"the chip is a {(model == Bme280Model.Bme280 ? "BME280" : "BMP280")} (chip id 0x{id[0]:X2}) but is configured as " +
                $"{(_options.Model == Bme280Model.Bme280 ? "BME280 (with humidity)" : "BMP280 (without humidity)")}.");
        }

        // Soft reset puts the chip in sleep mode with default registers; it then copies its NVM (status.im_update).
        result = Device.TryWriteRegister(RegReset, ResetCommand);
        if (!result.IsOk)
        {
            return result;
        }

        Thread.Sleep(2); // start-up time after reset, datasheet §1 Table 1: 2 ms
        Span<byte> status = stackalloc byte[1];
        for (var poll = 0; ; poll++)
        {
            result = Device.TryReadRegisters(RegStatus, status);
            if (!result.IsOk)
            {
                return result;
            }

            if ((status[0] & StatusImUpdate) == 0)
            {
                break;
            }

            if (poll == 10)
            {
                return Fail(I2cStatus.Timeout, "the chip did not finish copying its calibration after a reset.");
            }

            Thread.Sleep(1);
        }

        Span<byte> tp = stackalloc byte[Bme280Calibration.TemperaturePressureLength];
        Span<byte> h = stackalloc byte[model == Bme280Model.Bme280 ? Bme280Calibration.HumidityLength : 0];
        result = Device.TryReadRegisters(RegCalib00, tp);
        if (result.IsOk && !h.IsEmpty)
        {
            result = Device.TryReadRegisters(RegCalib26, h);
        }

        if (!result.IsOk)
        {
            return result;
        }

        var calibration = Bme280Calibration.Parse(tp, h);
        if (calibration.T1 == 0 || calibration.P1 == 0 || calibration.T1 == 0xFFFF)
        {
            return Fail(I2cStatus.InvalidData, "the calibration memory reads blank (dig_T1/dig_P1 are 0 or 0xFFFF): a damaged chip or a bus problem.");
        }

        // config (filter; t_sb and spi3w_en unused in forced mode over I2C) is only taken in sleep mode, i.e. now.
        result = Device.TryWriteRegister(RegConfig, (byte)((byte)_options.Filter << 2));
        if (!result.IsOk)
        {
            return result;
        }

        ChipId = id[0];
        DetectedModel = model;
        Calibration = calibration;
        _channels = ChannelsFor(model == Bme280Model.Bmp280);
        details = $"chip id 0x{id[0]:X2}, forced mode, oversampling T{Samples(_options.TemperatureOversampling)} " +
                  $"P{Samples(_options.PressureOversampling)}" +
                  (HasHumidity ? $" H{Samples(_options.HumidityOversampling)}" : "") + $", filter {_options.Filter}";
        return I2cResult.Ok;
    }

    private static int Samples(Bme280Oversampling oversampling) =>
        oversampling == Bme280Oversampling.Skipped ? 0 : 1 << ((int)oversampling - 1);

    /// <inheritdoc />
    protected override I2cResult Start(int step, out TimeSpan wait)
    {
        wait = TimeSpan.Zero;
        if (HasHumidity)
        {
            // ctrl_hum only takes effect with the following write to ctrl_meas (datasheet §5.4.3).
            var hum = Device.TryWriteRegister(RegCtrlHum, (byte)_options.HumidityOversampling);
            if (!hum.IsOk)
            {
                return hum;
            }
        }

        var meas = (byte)((byte)_options.TemperatureOversampling << 5 | (byte)_options.PressureOversampling << 2 | ModeForced);
        var result = Device.TryWriteRegister(RegCtrlMeas, meas);
        var ms = Bme280Compensation.MaxMeasurementMs(Samples(_options.TemperatureOversampling), Samples(_options.PressureOversampling),
            HasHumidity ? Samples(_options.HumidityOversampling) : 0);
        wait = TimeSpan.FromMilliseconds(Math.Ceiling(ms));
        return result;
    }

    /// <inheritdoc />
    protected override I2cResult Fetch(int step, out bool notReady)
    {
        notReady = false;
        Span<byte> status = stackalloc byte[1];
        var result = Device.TryReadRegisters(RegStatus, status);
        if (!result.IsOk)
        {
            return result;
        }

        if ((status[0] & StatusMeasuring) != 0)
        {
            notReady = true;
            return result;
        }

        var data = _data.AsSpan(0, HasHumidity ? 8 : 6);
        result = Device.TryReadRegisters(RegData, data);
        if (!result.IsOk)
        {
            return result;
        }

        // 0x80000 is the reset value of the temperature output: no measurement has completed yet.
        notReady = AdcTemperature == 0x80000;
        return result;
    }

    private int AdcPressure => _data[0] << 12 | _data[1] << 4 | _data[2] >> 4;

    private int AdcTemperature => _data[3] << 12 | _data[4] << 4 | _data[5] >> 4;

    private int AdcHumidity => _data[6] << 8 | _data[7];

    /// <inheritdoc />
    protected override Bme280Measurement Complete()
    {
        var calibration = Calibration!;
        var t = Bme280Compensation.CompensateTemperature(AdcTemperature, calibration, out var tFine);
        var pressure = _options.PressureOversampling == Bme280Oversampling.Skipped
            ? double.NaN
            : Bme280Compensation.CompensatePressure(AdcPressure, tFine, calibration) / 256.0;
        var humidity = !HasHumidity || _options.HumidityOversampling == Bme280Oversampling.Skipped
            ? double.NaN
            : Bme280Compensation.CompensateHumidity(AdcHumidity, tFine, calibration) / 1024.0;
        return new Bme280Measurement(t / 100.0, pressure, humidity);
    }

    /// <inheritdoc />
    protected override void ToValues(in Bme280Measurement measurement, Span<double> values)
    {
        var i = 0;
        values[i++] = measurement.TemperatureCelsius;
        if (_options.PressureOversampling != Bme280Oversampling.Skipped)
        {
            values[i++] = measurement.PressurePascals;
        }

        if (HasHumidity && _options.HumidityOversampling != Bme280Oversampling.Skipped)
        {
            values[i] = measurement.HumidityPercent;
        }
    }
}
