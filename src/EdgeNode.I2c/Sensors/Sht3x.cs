using System.Buffers.Binary;
using Microsoft.Extensions.Logging;

namespace EdgeNode.I2c;

/// <summary>Repeatability of an SHT3x single-shot measurement (datasheet §4.3, Table 9).</summary>
public enum Sht3xRepeatability
{
    /// <summary>Lowest noise; up to 15 ms (15.5 ms in later datasheet revisions).</summary>
    High,

    /// <summary>Up to 6 ms.</summary>
    Medium,

    /// <summary>Up to 4 ms.</summary>
    Low,
}

/// <summary>SHT3x settings.</summary>
public sealed record Sht3xOptions
{
    /// <summary>Repeatability; high by default.</summary>
    public Sht3xRepeatability Repeatability { get; init; } = Sht3xRepeatability.High;

    /// <summary>
    /// Use the clock-stretching commands (0x2C..): the sensor holds SCL until the result is ready. Off by default: the
    /// Raspberry Pi's I2C controller mishandles clock stretching, so the driver waits and polls instead.
    /// </summary>
    public bool ClockStretching { get; init; }
}

/// <summary>One SHT3x measurement.</summary>
/// <param name="TemperatureCelsius">Temperature, °C.</param>
/// <param name="HumidityPercent">Relative humidity, %RH.</param>
public readonly record struct Sht3xMeasurement(double TemperatureCelsius, double HumidityPercent);

/// <summary>
/// Sensirion SHT30/31/35 (SHT3x-DIS) temperature and humidity sensor: single-shot measurements (§4.3), each word
/// checked with the datasheet's CRC-8 (§4.12), converted with §4.13. Addresses 0x44 (ADDR to GND) and 0x45.
/// </summary>
public sealed class Sht3x : I2cSensor<Sht3xMeasurement>
{
    /// <summary>ADDR pin to GND.</summary>
    public const int DefaultAddress = 0x44;

    /// <summary>ADDR pin to VDD.</summary>
    public const int AlternateAddress = 0x45;

    internal const ushort SoftResetCommand = 0x30A2, ReadStatusCommand = 0xF32D, ClearStatusCommand = 0x3041;

    private static readonly I2cSensorChannel[] SensorChannels = [new("Temperature", "°C"), new("Humidity", "%RH")];

    private readonly Sht3xOptions _options;
    private readonly byte[] _data = new byte[6];

    /// <summary>Creates the driver; nothing is sent until the first read.</summary>
    public Sht3x(I2cDevice device, Sht3xOptions? options = null, ILogger? logger = null)
        : base(device, logger)
    {
        _options = options ?? new Sht3xOptions();
        if (!Enum.IsDefined(_options.Repeatability))
        {
            throw new ArgumentException($"Invalid SHT3x repeatability {_options.Repeatability}.", nameof(options));
        }
    }

    /// <inheritdoc />
    public override string Model => "SHT3x";

    /// <summary>Temperature (°C) and relative humidity (%RH).</summary>
    public override IReadOnlyList<I2cSensorChannel> Channels => SensorChannels;

    /// <summary>The status register read at initialization (§4.11).</summary>
    public ushort Status { get; private set; }

    /// <inheritdoc />
    protected override TimeSpan ReadyPollInterval => TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// The single-shot command (§4.3 Table 9): clock stretching 0x2C06/0x2C0D/0x2C10, polling 0x2400/0x240B/0x2416
    /// for high/medium/low repeatability.
    /// </summary>
    public static ushort MeasurementCommand(Sht3xRepeatability repeatability, bool clockStretching) => (clockStretching, repeatability) switch
    {
        (true, Sht3xRepeatability.High) => 0x2C06,
        (true, Sht3xRepeatability.Medium) => 0x2C0D,
        (true, _) => 0x2C10,
        (false, Sht3xRepeatability.High) => 0x2400,
        (false, Sht3xRepeatability.Medium) => 0x240B,
        _ => 0x2416,
    };

    /// <summary>Maximum measurement duration (§2.2 Table 4: 15/6/4 ms; later revisions 15.5/6.5/4.5 ms), rounded up.</summary>
    public static TimeSpan MeasurementDuration(Sht3xRepeatability repeatability) => TimeSpan.FromMilliseconds(repeatability switch
    {
        Sht3xRepeatability.High => 16,
        Sht3xRepeatability.Medium => 7,
        _ => 5,
    });

    /// <summary>
    /// CRC-8 of §4.12: polynomial 0x31 (x⁸ + x⁵ + x⁴ + 1), initialization 0xFF, no reflection, no final XOR;
    /// CRC(0xBEEF) = 0x92.
    /// </summary>
    public static byte Crc8(ReadOnlySpan<byte> data)
    {
        byte crc = 0xFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80) != 0 ? (byte)((crc << 1) ^ 0x31) : (byte)(crc << 1);
            }
        }

        return crc;
    }

    /// <summary>T[°C] = -45 + 175 · S_T / (2¹⁶ - 1) (§4.13).</summary>
    public static double ConvertTemperature(ushort raw) => -45.0 + 175.0 * raw / 65535.0;

    /// <summary>RH[%] = 100 · S_RH / (2¹⁶ - 1) (§4.13).</summary>
    public static double ConvertHumidity(ushort raw) => 100.0 * raw / 65535.0;

    private I2cResult Command(ushort command)
    {
        Span<byte> bytes = [(byte)(command >> 8), (byte)command];
        return Device.TryWrite(bytes);
    }

    /// <inheritdoc />
    protected override I2cResult OnInitialize(out string details)
    {
        details = "";
        // Soft reset (§4.9) brings the sensor to a known idle state; it is ready again after 1.5 ms (Table 4).
        var result = Command(SoftResetCommand);
        if (!result.IsOk)
        {
            return result;
        }

        Thread.Sleep(2);
        // The status register (§4.11) proves that an SHT3x answers: it has the datasheet's CRC. Command and read are
        // separate transactions (with a STOP), as the datasheet's sequences show.
        result = Command(ReadStatusCommand);
        Span<byte> status = stackalloc byte[3];
        if (result.IsOk)
        {
            result = Device.TryRead(status);
        }

        if (!result.IsOk)
        {
            return result;
        }

        if (Crc8(status[..2]) != status[2])
        {
            return Fail(I2cStatus.InvalidData,
                $"the status register's CRC is wrong (0x{status[2]:X2}, expected 0x{Crc8(status[..2]):X2}): not an SHT3x, or a noisy bus.");
        }

        Status = BinaryPrimitives.ReadUInt16BigEndian(status);
        details = $"status 0x{Status:X4}, single shot, {_options.Repeatability} repeatability" +
                  (_options.ClockStretching ? ", clock stretching" : "");
        return I2cResult.Ok;
    }

    /// <inheritdoc />
    protected override I2cResult Start(int step, out TimeSpan wait)
    {
        wait = MeasurementDuration(_options.Repeatability);
        return Command(MeasurementCommand(_options.Repeatability, _options.ClockStretching));
    }

    /// <inheritdoc />
    protected override I2cResult Fetch(int step, out bool notReady)
    {
        // While measuring, the sensor NACKs its read header (§4.4): an expected answer here, so no bus retries.
        var result = Device.TryRead(_data, retries: 0);
        notReady = result.Status == I2cStatus.NotResponding;
        if (notReady)
        {
            return I2cResult.Ok;
        }

        if (!result.IsOk)
        {
            return result;
        }

        for (var word = 0; word < 2; word++)
        {
            var at = word * 3;
            var crc = Crc8(_data.AsSpan(at, 2));
            if (crc != _data[at + 2])
            {
                return Fail(I2cStatus.InvalidData,
                    $"CRC mismatch on the {(word == 0 ? "temperature" : "humidity")} word (0x{_data[at + 2]:X2}, expected 0x{crc:X2}).");
            }
        }

        return result;
    }

    /// <inheritdoc />
    protected override Sht3xMeasurement Complete() => new(
        ConvertTemperature(BinaryPrimitives.ReadUInt16BigEndian(_data)),
        ConvertHumidity(BinaryPrimitives.ReadUInt16BigEndian(_data.AsSpan(3))));

    /// <inheritdoc />
    protected override void ToValues(in Sht3xMeasurement measurement, Span<double> values)
    {
        values[0] = measurement.TemperatureCelsius;
        values[1] = measurement.HumidityPercent;
    }
}
