using System.Runtime.InteropServices;

namespace EdgeNode.Modbus;

internal static partial class Interop
{
    /// <summary>linux/prctl.h: PR_SET_TIMERSLACK = 29 (per thread, in nanoseconds).</summary>
    internal const int PR_SET_TIMERSLACK = 29;

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    internal static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    /// <summary>
    /// The kernel rounds sleeps up by the thread's timer slack (50 µs by default) to batch wake-ups. The RTU bus thread
    /// waits for 1.75 ms silences, so it asks for 1 µs; failure (not Linux) only costs precision.
    /// </summary>
    internal static void TrySetPreciseTimerSlack()
    {
        if (OperatingSystem.IsLinux())
        {
            _ = Prctl(PR_SET_TIMERSLACK, 1000, 0, 0, 0);
        }
    }
}
