using System.Runtime.InteropServices;
using static EdgeNode.Serial.Interop.Termios;

namespace EdgeNode.Serial;

public sealed partial class SerialPort
{
    /// <summary>
    /// Raw mode with the line settings through the kernel's termios2 (TCGETS2/TCSETS2): the same steps as System.IO.Ports'
    /// TermiosReset + pal_termios2.c, without glibc's 60-byte struct termios. Drivers without termios2 fall back to
    /// the 36-byte TCGETS/TCSETS with standard rates only.
    /// </summary>
    private unsafe void Configure()
    {
        var settings = Settings;
        var fd = _handle.Fd;
        Interop.termios2 t = default;
        var useTermios2 = !settings.ForceLegacyTermios;
        if (useTermios2 && Interop.Ioctl(fd, Interop.TCGETS2, &t) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is not (Interop.Errno.ENOTTY or Interop.Errno.EINVAL))
            {
                throw SerialPortException.FromErrno(errno, PortName, "reading its settings (TCGETS2)");
            }

            useTermios2 = false;
            Log.LegacyTermios(_logger, PortName, errno);
        }

        if (!useTermios2 && Interop.Ioctl(fd, Interop.TCGETS, &t) != 0)
        {
            throw SerialPortException.FromErrno(Marshal.GetLastPInvokeError(), PortName, "reading its settings (TCGETS)");
        }

        var originalSpeedBits = t.c_cflag & (CBAUD | CIBAUD);
        ApplyRawMode(ref t, settings);
        var code = Interop.StandardBaudCode(settings.BaudRate);
        if (useTermios2)
        {
            SetSpeed(ref t, settings.BaudRate, code);
            if (Interop.Ioctl(fd, Interop.TCSETS2, &t) == 0)
            {
                ReadBackSpeed(fd, settings.BaudRate);
                return;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno is not (Interop.Errno.ENOTTY or Interop.Errno.EINVAL))
            {
                throw SerialPortException.FromErrno(errno, PortName, "applying its settings (TCSETS2)");
            }

            // A driver that refuses BOTHER answers EINVAL; retry below with the legacy call and a standard code.
            Log.LegacyTermios(_logger, PortName, errno);
        }

        UsesLegacyTermios = true;
        if (code is { } standard)
        {
            t.c_cflag = (t.c_cflag & ~CBAUD) | standard;
        }
        else if (IsPseudoTerminal)
        {
            // A pty has no UART: it accepts any code and never clocks bits, so keep what it has.
            t.c_cflag = (t.c_cflag & ~(CBAUD | CIBAUD)) | originalSpeedBits;
            Log.PtyIgnoresBaud(_logger, PortName, settings.BaudRate, Interop.Errno.EINVAL);
        }
        else
        {
            throw new SerialPortException(SerialPortErrorKind.Unsupported, PortName, Interop.Errno.EINVAL,
                $"Serial port {PortName} cannot use {settings.BaudRate} baud: its driver supports only standard rates " +
                "(e.g. 9600, 19200, 38400, 57600, 115200).");
        }

        if (Interop.Ioctl(fd, Interop.TCSETS, &t) != 0)
        {
            throw SerialPortException.FromErrno(Marshal.GetLastPInvokeError(), PortName, "applying its settings (TCSETS)");
        }

        ActualBaudRate = settings.BaudRate;
    }

    /// <summary>cfmakeraw plus the line settings; no flow control (Modbus RTU has none).</summary>
    internal static unsafe void ApplyRawMode(ref Interop.termios2 t, SerialPortSettings settings)
    {
        // IGNBRK: a break is line noise to us. INPCK: check parity when there is one; a bad byte reads as 0 and the
        // frame then fails its CRC, which is the layer that decides.
        t.c_iflag = IGNBRK | (settings.Parity == SerialParity.None ? 0u : INPCK);
        t.c_oflag = 0;
        t.c_lflag = 0;
        var cflag = t.c_cflag & ~(CSIZE | CSTOPB | PARENB | PARODD | CMSPAR | CRTSCTS);
        cflag |= CREAD | CLOCAL | (settings.DataBits == 7 ? CS7 : CS8);
        if (settings.StopBits == SerialStopBits.Two)
        {
            cflag |= CSTOPB;
        }

        cflag |= settings.Parity switch
        {
            SerialParity.Even => PARENB,
            SerialParity.Odd => PARENB | PARODD,
            SerialParity.Mark => PARENB | CMSPAR | PARODD,
            SerialParity.Space => PARENB | CMSPAR,
            _ => 0u,
        };
        t.c_cflag = cflag;
        t.c_line = 0;
        for (var i = 0; i < Interop.termios2.NCCS; i++)
        {
            t.c_cc[i] = 0;
        }

        // VMIN = VTIME = 0: read() returns what is there; waiting is ppoll()'s job.
        t.c_cc[VMIN] = 0;
        t.c_cc[VTIME] = 0;
    }

    /// <summary>Standard rates by their Bxxx code, others by BOTHER + c_ospeed; input speed follows output (CIBAUD = 0).</summary>
    internal static void SetSpeed(ref Interop.termios2 t, int baud, uint? standardCode)
    {
        t.c_cflag &= ~(CBAUD | CIBAUD);
        t.c_cflag |= standardCode ?? BOTHER;
        t.c_ispeed = (uint)baud;
        t.c_ospeed = (uint)baud;
    }

    private unsafe void ReadBackSpeed(int fd, int requested)
    {
        Interop.termios2 check;
        if (Interop.Ioctl(fd, Interop.TCGETS2, &check) != 0)
        {
            ActualBaudRate = requested;
            return;
        }

        ActualBaudRate = check.c_ospeed == 0 ? requested : (int)check.c_ospeed;
        // A UART divides its clock: a custom rate comes out approximately. Beyond ~2 % the bytes are garbled.
        if (Math.Abs(ActualBaudRate - requested) > requested / 50)
        {
            Log.BaudMismatch(_logger, PortName, requested, ActualBaudRate);
        }
    }

    private unsafe void ConfigureRs485()
    {
        if (Settings.Rs485 is not { } rs485)
        {
            return;
        }

        Interop.serial_rs485 conf = default;
        if (rs485.Enabled)
        {
            conf.flags = Interop.Rs485Flags.SER_RS485_ENABLED
                | (rs485.RtsOnSend ? Interop.Rs485Flags.SER_RS485_RTS_ON_SEND : 0)
                | (rs485.RtsAfterSend ? Interop.Rs485Flags.SER_RS485_RTS_AFTER_SEND : 0)
                | (rs485.RxDuringTx ? Interop.Rs485Flags.SER_RS485_RX_DURING_TX : 0)
                | (rs485.TerminateBus ? Interop.Rs485Flags.SER_RS485_TERMINATE_BUS : 0);
            conf.delay_rts_before_send = (uint)rs485.DelayRtsBeforeSendMs;
            conf.delay_rts_after_send = (uint)rs485.DelayRtsAfterSendMs;
        }

        var fd = _handle.Fd;
        if (Interop.Ioctl(fd, Interop.TIOCSRS485, &conf) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (!rs485.Enabled)
            {
                // Nothing to turn off on a driver without RS-485 support.
                return;
            }

            // ENOTTY (pty, USB-serial drivers, UARTs without rs485_config) or EINVAL (a flag combination the driver
            // refuses). USB-RS485 adapters switch direction in hardware, so this is not fatal; the operator sees why.
            Log.Rs485Unsupported(_logger, PortName, errno, Interop.StrError(errno));
            IsRs485Enabled = false;
            return;
        }

        if (!rs485.Enabled)
        {
            Log.Rs485Disabled(_logger, PortName);
            return;
        }

        // The driver may adjust the flags and clamp the delays: report what it actually does.
        Interop.serial_rs485 actual = default;
        if (Interop.Ioctl(fd, Interop.TIOCGRS485, &actual) == 0)
        {
            conf = actual;
        }

        IsRs485Enabled = (conf.flags & Interop.Rs485Flags.SER_RS485_ENABLED) != 0;
        Log.Rs485Enabled(_logger, PortName, conf.flags, conf.delay_rts_before_send, conf.delay_rts_after_send);
    }
}
