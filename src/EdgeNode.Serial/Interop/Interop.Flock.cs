using System.Runtime.InteropServices;

namespace EdgeNode.Serial;

internal static partial class Interop
{
    // sys/file.h
    internal const int LOCK_EX = 2;
    internal const int LOCK_NB = 4;
    internal const int LOCK_UN = 8;

    /// <summary>
    /// Advisory lock on the open file description. TIOCEXCL does not stop root (CAP_SYS_ADMIN) from opening the tty a
    /// second time; flock() does, between processes that also take it (pyserial's <c>exclusive=True</c>, ours).
    /// </summary>
    [LibraryImport(Libc, EntryPoint = "flock", SetLastError = true)]
    internal static partial int Flock(int fd, int operation);
}
