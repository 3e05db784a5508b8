using System.Runtime.InteropServices;

// Kernel structs keep their uapi names (style.md §3), which are all lower case.
#pragma warning disable CS8981

namespace EdgeNode.Serial;

internal static partial class Interop
{
    // asm-generic/poll.h
    internal const short POLLIN = 0x001;
    internal const short POLLOUT = 0x004;
    internal const short POLLERR = 0x008;
    internal const short POLLHUP = 0x010;
    internal const short POLLNVAL = 0x020;

    /// <summary><c>struct pollfd</c> {int fd; short events; short revents} = 8 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct pollfd
    {
        public int fd;
        public short events;
        public short revents;
    }

    /// <summary>
    /// <c>struct timespec</c> as the default <c>ppoll</c> symbol takes it: two <c>long</c>s (32-bit on armhf, where
    /// glibc's 64-bit-time variant has another symbol name).
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct timespec
    {
        public nint tv_sec;
        public nint tv_nsec;
    }

    /// <summary>
    /// ppoll(2) rather than poll(2): the timeout has nanosecond resolution, which the RTU inter-frame silence (1.75 ms
    /// above 19200 baud) needs; poll()'s milliseconds would round it to 2 ms.
    /// </summary>
    [LibraryImport(Libc, EntryPoint = "ppoll", SetLastError = true)]
    internal static unsafe partial int PPoll(pollfd* fds, nuint nfds, timespec* timeout, void* sigmask);
}
