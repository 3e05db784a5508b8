using System.Runtime.InteropServices;

// Kernel structs keep their uapi names (style.md §3), which are all lower case.
#pragma warning disable CS8981

namespace EdgeNode.Gpio;

internal static partial class Interop
{
    // linux/time.h
    internal const int CLOCK_REALTIME = 0;
    internal const int CLOCK_MONOTONIC = 1;

    /// <summary>
    /// <c>struct timespec</c> as the default <c>clock_gettime</c> symbol takes it: two <c>long</c>s. On armhf that
    /// symbol keeps a 32-bit tv_sec, which is fine for CLOCK_MONOTONIC (seconds since boot); CLOCK_REALTIME is taken
    /// from the runtime instead (<see cref="DateTime.UtcNow"/> is 2038-safe).
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct timespec
    {
        public nint tv_sec;
        public nint tv_nsec;
    }

    [LibraryImport(Libc, EntryPoint = "clock_gettime", SetLastError = true)]
    internal static unsafe partial int ClockGetTime(int clockId, timespec* ts);
}
