using static EdgeNode.Serial.Interop.Termios;

namespace EdgeNode.Serial.Tests;

public class SerialPortSettingsUnitTests
{
    [Fact]
    public void Validate_DefaultSettings_HasNoProblems() =>
        Assert.Empty(SerialPortSettingsValidator.Validate(new SerialPortSettings { PortName = "/dev/ttyUSB0" }));

    [Fact]
    public void Validate_EveryFieldWrong_NamesEachProblem()
    {
        var problems = SerialPortSettingsValidator.Validate(new SerialPortSettings
        {
            PortName = " ",
            BaudRate = 600,
            DataBits = 6,
            StopBits = (SerialStopBits)3,
            Rs485 = new Rs485Settings { DelayRtsBeforeSendMs = -1, RtsAfterSend = true },
        });
        Assert.Contains(problems, p => p.StartsWith("portName", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("baudRate: 600", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("dataBits: 6", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("stopBits: 3", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("rs485.delayRtsBeforeSendMs", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("rtsOnSend and rtsAfterSend must differ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(8, SerialParity.Even, SerialStopBits.One, 11)]
    [InlineData(8, SerialParity.None, SerialStopBits.Two, 11)]
    [InlineData(8, SerialParity.None, SerialStopBits.One, 10)]
    [InlineData(7, SerialParity.Odd, SerialStopBits.One, 10)]
    public void BitsPerCharacter_LineSettings_CountsStartDataParityStop(int data, SerialParity parity, SerialStopBits stop, int bits) =>
        Assert.Equal(bits, new SerialPortSettings { PortName = "x", DataBits = data, Parity = parity, StopBits = stop }.BitsPerCharacter);

    [Fact]
    public void Equality_SameLineSettings_AreEqual()
    {
        var a = new SerialPortSettings { PortName = "/dev/ttyS0", BaudRate = 19200, Rs485 = new Rs485Settings() };
        var b = new SerialPortSettings { PortName = "/dev/ttyS0", BaudRate = 19200, Rs485 = new Rs485Settings() };
        Assert.Equal(a, b);
        Assert.NotEqual(a, b with { Parity = SerialParity.Even });
    }

    [Fact]
    public void ApplyRawMode_8E2_SetsCflagAndClearsCookedModes()
    {
        var t = new Serial.Interop.termios2
        {
            c_iflag = ICRNL | IXON | ISTRIP,
            c_oflag = OPOST,
            c_lflag = ICANON | ECHO | ISIG | IEXTEN,
            c_cflag = CRTSCTS | CS5 | HUPCL | 0xD,
        };
        SerialPort.ApplyRawMode(ref t, new SerialPortSettings { PortName = "x", Parity = SerialParity.Even, StopBits = SerialStopBits.Two });
        Assert.Equal(IGNBRK | INPCK, t.c_iflag);
        Assert.Equal(0u, t.c_oflag);
        Assert.Equal(0u, t.c_lflag);
        Assert.Equal(CS8, t.c_cflag & CSIZE);
        Assert.Equal(CSTOPB | PARENB | CREAD | CLOCAL, t.c_cflag & (CSTOPB | PARENB | PARODD | CREAD | CLOCAL | CRTSCTS | CMSPAR));
        Assert.Equal(HUPCL | 0xDu, t.c_cflag & (HUPCL | CBAUD)); // untouched: speed is set separately
        unsafe
        {
            Assert.Equal(0, t.c_cc[VMIN]);
            Assert.Equal(0, t.c_cc[VTIME]);
        }
    }

    [Theory]
    [InlineData(SerialParity.Odd, PARENB | PARODD)]
    [InlineData(SerialParity.Mark, PARENB | PARODD | CMSPAR)]
    [InlineData(SerialParity.Space, PARENB | CMSPAR)]
    [InlineData(SerialParity.None, 0u)]
    public void ApplyRawMode_Parity_SetsParityBits(SerialParity parity, uint expected)
    {
        var t = new Serial.Interop.termios2();
        SerialPort.ApplyRawMode(ref t, new SerialPortSettings { PortName = "x", Parity = parity, DataBits = 7 });
        Assert.Equal(expected, t.c_cflag & (PARENB | PARODD | CMSPAR));
        Assert.Equal(CS7, t.c_cflag & CSIZE);
    }

    [Fact]
    public void SetSpeed_CustomRate_UsesBotherAndSpeeds()
    {
        var t = new Serial.Interop.termios2 { c_cflag = CS8 | 0xD | (0xDu << IBSHIFT) };
        SerialPort.SetSpeed(ref t, 250000, null);
        Assert.Equal(BOTHER, t.c_cflag & CBAUD);
        Assert.Equal(0u, t.c_cflag & CIBAUD);
        Assert.Equal(250000u, t.c_ospeed);
        Assert.Equal(250000u, t.c_ispeed);
        Assert.Equal(CS8, t.c_cflag & CSIZE);
    }

    [Fact]
    public void SetSpeed_StandardRate_UsesItsCode()
    {
        var t = new Serial.Interop.termios2 { c_cflag = BOTHER };
        SerialPort.SetSpeed(ref t, 115200, 0x1002);
        Assert.Equal(0x1002u, t.c_cflag & CBAUD);
    }

    [Theory]
    [InlineData(Serial.Interop.Errno.ENOENT, SerialPortErrorKind.NotFound, "does not exist")]
    [InlineData(Serial.Interop.Errno.EACCES, SerialPortErrorKind.AccessDenied, "'dialout' group")]
    [InlineData(Serial.Interop.Errno.EBUSY, SerialPortErrorKind.Busy, "busy")]
    [InlineData(Serial.Interop.Errno.ENXIO, SerialPortErrorKind.NoDevice, "no hardware")]
    [InlineData(Serial.Interop.Errno.ENOTTY, SerialPortErrorKind.NotATerminal, "not a serial port")]
    public void FromErrno_OpenFailures_NameDeviceAndRemedy(int errno, SerialPortErrorKind kind, string fragment)
    {
        var ex = SerialPortException.FromErrno(errno, "/dev/ttyUSB7", "opening");
        Assert.Equal(kind, ex.Kind);
        Assert.Equal(errno, ex.Errno);
        Assert.Contains("/dev/ttyUSB7", ex.Message, StringComparison.Ordinal);
        Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"errno {errno}", ex.Message, StringComparison.Ordinal);
    }
}
