using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using EdgeNode.Gpio.Testing;

namespace EdgeNode.Gpio.Tests.TestSupport;

/// <summary>
/// The fake kernel for chips and requests, but every line fd it hands out is replaced by the read end of a real pipe,
/// so the event reader runs the real <see cref="LinuxGpioKernel"/> poll()/read()/close() and the real clocks. Tests
/// write 48-byte gpio_v2_line_event records into <see cref="WriterOf"/>.
/// </summary>
internal sealed partial class PipeBackedGpioKernel : IGpioKernel, IDisposable
{
    private const int O_CLOEXEC = 0x80000;
    private readonly FakeGpioKernel _fake;
    private readonly ConcurrentDictionary<int, int> _fakeFdOfPipe = new();
    private readonly ConcurrentDictionary<int, int> _writerOfPipe = new();

    public PipeBackedGpioKernel(FakeGpioKernel fake) => _fake = fake;

    /// <summary>The read ends handed out as line fds, oldest first.</summary>
    public ConcurrentQueue<int> LineFds { get; } = new();

    public int WriterOf(int lineFd) => _writerOfPipe[lineFd];

    public int Open(string path) => _fake.Open(path);

    public int Ioctl(int fd, uint request, Span<byte> argument)
    {
        if (_fakeFdOfPipe.TryGetValue(fd, out var fakeFd))
        {
            return _fake.Ioctl(fakeFd, request, argument);
        }

        var rc = _fake.Ioctl(fd, request, argument);
        if (rc == 0 && request == Gpio.Interop.GPIO_V2_GET_LINE_IOCTL)
        {
            var fds = new int[2];
            if (Pipe2(fds, O_CLOEXEC) != 0)
            {
                throw new IOException($"pipe2 failed: errno {Marshal.GetLastPInvokeError()}");
            }

            _fakeFdOfPipe[fds[0]] = MemoryMarshal.Read<int>(argument[588..]);
            _writerOfPipe[fds[0]] = fds[1];
            MemoryMarshal.Write(argument[588..], fds[0]);
            LineFds.Enqueue(fds[0]);
        }

        return rc;
    }

    public int Read(int fd, Span<byte> buffer) =>
        _fakeFdOfPipe.ContainsKey(fd) ? LinuxGpioKernel.Instance.Read(fd, buffer) : _fake.Read(fd, buffer);

    public int Poll(int fd, int timeoutMs) =>
        _fakeFdOfPipe.ContainsKey(fd) ? LinuxGpioKernel.Instance.Poll(fd, timeoutMs) : _fake.Poll(fd, timeoutMs);

    public int Close(int fd)
    {
        if (_fakeFdOfPipe.TryRemove(fd, out var fakeFd))
        {
            CloseWriter(fd);
            _fake.Close(fakeFd);
            return LinuxGpioKernel.Instance.Close(fd);
        }

        return _fake.Close(fd);
    }

    public void CloseWriter(int lineFd)
    {
        if (_writerOfPipe.TryRemove(lineFd, out var writer))
        {
            LinuxGpioKernel.Instance.Close(writer);
        }
    }

    public IReadOnlyList<string> EnumerateChipPaths() => _fake.EnumerateChipPaths();

    public long GetTimeNanoseconds(GpioEventClock clock) => LinuxGpioKernel.Instance.GetTimeNanoseconds(clock);

    /// <summary>Writes one gpio_v2_line_event record into the pipe behind <paramref name="lineFd"/>.</summary>
    public unsafe void WriteEvent(int lineFd, ulong timestampNs, uint id, uint offset, uint seqno, uint lineSeqno)
    {
        var record = new byte[48];
        MemoryMarshal.Write(record.AsSpan(0), timestampNs);
        MemoryMarshal.Write(record.AsSpan(8), id);
        MemoryMarshal.Write(record.AsSpan(12), offset);
        MemoryMarshal.Write(record.AsSpan(16), seqno);
        MemoryMarshal.Write(record.AsSpan(20), lineSeqno);
        fixed (byte* p = record)
        {
            if (Write(WriterOf(lineFd), p, (nuint)record.Length) != record.Length)
            {
                throw new IOException($"write failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
    }

    public void Dispose()
    {
        foreach (var reader in _writerOfPipe.Keys)
        {
            CloseWriter(reader);
        }
    }

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static partial int Pipe2([Out] int[] fds, int flags);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint Write(int fd, byte* buffer, nuint count);
}
