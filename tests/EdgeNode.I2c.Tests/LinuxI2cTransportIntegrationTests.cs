namespace EdgeNode.I2c.Tests;

/// <summary>The real /dev/i2c-N path without I2C hardware: libc open() and ioctl(I2C_FUNCS) failures.</summary>
public class LinuxI2cTransportIntegrationTests
{
    [Fact]
    public void Open_MissingBus_BusNotFoundWithEnableI2cAdvice()
    {
        var ex = Assert.Throws<I2cException>(() => I2cBus.Open(99));
        Assert.Equal(I2cStatus.BusNotFound, ex.Status);
        Assert.Equal("/dev/i2c-99", ex.Bus);
        Assert.Contains("raspi-config nonint do_i2c 0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("dtparam=i2c_arm=on", ex.Message, StringComparison.Ordinal);
        Assert.Contains("i2c-dev", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_DevNull_NotAnI2cBusFromRealEnotty()
    {
        var ex = Assert.Throws<I2cException>(() => I2cBus.Open("/dev/null"));
        Assert.Equal(I2cStatus.Unsupported, ex.Status);
        Assert.Equal(25, ex.Errno);
        Assert.Contains("not an I2C bus", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_InvalidOptions_ThrowsBeforeTouchingTheDevice() =>
        Assert.Throws<ArgumentException>(() => I2cBus.Open("/dev/i2c-1", new I2cBusOptions { Retries = -1 }));

    [Fact]
    public void Transfer_OnAnFdThatIsNoI2cBus_RealIoctlPathReturnsNegativeEnotty()
    {
        // Drives the real I2C_RDWR / I2C_SLAVE marshalling (stackalloc'd i2c_msg array, pinned buffers) into the kernel,
        // which refuses them for /dev/null: the path through libc works and errors come back as -errno.
        using var transport = LinuxI2cTransport.Open("/dev/null", null, checkFunctionality: false);
        Assert.Equal(-25, transport.Transfer(0x76, [0xD0], new byte[1]));
        Assert.Equal(-25, transport.Transfer(0x76, [0xF4, 0x25], default));
        Assert.Equal(-25, transport.Transfer(0x76, default, new byte[8]));
        Assert.Equal(-25, transport.SelectAddress(0x76));
        using var bus = new I2cBus(LinuxI2cTransport.Open("/dev/null", null, checkFunctionality: false));
        var result = bus.CreateDevice(0x76).TryReadRegisters(0xD0, new byte[1]);
        Assert.Equal(I2cStatus.Unsupported, result.Status);
        Assert.Equal(1, bus.TransferCount); // not retried
    }
}
