using Microsoft.Extensions.Logging;

namespace EdgeNode.I2c;

/// <summary>INA219 bus voltage range (config register BRNG, bit 13).</summary>
public enum Ina219BusRange
{
    /// <summary>0–16 V.</summary>
    V16 = 0,

    /// <summary>0–32 V (power-on default; the input is rated to 26 V).</summary>
    V32 = 1,
}

/// <summary>INA219 shunt voltage range: PGA gain (config register PG[12:11]).</summary>
public enum Ina219ShuntRange
{
    /// <summary>±40 mV (gain /1).</summary>
    Mv40 = 0b00,

    /// <summary>±80 mV (gain /2).</summary>
    Mv80 = 0b01,

    /// <summary>±160 mV (gain /4).</summary>
    Mv160 = 0b10,

    /// <summary>±320 mV (gain /8, power-on default).</summary>
    Mv320 = 0b11,
}

/// <summary>INA219 ADC resolution or averaging (config register BADC[10:7] / SADC[6:3], datasheet Table 5).</summary>
public enum Ina219Adc
{
    /// <summary>9-bit, 84 µs.</summary>
    Bits9 = 0b0000,

    /// <summary>10-bit, 148 µs.</summary>
    Bits10 = 0b0001,

    /// <summary>11-bit, 276 µs.</summary>
    Bits11 = 0b0010,

    /// <summary>12-bit, 532 µs (power-on default).</summary>
    Bits12 = 0b0011,

    /// <summary>12-bit, 2 samples averaged, 1.06 ms.</summary>
    Samples2 = 0b1001,

    /// <summary>4 samples, 2.13 ms.</summary>
    Samples4 = 0b1010,

    /// <summary>8 samples, 4.26 ms.</summary>
    Samples8 = 0b1011,

    /// <summary>16 samples, 8.51 ms.</summary>
    Samples16 = 0b1100,

    /// <summary>32 samples, 17.02 ms.</summary>
    Samples32 = 0b1101,

    /// <summary>64 samples, 34.05 ms.</summary>
    Samples64 = 0b1110,

    /// <summary>128 samples, 68.10 ms.</summary>
    Samples128 = 0b1111,
}

/// <summary>INA219 settings: the shunt and the current it should measure drive the calibration (§8.5.1).</summary>
public sealed record Ina219Options
{
    /// <summary>Shunt resistance in ohms (0.1 Ω on the common breakout boards).</summary>
    public double ShuntOhms { get; init; } = 0.1;

    /// <summary>The largest current expected, in amperes; sets the current LSB (Current_LSB = max / 2¹⁵, Eq. 2).</summary>
    public double MaxExpectedCurrentAmps { get; init; } = 3.2;

    /// <summary>A chosen current LSB in amperes (a "round" value, as in the datasheet's examples); null computes it.</summary>
    public double? CurrentLsbAmps { get; init; }

    /// <summary>Bus voltage range.</summary>
    public Ina219BusRange BusRange { get; init; } = Ina219BusRange.V32;

    /// <summary>Shunt voltage range; null picks the smallest that holds MaxExpectedCurrentAmps × ShuntOhms.</summary>
    public Ina219ShuntRange? ShuntRange { get; init; }

    /// <summary>Bus voltage ADC mode.</summary>
    public Ina219Adc BusAdc { get; init; } = Ina219Adc.Bits12;

    /// <summary>Shunt voltage ADC mode.</summary>
    public Ina219Adc ShuntAdc { get; init; } = Ina219Adc.Bits12;

    /// <summary>Tolerance for comparing shunt voltages (0.1 Ω × 3.2 A is 0.32000000000000006 V in binary floating point).</summary>
    internal const double Epsilon = 1e-9;

    /// <summary>Every problem of the options, one line each; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!(ShuntOhms > 0 && ShuntOhms <= 100))
        {
            problems.Add($"shuntOhms: {ShuntOhms} must be above 0 (and at most 100)");
        }

        if (!(MaxExpectedCurrentAmps > 0))
        {
            problems.Add($"maxExpectedCurrentAmps: {MaxExpectedCurrentAmps} must be above 0");
        }
        else if (ShuntOhms > 0 && MaxExpectedCurrentAmps * ShuntOhms > 0.32 + Epsilon)
        {
            problems.Add($"maxExpectedCurrentAmps: {MaxExpectedCurrentAmps} A through {ShuntOhms} Ω drops " +
                         $"{MaxExpectedCurrentAmps * ShuntOhms * 1000:0.#} mV, beyond the INA219's ±320 mV shunt range; use a smaller shunt");
        }

        if (CurrentLsbAmps is { } lsb && !(lsb > 0))
        {
            problems.Add($"currentLsbAmps: {lsb} must be above 0");
        }

        if (!Enum.IsDefined(BusRange) || (ShuntRange is { } range && !Enum.IsDefined(range)) || !Enum.IsDefined(BusAdc) || !Enum.IsDefined(ShuntAdc))
        {
            problems.Add("busRange/shuntRange/busAdc/shuntAdc: not a defined setting");
        }

        return problems;
    }
}

/// <summary>The calibration register and the LSBs it implies (datasheet §8.5.1, Equations 1–4).</summary>
/// <param name="Value">The calibration register (bit 0 is unused and kept 0).</param>
/// <param name="CurrentLsbAmps">Amperes per count of the current register, as the device computes it with <paramref name="Value"/>.</param>
/// <param name="PowerLsbWatts">Watts per count of the power register: 20 × CurrentLsbAmps (Eq. 4).</param>
/// <param name="ShuntRange">The shunt range (PGA) used.</param>
public readonly record struct Ina219Calibration(ushort Value, double CurrentLsbAmps, double PowerLsbWatts, Ina219ShuntRange ShuntRange)
{
    /// <summary>
    /// Computes the calibration: Current_LSB = MaxExpected / 2¹⁵ unless chosen (Eq. 2), Cal = trunc(0.04096 /
    /// (Current_LSB × R_SHUNT)) (Eq. 1), Power_LSB = 20 × Current_LSB (Eq. 4). The current register counts
    /// shunt × Cal / 4096 (Eq. 3), so the LSB reported is the one the truncated Cal really gives: 0.04096 / (Cal × R).
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid or the LSB does not fit the 16-bit register.</exception>
    public static Ina219Calibration Compute(Ina219Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid INA219 options: {string.Join("; ", problems)}", nameof(options));
        }

        var shuntMax = options.MaxExpectedCurrentAmps * options.ShuntOhms - Ina219Options.Epsilon;
        var range = options.ShuntRange ?? (shuntMax <= 0.04 ? Ina219ShuntRange.Mv40
            : shuntMax <= 0.08 ? Ina219ShuntRange.Mv80
            : shuntMax <= 0.16 ? Ina219ShuntRange.Mv160
            : Ina219ShuntRange.Mv320);
        var lsb = options.CurrentLsbAmps ?? options.MaxExpectedCurrentAmps / 32768.0;
        var exact = 0.04096 / (lsb * options.ShuntOhms);
        // Rounding guards against 4095.9999999 for an exact 4096 from binary floating point.
        var cal = Math.Floor(exact + 1e-9);
        if (cal > 0xFFFE)
        {
            cal = 0xFFFE; // the finest LSB the register allows
        }

        var value = (ushort)((int)cal & 0xFFFE);
        if (value < 2)
        {
            throw new ArgumentException(
                $"Invalid INA219 options: a current LSB of {lsb} A with a {options.ShuntOhms} Ω shunt needs a calibration below 2.",
                nameof(options));
        }

        var currentLsb = 0.04096 / (value * options.ShuntOhms);
        return new Ina219Calibration(value, currentLsb, 20 * currentLsb, range);
    }
}

/// <summary>One INA219 read.</summary>
/// <param name="BusVolts">Bus voltage (IN− to GND), V.</param>
/// <param name="ShuntVolts">Shunt voltage (IN+ to IN−), V.</param>
/// <param name="CurrentAmps">Current, A.</param>
/// <param name="PowerWatts">Power, W.</param>
public readonly record struct Ina219Measurement(double BusVolts, double ShuntVolts, double CurrentAmps, double PowerWatts);

/// <summary>
/// TI INA219 current/power monitor, continuously converting shunt and bus voltage (MODE 111) with the calibration
/// register programmed from the shunt and the expected current (§8.5.1), so the device itself reports current and
/// power. A power-cycled INA219 forgets its calibration (current and power read 0): every read checks the register and
/// programs it again. Addresses 0x40..0x4F (A0/A1 pins).
/// </summary>
public sealed class Ina219 : I2cSensor<Ina219Measurement>
{
    /// <summary>A0 and A1 to GND.</summary>
    public const int DefaultAddress = 0x40;

    // Register pointers (§8.6, Table 2).
    internal const byte RegConfig = 0x00, RegShunt = 0x01, RegBus = 0x02, RegPower = 0x03, RegCurrent = 0x04, RegCalibration = 0x05;

    internal const ushort ConfigReset = 0x8000, ModeShuntAndBusContinuous = 0b111;

    private static readonly I2cSensorChannel[] SensorChannels =
        [new("BusVoltage", "V"), new("ShuntVoltage", "V"), new("Current", "A"), new("Power", "W")];

    private readonly Ina219Options _options;
    private Ina219Measurement _last;
    private bool _freshConfiguration;

    /// <summary>Creates the driver; nothing is sent until the first read.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public Ina219(I2cDevice device, Ina219Options? options = null, ILogger? logger = null)
        : base(device, logger)
    {
        _options = options ?? new Ina219Options();
        Calibration = Ina219Calibration.Compute(_options);
        ConfigurationWord = Config(_options, Calibration.ShuntRange);
    }

    /// <inheritdoc />
    public override string Model => "INA219";

    /// <summary>Bus voltage (V), shunt voltage (V), current (A), power (W).</summary>
    public override IReadOnlyList<I2cSensorChannel> Channels => SensorChannels;

    /// <summary>The calibration programmed into the device.</summary>
    public Ina219Calibration Calibration { get; }

    /// <summary>The configuration register programmed into the device.</summary>
    public ushort ConfigurationWord { get; }

    /// <summary>BRNG, PG, BADC, SADC and MODE 111 (shunt and bus, continuous) (§8.6.2.1).</summary>
    public static ushort Config(Ina219Options options, Ina219ShuntRange shuntRange)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (ushort)((int)options.BusRange << 13 | (int)shuntRange << 11 | (int)options.BusAdc << 7 | (int)options.ShuntAdc << 3
            | ModeShuntAndBusContinuous);
    }

    /// <summary>Conversion time of an ADC mode in microseconds (Table 5).</summary>
    public static int ConversionMicroseconds(Ina219Adc adc) => adc switch
    {
        Ina219Adc.Bits9 => 84,
        Ina219Adc.Bits10 => 148,
        Ina219Adc.Bits11 => 276,
        Ina219Adc.Bits12 => 532,
        Ina219Adc.Samples2 => 1060,
        Ina219Adc.Samples4 => 2130,
        Ina219Adc.Samples8 => 4260,
        Ina219Adc.Samples16 => 8510,
        Ina219Adc.Samples32 => 17020,
        Ina219Adc.Samples64 => 34050,
        _ => 68100,
    };

    private I2cResult Configure()
    {
        var result = Device.TryWriteRegister16(RegConfig, ConfigurationWord);
        if (result.IsOk)
        {
            result = Device.TryWriteRegister16(RegCalibration, Calibration.Value);
        }

        _freshConfiguration = result.IsOk;
        return result;
    }

    /// <inheritdoc />
    protected override I2cResult OnInitialize(out string details)
    {
        details = "";
        // RST (bit 15) restores every register to its power-on value, so nothing a previous program set survives.
        var result = Device.TryWriteRegister16(RegConfig, ConfigReset);
        if (result.IsOk)
        {
            result = Configure();
        }

        if (result.IsOk)
        {
            result = Device.TryReadRegister16(RegConfig, out var readBack);
            if (result.IsOk && readBack != ConfigurationWord)
            {
                return Fail(I2cStatus.InvalidData,
                    $"the configuration register reads 0x{readBack:X4} after writing 0x{ConfigurationWord:X4}: not an INA219?");
            }
        }

        details = $"shunt {_options.ShuntOhms} Ω, range ±{40 << (int)Calibration.ShuntRange} mV, calibration {Calibration.Value}, " +
                  $"current LSB {Calibration.CurrentLsbAmps * 1e6:0.###} µA";
        return result;
    }

    /// <inheritdoc />
    protected override I2cResult Start(int step, out TimeSpan wait)
    {
        wait = TimeSpan.Zero;
        var result = Device.TryReadRegister16(RegCalibration, out var calibration);
        if (!result.IsOk)
        {
            return result;
        }

        if (calibration != Calibration.Value)
        {
            // A brown-out or power cycle reset the chip between polls: its current and power would read 0.
            Log.SensorReconfigured(Logger, Model, Device.Address, Device.Bus.Name);
            result = Configure();
        }

        if (_freshConfiguration)
        {
            // The first results after (re)configuration need one full conversion of both ADCs.
            _freshConfiguration = false;
            wait = TimeSpan.FromMilliseconds(Math.Ceiling((ConversionMicroseconds(_options.BusAdc) + ConversionMicroseconds(_options.ShuntAdc)) / 1000.0) + 1);
        }

        return result;
    }

    /// <inheritdoc />
    protected override I2cResult Fetch(int step, out bool notReady)
    {
        notReady = false;
        var result = Device.TryReadRegister16(RegBus, out var bus);
        ushort shunt = 0, current = 0, power = 0;
        if (result.IsOk)
        {
            result = Device.TryReadRegister16(RegShunt, out shunt);
        }

        if (result.IsOk)
        {
            result = Device.TryReadRegister16(RegCurrent, out current);
        }

        if (result.IsOk)
        {
            result = Device.TryReadRegister16(RegPower, out power);
        }

        if (!result.IsOk)
        {
            return result;
        }

        // Bus voltage register: BD[15:3] in 4 mV, CNVR bit 1, OVF bit 0 (§8.6.3.2). OVF: the current or power
        // calculation overflowed, so those registers are meaningless.
        if ((bus & 0x1) != 0)
        {
            return Fail(I2cStatus.InvalidData,
                $"math overflow: the current exceeds the calibrated range ({_options.MaxExpectedCurrentAmps} A expected); raise maxExpectedCurrentAmps.");
        }

        _last = new Ina219Measurement(
            (bus >> 3) * 0.004,
            (short)shunt * 10e-6,
            (short)current * Calibration.CurrentLsbAmps,
            power * Calibration.PowerLsbWatts);
        return result;
    }

    /// <inheritdoc />
    protected override Ina219Measurement Complete() => _last;

    /// <inheritdoc />
    protected override void ToValues(in Ina219Measurement measurement, Span<double> values)
    {
        values[0] = measurement.BusVolts;
        values[1] = measurement.ShuntVolts;
        values[2] = measurement.CurrentAmps;
        values[3] = measurement.PowerWatts;
    }
}
