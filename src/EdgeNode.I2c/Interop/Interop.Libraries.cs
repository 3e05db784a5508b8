namespace EdgeNode.I2c;

internal static partial class Interop
{
    /// <summary>glibc / musl: resolved by the runtime's probing to libc.so.6 on Debian and Raspberry Pi OS.</summary>
    internal const string Libc = "libc";
}
