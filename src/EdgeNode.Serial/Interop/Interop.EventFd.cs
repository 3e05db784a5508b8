using System.Runtime.InteropServices;

namespace EdgeNode.Serial;

internal static partial class Interop
{
    // sys/eventfd.h: EFD_CLOEXEC = O_CLOEXEC, EFD_NONBLOCK = O_NONBLOCK.
    internal const int EFD_CLOEXEC = 0x80000;
    internal const int EFD_NONBLOCK = 0x800;

    /// <summary>
    /// A counter fd polled beside the tty so that Dispose and cancellation wake a reader blocked in ppoll() at once
    /// (the bounded poll timeout is only the safety net).
    /// </summary>
    [LibraryImport(Libc, EntryPoint = "eventfd", SetLastError = true)]
    internal static partial int EventFd(uint initval, int flags);
}
