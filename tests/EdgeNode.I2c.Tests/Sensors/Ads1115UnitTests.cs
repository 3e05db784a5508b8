using EdgeNode.I2c.Testing;

namespace EdgeNode.I2c.Tests.Sensors;

public class Ads1115UnitTests
{
    private static (I2cBus Bus, SimulatedAds1115 Chip) Rig()
    {
        var sim = new SimulatedI2cBus();
        var chip = sim.Add(new SimulatedAds1115());
        return (new I2cBus(sim, new I2cBusOptions { RetryDelayMs = 0 }), chip);
    }

    [Fact]
    public void SingleShotConfig_PowerOnDefaults_Is0x8583()
    {
        // §8.6.3: the reset value 0x8583 = OS 1, MUX AIN0-AIN1, PGA ±2.048 V, single-shot, 128 SPS, comparator off.
        Assert.Equal(0x8583, Ads1115.SingleShotConfig(Ads1115Input.Ain0MinusAin1, Ads1115Gain.Fsr2048mV, Ads1115DataRate.Sps128));
    }

    [Fact]
    public void SingleShotConfig_Ain3At256mV860Sps_SetsEachField() =>
        // OS | MUX 111 | PGA 101 | MODE | DR 111 | COMP_QUE 11
        Assert.Equal(0x8000 | 0x7000 | 0x0A00 | 0x0100 | 0x00E0 | 0x0003,
            Ads1115.SingleShotConfig(Ads1115Input.Ain3, Ads1115Gain.Fsr256mV, Ads1115DataRate.Sps860));

    [Theory]
    [InlineData(Ads1115Gain.Fsr6144mV, 6.144)]
    [InlineData(Ads1115Gain.Fsr4096mV, 4.096)]
    [InlineData(Ads1115Gain.Fsr2048mV, 2.048)]
    [InlineData(Ads1115Gain.Fsr1024mV, 1.024)]
    [InlineData(Ads1115Gain.Fsr512mV, 0.512)]
    [InlineData(Ads1115Gain.Fsr256mV, 0.256)]
    public void ToVolts_FullScaleCodes_Table3(Ads1115Gain gain, double fsr)
    {
        Assert.Equal(fsr, Ads1115.FullScaleVolts(gain));
        Assert.Equal(-fsr, Ads1115.ToVolts(short.MinValue, gain));
        Assert.Equal(fsr * 32767 / 32768, Ads1115.ToVolts(short.MaxValue, gain), 12);
        Assert.Equal(fsr / 32768, Ads1115.ToVolts(1, gain), 15); // one LSB, e.g. 7.8125 µV at ±0.256 V
    }

    [Theory]
    [InlineData(Ads1115DataRate.Sps8, 138)]
    [InlineData(Ads1115DataRate.Sps128, 9)]
    [InlineData(Ads1115DataRate.Sps860, 2)]
    public void ConversionTime_IncludesOscillatorTolerance(Ads1115DataRate rate, int ms) =>
        Assert.Equal(TimeSpan.FromMilliseconds(ms), Ads1115.ConversionTime(rate));

    [Fact]
    public void Read_FourSingleEndedChannels_VoltsWithinOneLsb()
    {
        var (bus, chip) = Rig();
        using (bus)
        {
            chip.SetInputVolts(0, 0.5);
            chip.SetInputVolts(1, 1.0);
            chip.SetInputVolts(2, 3.3);
            chip.SetInputVolts(3, 0);
            var adc = new Ads1115(bus.CreateDevice(0x48));
            var m = adc.Read();
            var lsb = 4.096 / 32768;
            Assert.Equal(0.5, m.Volts[0], lsb);
            Assert.Equal(1.0, m.Volts[1], lsb);
            Assert.Equal(3.3, m.Volts[2], lsb);
            Assert.Equal(0.0, m.Volts[3], lsb);
            Assert.Equal(4000, m.Raw[0]);
            Assert.Equal(4, chip.Conversions);
            Assert.Equal(Ads1115.SingleShotConfig(Ads1115Input.Ain3, Ads1115Gain.Fsr4096mV, Ads1115DataRate.Sps128), chip.LastConfigWritten);
            Assert.Equal(["AIN0", "AIN1", "AIN2", "AIN3"], adc.Channels.Select(c => c.Name));
        }
    }

    [Fact]
    public async Task ReadAsync_DifferentialAndGains_PollsBusyFlag()
    {
        var (bus, chip) = Rig();
        using (bus)
        {
            chip.BusyReads = 2;
            chip.SetInputVolts(0, 1.25);
            chip.SetInputVolts(1, 1.00);
            chip.SetInputVolts(2, 0.1);
            chip.SetInputVolts(3, 0.2);
            var adc = new Ads1115(bus.CreateDevice(0x48), new Ads1115Options
            {
                Channels = [new("Bridge", Ads1115Input.Ain0MinusAin1, Ads1115Gain.Fsr256mV), new("Neg", Ads1115Input.Ain2MinusAin3, Ads1115Gain.Fsr256mV)],
                DataRate = Ads1115DataRate.Sps860,
            });
            var m = await adc.ReadAsync();
            Assert.Equal(0.25, m.Volts[0], 0.256 / 32768);   // 0.25 V within ±0.256 V
            Assert.Equal(-0.1, m.Volts[1], 0.256 / 32768);
        }
    }

    [Fact]
    public void Read_InputBeyondFullScale_ClampsToMaxCode()
    {
        var (bus, chip) = Rig();
        using (bus)
        {
            chip.SetInputVolts(0, 5.0);
            var adc = new Ads1115(bus.CreateDevice(0x48), new Ads1115Options { Channels = [new("A", Ads1115Input.Ain0, Ads1115Gain.Fsr2048mV)] });
            Assert.Equal(short.MaxValue, adc.Read().Raw[0]);
        }
    }

    [Fact]
    public void Read_Absent_NotRespondingForTheEngine()
    {
        using var bus = new I2cBus(new SimulatedI2cBus(), new I2cBusOptions { RetryDelayMs = 0 });
        II2cSensor adc = new Ads1115(bus.CreateDevice(0x49));
        var result = adc.Read(new double[4]);
        Assert.False(result.DeviceResponded);
    }

    [Fact]
    public void Constructor_NoChannels_Throws() =>
        Assert.Throws<ArgumentException>(() => new Ads1115(new I2cBus(new SimulatedI2cBus()).CreateDevice(0x48), new Ads1115Options { Channels = [] }));
}
