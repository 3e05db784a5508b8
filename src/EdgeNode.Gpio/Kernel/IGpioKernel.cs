namespace EdgeNode.Gpio;

/// <summary>
/// The system calls EdgeNode's GPIO driver makes, in their kernel form: every call returns a non-negative result or
/// a negative errno, and ioctl arguments are the raw bytes of the uAPI structs (include/uapi/linux/gpio.h). The
/// Linux implementation passes them to libc; <see cref="Testing.FakeGpioKernel"/> decodes the same bytes as the kernel
/// would, so tests prove the driver builds them right. Implementations must be thread-safe: the edge-event thread
/// polls and reads while other threads get and set values.
/// </summary>
public interface IGpioKernel
{
    /// <summary>Opens a GPIO character device read-write with close-on-exec. Returns the fd, or -errno.</summary>
    int Open(string path);

    /// <summary>
    /// ioctl(<paramref name="fd"/>, <paramref name="request"/>, argument): <paramref name="argument"/> holds the
    /// struct the request names (its length is the request's _IOC_SIZE); the kernel reads and may write it. Returns
    /// 0 (or a non-negative result), or -errno.
    /// </summary>
    int Ioctl(int fd, uint request, Span<byte> argument);

    /// <summary>read(2): returns the bytes read, or -errno.</summary>
    int Read(int fd, Span<byte> buffer);

    /// <summary>
    /// poll(2) for POLLIN on one fd, waiting at most <paramref name="timeoutMs"/>. Returns the revents bits
    /// (POLLIN 0x1, POLLERR 0x8, POLLHUP 0x10, POLLNVAL 0x20), 0 on timeout (or EINTR), or -errno.
    /// </summary>
    int Poll(int fd, int timeoutMs);

    /// <summary>close(2): returns 0 or -errno.</summary>
    int Close(int fd);

    /// <summary>The GPIO chip device paths (/dev/gpiochipN) in numeric order.</summary>
    IReadOnlyList<string> EnumerateChipPaths();

    /// <summary>The current time of <paramref name="clock"/> in nanoseconds (Unix epoch for the realtime clock).</summary>
    long GetTimeNanoseconds(GpioEventClock clock);
}
