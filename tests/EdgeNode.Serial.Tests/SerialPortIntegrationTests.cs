using System.Diagnostics;
using System.Text;
using EdgeNode.Testing;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Serial.Tests;

/// <summary>The port against a real pair of kernel pseudo-terminals made by socat.</summary>
public sealed class SerialPortIntegrationTests : IAsyncLifetime
{
    private SocatPtyPair _pty = null!;

    public async Task InitializeAsync() => _pty = await SocatPtyPair.StartAsync();

    public async Task DisposeAsync() => await _pty.DisposeAsync();

    private SerialPortSettings A(int baud = 115200) => new() { PortName = _pty.PortA, BaudRate = baud, Parity = SerialParity.Even };

    private SerialPortSettings B(int baud = 115200) => new() { PortName = _pty.PortB, BaudRate = baud, Parity = SerialParity.Even };

    [Fact]
    public void Open_Pty_IsPseudoTerminalWithRequestedBaud()
    {
        using var port = SerialPort.Open(A(19200));
        Assert.True(port.IsPseudoTerminal);
        Assert.True(port.IsOpen);
        Assert.Equal(19200, port.ActualBaudRate);
        Assert.False(port.UsesLegacyTermios);
    }

    [Fact]
    public void WriteRead_BetweenEnds_DeliversBytesInOrder()
    {
        using var a = SerialPort.Open(A());
        using var b = SerialPort.Open(B());
        var payload = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        a.Write(payload);
        var received = ReadExactly(b, payload.Length, TimeSpan.FromSeconds(10));
        Assert.Equal(payload, received);

        b.Write("pong"u8);
        Assert.Equal("pong"u8.ToArray(), ReadExactly(a, 4, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Read_NothingArrives_ReturnsZeroAfterTimeout()
    {
        using var a = SerialPort.Open(A());
        var buffer = new byte[16];
        var sw = Stopwatch.StartNew();
        var n = a.Read(buffer, TimeSpan.FromMilliseconds(150));
        sw.Stop();
        Assert.Equal(0, n);
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(140), $"returned after {sw.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Read_Cancelled_ThrowsOperationCanceledPromptly()
    {
        using var a = SerialPort.Open(A());
        using var cts = new CancellationTokenSource();
        var reader = Task.Run(() => a.Read(new byte[8], TimeSpan.FromMinutes(5), cts.Token));
        await Task.Delay(100);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Read_AfterCancellation_StillReadsLaterData()
    {
        using var a = SerialPort.Open(A());
        using var b = SerialPort.Open(B());
        using (var cts = new CancellationTokenSource(50))
        {
            Assert.ThrowsAny<OperationCanceledException>(() => a.Read(new byte[8], TimeSpan.FromMinutes(1), cts.Token));
        }

        // the eventfd was cleared: the next read waits for data instead of spinning on a stale wake-up
        var read = Task.Run(() => a.Read(new byte[8], TimeSpan.FromSeconds(10)));
        await Task.Delay(50);
        b.Write("x"u8);
        Assert.Equal(1, await read.WaitAsync(TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task Dispose_WhileReading_WakesReaderWithObjectDisposed()
    {
        var a = SerialPort.Open(A());
        var reader = Task.Run(() => a.Read(new byte[8], TimeSpan.FromMinutes(5)));
        await Task.Delay(100);
        a.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => reader.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(a.IsOpen);
    }

    [Fact]
    public async Task ReadAsync_DataArrivesLater_CompletesWithIt()
    {
        using var a = SerialPort.Open(A());
        using var b = SerialPort.Open(B());
        var buffer = new byte[32];
        var pending = a.ReadAsync(buffer).AsTask();
        await Task.Delay(50);
        Assert.False(pending.IsCompleted);
        await b.WriteAsync("hello"u8.ToArray());
        var n = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        var text = Encoding.ASCII.GetString(buffer, 0, n);
        while (text.Length < 5)
        {
            n = await a.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            text += Encoding.ASCII.GetString(buffer, 0, n);
        }

        Assert.Equal("hello", text);
    }

    [Fact]
    public async Task ReadAsync_Cancelled_ThrowsAndPortStaysUsable()
    {
        using var a = SerialPort.Open(A());
        using var b = SerialPort.Open(B());
        using var cts = new CancellationTokenSource();
        var pending = a.ReadAsync(new byte[8], cts.Token).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(TimeSpan.FromSeconds(10)));

        b.Write("z"u8);
        Assert.Equal(1, await a.ReadAsync(new byte[8]).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void BytesToRead_AfterWrite_CountsQueuedBytes_AndDiscardInBufferEmptiesIt()
    {
        using var a = SerialPort.Open(A());
        using var b = SerialPort.Open(B());
        a.Write("12345"u8);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (b.BytesToRead < 5 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10);
        }

        Assert.Equal(5, b.BytesToRead);
        b.DiscardInBuffer();
        Assert.Equal(0, b.BytesToRead);
        Assert.Equal(0, b.Read(new byte[8], TimeSpan.FromMilliseconds(50)));
    }

    [Theory]
    [InlineData(250000)]   // BOTHER custom rate
    [InlineData(1200)]
    [InlineData(921600)]
    public void Open_PtyAnyBaud_Succeeds(int baud)
    {
        using var a = SerialPort.Open(A(baud));
        Assert.True(a.IsOpen);
    }

    [Fact]
    public void Open_LegacyTermiosWithCustomBaudOnPty_LogsThatPtyIgnoresBaud()
    {
        var logger = new TestLogger();
        using var a = SerialPort.Open(A(250000) with { ForceLegacyTermios = true }, logger);
        Assert.True(a.UsesLegacyTermios);
        Assert.Contains(logger.Entries, e => e.Id.Id == 1003);
        // still a working line
        using var b = SerialPort.Open(B());
        a.Write("ok"u8);
        Assert.Equal("ok"u8.ToArray(), ReadExactly(b, 2, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Open_LegacyTermiosStandardBaud_Works()
    {
        using var a = SerialPort.Open(A(9600) with { ForceLegacyTermios = true, DataBits = 7, Parity = SerialParity.Odd, StopBits = SerialStopBits.Two });
        Assert.True(a.UsesLegacyTermios);
        Assert.Equal(9600, a.ActualBaudRate);
    }

    [Fact]
    public void Open_Rs485OnPty_WarnsAndContinuesWithoutKernelRs485()
    {
        var logger = new TestLogger();
        using var a = SerialPort.Open(A() with { Rs485 = new Rs485Settings { DelayRtsBeforeSendMs = 1 } }, logger);
        Assert.False(a.IsRs485Enabled);
        var warning = Assert.Single(logger.Entries, e => e.Id.Id == 1006);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains(_pty.PortA, warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_SecondTimeWhileExclusive_FailsBusyNamingDevice()
    {
        using var first = SerialPort.Open(A());
        var ex = Assert.Throws<SerialPortException>(() => SerialPort.Open(A()));
        Assert.Equal(SerialPortErrorKind.Busy, ex.Kind);
        Assert.Contains(_pty.PortA, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_AfterFirstClosed_Succeeds()
    {
        SerialPort.Open(A()).Dispose();
        using var again = SerialPort.Open(A());
        Assert.True(again.IsOpen);
    }

    [Fact]
    public void Open_NonExclusiveTwice_Succeeds()
    {
        using var first = SerialPort.Open(A() with { Exclusive = false });
        using var second = SerialPort.Open(A() with { Exclusive = false });
        Assert.True(second.IsOpen);
    }

    [Fact]
    public void Open_MissingDevice_FailsNotFoundNamingDevice()
    {
        var path = Path.Combine(Path.GetTempPath(), "edgenode-no-such-tty");
        var ex = Assert.Throws<SerialPortException>(() => SerialPort.Open(new SerialPortSettings { PortName = path }));
        Assert.Equal(SerialPortErrorKind.NotFound, ex.Kind);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.True(ex.IsTransient);
    }

    [Fact]
    public void Open_NotATty_FailsNotATerminal()
    {
        var ex = Assert.Throws<SerialPortException>(() => SerialPort.Open(new SerialPortSettings { PortName = "/dev/null" }));
        Assert.Equal(SerialPortErrorKind.NotATerminal, ex.Kind);
    }

    [Fact]
    public void Open_InvalidSettings_ThrowsArgumentExceptionListingProblems()
    {
        var ex = Assert.Throws<ArgumentException>(() => SerialPort.Open(A(50)));
        Assert.Contains("baudRate: 50", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_PeerGoesAway_ThrowsDisconnected()
    {
        using var a = SerialPort.Open(A());
        var reader = Task.Run(() =>
        {
            while (true)
            {
                a.Read(new byte[8], TimeSpan.FromSeconds(1));
            }
        });
        await Task.Delay(100);
        await _pty.Process.DisposeAsync(); // socat exits: the pty master closes, the slave hangs up
        var ex = await Assert.ThrowsAsync<SerialPortException>(() => reader.WaitAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal(SerialPortErrorKind.Disconnected, ex.Kind);
    }

    private static byte[] ReadExactly(SerialPort port, int count, TimeSpan timeout)
    {
        var result = new byte[count];
        var got = 0;
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (got < count)
        {
            var n = port.ReadUntil(result.AsSpan(got), deadline);
            if (n == 0)
            {
                throw new TimeoutException($"only {got} of {count} bytes");
            }

            got += n;
        }

        return result;
    }
}
