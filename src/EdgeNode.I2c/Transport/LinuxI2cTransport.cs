using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace EdgeNode.I2c;

/// <summary>/dev/i2c-N through libc: I2C_FUNCS on open, I2C_RDWR for every transfer, I2C_SLAVE for address checks.</summary>
internal sealed class LinuxI2cTransport : II2cTransport
{
    private readonly I2cBusSafeHandle _handle;

    private LinuxI2cTransport(string path, I2cBusSafeHandle handle)
    {
        Name = path;
        _handle = handle;
    }

    public string Name { get; }

    /// <summary>Opens the bus and checks that it does plain I2C (tests skip the check to drive the syscalls on any fd).</summary>
    /// <exception cref="I2cException">The bus is missing, not permitted, not an I2C adapter, or SMBus-only.</exception>
    public static unsafe LinuxI2cTransport Open(string path, int? adapterTimeoutMs, bool checkFunctionality = true)
    {
        int fd;
        while ((fd = Interop.Open(path, Interop.O_RDWR | Interop.O_CLOEXEC)) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Interop.Errno.EINTR)
            {
                throw OpenFailed(path, errno);
            }
        }

        var handle = new I2cBusSafeHandle(fd);
        try
        {
            if (!checkFunctionality)
            {
                return new LinuxI2cTransport(path, handle);
            }

            nuint funcs = 0;
            if (Interop.Ioctl(fd, Interop.I2C_FUNCS, &funcs) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new I2cException(new I2cResult(I2cStatus.Unsupported, errno,
                    $"{path} is not an I2C bus (I2C_FUNCS: errno {errno}, {Interop.StrError(errno)})."), path, 0);
            }

            if ((funcs & (nuint)Interop.I2C_FUNC_I2C) == 0)
            {
                throw new I2cException(new I2cResult(I2cStatus.Unsupported, 0,
                    $"The adapter behind {path} only does SMBus transfers (functionality 0x{(ulong)funcs:X}); EdgeNode " +
                    "needs plain I2C (I2C_RDWR) for combined write-then-read transactions."), path, 0);
            }

            if (adapterTimeoutMs is { } timeout && Interop.Ioctl(fd, Interop.I2C_TIMEOUT, (nuint)Math.Max(1, (timeout + 9) / 10)) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new I2cException(new I2cResult(I2cStatus.Unsupported, errno,
                    $"{path}: setting the adapter timeout (I2C_TIMEOUT) failed: errno {errno}, {Interop.StrError(errno)}."), path, 0);
            }

            return new LinuxI2cTransport(path, handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static I2cException OpenFailed(string path, int errno)
    {
        var detail = $"(errno {errno}: {Interop.StrError(errno)})";
        var status = I2cResult.StatusOf(errno);
        var message = status switch
        {
            I2cStatus.BusNotFound =>
                $"I2C bus {path} does not exist {detail}. Enable I2C (Raspberry Pi: 'sudo raspi-config nonint do_i2c 0', or " +
                "dtparam=i2c_arm=on in /boot/firmware/config.txt and a reboot) and load the i2c-dev module ('i2c-dev' in " +
                "/etc/modules); 'ls /dev/i2c-*' lists the buses.",
            I2cStatus.AccessDenied =>
                $"Permission denied opening I2C bus {path} {detail}. The user running EdgeNode must be in the 'i2c' group " +
                "(sudo usermod -aG i2c <user>, then log in again or restart the service), or the systemd unit must grant it " +
                "with SupplementaryGroups=i2c. Where no such group exists, add a udev rule, e.g. /etc/udev/rules.d/60-i2c.rules: " +
                "SUBSYSTEM==\"i2c-dev\", GROUP=\"i2c\", MODE=\"0660\".",
            _ => $"Opening I2C bus {path} failed {detail}.",
        };
        return new I2cException(new I2cResult(status, errno, message), path, 0);
    }

    public unsafe int Transfer(int address, ReadOnlySpan<byte> write, Span<byte> read)
    {
        var pointerSize = IntPtr.Size;
        var msgSize = I2cRdwrLayout.MsgSize(pointerSize);
        Span<byte> msgs = stackalloc byte[2 * 16];
        Span<byte> data = stackalloc byte[16];
        var count = 0;
        var lease = false;
        _handle.DangerousAddRef(ref lease);
        try
        {
            fixed (byte* w = write)
            fixed (byte* r = read)
            fixed (byte* m = msgs)
            fixed (byte* d = data)
            {
                if (!write.IsEmpty)
                {
                    I2cRdwrLayout.WriteMsg(msgs, pointerSize, (ushort)address, 0, (ushort)write.Length, (ulong)w);
                    count++;
                }

                if (!read.IsEmpty)
                {
                    I2cRdwrLayout.WriteMsg(msgs[(count * msgSize)..], pointerSize, (ushort)address, Interop.I2C_M_RD,
                        (ushort)read.Length, (ulong)r);
                    count++;
                }

                I2cRdwrLayout.WriteData(data, pointerSize, (ulong)m, (uint)count);
                var fd = (int)_handle.DangerousGetHandle();
                while (true)
                {
                    // I2C_RDWR returns the number of messages transferred.
                    if (Interop.Ioctl(fd, Interop.I2C_RDWR, d) >= 0)
                    {
                        return 0;
                    }

                    var errno = Marshal.GetLastPInvokeError();
                    if (errno != Interop.Errno.EINTR)
                    {
                        return -errno;
                    }
                }
            }
        }
        finally
        {
            if (lease)
            {
                _handle.DangerousRelease();
            }
        }
    }

    public int SelectAddress(int address)
    {
        var lease = false;
        _handle.DangerousAddRef(ref lease);
        try
        {
            return Interop.Ioctl((int)_handle.DangerousGetHandle(), Interop.I2C_SLAVE, (nuint)address) < 0
                ? -Marshal.GetLastPInvokeError()
                : 0;
        }
        finally
        {
            if (lease)
            {
                _handle.DangerousRelease();
            }
        }
    }

    public void Dispose() => _handle.Dispose();

    /// <summary>An open /dev/i2c-N fd.</summary>
    private sealed class I2cBusSafeHandle : SafeHandleMinusOneIsInvalid
    {
        public I2cBusSafeHandle(int fd)
            : base(ownsHandle: true) => SetHandle(fd);

        protected override bool ReleaseHandle() => Interop.Close((int)handle) == 0;
    }
}
