using System.Runtime.InteropServices;

namespace EdgeNode.Serial;

internal static partial class Interop
{
    // ioctl numbers from asm-generic/ioctls.h (x86, arm, arm64, riscv; not mips/ppc/sparc/alpha). The termios2 pair
    // is computed with the asm-generic _IOC formula: dir << 30 | size << 16 | type << 8 | nr, with
    // _IOC_READ = 2, _IOC_WRITE = 1, type 'T' = 0x54 and sizeof(struct termios2) = 44 = 0x2C.
    internal const uint TCGETS = 0x5401;
    internal const uint TCSETS = 0x5402;
    internal const uint TCSBRK = 0x5409;      // arg 1 = tcdrain()
    internal const uint TCFLSH = 0x540B;
    internal const uint TIOCEXCL = 0x540C;
    internal const uint TIOCNXCL = 0x540D;
    internal const uint TIOCOUTQ = 0x5411;
    internal const uint TIOCMGET = 0x5415;
    internal const uint TIOCMBIS = 0x5416;
    internal const uint TIOCMBIC = 0x5417;
    internal const uint FIONREAD = 0x541B;
    internal const uint TIOCGRS485 = 0x542E;  // struct serial_rs485 (32 bytes)
    internal const uint TIOCSRS485 = 0x542F;
    internal const uint TCGETS2 = 0x802C542A; // _IOR('T', 0x2A, struct termios2)
    internal const uint TCSETS2 = 0x402C542B; // _IOW('T', 0x2B, struct termios2)

    // TCFLSH arguments (asm-generic/termbits-common.h).
    internal const int TCIFLUSH = 0;
    internal const int TCOFLUSH = 1;
    internal const int TCIOFLUSH = 2;

    // TIOCM_* modem line bits.
    internal const int TIOCM_DTR = 0x002;
    internal const int TIOCM_RTS = 0x004;

    /// <summary>asm-generic _IOC: used by the unit test that checks the computed numbers above.</summary>
    internal static uint IOC(uint dir, uint type, uint nr, uint size) => dir << 30 | size << 16 | type << 8 | nr;

    // ioctl(2) is variadic; on the Linux ABIs we target (SysV x86-64, AAPCS32/64, RISC-V) a variadic integer or
    // pointer argument travels exactly like a fixed one, so a fixed third parameter is correct.
    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    internal static unsafe partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int Ioctl(int fd, nuint request, nint argument);
}
