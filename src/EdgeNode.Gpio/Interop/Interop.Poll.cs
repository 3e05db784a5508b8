using System.Runtime.InteropServices;

// Kernel structs keep their uapi names (style.md §3), which are all lower case.
#pragma warning disable CS8981

namespace EdgeNode.Gpio;

internal static partial class Interop
{
    // asm-generic/poll.h
    internal const short POLLIN = 0x001;
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

    [LibraryImport(Libc, EntryPoint = "poll", SetLastError = true)]
    internal static unsafe partial int Poll(pollfd* fds, nuint nfds, int timeoutMs);
}
