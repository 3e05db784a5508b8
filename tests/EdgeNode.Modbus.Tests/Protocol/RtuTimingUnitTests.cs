namespace EdgeNode.Modbus.Tests.Protocol;

/// <summary>Modbus over Serial Line V1.02 §2.5.1.1.</summary>
public class RtuTimingUnitTests
{
    [Fact]
    public void For_9600_8E1_IsComputedFromElevenBitCharacters()
    {
        var timing = RtuTiming.For(9600, 11);
        Assert.Equal(1145.83, timing.CharacterTime.TotalMicroseconds, tolerance: 0.2);
        Assert.Equal(1718.75, timing.InterCharacterTimeout.TotalMicroseconds, tolerance: 0.2);
        Assert.Equal(4010.42, timing.InterFrameDelay.TotalMicroseconds, tolerance: 0.2);
    }

    [Fact]
    public void For_19200_IsStillComputed()
    {
        var timing = RtuTiming.For(19200, 11);
        Assert.Equal(859.38, timing.InterCharacterTimeout.TotalMicroseconds, tolerance: 0.2);
        Assert.Equal(2005.21, timing.InterFrameDelay.TotalMicroseconds, tolerance: 0.2);
    }

    [Theory]
    [InlineData(38400)]
    [InlineData(115200)]
    [InlineData(921600)]
    public void For_Above19200_UsesFixed750And1750Microseconds(int baud)
    {
        var timing = RtuTiming.For(baud, 11);
        Assert.Equal(750, timing.InterCharacterTimeout.TotalMicroseconds, 3);
        Assert.Equal(1750, timing.InterFrameDelay.TotalMicroseconds, 3);
    }

    [Fact]
    public void For_115200_CharacterTimeIs95Point5Microseconds() =>
        Assert.Equal(95.5, RtuTiming.For(115200, 11).CharacterTime.TotalMicroseconds, 1);

    [Fact]
    public void For_10BitCharacters_ShortensCharacterTime() =>
        Assert.True(RtuTiming.For(9600, 10).CharacterTime < RtuTiming.For(9600, 11).CharacterTime);

    [Fact]
    public void WireTime_Bytes_IsCharacterTimeTimesBytes() =>
        Assert.Equal(RtuTiming.For(9600, 11).CharacterTime * 8, RtuTiming.For(9600, 11).WireTime(8));

    [Fact]
    public void LinkTiming_Override_ReplacesInterFrameDelay()
    {
        var link = ModbusLinkSettings.ForRtu(new Serial.SerialPortSettings { PortName = "/dev/x", BaudRate = 9600 }) with { InterFrameDelayMs = 0 };
        Assert.Equal(TimeSpan.Zero, link.Timing.InterFrameDelay);
        Assert.Equal(TimeSpan.Zero, ModbusLinkSettings.ForRtuOverTcp("h", 1).Timing.InterFrameDelay);
    }
}
