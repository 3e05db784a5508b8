using EdgeNode.I2c.Testing;
using EdgeNode.I2c.Tests.TestSupport;

namespace EdgeNode.I2c.Tests.Sensors;

public class Ina219UnitTests
{
    // Datasheet Table 3 (§8.5.1 "Configure/Measure/Calculate Example"): load 10 A, V_CM 12 V, R_SHUNT 2 mΩ,
    // V_SHUNT FSR 40 mV, V_BUS 16 V; Current_LSB 1 mA.
    private static readonly Ina219Options DatasheetExample = new()
    {
        ShuntOhms = 0.002,
        MaxExpectedCurrentAmps = 15,
        CurrentLsbAmps = 0.001,
        ShuntRange = Ina219ShuntRange.Mv40,
        BusRange = Ina219BusRange.V16,
    };

    private static (I2cBus Bus, SimulatedIna219 Chip) Rig(TestLogger? log = null)
    {
        var sim = new SimulatedI2cBus();
        var chip = sim.Add(new SimulatedIna219());
        return (new I2cBus(sim, new I2cBusOptions { RetryDelayMs = 0 }, log), chip);
    }

    [Fact]
    public void Calibration_DatasheetExample_Is20480WithConfig019F()
    {
        var calibration = Ina219Calibration.Compute(DatasheetExample);
        Assert.Equal(20480, calibration.Value); // 0x5000 = trunc(0.04096 / (0.001 × 0.002))
        Assert.Equal(0.001, calibration.CurrentLsbAmps, 12);
        Assert.Equal(0.020, calibration.PowerLsbWatts, 12); // 20 × Current_LSB (Eq. 4)
        Assert.Equal(0x019F, Ina219.Config(DatasheetExample, calibration.ShuntRange));
    }

    [Fact]
    public void Calibration_HundredMilliohmTwoAmpsWith100uALsb_Is4096() =>
        // The common breakout: 0.1 Ω, 2 A expected, a round 100 µA LSB → Cal 4096, Power_LSB 2 mW.
        Assert.Equal(4096, Ina219Calibration.Compute(new Ina219Options { ShuntOhms = 0.1, MaxExpectedCurrentAmps = 2, CurrentLsbAmps = 0.0001 }).Value);

    [Fact]
    public void Calibration_Computed_UsesEquation2AndReportsTheTruncatedLsb()
    {
        var calibration = Ina219Calibration.Compute(new Ina219Options { ShuntOhms = 0.1, MaxExpectedCurrentAmps = 3.2 });
        // Current_LSB = 3.2 / 2^15 = 97.66 µA; Cal = trunc(0.04096 / (97.66e-6 × 0.1)) = 4194.
        Assert.Equal(4194, calibration.Value);
        Assert.Equal(0.04096 / (4194 * 0.1), calibration.CurrentLsbAmps, 15);
        Assert.Equal(Ina219ShuntRange.Mv320, calibration.ShuntRange);
    }

    [Theory]
    [InlineData(0.1, 0.4, Ina219ShuntRange.Mv40)]
    [InlineData(0.1, 0.8, Ina219ShuntRange.Mv80)]
    [InlineData(0.1, 1.2, Ina219ShuntRange.Mv160)]
    [InlineData(0.01, 20, Ina219ShuntRange.Mv320)]
    public void Calibration_ShuntRange_SmallestThatHoldsTheCurrent(double ohms, double amps, Ina219ShuntRange range) =>
        Assert.Equal(range, Ina219Calibration.Compute(new Ina219Options { ShuntOhms = ohms, MaxExpectedCurrentAmps = amps }).ShuntRange);

    [Fact]
    public void Calibration_TinyLsb_CappedAtEvenMaximum()
    {
        var calibration = Ina219Calibration.Compute(new Ina219Options { ShuntOhms = 0.1, MaxExpectedCurrentAmps = 0.01 });
        Assert.Equal(0xFFFE, calibration.Value);
        Assert.Equal(0, calibration.Value & 1);
    }

    [Fact]
    public void Options_CurrentBeyondShuntRange_NamesTheDrop()
    {
        var problems = new Ina219Options { ShuntOhms = 0.1, MaxExpectedCurrentAmps = 5 }.Validate();
        Assert.Contains(problems, p => p.Contains("500 mV", StringComparison.Ordinal) && p.Contains("±320 mV", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => Ina219Calibration.Compute(new Ina219Options { ShuntOhms = 0 }));
    }

    [Fact]
    public void Read_DatasheetExample_10Amps11Point98Volts119Point8Watts()
    {
        var (bus, chip) = Rig();
        using (bus)
        {
            chip.ShuntVoltageRegister = 0x07D0; // 2000 × 10 µV = 20 mV
            chip.BusVoltageRegister = 0x5D98;   // 0x0BB3 = 2995 × 4 mV = 11.98 V
            var sensor = new Ina219(bus.CreateDevice(0x40), DatasheetExample);
            var m = sensor.Read();
            Assert.Equal(0x5000, chip[Ina219.RegCalibration]);
            Assert.Equal(0x019F, chip[Ina219.RegConfig]);
            Assert.Equal(11.98, m.BusVolts, 9);
            Assert.Equal(0.020, m.ShuntVolts, 9);
            Assert.Equal(10.0, m.CurrentAmps, 9);   // current register 0x2710 = 10000 (Eq. 3)
            Assert.Equal(119.8, m.PowerWatts, 9);   // power register 0x1766 = 5990 (Eq. 5) × 20 mW
        }
    }

    [Fact]
    public void Read_ChipPowerCycledBetweenPolls_ReprogramsCalibrationAndWarns()
    {
        var log = new TestLogger();
        var (bus, chip) = Rig(log);
        using (bus)
        {
            chip.SetShuntVolts(0.1);   // 1 A through 0.1 Ω
            chip.SetBusVolts(24);
            var sensor = new Ina219(bus.CreateDevice(0x40), new Ina219Options { ShuntOhms = 0.1, MaxExpectedCurrentAmps = 2, CurrentLsbAmps = 0.0001 });
            Assert.Equal(1.0, sensor.Read().CurrentAmps, 6);
            chip.PowerCycle();
            var m = sensor.Read();
            Assert.Equal(1.0, m.CurrentAmps, 6);
            Assert.Equal(24.0, m.PowerWatts, 1);
            Assert.Contains(log.Entries, e => e.Id.Id == 4105);
            Assert.Equal(4096, chip[Ina219.RegCalibration]);
        }
    }

    [Fact]
    public void Read_NegativeCurrent_SignedShuntAndCurrent()
    {
        var (bus, chip) = Rig();
        using (bus)
        {
            chip.SetShuntVolts(-0.05);
            chip.SetBusVolts(12);
            var m = new Ina219(bus.CreateDevice(0x40), new Ina219Options { ShuntOhms = 0.1, MaxExpectedCurrentAmps = 2, CurrentLsbAmps = 0.0001 }).Read();
            Assert.Equal(-0.05, m.ShuntVolts, 9);
            Assert.Equal(-0.5, m.CurrentAmps, 6);
            Assert.Equal(6.0, m.PowerWatts, 2);
        }
    }

    [Fact]
    public void Read_MathOverflow_InvalidDataNamingTheOption()
    {
        var (bus, chip) = Rig();
        using (bus)
        {
            chip.MathOverflow = true;
            var result = new Ina219(bus.CreateDevice(0x40)).TryRead(out _);
            Assert.Equal(I2cStatus.InvalidData, result.Status);
            Assert.Contains("maxExpectedCurrentAmps", result.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void GenericRead_FourChannels()
    {
        var (bus, chip) = Rig();
        using (bus)
        {
            chip.SetShuntVolts(0.01);
            chip.SetBusVolts(5);
            II2cSensor sensor = new Ina219(bus.CreateDevice(0x40));
            var values = new double[4];
            Assert.True(sensor.Read(values).IsOk);
            Assert.Equal(["BusVoltage", "ShuntVoltage", "Current", "Power"], sensor.Channels.Select(c => c.Name));
            Assert.Equal(5.0, values[0], 6);
            Assert.Equal(0.1, values[2], 3);
        }
    }
}
