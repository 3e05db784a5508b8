using EdgeNode.I2c.Testing;
using EdgeNode.I2c.Tests.TestSupport;

namespace EdgeNode.I2c.Tests;

public class I2cBusUnitTests
{
    private readonly SimulatedI2cBus _sim = new("/dev/i2c-1");
    private readonly TestLogger _log = new();

    private I2cBus Bus(I2cBusOptions? options = null) => new(_sim, options ?? new I2cBusOptions { RetryDelayMs = 0 }, _log);

    [Fact]
    public void WriteRead_RegisterDevice_OneTransactionWithRepeatedStart()
    {
        var device = _sim.Add(new SimulatedRegisterDevice(0x50));
        device.SetRegisters(0x10, [1, 2, 3, 4]);
        using var bus = Bus();
        var dev = bus.CreateDevice(0x50);
        var read = new byte[3];
        dev.WriteRead([0x11], read);
        Assert.Equal(new byte[] { 2, 3, 4 }, read);
        Assert.Equal(1, _sim.TransferCount);
        dev.Write([0x20, 9, 8]);
        Assert.Equal(9, device[0x20]);
        Assert.Equal(8, device[0x21]);
        Assert.Equal(9, dev.ReadRegister(0x20));
        dev.WriteRegister(0x30, 0x42);
        Assert.Equal(0x42, device[0x30]);
    }

    [Fact]
    public void Transfer_NackedTwiceWithTwoRetries_SucceedsOnThirdAttempt()
    {
        var device = _sim.Add(new SimulatedRegisterDevice(0x50));
        device.NackNext(2);
        using var bus = Bus(new I2cBusOptions { Retries = 2, RetryDelayMs = 1 });
        var result = bus.CreateDevice(0x50).TryWriteRead([0], new byte[1]);
        Assert.True(result.IsOk);
        Assert.Equal(3, bus.TransferCount);
        Assert.Equal(2, bus.FailureCount);
        Assert.Equal(2, _log.Entries.Count(e => e.Id.Id == 4102));
    }

    [Fact]
    public void Transfer_NackedEveryTime_NotRespondingAfterBoundedAttemptsWithAdvice()
    {
        using var bus = Bus(new I2cBusOptions { Retries = 2, RetryDelayMs = 0 });
        var result = bus.CreateDevice(0x76).TryWriteRead([0xD0], new byte[1]);
        Assert.Equal(I2cStatus.NotResponding, result.Status);
        Assert.Equal(121, result.Errno);
        Assert.False(result.DeviceResponded);
        Assert.Equal(3, _sim.TransferCount);
        Assert.Contains("0x76 on /dev/i2c-1", result.Error, StringComparison.Ordinal);
        Assert.Contains("3 attempts", result.Error, StringComparison.Ordinal);
        Assert.Contains("i2cdetect", result.Error, StringComparison.Ordinal);
        var ex = Assert.Throws<I2cException>(() => bus.CreateDevice(0x76).Read(new byte[1]));
        Assert.True(ex.IsDeviceAbsent);
        Assert.Equal(0x76, ex.Address);
        Assert.Equal("/dev/i2c-1", ex.Bus);
    }

    [Theory]
    [InlineData(5, I2cStatus.BusError)]
    [InlineData(11, I2cStatus.BusError)]
    [InlineData(110, I2cStatus.Timeout)]
    [InlineData(6, I2cStatus.NotResponding)]
    public void Transfer_RetryableErrno_RetriedAndMapped(int errno, I2cStatus status)
    {
        var device = _sim.Add(new SimulatedRegisterDevice(0x50));
        device.FailNext(10, errno);
        using var bus = Bus(new I2cBusOptions { Retries = 1, RetryDelayMs = 0 });
        var result = bus.CreateDevice(0x50).TryRead(new byte[1]);
        Assert.Equal(status, result.Status);
        Assert.Equal(2, _sim.TransferCount);
    }

    [Fact]
    public void Transfer_UnsupportedErrno_NotRetried()
    {
        var device = _sim.Add(new SimulatedRegisterDevice(0x50));
        device.FailNext(1, 95);
        using var bus = Bus(new I2cBusOptions { Retries = 3 });
        Assert.Equal(I2cStatus.Unsupported, bus.CreateDevice(0x50).TryRead(new byte[1]).Status);
        Assert.Equal(1, _sim.TransferCount);
    }

    [Fact]
    public void Transfer_PerCallRetriesZero_OverridesBusPolicy()
    {
        using var bus = Bus(new I2cBusOptions { Retries = 5, RetryDelayMs = 0 });
        Assert.Equal(I2cStatus.NotResponding, bus.CreateDevice(0x50).TryRead(new byte[1], retries: 0).Status);
        Assert.Equal(1, _sim.TransferCount);
    }

    [Fact]
    public void Transfers_FromManyThreads_NeverOverlapOnTheBus()
    {
        _sim.TransferDuration = TimeSpan.FromMilliseconds(0.2);
        var devices = Enumerable.Range(0, 4).Select(i => _sim.Add(new SimulatedRegisterDevice(0x40 + i))).ToArray();
        using var bus = Bus();
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var device = bus.CreateDevice(0x40 + i);
            for (var n = 0; n < 25; n++)
            {
                device.Write([0x00, (byte)n]);
                Assert.Equal((byte)n, device.ReadRegister(0x00));
            }
        });
        Assert.Equal(1, _sim.MaxConcurrentTransfers);
        Assert.Equal(200, _sim.TransferCount);
        Assert.All(devices, d => Assert.Equal(24, d[0]));
    }

    [Fact]
    public void SimulatedBus_WithoutLock_WouldShowOverlap()
    {
        // Guards the guard: the counter does see overlapping transfers when nothing serializes them.
        _sim.TransferDuration = TimeSpan.FromMilliseconds(200);
        _sim.Add(new SimulatedRegisterDevice(0x40));
        using var start = new Barrier(4);
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            _sim.Transfer(0x40, [0], new byte[1]);
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        Assert.True(_sim.MaxConcurrentTransfers > 1);
    }

    [Fact]
    public void CreateDevice_AddressBoundToKernelDriver_IsAddressInUseNamingOverlay()
    {
        _sim.ClaimByKernel(0x76);
        using var bus = Bus();
        var ex = Assert.Throws<I2cException>(() => bus.CreateDevice(0x76));
        Assert.Equal(I2cStatus.AddressInUse, ex.Status);
        Assert.Contains("dtoverlay", ex.Message, StringComparison.Ordinal);
        Assert.Contains("UU", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x02)]
    [InlineData(0x78)]
    [InlineData(-1)]
    public void CreateDevice_ReservedAddress_Throws(int address)
    {
        using var bus = Bus();
        Assert.Throws<ArgumentOutOfRangeException>(() => bus.CreateDevice(address));
    }

    [Fact]
    public void Scan_ListsAnsweringAddressesOnly()
    {
        _sim.Add(new SimulatedBme280(0x76));
        _sim.Add(new SimulatedSht3x(0x44) { });
        _sim.Add(new SimulatedIna219(0x40));
        using var bus = Bus();
        // The SHT3x NACKs a read without a command, as the real one does: i2cdetect -r would miss it too.
        Assert.Equal([0x40, 0x76], bus.Scan());
    }

    [Fact]
    public void Transfer_AfterDispose_IsBusUnavailable()
    {
        var bus = Bus();
        var device = bus.CreateDevice(0x50);
        bus.Dispose();
        bus.Dispose();
        Assert.True(_sim.IsDisposed);
        Assert.Equal(I2cStatus.BusUnavailable, device.TryRead(new byte[1]).Status);
        Assert.Throws<ObjectDisposedException>(() => bus.CreateDevice(0x51));
    }

    [Fact]
    public void Transfer_EmptyOrOversized_Throws()
    {
        using var bus = Bus();
        var device = bus.CreateDevice(0x50);
        Assert.Throws<ArgumentException>(() => device.TryWriteRead(default, default));
        Assert.Throws<ArgumentException>(() => device.TryRead(new byte[8193]));
    }

    [Fact]
    public void Options_Invalid_NamesEachProblem()
    {
        var problems = new I2cBusOptions { Retries = -1, RetryDelayMs = 5000, AdapterTimeoutMs = 1 }.Validate();
        Assert.Equal(3, problems.Count);
        Assert.Throws<ArgumentException>(() => new I2cBus(_sim, new I2cBusOptions { Retries = 99 }));
    }

    [Fact]
    public void Register16_BigEndian_RoundTrips()
    {
        var device = _sim.Add(new SimulatedWordRegisterDevice(0x48));
        using var bus = Bus();
        var dev = bus.CreateDevice(0x48);
        dev.WriteRegister16(0x02, 0xBEEF);
        Assert.Equal(0xBEEF, device[0x02]);
        Assert.Equal(0xBEEF, dev.ReadRegister16(0x02));
    }
}
