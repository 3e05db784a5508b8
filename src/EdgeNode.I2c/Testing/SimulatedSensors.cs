using System.Buffers.Binary;

namespace EdgeNode.I2c.Testing;

/// <summary>
/// A simulated Bosch BME280/BMP280: chip id, trimming parameters in 0x88../0xE1.., soft reset with an NVM copy
/// (status.im_update), forced mode that latches the raw ADC values into 0xF7.. and reports status.measuring for
/// <see cref="MeasuringStatusReads"/> reads. Writes are register/value pairs (datasheet §6.2.1). The defaults are
/// the BMP280 datasheet's worked example (§3.12): 25.08 °C and 100653 Pa.
/// </summary>
public sealed class SimulatedBme280 : SimulatedRegisterDevice
{
    private int _measuringLeft;
    private int _imUpdateLeft;

    /// <summary>The trimming parameters of the datasheet's example (§3.12), plus typical humidity parameters.</summary>
    public static Bme280Calibration DatasheetCalibration { get; } = new()
    {
        T1 = 27504, T2 = 26435, T3 = -1000,
        P1 = 36477, P2 = -10685, P3 = 3024, P4 = 2855, P5 = 140, P6 = -7, P7 = 15500, P8 = -14600, P9 = 6000,
        H1 = 75, H2 = 362, H3 = 0, H4 = 313, H5 = 50, H6 = 30,
    };

    /// <summary>Creates the chip.</summary>
    public SimulatedBme280(int address = Bme280.DefaultAddress, Bme280Model model = Bme280Model.Bme280, Bme280Calibration? calibration = null)
        : base(address, writePairs: true)
    {
        IsBmp280 = model == Bme280Model.Bmp280;
        this[Bme280.RegChipId] = IsBmp280 ? Bme280.Bmp280ChipId : Bme280.Bme280ChipId;
        SetCalibration(calibration ?? DatasheetCalibration);
        ResetRegisters();
    }

    /// <summary>A BMP280 (no humidity).</summary>
    public bool IsBmp280 { get; }

    /// <summary>adc_T latched by the next measurement (datasheet example: 519888).</summary>
    public int AdcTemperature { get; set; } = 519888;

    /// <summary>adc_P latched by the next measurement (datasheet example: 415148).</summary>
    public int AdcPressure { get; set; } = 415148;

    /// <summary>adc_H latched by the next measurement.</summary>
    public int AdcHumidity { get; set; } = 26000;

    /// <summary>Status reads that report "measuring" after each forced-mode start.</summary>
    public int MeasuringStatusReads { get; set; }

    /// <summary>Forced measurements made.</summary>
    public int ForcedMeasurements { get; private set; }

    /// <summary>Soft resets received.</summary>
    public int Resets { get; private set; }

    /// <summary>The last ctrl_meas value written.</summary>
    public byte LastCtrlMeas { get; private set; }

    /// <summary>Writes the trimming parameters into the calibration registers.</summary>
    public void SetCalibration(Bme280Calibration calibration)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        Span<byte> tp = stackalloc byte[Bme280Calibration.TemperaturePressureLength];
        Span<byte> h = stackalloc byte[Bme280Calibration.HumidityLength];
        calibration.Write(tp, IsBmp280 ? Span<byte>.Empty : h);
        SetRegisters(Bme280.RegCalib00, tp);
        if (!IsBmp280)
        {
            SetRegisters(Bme280.RegCalib26, h);
        }
    }

    /// <summary>Changes the chip id (e.g. 0x55 to pose as a BMP180).</summary>
    public void SetChipId(byte id) => this[Bme280.RegChipId] = id;

    private void ResetRegisters()
    {
        this[Bme280.RegCtrlHum] = 0;
        this[Bme280.RegCtrlMeas] = 0;
        this[Bme280.RegConfig] = 0;
        // Output reset values: 0x80000 for pressure and temperature, 0x8000 for humidity (Table 18).
        SetRegisters(Bme280.RegData, [0x80, 0, 0, 0x80, 0, 0, 0x80, 0]);
    }

    /// <inheritdoc />
    protected override void OnWrite(byte register, byte value)
    {
        switch (register)
        {
            case Bme280.RegReset:
                if (value == Bme280.ResetCommand)
                {
                    Resets++;
                    ResetRegisters();
                    _imUpdateLeft = 1;
                }

                break;
            case Bme280.RegCtrlHum when !IsBmp280:
                this[register] = (byte)(value & 0x07);
                break;
            case Bme280.RegCtrlMeas:
                LastCtrlMeas = value;
                this[register] = value;
                if ((value & 0x03) is 0x01 or 0x02)
                {
                    Measure(value);
                }

                break;
            case Bme280.RegConfig:
                // "Writes to the config register in normal mode may be ignored" (§5.4.6): taken in sleep mode only.
                if ((this[Bme280.RegCtrlMeas] & 0x03) == 0)
                {
                    this[register] = value;
                }

                break;
            default:
                // Chip id, calibration and data registers are read-only.
                break;
        }
    }

    private void Measure(byte ctrlMeas)
    {
        ForcedMeasurements++;
        var temperature = ctrlMeas >> 5 == 0 ? 0x80000 : AdcTemperature;
        var pressure = (ctrlMeas >> 2 & 0x07) == 0 ? 0x80000 : AdcPressure;
        var humidity = IsBmp280 || (this[Bme280.RegCtrlHum] & 0x07) == 0 ? 0x8000 : AdcHumidity;
        SetRegisters(Bme280.RegData,
        [
            (byte)(pressure >> 12), (byte)(pressure >> 4), (byte)(pressure << 4),
            (byte)(temperature >> 12), (byte)(temperature >> 4), (byte)(temperature << 4),
            (byte)(humidity >> 8), (byte)humidity,
        ]);
        _measuringLeft = MeasuringStatusReads;
        // Forced mode returns to sleep after the measurement.
        this[Bme280.RegCtrlMeas] = (byte)(ctrlMeas & 0xFC);
    }

    /// <inheritdoc />
    protected override byte OnRead(byte register)
    {
        if (register != Bme280.RegStatus)
        {
            return base.OnRead(register);
        }

        var status = (byte)((_measuringLeft > 0 ? Bme280.StatusMeasuring : 0) | (_imUpdateLeft > 0 ? Bme280.StatusImUpdate : 0));
        _measuringLeft = Math.Max(0, _measuringLeft - 1);
        _imUpdateLeft = Math.Max(0, _imUpdateLeft - 1);
        return status;
    }
}

/// <summary>
/// A simulated Sensirion SHT3x: 16-bit commands (soft reset, status, single shot with or without clock stretching),
/// results with the datasheet's CRC-8, a NACKed read header while "measuring" (<see cref="NotReadyReads"/>), and a NACK
/// when there is nothing to read.
/// </summary>
public sealed class SimulatedSht3x : SimulatedI2cDevice
{
    private readonly List<ushort> _commands = [];
    private Pending _pending;
    private int _notReadyLeft;

    /// <summary>Creates the sensor at 25 °C, 50 %RH.</summary>
    public SimulatedSht3x(int address = Sht3x.DefaultAddress)
        : base(address)
    {
        TemperatureCelsius = 25;
        HumidityPercent = 50;
    }

    private enum Pending
    {
        None,
        Status,
        Measurement,
    }

    /// <summary>Raw temperature word S_T.</summary>
    public ushort RawTemperature { get; set; }

    /// <summary>Raw humidity word S_RH.</summary>
    public ushort RawHumidity { get; set; }

    /// <summary>Temperature in °C (sets <see cref="RawTemperature"/> by the inverse of §4.13).</summary>
    public double TemperatureCelsius
    {
        get => Sht3x.ConvertTemperature(RawTemperature);
        set => RawTemperature = (ushort)Math.Clamp(Math.Round((value + 45) / 175 * 65535), 0, 65535);
    }

    /// <summary>Relative humidity in %RH (sets <see cref="RawHumidity"/>).</summary>
    public double HumidityPercent
    {
        get => Sht3x.ConvertHumidity(RawHumidity);
        set => RawHumidity = (ushort)Math.Clamp(Math.Round(value / 100 * 65535), 0, 65535);
    }

    /// <summary>The status register.</summary>
    public ushort StatusRegister { get; set; } = 0x8010;

    /// <summary>Read attempts NACKed after each polling measurement command (the conversion still running).</summary>
    public int NotReadyReads { get; set; }

    /// <summary>Sends a wrong CRC with the next results.</summary>
    public bool CorruptCrc { get; set; }

    /// <summary>Commands received, oldest first.</summary>
    public IReadOnlyList<ushort> Commands => _commands;

    /// <inheritdoc />
    protected override int OnTransfer(ReadOnlySpan<byte> write, Span<byte> read)
    {
        if (write.Length == 1)
        {
            return -SimulatedI2cBus.EREMOTEIO;
        }

        if (write.Length >= 2)
        {
            var command = (ushort)(write[0] << 8 | write[1]);
            _commands.Add(command);
            switch (command)
            {
                case Sht3x.SoftResetCommand:
                    _pending = Pending.None;
                    StatusRegister |= 0x0010;
                    break;
                case Sht3x.ReadStatusCommand:
                    _pending = Pending.Status;
                    break;
                case Sht3x.ClearStatusCommand:
                    StatusRegister &= 0x7FEF;
                    break;
                case 0x2400 or 0x240B or 0x2416:
                    _pending = Pending.Measurement;
                    _notReadyLeft = NotReadyReads;
                    break;
                case 0x2C06 or 0x2C0D or 0x2C10:
                    _pending = Pending.Measurement;
                    _notReadyLeft = 0; // the sensor stretches the clock instead of NACKing
                    break;
                default:
                    return -SimulatedI2cBus.EREMOTEIO;
            }
        }

        if (read.IsEmpty)
        {
            return 0;
        }

        switch (_pending)
        {
            case Pending.Status:
                Word(read, 0, StatusRegister);
                break;
            case Pending.Measurement when _notReadyLeft > 0:
                _notReadyLeft--;
                return -SimulatedI2cBus.EREMOTEIO;
            case Pending.Measurement:
                Word(read, 0, RawTemperature);
                Word(read, 3, RawHumidity);
                break;
            default:
                return -SimulatedI2cBus.EREMOTEIO;
        }

        _pending = Pending.None;
        return 0;
    }

    private void Word(Span<byte> read, int at, ushort value)
    {
        Span<byte> word = stackalloc byte[3];
        BinaryPrimitives.WriteUInt16BigEndian(word, value);
        word[2] = (byte)(Sht3x.Crc8(word[..2]) ^ (CorruptCrc ? 0xFF : 0));
        for (var i = 0; i < 3 && at + i < read.Length; i++)
        {
            read[at + i] = word[i];
        }
    }
}

/// <summary>
/// A simulated TI ADS1115: a single-shot start (OS=1, MODE=1) converts the selected input at the selected gain into the
/// conversion register (clamped to the 16-bit code range); the config register's OS bit reads 0 for
/// <see cref="BusyReads"/> reads afterwards.
/// </summary>
public sealed class SimulatedAds1115 : SimulatedWordRegisterDevice
{
    private readonly double[] _inputs = new double[4];
    private int _busyLeft;

    /// <summary>Creates the ADC with its power-on config 0x8583.</summary>
    public SimulatedAds1115(int address = Ads1115.DefaultAddress)
        : base(address) => this[Ads1115.RegConfig] = 0x8583;

    /// <summary>Config reads that report a conversion in progress after each start.</summary>
    public int BusyReads { get; set; }

    /// <summary>Conversions made.</summary>
    public int Conversions { get; private set; }

    /// <summary>The last config word written.</summary>
    public ushort LastConfigWritten { get; private set; }

    /// <summary>Sets the voltage on AIN<paramref name="input"/> against GND.</summary>
    public void SetInputVolts(int input, double volts) => _inputs[input] = volts;

    /// <inheritdoc />
    protected override void OnWrite(byte register, ushort value)
    {
        if (register == Ads1115.RegConversion)
        {
            return; // read-only
        }

        if (register == Ads1115.RegConfig)
        {
            LastConfigWritten = value;
            this[register] = (ushort)(value & 0x7FFF);
            if ((value & Ads1115.ConfigOs) != 0 && (value & Ads1115.ConfigModeSingleShot) != 0)
            {
                Convert(value);
            }

            return;
        }

        base.OnWrite(register, value);
    }

    private void Convert(ushort config)
    {
        var volts = (config >> 12 & 0x7) switch
        {
            0b000 => _inputs[0] - _inputs[1],
            0b001 => _inputs[0] - _inputs[3],
            0b010 => _inputs[1] - _inputs[3],
            0b011 => _inputs[2] - _inputs[3],
            var mux => _inputs[mux - 0b100],
        };
        var fsr = (config >> 9 & 0x7) switch
        {
            0 => 6.144,
            1 => 4.096,
            2 => 2.048,
            3 => 1.024,
            4 => 0.512,
            _ => 0.256,
        };
        var code = Math.Clamp(Math.Round(volts / fsr * 32768), short.MinValue, short.MaxValue);
        this[Ads1115.RegConversion] = (ushort)(short)code;
        _busyLeft = BusyReads;
        Conversions++;
    }

    /// <inheritdoc />
    protected override ushort OnRead(byte register)
    {
        if (register != Ads1115.RegConfig)
        {
            return base.OnRead(register);
        }

        var busy = _busyLeft > 0;
        _busyLeft = Math.Max(0, _busyLeft - 1);
        return (ushort)(this[register] | (busy ? 0 : Ads1115.ConfigOs));
    }
}

/// <summary>
/// A simulated TI INA219 that computes its current and power registers as the datasheet says (§8.5.1):
/// Current = Shunt × Cal / 4096 (Eq. 3), Power = |Current| × Bus / 5000 (Eq. 5); both read 0 while the calibration
/// register is 0, as after power-on. RST restores the power-on registers.
/// </summary>
public sealed class SimulatedIna219 : SimulatedWordRegisterDevice
{
    /// <summary>Creates the monitor in its power-on state (config 0x399F, calibration 0).</summary>
    public SimulatedIna219(int address = Ina219.DefaultAddress)
        : base(address) => PowerCycle();

    /// <summary>The shunt voltage register (10 µV per count).</summary>
    public short ShuntVoltageRegister { get; set; }

    /// <summary>The bus voltage register as read: BD[15:3] (4 mV), CNVR bit 1, OVF bit 0.</summary>
    public ushort BusVoltageRegister { get; set; }

    /// <summary>Sets the OVF flag in the bus voltage register.</summary>
    public bool MathOverflow { get; set; }

    /// <summary>Configuration register writes received.</summary>
    public int ConfigWrites { get; private set; }

    /// <summary>Sets the shunt voltage in volts.</summary>
    public void SetShuntVolts(double volts) => ShuntVoltageRegister = (short)Math.Clamp(Math.Round(volts / 10e-6), short.MinValue, short.MaxValue);

    /// <summary>Sets the bus voltage in volts (with CNVR set).</summary>
    public void SetBusVolts(double volts) => BusVoltageRegister = (ushort)((int)Math.Round(volts / 0.004) << 3 | 0x2);

    /// <summary>Loses every setting, as a brown-out would.</summary>
    public void PowerCycle()
    {
        this[Ina219.RegConfig] = 0x399F;
        this[Ina219.RegCalibration] = 0;
    }

    /// <inheritdoc />
    protected override void OnWrite(byte register, ushort value)
    {
        switch (register)
        {
            case Ina219.RegConfig:
                ConfigWrites++;
                if ((value & Ina219.ConfigReset) != 0)
                {
                    PowerCycle();
                }
                else
                {
                    this[register] = value;
                }

                break;
            case Ina219.RegCalibration:
                this[register] = (ushort)(value & 0xFFFE); // FS0 is not used
                break;
            default:
                break; // measurement registers are read-only
        }
    }

    private short Current() =>
        (short)Math.Clamp(ShuntVoltageRegister * this[Ina219.RegCalibration] / 4096, short.MinValue, short.MaxValue);

    /// <inheritdoc />
    protected override ushort OnRead(byte register) => register switch
    {
        Ina219.RegShunt => (ushort)ShuntVoltageRegister,
        Ina219.RegBus => (ushort)(BusVoltageRegister | (MathOverflow ? 1 : 0)),
        Ina219.RegCurrent => (ushort)Current(),
        Ina219.RegPower => (ushort)Math.Min(ushort.MaxValue, Math.Abs(Current()) * (BusVoltageRegister >> 3) / 5000),
        _ => base.OnRead(register),
    };
}
