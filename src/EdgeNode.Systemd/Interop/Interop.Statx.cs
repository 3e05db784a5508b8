using System.Runtime.InteropServices;

namespace EdgeNode.Systemd;

internal static partial class Interop
{
    /// <summary>AT_EMPTY_PATH (fcntl.h): operate on the file descriptor itself when the path is "".</summary>
    internal const int AT_EMPTY_PATH = 0x1000;

    /// <summary>STATX_INO (linux/stat.h); the device fields are filled whatever the mask.</summary>
    internal const uint STATX_INO = 0x100;

    /// <summary>
    /// <c>struct statx</c> of include/uapi/linux/stat.h, 256 bytes with the same layout on every architecture — unlike
    /// <c>struct stat</c>, which differs between x86-64, arm64 and armhf and which glibc before 2.33 exports only as
    /// <c>__fxstat</c>. Only the fields we read are named; the rest is padding with the kernel's offsets.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
#pragma warning disable CS8981 // the kernel's name is kept (style: kernel structs keep kernel names)
    internal struct statx
#pragma warning restore CS8981
    {
        [FieldOffset(0)] public uint stx_mask;
        [FieldOffset(28)] public ushort stx_mode;
        [FieldOffset(32)] public ulong stx_ino;
        [FieldOffset(128)] public uint stx_rdev_major;
        [FieldOffset(132)] public uint stx_rdev_minor;
        [FieldOffset(136)] public uint stx_dev_major;
        [FieldOffset(140)] public uint stx_dev_minor;
    }

    /// <summary>statx(2), glibc ≥ 2.28, kernel ≥ 4.11.</summary>
    [LibraryImport(Libc, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Statx(int dirfd, string pathname, int flags, uint mask, out statx buffer);

    /// <summary>
    /// glibc's <c>makedev()</c> (sys/sysmacros.h): the <c>dev_t</c> that <c>fstat()</c> reports and that systemd prints
    /// into <c>$JOURNAL_STREAM</c>, rebuilt from statx's split major/minor.
    /// </summary>
    internal static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0x00000fffu) << 8) | ((ulong)(major & 0xfffff000u) << 32) |
        (minor & 0x000000ffu) | ((ulong)(minor & 0xffffff00u) << 12);

    /// <summary>The (st_dev, st_ino) pair of an open file descriptor, or null when statx is unavailable or fails.</summary>
    internal static (ulong Device, ulong Inode)? DeviceAndInode(int fd)
    {
        try
        {
            if (Statx(fd, "", AT_EMPTY_PATH, STATX_INO, out var buffer) != 0)
            {
                return null;
            }

            return (MakeDev(buffer.stx_dev_major, buffer.stx_dev_minor), buffer.stx_ino);
        }
        catch (EntryPointNotFoundException)
        {
            // glibc < 2.28 (Debian 9): no statx wrapper; the caller falls back to /proc/self/fd.
            return null;
        }
    }
}
