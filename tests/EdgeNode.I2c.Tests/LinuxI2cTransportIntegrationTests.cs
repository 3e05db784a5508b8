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
}
