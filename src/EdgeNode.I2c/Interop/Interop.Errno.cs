using System.Runtime.InteropServices;

namespace EdgeNode.I2c;

internal static partial class Interop
{
    /// <summary>errno values (asm-generic/errno-base.h, errno.h; the same on x86-64, arm, arm64, riscv).</summary>
    internal static class Errno
    {
        internal const int EPERM = 1;
        internal const int ENOENT = 2;
        internal const int EINTR = 4;
        internal const int EIO = 5;
        internal const int ENXIO = 6;
        internal const int EBADF = 9;
        internal const int EAGAIN = 11;
        internal const int EACCES = 13;
        internal const int EBUSY = 16;
        internal const int ENODEV = 19;
        internal const int ENOTDIR = 20;
        internal const int EINVAL = 22;
        internal const int ENOTTY = 25;
        internal const int EPROTO = 71;
        internal const int EOPNOTSUPP = 95;
        internal const int ETIMEDOUT = 110;
        internal const int EREMOTEIO = 121;
    }

    /// <summary>The text strerror() gives for <paramref name="errno"/> (the runtime wraps strerror_r).</summary>
    internal static string StrError(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
