using System.Runtime.InteropServices;

namespace EdgeNode.Gpio;

/// <summary>The real kernel: libc open/ioctl/read/poll/close on /dev/gpiochipN and the line fds it hands out.</summary>
internal sealed class LinuxGpioKernel : IGpioKernel
{
    public static readonly LinuxGpioKernel Instance = new();

    private LinuxGpioKernel()
    {
    }

    public int Open(string path)
    {
        while (true)
        {
            var fd = Interop.Open(path, Interop.O_RDWR | Interop.O_CLOEXEC);
            if (fd >= 0)
            {
                return fd;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != Interop.Errno.EINTR)
            {
                return -errno;
            }
        }
    }

    public unsafe int Ioctl(int fd, uint request, Span<byte> argument)
    {
        fixed (byte* p = argument)
        {
            while (true)
            {
                var rc = Interop.Ioctl(fd, request, p);
                if (rc >= 0)
                {
                    return rc;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno != Interop.Errno.EINTR)
                {
                    return -errno;
                }
            }
        }
    }

    public unsafe int Read(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                var n = Interop.Read(fd, p, (nuint)buffer.Length);
                if (n >= 0)
                {
                    return (int)n;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno != Interop.Errno.EINTR)
                {
                    return -errno;
                }
            }
        }
    }

    public unsafe int Poll(int fd, int timeoutMs)
    {
        var pfd = new Interop.pollfd { fd = fd, events = Interop.POLLIN };
        var rc = Interop.Poll(&pfd, 1, timeoutMs);
        if (rc < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            // A signal cut the wait short: report a timeout, the caller's loop polls again.
            return errno == Interop.Errno.EINTR ? 0 : -errno;
        }

        return rc == 0 ? 0 : (ushort)pfd.revents;
    }

    public int Close(int fd) => Interop.Close(fd) == 0 ? 0 : -Marshal.GetLastPInvokeError();

    public IReadOnlyList<string> EnumerateChipPaths()
    {
        try
        {
            return Directory.EnumerateFiles("/dev", "gpiochip*")
                .Select(path => (Path: path, Number: GpioChipPath.ChipNumber(Path.GetFileName(path))))
                .Where(chip => chip.Number >= 0)
                .OrderBy(chip => chip.Number)
                .Select(chip => chip.Path)
                .ToArray();
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }

    public unsafe long GetTimeNanoseconds(GpioEventClock clock)
    {
        if (clock == GpioEventClock.Realtime)
        {
            // DateTime.UtcNow reads CLOCK_REALTIME through the runtime, with a 64-bit time_t even on armhf.
            return (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
        }

        Interop.timespec ts;
        if (Interop.ClockGetTime(Interop.CLOCK_MONOTONIC, &ts) != 0)
        {
            throw new IOException($"clock_gettime(CLOCK_MONOTONIC) failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return (long)ts.tv_sec * 1_000_000_000L + ts.tv_nsec;
    }
}

/// <summary>Chip path and name rules: /dev/gpiochipN, "gpiochipN" and "N".</summary>
internal static class GpioChipPath
{
    internal const string DevicePrefix = "/dev/";

    /// <summary>N of "gpiochipN", or -1.</summary>
    internal static int ChipNumber(string fileName)
    {
        const string Prefix = "gpiochip";
        if (!fileName.StartsWith(Prefix, StringComparison.Ordinal) || fileName.Length == Prefix.Length)
        {
            return -1;
        }

        var digits = fileName.AsSpan(Prefix.Length);
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return -1;
            }
        }

        return int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture,
            out var n) ? n : -1;
    }
}
