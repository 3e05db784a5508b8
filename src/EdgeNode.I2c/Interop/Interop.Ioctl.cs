using System.Runtime.InteropServices;

namespace EdgeNode.I2c;

internal static partial class Interop
{
    // ioctl(2) is variadic; on the Linux ABIs we target (SysV x86-64, AAPCS32/64, RISC-V) a variadic integer or
    // pointer argument travels exactly like a fixed one, so a fixed third parameter is correct.
    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    internal static unsafe partial int Ioctl(int fd, nuint request, void* argument);

    /// <summary>For the requests whose argument is an <c>unsigned long</c> value (I2C_SLAVE, I2C_TIMEOUT).</summary>
    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int Ioctl(int fd, nuint request, nuint argument);
}
