namespace EdgeNode.Systemd;

internal static partial class Interop
{
    /// <summary>glibc: resolved by the runtime's probing to libc.so.6 on Debian and Raspberry Pi OS.</summary>
    internal const string Libc = "libc";

    /// <summary>errno values used here (asm-generic/errno-base.h, errno.h; the same on x86-64, arm, arm64).</summary>
    internal static class Errno
    {
        internal const int ENOSYS = 38;
    }
}
