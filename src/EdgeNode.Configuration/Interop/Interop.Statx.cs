using System.Runtime.InteropServices;

namespace EdgeNode.Configuration;

internal static partial class Interop
{
    /// <summary>glibc: resolved by the runtime's probing to libc.so.6.</summary>
    internal const string Libc = "libc";

    /// <summary>AT_FDCWD (fcntl.h): relative paths are relative to the working directory.</summary>
    internal const int AT_FDCWD = -100;

    /// <summary>STATX_TYPE | STATX_SIZE (linux/stat.h).</summary>
    internal const uint STATX_TYPE_SIZE = 0x1 | 0x200;

    /// <summary>S_IFMT and the file types of sys/stat.h.</summary>
    internal const int S_IFMT = 0xF000;
    internal const int S_IFREG = 0x8000;
    internal const int S_IFDIR = 0x4000;

    /// <summary>errno values (asm-generic/errno-base.h; the same on x86-64, arm, arm64).</summary>
    internal const int ENOENT = 2;
    internal const int EACCES = 13;
    internal const int ENOTDIR = 20;

    /// <summary>
    /// <c>struct statx</c> of include/uapi/linux/stat.h: 256 bytes, one layout on every architecture (unlike
    /// <c>struct stat</c>). Only the fields we read are named.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
#pragma warning disable CS8981 // the kernel's name is kept (style: kernel structs keep kernel names)
    internal struct statx
#pragma warning restore CS8981
    {
        [FieldOffset(0)] public uint stx_mask;
        [FieldOffset(28)] public ushort stx_mode;
        [FieldOffset(40)] public ulong stx_size;
    }

    /// <summary>statx(2), glibc ≥ 2.28, kernel ≥ 4.11; symbolic links are followed (flags 0).</summary>
    [LibraryImport(Libc, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Statx(int dirfd, string pathname, int flags, uint mask, out statx buffer);
}
