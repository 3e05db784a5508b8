using System.Runtime.InteropServices;

namespace EdgeNode.I2c;

internal static partial class Interop
{
    // asm-generic/fcntl.h (octal in the header): O_RDWR 02, O_CLOEXEC 02000000.
    internal const int O_RDWR = 0x2;
    internal const int O_CLOEXEC = 0x80000;

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);
}
