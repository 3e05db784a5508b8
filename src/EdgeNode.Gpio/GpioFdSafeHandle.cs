using Microsoft.Win32.SafeHandles;

namespace EdgeNode.Gpio;

/// <summary>
/// A gpiochip or line-request fd, closed through the kernel seam that opened it. Callers take a reference
/// (<see cref="Lease"/>) around each syscall so that Dispose on another thread can never close the fd, and let the
/// number be reused, while a call is using it.
/// </summary>
internal sealed class GpioFdSafeHandle : SafeHandleMinusOneIsInvalid
{
    private readonly IGpioKernel _kernel;

    internal GpioFdSafeHandle(IGpioKernel kernel, int fd)
        : base(ownsHandle: true)
    {
        _kernel = kernel;
        SetHandle(fd);
    }

    /// <summary>Takes a reference for the duration of one call; throws <see cref="ObjectDisposedException"/> once closed.</summary>
    internal FdLease Lease()
    {
        var added = false;
        DangerousAddRef(ref added);
        return new FdLease(this, (int)handle);
    }

    protected override bool ReleaseHandle() => _kernel.Close((int)handle) == 0;

    /// <summary>A reference on the handle; dispose it when the syscall returned.</summary>
    internal readonly struct FdLease(GpioFdSafeHandle owner, int fd) : IDisposable
    {
        internal int Fd { get; } = fd;

        public void Dispose() => owner.DangerousRelease();
    }
}
