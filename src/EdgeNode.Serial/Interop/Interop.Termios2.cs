using System.Runtime.InteropServices;

namespace EdgeNode.Serial;

internal static partial class Interop
{
    /// <summary>
    /// The kernel's <c>struct termios2</c> (asm-generic/termbits.h): {u32 iflag, oflag, cflag, lflag; u8 line;
    /// u8 cc[19]; u32 ispeed, ospeed} = 44 bytes. NOT glibc's <c>struct termios</c> (cc[32], 60 bytes) that
    /// tcsetattr() takes: we talk to the kernel directly with TCGETS2/TCSETS2. The legacy TCGETS/TCSETS pair uses the
    /// first 36 bytes of the same layout (no speed fields).
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct termios2
    {
        internal const int NCCS = 19;

        public uint c_iflag;
        public uint c_oflag;
        public uint c_cflag;
        public uint c_lflag;
        public byte c_line;
        public fixed byte c_cc[NCCS];
        public uint c_ispeed;
        public uint c_ospeed;
    }

    /// <summary>termios flag values (asm-generic/termbits.h and termbits-common.h).</summary>
    internal static class Termios
    {
        // c_iflag
        internal const uint IGNBRK = 0x001;
        internal const uint BRKINT = 0x002;
        internal const uint IGNPAR = 0x004;
        internal const uint PARMRK = 0x008;
        internal const uint INPCK = 0x010;
        internal const uint ISTRIP = 0x020;
        internal const uint INLCR = 0x040;
        internal const uint IGNCR = 0x080;
        internal const uint ICRNL = 0x100;
        internal const uint IXON = 0x400;
        internal const uint IXOFF = 0x1000;

        // c_oflag
        internal const uint OPOST = 0x001;

        // c_cflag
        internal const uint CBAUD = 0x100F;
        internal const uint CSIZE = 0x30;
        internal const uint CS5 = 0x00;
        internal const uint CS6 = 0x10;
        internal const uint CS7 = 0x20;
        internal const uint CS8 = 0x30;
        internal const uint CSTOPB = 0x40;
        internal const uint CREAD = 0x80;
        internal const uint PARENB = 0x100;
        internal const uint PARODD = 0x200;
        internal const uint HUPCL = 0x400;
        internal const uint CLOCAL = 0x800;
        internal const uint CBAUDEX = 0x1000;
        internal const uint BOTHER = 0x1000;
        internal const uint CIBAUD = CBAUD << IBSHIFT;
        internal const uint CMSPAR = 0x40000000;
        internal const uint CRTSCTS = 0x80000000;
        internal const int IBSHIFT = 16;

        // c_lflag
        internal const uint ISIG = 0x001;
        internal const uint ICANON = 0x002;
        internal const uint ECHO = 0x008;
        internal const uint ECHOE = 0x010;
        internal const uint ECHOK = 0x020;
        internal const uint ECHONL = 0x040;
        internal const uint IEXTEN = 0x8000;

        // c_cc indices
        internal const int VTIME = 5;
        internal const int VMIN = 6;
    }

    /// <summary>
    /// The standard rates' Bxxx codes (asm-generic/termbits.h). Standard rates are set with their code so that drivers
    /// without BOTHER support still work; anything else goes through BOTHER + c_ospeed.
    /// </summary>
    internal static uint? StandardBaudCode(int baud) => baud switch
    {
        50 => 0x1,
        75 => 0x2,
        110 => 0x3,
        134 => 0x4,
        150 => 0x5,
        200 => 0x6,
        300 => 0x7,
        600 => 0x8,
        1200 => 0x9,
        1800 => 0xA,
        2400 => 0xB,
        4800 => 0xC,
        9600 => 0xD,
        19200 => 0xE,
        38400 => 0xF,
        57600 => 0x1001,
        115200 => 0x1002,
        230400 => 0x1003,
        460800 => 0x1004,
        500000 => 0x1005,
        576000 => 0x1006,
        921600 => 0x1007,
        1000000 => 0x1008,
        _ => null,
    };
}
