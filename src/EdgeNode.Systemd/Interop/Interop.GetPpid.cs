using System.Runtime.InteropServices;

namespace EdgeNode.Systemd;

internal static partial class Interop
{
    /// <summary>getppid(2): "always successful", so no errno to read; SetLastError kept for uniformity.</summary>
    [LibraryImport(Libc, EntryPoint = "getppid", SetLastError = true)]
    internal static partial int GetParentProcessId();
}
