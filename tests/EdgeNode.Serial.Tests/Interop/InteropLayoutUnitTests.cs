using System.Runtime.InteropServices;

namespace EdgeNode.Serial.Tests.Interop;

public class InteropLayoutUnitTests
{
    [Fact]
    public void Termios2_Layout_MatchesKernelStruct()
    {
        // asm-generic/termbits.h: {u32 iflag, oflag, cflag, lflag; u8 line; u8 cc[19]; u32 ispeed, ospeed} = 44
        Assert.Equal(44, Marshal.SizeOf<Serial.Interop.termios2>());
        Assert.Equal(8, (int)Marshal.OffsetOf<Serial.Interop.termios2>(nameof(Serial.Interop.termios2.c_cflag)));
        Assert.Equal(16, (int)Marshal.OffsetOf<Serial.Interop.termios2>(nameof(Serial.Interop.termios2.c_line)));
        Assert.Equal(17, (int)Marshal.OffsetOf<Serial.Interop.termios2>(nameof(Serial.Interop.termios2.c_cc)));
        Assert.Equal(36, (int)Marshal.OffsetOf<Serial.Interop.termios2>(nameof(Serial.Interop.termios2.c_ispeed)));
        Assert.Equal(40, (int)Marshal.OffsetOf<Serial.Interop.termios2>(nameof(Serial.Interop.termios2.c_ospeed)));
    }

    [Fact]
    public void SerialRs485_Layout_MatchesKernelStruct()
    {
        // linux/serial.h: {u32 flags; u32 delay_rts_before_send; u32 delay_rts_after_send; u32 padding[5]} = 32
        Assert.Equal(32, Marshal.SizeOf<Serial.Interop.serial_rs485>());
        Assert.Equal(4, (int)Marshal.OffsetOf<Serial.Interop.serial_rs485>(nameof(Serial.Interop.serial_rs485.delay_rts_before_send)));
        Assert.Equal(8, (int)Marshal.OffsetOf<Serial.Interop.serial_rs485>(nameof(Serial.Interop.serial_rs485.delay_rts_after_send)));
    }

    [Fact]
    public void Pollfd_Layout_IsEightBytes()
    {
        Assert.Equal(8, Marshal.SizeOf<Serial.Interop.pollfd>());
        Assert.Equal(6, (int)Marshal.OffsetOf<Serial.Interop.pollfd>(nameof(Serial.Interop.pollfd.revents)));
    }

    [Fact]
    public void Termios2Ioctls_ComputedWithIocFormula_MatchConstants()
    {
        const uint read = 2, write = 1, type = 'T';
        Assert.Equal(Serial.Interop.TCGETS2, Serial.Interop.IOC(read, type, 0x2A, 44));
        Assert.Equal(Serial.Interop.TCSETS2, Serial.Interop.IOC(write, type, 0x2B, 44));
        Assert.Equal(0x802C542Au, Serial.Interop.TCGETS2);
        Assert.Equal(0x402C542Bu, Serial.Interop.TCSETS2);
    }

    [Theory]
    [InlineData(9600, 0xDu)]
    [InlineData(19200, 0xEu)]
    [InlineData(38400, 0xFu)]
    [InlineData(57600, 0x1001u)]
    [InlineData(115200, 0x1002u)]
    [InlineData(921600, 0x1007u)]
    public void StandardBaudCode_KnownRates_MatchTermbits(int baud, uint code) =>
        Assert.Equal(code, Serial.Interop.StandardBaudCode(baud));

    [Theory]
    [InlineData(250000)]
    [InlineData(31250)]
    [InlineData(100000)]
    public void StandardBaudCode_CustomRates_AreNull(int baud) => Assert.Null(Serial.Interop.StandardBaudCode(baud));
}
