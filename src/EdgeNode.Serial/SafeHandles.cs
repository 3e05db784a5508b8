using Microsoft.Win32.SafeHandles;

namespace EdgeNode.Serial;

/// <summary>An open tty fd: releases the exclusive mode (TIOCNXCL) and closes; the flock goes with the close.</summary>
internal sealed class SerialPortSafeHandle : SafeHandleMinusOneIsInvalid
{
    public SerialPortSafeHandle()
        : base(ownsHandle: true)
    {
    }

    internal SerialPortSafeHandle(int fd)
        : base(ownsHandle: true)
    {
        SetHandle(fd);
    }

    internal int Fd => (int)handle;

    protected override bool ReleaseHandle()
    {
        // Best effort: the fd is going away either way, and nobody can act on a failure here.
        _ = Interop.Ioctl((int)handle, Interop.TIOCNXCL, 0);
        return Interop.Close((int)handle) == 0;
    }
}

/// <summary>An eventfd used to wake a thread blocked in ppoll().</summary>
internal sealed class EventFdSafeHandle : SafeHandleMinusOneIsInvalid
{
    public EventFdSafeHandle()
        : base(ownsHandle: true)
    {
    }

    internal EventFdSafeHandle(int fd)
        : base(ownsHandle: true)
    {
        SetHandle(fd);
    }

    internal int Fd => (int)handle;

    protected override bool ReleaseHandle() => Interop.Close((int)handle) == 0;
}
