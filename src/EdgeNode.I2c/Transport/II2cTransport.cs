namespace EdgeNode.I2c;

/// <summary>
/// One I2C bus as the kernel's i2c-dev offers it. The Linux implementation talks to /dev/i2c-N;
/// <see cref="Testing.SimulatedI2cBus"/> hosts simulated devices for tests. Callers (<see cref="I2cBus"/>) serialize
/// calls; implementations need not be thread-safe. Results follow the kernel: 0 or a negative errno.
/// </summary>
public interface II2cTransport : IDisposable
{
    /// <summary>The bus name for messages, e.g. /dev/i2c-1.</summary>
    string Name { get; }

    /// <summary>
    /// One combined transaction (I2C_RDWR): START, the write bytes (when any), a repeated START and the read bytes
    /// (when any), one STOP. Returns 0, or -errno (-EREMOTEIO/-ENXIO for a NACK).
    /// </summary>
    int Transfer(int address, ReadOnlySpan<byte> write, Span<byte> read);

    /// <summary>I2C_SLAVE: returns 0, or -EBUSY when a kernel driver has bound <paramref name="address"/>.</summary>
    int SelectAddress(int address);
}
