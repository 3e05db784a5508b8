using System.Runtime.InteropServices;

namespace EdgeNode.Gpio;

internal static partial class Interop
{
    // asm-generic/ioctl.h: _IOC(dir, type, nr, size) = dir << 30 | size << 16 | type << 8 | nr, with _IOC_WRITE = 1
    // and _IOC_READ = 2 (x86, arm, arm64, riscv; not mips/ppc/sparc/alpha, which we do not target).
    internal const uint IOC_WRITE = 1;
    internal const uint IOC_READ = 2;

    /// <summary>asm-generic _IOC: used by the unit tests that check the constants in Interop.Gpio.cs.</summary>
    internal static uint IOC(uint dir, uint type, uint nr, uint size) => dir << 30 | size << 16 | type << 8 | nr;

    /// <summary>_IOC_SIZE(): the argument size encoded in an ioctl number (the fake kernel checks it).</summary>
    internal static int IOC_SIZE(uint request) => (int)((request >> 16) & 0x3FFF);

    // ioctl(2) is variadic; on the Linux ABIs we target (SysV x86-64, AAPCS32/64, RISC-V) a variadic pointer argument
    // travels exactly like a fixed one, so a fixed third parameter is correct.
    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    internal static unsafe partial int Ioctl(int fd, nuint request, void* argument);
}
