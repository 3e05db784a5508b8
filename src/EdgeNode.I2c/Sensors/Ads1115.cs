using System.Buffers.Binary;
using Microsoft.Extensions.Logging;

namespace EdgeNode.I2c;

/// <summary>ADS1115 input multiplexer settings (config register MUX[14:12], datasheet §8.6.3 Table 8).</summary>
public enum Ads1115Input
{
    /// <summary>AIN0 − AIN1 (differential).</summary>
    Ain0MinusAin1 = 0b000,

    /// <summary>AIN0 − AIN3 (differential).</summary>
    Ain0MinusAin3 = 0b001,

    /// <summary>AIN1 − AIN3 (differential).</summary>
    Ain1MinusAin3 = 0b010,

    /// <summary>AIN2 − AIN3 (differential).</summary>
    Ain2MinusAin3 = 0b011,

    /// <summary>AIN0 against GND.</summary>
    Ain0 = 0b100,

    /// <summary>AIN1 against GND.</summary>
    Ain1 = 0b101,

    /// <summary>AIN2 against GND.</summary>
    Ain2 = 0b110,

    /// <summary>AIN3 against GND.</summary>
    Ain3 = 0b111,
}

/// <summary>ADS1115 programmable gain: the full-scale range (config register PGA[11:9]).</summary>
public enum Ads1115Gain
{
    /// <summary>±6.144 V (inputs still limited to VDD + 0.3 V).</summary>
    Fsr6144mV = 0b000,

    /// <summary>±4.096 V.</summary>
    Fsr4096mV = 0b001,

    /// <summary>±2.048 V (power-on default).</summary>
    Fsr2048mV = 0b010,

    /// <summary>±1.024 V.</summary>
    Fsr1024mV = 0b011,

    /// <summary>±0.512 V.</summary>
    Fsr512mV = 0b100,

    /// <summary>±0.256 V.</summary>
    Fsr256mV = 0b101,
}

/// <summary>ADS1115 data rate in samples per second (config register DR[7:5]).</summary>
public enum Ads1115DataRate
{
    /// <summary>8 SPS.</summary>
    Sps8 = 0b000,

    /// <summary>16 SPS.</summary>
    Sps16 = 0b001,

    /// <summary>32 SPS.</summary>
    Sps32 = 0b010,

    /// <summary>64 SPS.</summary>
    Sps64 = 0b011,

    /// <summary>128 SPS (power-on default).</summary>
    Sps128 = 0b100,

    /// <summary>250 SPS.</summary>
    Sps250 = 0b101,

    /// <summary>475 SPS.</summary>
    Sps475 = 0b110,

    /// <summary>860 SPS.</summary>
    Sps860 = 0b111,
}

/// <summary>One converted ADS1115 input.</summary>
/// <param name="Name">Channel (metric) name.</param>
/// <param name="Input">Single-ended or differential input.</param>
/// <param name="Gain">Full-scale range.</param>
public sealed record Ads1115Channel(string Name, Ads1115Input Input, Ads1115Gain Gain = Ads1115Gain.Fsr4096mV);

/// <summary>ADS1115 settings.</summary>
public sealed record Ads1115Options
{
    /// <summary>The inputs converted by each read, in order; by default AIN0..AIN3 single-ended at ±4.096 V.</summary>
    public IReadOnlyList<Ads1115Channel> Channels { get; init; } =
    [
        new("AIN0", Ads1115Input.Ain0), new("AIN1", Ads1115Input.Ain1), new("AIN2", Ads1115Input.Ain2), new("AIN3", Ads1115Input.Ain3),
    ];

    /// <summary>Data rate; slower rates filter more noise (128 SPS: 7.8 ms per conversion).</summary>
    public Ads1115DataRate DataRate { get; init; } = Ads1115DataRate.Sps128;
}

/// <summary>One ADS1115 read: a voltage and raw code per channel.</summary>
/// <param name="Volts">Volts per channel, in <see cref="Ads1115Options.Channels"/> order.</param>
/// <param name="Raw">Two's-complement conversion codes per channel.</param>
public readonly record struct Ads1115Measurement(IReadOnlyList<double> Volts, IReadOnlyList<short> Raw);

/// <summary>
/// TI ADS1115 16-bit ADC in single-shot mode (datasheet §8.3.6, §8.4.2): per channel write the config register with
/// OS=1 (start), MUX, PGA, MODE=1, DR and the comparator disabled; wait one conversion period; poll OS until it reads 1
/// (idle); read the conversion register. Addresses 0x48 (ADDR to GND), 0x49 (VDD), 0x4A (SDA), 0x4B (SCL).
/// </summary>
public sealed class Ads1115 : I2cSensor<Ads1115Measurement>
{
    /// <summary>ADDR to GND.</summary>
    public const int DefaultAddress = 0x48;

    // Address pointer register values (§8.6.1).
    internal const byte RegConversion = 0x00, RegConfig = 0x01;

    // Config register bits (§8.6.3).
    internal const ushort ConfigOs = 0x8000, ConfigModeSingleShot = 0x0100, ConfigComparatorDisabled = 0x0003;

    private readonly Ads1115Options _options;
    private readonly I2cSensorChannel[] _channels;
    private readonly short[] _raw;

    /// <summary>Creates the driver; nothing is sent until the first read.</summary>
    public Ads1115(I2cDevice device, Ads1115Options? options = null, ILogger? logger = null)
        : base(device, logger)
    {
        _options = options ?? new Ads1115Options();
        if (_options.Channels.Count == 0 || !Enum.IsDefined(_options.DataRate)
            || _options.Channels.Any(c => c is null || !Enum.IsDefined(c.Input) || !Enum.IsDefined(c.Gain) || string.IsNullOrWhiteSpace(c.Name)))
        {
            throw new ArgumentException("Invalid ADS1115 options: at least one named channel with a defined input and gain.", nameof(options));
        }

        _channels = _options.Channels.Select(c => new I2cSensorChannel(c.Name, "V")).ToArray();
        _raw = new short[_channels.Length];
    }

    /// <inheritdoc />
    public override string Model => "ADS1115";

    /// <summary>One channel per configured input, in volts.</summary>
    public override IReadOnlyList<I2cSensorChannel> Channels => _channels;

    /// <inheritdoc />
    protected override int Steps => _channels.Length;

    /// <inheritdoc />
    protected override TimeSpan ReadyPollInterval => TimeSpan.FromMilliseconds(1);

    /// <summary>The full-scale range in volts (§8.3.3 Table 3).</summary>
    public static double FullScaleVolts(Ads1115Gain gain) => gain switch
    {
        Ads1115Gain.Fsr6144mV => 6.144,
        Ads1115Gain.Fsr4096mV => 4.096,
        Ads1115Gain.Fsr2048mV => 2.048,
        Ads1115Gain.Fsr1024mV => 1.024,
        Ads1115Gain.Fsr512mV => 0.512,
        _ => 0.256,
    };

    /// <summary>Samples per second of a data rate.</summary>
    public static int SamplesPerSecond(Ads1115DataRate rate) => rate switch
    {
        Ads1115DataRate.Sps8 => 8,
        Ads1115DataRate.Sps16 => 16,
        Ads1115DataRate.Sps32 => 32,
        Ads1115DataRate.Sps64 => 64,
        Ads1115DataRate.Sps128 => 128,
        Ads1115DataRate.Sps250 => 250,
        Ads1115DataRate.Sps475 => 475,
        _ => 860,
    };

    /// <summary>Volts of a conversion code: code × FSR / 2¹⁵ (§8.3.3: one LSB = FSR / 2¹⁵).</summary>
    public static double ToVolts(short raw, Ads1115Gain gain) => raw * FullScaleVolts(gain) / 32768.0;

    /// <summary>
    /// The config word that starts one single-shot conversion: OS=1, MUX, PGA, MODE=1 (single-shot), DR, comparator
    /// disabled (COMP_QUE=11, its power-on default, so ALERT/RDY stays high-impedance).
    /// </summary>
    public static ushort SingleShotConfig(Ads1115Input input, Ads1115Gain gain, Ads1115DataRate rate) =>
        (ushort)(ConfigOs | (int)input << 12 | (int)gain << 9 | ConfigModeSingleShot | (int)rate << 5 | ConfigComparatorDisabled);

    /// <summary>One conversion period plus the internal oscillator's 10 % tolerance (§7.5 "data rate variation") and wake-up.</summary>
    public static TimeSpan ConversionTime(Ads1115DataRate rate) =>
        TimeSpan.FromMilliseconds(Math.Ceiling(1000.0 * 1.1 / SamplesPerSecond(rate) + 0.1));

    /// <inheritdoc />
    protected override I2cResult OnInitialize(out string details)
    {
        // The config register answers with its value; the ADS1115 has no id register, so presence is all we can check.
        var result = Device.TryReadRegister16(RegConfig, out var config);
        details = $"config 0x{config:X4}, {_channels.Length} channel(s) at {SamplesPerSecond(_options.DataRate)} SPS";
        return result;
    }

    /// <inheritdoc />
    protected override I2cResult Start(int step, out TimeSpan wait)
    {
        var channel = _options.Channels[step];
        wait = ConversionTime(_options.DataRate);
        return Device.TryWriteRegister16(RegConfig, SingleShotConfig(channel.Input, channel.Gain, _options.DataRate));
    }

    /// <inheritdoc />
    protected override I2cResult Fetch(int step, out bool notReady)
    {
        var result = Device.TryReadRegister16(RegConfig, out var config);
        // OS reads 0 while a conversion is in progress, 1 when the device is idle (§8.6.3).
        notReady = result.IsOk && (config & ConfigOs) == 0;
        if (!result.IsOk || notReady)
        {
            return result;
        }

        result = Device.TryReadRegister16(RegConversion, out var code);
        _raw[step] = (short)code;
        return result;
    }

    /// <inheritdoc />
    protected override Ads1115Measurement Complete()
    {
        var volts = new double[_raw.Length];
        for (var i = 0; i < volts.Length; i++)
        {
            volts[i] = ToVolts(_raw[i], _options.Channels[i].Gain);
        }

        return new Ads1115Measurement(volts, _raw.ToArray());
    }

    /// <inheritdoc />
    protected override void ToValues(in Ads1115Measurement measurement, Span<double> values)
    {
        for (var i = 0; i < measurement.Volts.Count; i++)
        {
            values[i] = measurement.Volts[i];
        }
    }

    /// <summary>Reads the conversion register without starting a conversion (diagnostics).</summary>
    public short ReadLastConversion()
    {
        Span<byte> bytes = stackalloc byte[2];
        Device.TryReadRegisters(RegConversion, bytes).ThrowIfFailed(Device.Bus.Name, Device.Address);
        return BinaryPrimitives.ReadInt16BigEndian(bytes);
    }
}
