using EdgeNode.I2c.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace EdgeNode.I2c.Tests.Sensors;

public class Bme280UnitTests
{
    private static readonly Bme280Calibration Example = SimulatedBme280.DatasheetCalibration;

    private static (I2cBus Bus, SimulatedBme280 Chip) Rig(Bme280Model model = Bme280Model.Bme280, int address = 0x76)
    {
        var sim = new SimulatedI2cBus("/dev/i2c-1");
        var chip = sim.Add(new SimulatedBme280(address, model));
        return (new I2cBus(sim, new I2cBusOptions { RetryDelayMs = 0 }), chip);
    }

    [Fact]
    public void CompensateTemperature_DatasheetExample_Is2508WithTFine128422()
    {
        // BMP280 datasheet §3.12 / BME280 §4.2.3: dig_T1=27504, dig_T2=26435, dig_T3=-1000, adc_T=519888 → 25.08 °C.
        var t = Bme280Compensation.CompensateTemperature(519888, Example, out var tFine);
        Assert.Equal(2508, t);
        Assert.Equal(128422, tFine);
    }

    [Fact]
    public void CompensatePressure_DatasheetExample_Is100653Pa()
    {
        // dig_P1..P9 = 36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000 and adc_P=415148 → 100653 Pa.
        Bme280Compensation.CompensateTemperature(519888, Example, out var tFine);
        var q248 = Bme280Compensation.CompensatePressure(415148, tFine, Example);
        Assert.Equal(25767233u, q248); // Q24.8: 100653.25 Pa
        Assert.Equal(100653, (int)Math.Round(q248 / 256.0));
    }

    [Fact]
    public void CompensatePressure_ZeroP1_ReturnsZeroInsteadOfDividingByZero()
    {
        Bme280Compensation.CompensateTemperature(519888, Example, out var tFine);
        Assert.Equal(0u, Bme280Compensation.CompensatePressure(415148, tFine, Example with { P1 = 0 }));
    }

    [Fact]
    public void CompensateHumidity_ClampsTo0And100()
    {
        Bme280Compensation.CompensateTemperature(519888, Example, out var tFine);
        Assert.Equal(0u, Bme280Compensation.CompensateHumidity(0, tFine, Example));
        Assert.Equal(100u * 1024, Bme280Compensation.CompensateHumidity(65535, tFine, Example));
    }

    // The datasheet's double-precision formulas (BME280 §8.1), as an independent reference for the integer code.
    private static double ReferenceTemperature(int adcT, Bme280Calibration c, out double tFine)
    {
        var var1 = (adcT / 16384.0 - c.T1 / 1024.0) * c.T2;
        var var2 = (adcT / 131072.0 - c.T1 / 8192.0) * (adcT / 131072.0 - c.T1 / 8192.0) * c.T3;
        tFine = (int)(var1 + var2);
        return (var1 + var2) / 5120.0;
    }

    private static double ReferencePressure(int adcP, double tFine, Bme280Calibration c)
    {
        var var1 = tFine / 2.0 - 64000.0;
        var var2 = var1 * var1 * c.P6 / 32768.0;
        var2 += var1 * c.P5 * 2.0;
        var2 = var2 / 4.0 + c.P4 * 65536.0;
        var1 = (c.P3 * var1 * var1 / 524288.0 + c.P2 * var1) / 524288.0;
        var1 = (1.0 + var1 / 32768.0) * c.P1;
        var p = 1048576.0 - adcP;
        p = (p - var2 / 4096.0) * 6250.0 / var1;
        var1 = c.P9 * p * p / 2147483648.0;
        var2 = p * c.P8 / 32768.0;
        return p + (var1 + var2 + c.P7) / 16.0;
    }

    private static double ReferenceHumidity(int adcH, double tFine, Bme280Calibration c)
    {
        var h = tFine - 76800.0;
        h = (adcH - (c.H4 * 64.0 + c.H5 / 16384.0 * h)) *
            (c.H2 / 65536.0 * (1.0 + c.H6 / 67108864.0 * h * (1.0 + c.H3 / 67108864.0 * h)));
        h *= 1.0 - c.H1 * h / 524288.0;
        return Math.Clamp(h, 0, 100);
    }

    [Fact]
    public void Compensation_DatasheetExample_MatchesDoubleFormulas()
    {
        var t = ReferenceTemperature(519888, Example, out var tFine);
        Assert.Equal(25.08, t, 0.005);
        Assert.Equal(100653, Math.Round(ReferencePressure(415148, tFine, Example)));
    }

    [Fact]
    public void Compensation_AcrossTheRange_IntegerAgreesWithDoubleReference()
    {
        // -40..85 °C and 300..1100 hPa cover adc_T ~ 380000..640000 and adc_P ~ 250000..620000 for these parameters.
        Prop.ForAll(Gen.Choose(380_000, 640_000).ToArbitrary(), Gen.Choose(250_000, 620_000).ToArbitrary(), Gen.Choose(10_000, 60_000).ToArbitrary(),
            (adcT, adcP, adcH) =>
            {
                var t = Bme280Compensation.CompensateTemperature(adcT, Example, out var tFine) / 100.0;
                var p = Bme280Compensation.CompensatePressure(adcP, tFine, Example) / 256.0;
                var h = Bme280Compensation.CompensateHumidity(adcH, tFine, Example) / 1024.0;
                var tRef = ReferenceTemperature(adcT, Example, out var tFineRef);
                return Math.Abs(t - tRef) <= 0.01
                    && Math.Abs(p - ReferencePressure(adcP, tFineRef, Example)) <= 1.0
                    && Math.Abs(h - ReferenceHumidity(adcH, tFineRef, Example)) <= 0.1;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Calibration_WriteThenParse_RoundTripsIncludingNegative12BitH4H5()
    {
        var calibration = Example with { H4 = -1234, H5 = 2047, H6 = -7, H2 = -300 };
        var tp = new byte[Bme280Calibration.TemperaturePressureLength];
        var h = new byte[Bme280Calibration.HumidityLength];
        calibration.Write(tp, h);
        Assert.Equal(calibration, Bme280Calibration.Parse(tp, h));
        Assert.Equal(new byte[] { 0x70, 0x6B }, tp[..2]); // dig_T1 = 27504 = 0x6B70, little-endian at 0x88
    }

    [Fact]
    public void Calibration_DocumentedPacking_H4FromE4AndLowNibbleOfE5()
    {
        // 0xE4 = 0x13, 0xE5 = 0x25, 0xE6 = 0x03: H4 = 0x13 << 4 | 0x5 = 309, H5 = 0x03 << 4 | 0x2 = 50.
        var c = Bme280Calibration.Parse(new byte[26], [0x6A, 0x01, 0x00, 0x13, 0x25, 0x03, 0x1E]);
        Assert.Equal((362, 0, 309, 50, 30), ((int)c.H2, (int)c.H3, (int)c.H4, (int)c.H5, (int)c.H6));
    }

    [Fact]
    public void MaxMeasurementMs_AllX1_MatchesDatasheetFormula() =>
        Assert.Equal(1.25 + 2.3 + 2.875 + 2.875, Bme280Compensation.MaxMeasurementMs(1, 1, 1), 6);

    [Fact]
    public void Read_Bme280_DatasheetExampleValuesAndForcedModeRegisters()
    {
        var (bus, chip) = Rig();
        using (bus)
        {
            var sensor = new Bme280(bus.CreateDevice(0x76));
            var m = sensor.Read();
            Assert.Equal(25.08, m.TemperatureCelsius, 6);
            Assert.Equal(100653.25, m.PressurePascals, 0.01);
            Bme280Compensation.CompensateTemperature(519888, Example, out var tFine);
            Assert.Equal(Bme280Compensation.CompensateHumidity(26000, tFine, Example) / 1024.0, m.HumidityPercent, 9);
            Assert.InRange(m.HumidityPercent, 1, 99);
            Assert.Equal(Bme280Model.Bme280, sensor.DetectedModel);
            Assert.Equal(0x60, sensor.ChipId);
            Assert.Equal(Example, sensor.Calibration);
            Assert.Equal(0b001_001_01, chip.LastCtrlMeas); // osrs_t x1, osrs_p x1, forced
            Assert.Equal(1, chip[Bme280.RegCtrlHum]);
            Assert.Equal(1, chip.ForcedMeasurements);
            Assert.Equal(1, chip.Resets);
            Assert.Equal(["Temperature", "Pressure", "Humidity"], sensor.Channels.Select(c => c.Name));
        }
    }

    [Fact]
    public async Task ReadAsync_MeasuringForTwoPolls_WaitsAndSucceeds()
    {
        var (bus, chip) = Rig();
        using (bus)
        {
            chip.MeasuringStatusReads = 2;
            var sensor = new Bme280(bus.CreateDevice(0x76));
            var m = await sensor.ReadAsync();
            Assert.Equal(25.08, m.TemperatureCelsius, 6);
            m = await sensor.ReadAsync();
            Assert.Equal(2, chip.ForcedMeasurements);
            Assert.Equal(1, chip.Resets); // configured once
        }
    }

    [Fact]
    public void Read_Bmp280AutoDetected_HasNoHumidityChannel()
    {
        var (bus, _) = Rig(Bme280Model.Bmp280);
        using (bus)
        {
            var sensor = new Bme280(bus.CreateDevice(0x76));
            Assert.Equal(3, sensor.Channels.Count); // until the chip id is known
            var m = sensor.Read();
            Assert.Equal("BMP280", sensor.Model);
            Assert.Equal(["Temperature", "Pressure"], sensor.Channels.Select(c => c.Name));
            Assert.True(double.IsNaN(m.HumidityPercent));
            Assert.Equal(100653.25, m.PressurePascals, 0.01);
        }
    }

    [Fact]
    public void Read_ConfiguredBme280ButChipIsBmp280_InvalidDataNamingBoth()
    {
        var (bus, _) = Rig(Bme280Model.Bmp280);
        using (bus)
        {
            var sensor = new Bme280(bus.CreateDevice(0x76), new Bme280Options { Model = Bme280Model.Bme280 });
            var result = sensor.TryRead(out _);
            Assert.Equal(I2cStatus.InvalidData, result.Status);
            Assert.True(result.DeviceResponded);
            Assert.Contains("is a BMP280 (chip id 0x58)", result.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Read_ChipIdOfBmp180_InvalidDataNamingIt()
    {
        var (bus, chip) = Rig();
        using (bus)
        {
            chip.SetChipId(0x55);
            var result = new Bme280(bus.CreateDevice(0x76)).TryRead(out _);
            Assert.Equal(I2cStatus.InvalidData, result.Status);
            Assert.Contains("BMP180", result.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Read_BlankCalibration_InvalidData()
    {
        var (bus, chip) = Rig();
        using (bus)
        {
            chip.SetCalibration(new Bme280Calibration());
            Assert.Equal(I2cStatus.InvalidData, new Bme280(bus.CreateDevice(0x76)).TryRead(out _).Status);
        }
    }

    [Fact]
    public void Read_SensorUnplugged_NotRespondingThenRecoversWithReconfiguration()
    {
        var (bus, chip) = Rig();
        using (bus)
        {
            var sensor = new Bme280(bus.CreateDevice(0x76));
            Assert.True(sensor.TryRead(out _).IsOk);
            chip.Present = false;
            var failed = sensor.TryRead(out _);
            Assert.Equal(I2cStatus.NotResponding, failed.Status);
            Assert.False(failed.DeviceResponded);
            Assert.False(sensor.IsInitialized);
            Assert.Equal(I2cStatus.NotResponding, Assert.Throws<I2cException>(() => sensor.Read()).Status);
            chip.Present = true;
            chip.AdcTemperature = 500000;
            var m = sensor.Read();
            Assert.Equal(2, chip.Resets);
            Assert.Equal(Bme280Compensation.CompensateTemperature(500000, Example, out _) / 100.0, m.TemperatureCelsius, 9);
        }
    }

    [Fact]
    public void Read_PressureSkipped_DropsChannelAndReportsNaN()
    {
        var (bus, chip) = Rig();
        using (bus)
        {
            var sensor = new Bme280(bus.CreateDevice(0x76), new Bme280Options
            {
                PressureOversampling = Bme280Oversampling.Skipped,
                TemperatureOversampling = Bme280Oversampling.X2,
                HumidityOversampling = Bme280Oversampling.X16,
                Filter = Bme280Filter.X4,
            });
            II2cSensor generic = sensor;
            var values = new double[2];
            Assert.True(generic.Read(values).IsOk);
            Assert.Equal(["Temperature", "Humidity"], generic.Channels.Select(c => c.Name));
            Assert.Equal(25.08, values[0], 6);
            Assert.Equal(0b010_000_01, chip.LastCtrlMeas);
            Assert.Equal(5, chip[Bme280.RegCtrlHum]);
            Assert.Equal(Bme280Filter.X4, (Bme280Filter)(chip[Bme280.RegConfig] >> 2));
        }
    }

    [Fact]
    public void Constructor_TemperatureSkipped_Throws() =>
        Assert.Throws<ArgumentException>(() => new Bme280(
            new I2cBus(new SimulatedI2cBus()).CreateDevice(0x76), new Bme280Options { TemperatureOversampling = Bme280Oversampling.Skipped }));
}
