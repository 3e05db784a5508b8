namespace EdgeNode.I2c.Testing;

/// <summary>
/// An in-memory I2C bus for tests: simulated devices answer at their addresses, anything else NACKs like a real bus
/// (-EREMOTEIO, as the Raspberry Pi's i2c-bcm2835 reports). Fault injection per device; observes whether transfers
/// ever overlapped (they must not: <see cref="I2cBus"/> serializes them).
/// </summary>
public sealed class SimulatedI2cBus : II2cTransport
{
    internal const int EREMOTEIO = 121, EBUSY = 16, ENODEV = 19;

    private readonly Dictionary<int, SimulatedI2cDevice> _devices = [];
    private readonly HashSet<int> _kernelClaimed = [];
    private readonly object _sync = new();
    private int _inFlight;
    private int _maxInFlight;
    private int _transfers;

    /// <summary>Creates an empty bus named <paramref name="name"/>.</summary>
    public SimulatedI2cBus(string name = "/dev/i2c-sim") => Name = name;

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Transfers made so far.</summary>
    public int TransferCount => Volatile.Read(ref _transfers);

    /// <summary>The most transfers ever in progress at once (1 when the caller serializes).</summary>
    public int MaxConcurrentTransfers => Volatile.Read(ref _maxInFlight);

    /// <summary>Each transfer takes at least this long (widens the window in which overlapping transfers would show).</summary>
    public TimeSpan TransferDuration { get; set; }

    /// <summary>The bus was disposed (transfers then fail with -ENODEV).</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>Adds (or replaces) a device at its address.</summary>
    public T Add<T>(T device)
        where T : SimulatedI2cDevice
    {
        ArgumentNullException.ThrowIfNull(device);
        lock (_sync)
        {
            _devices[device.Address] = device;
        }

        return device;
    }

    /// <summary>Removes the device at <paramref name="address"/> (unplugged): it NACKs from now on.</summary>
    public bool Remove(int address)
    {
        lock (_sync)
        {
            return _devices.Remove(address);
        }
    }

    /// <summary>Marks <paramref name="address"/> as bound to a kernel driver: I2C_SLAVE answers -EBUSY.</summary>
    public void ClaimByKernel(int address)
    {
        lock (_sync)
        {
            _kernelClaimed.Add(address);
        }
    }

    /// <inheritdoc />
    public int SelectAddress(int address)
    {
        lock (_sync)
        {
            return _kernelClaimed.Contains(address) ? -EBUSY : 0;
        }
    }

    /// <inheritdoc />
    public int Transfer(int address, ReadOnlySpan<byte> write, Span<byte> read)
    {
        var inFlight = Interlocked.Increment(ref _inFlight);
        try
        {
            int max;
            while (inFlight > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, inFlight, max) != max)
            {
            }

            Interlocked.Increment(ref _transfers);
            if (TransferDuration > TimeSpan.Zero)
            {
                Thread.Sleep(TransferDuration);
            }

            SimulatedI2cDevice? device;
            lock (_sync)
            {
                if (IsDisposed)
                {
                    return -ENODEV;
                }

                _devices.TryGetValue(address, out device);
            }

            return device is null ? -EREMOTEIO : device.Handle(write, read);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_sync)
        {
            IsDisposed = true;
        }
    }
}

/// <summary>A device on a <see cref="SimulatedI2cBus"/>.</summary>
public abstract class SimulatedI2cDevice
{
    private readonly object _sync = new();
    private int _nackNext;
    private int _failNextErrno;
    private int _failNextCount;

    /// <summary>Creates the device at the 7-bit <paramref name="address"/>.</summary>
    protected SimulatedI2cDevice(int address) => Address = address;

    /// <summary>The 7-bit address.</summary>
    public int Address { get; }

    /// <summary>False makes the device NACK everything (unpowered, unplugged).</summary>
    public bool Present { get; set; } = true;

    /// <summary>Transfers the device answered.</summary>
    public int TransferCount { get; private set; }

    /// <summary>NACKs the next <paramref name="count"/> transfers (a glitch, a busy device).</summary>
    public void NackNext(int count)
    {
        lock (_sync)
        {
            _nackNext = count;
        }
    }

    /// <summary>Fails the next <paramref name="count"/> transfers with <paramref name="errno"/> (e.g. 5 = EIO, 110 = ETIMEDOUT).</summary>
    public void FailNext(int count, int errno)
    {
        lock (_sync)
        {
            _failNextCount = count;
            _failNextErrno = errno;
        }
    }

    internal int Handle(ReadOnlySpan<byte> write, Span<byte> read)
    {
        lock (_sync)
        {
            if (!Present)
            {
                return -SimulatedI2cBus.EREMOTEIO;
            }

            if (_nackNext > 0)
            {
                _nackNext--;
                return -SimulatedI2cBus.EREMOTEIO;
            }

            if (_failNextCount > 0)
            {
                _failNextCount--;
                return -_failNextErrno;
            }

            TransferCount++;
            return OnTransfer(write, read);
        }
    }

    /// <summary>
    /// Answers one transaction: <paramref name="write"/> as received (empty for a plain read), then fills
    /// <paramref name="read"/> (empty for a plain write). Returns 0 or -errno (-121 EREMOTEIO for a NACK).
    /// Called under the device's lock.
    /// </summary>
    protected abstract int OnTransfer(ReadOnlySpan<byte> write, Span<byte> read);
}

/// <summary>
/// A device with 256 8-bit registers behind an 8-bit register pointer: a write sets the pointer from its first byte and
/// stores the rest from there (auto-increment, or register/value pairs as Bosch sensors take them); a read returns
/// registers from the pointer on, auto-incrementing.
/// </summary>
public class SimulatedRegisterDevice : SimulatedI2cDevice
{
    private readonly byte[] _registers = new byte[256];

    /// <summary>Creates the device.</summary>
    /// <param name="address">7-bit address.</param>
    /// <param name="writePairs">Writes are (register, value) pairs (BME280 datasheet §6.2.1) instead of auto-incrementing.</param>
    public SimulatedRegisterDevice(int address, bool writePairs = false)
        : base(address) => WritePairs = writePairs;

    /// <summary>Writes are (register, value) pairs.</summary>
    public bool WritePairs { get; }

    /// <summary>The register pointer.</summary>
    protected byte Pointer { get; set; }

    /// <summary>A register's raw content.</summary>
    public byte this[int register]
    {
        get => _registers[register];
        set => _registers[register] = value;
    }

    /// <summary>Sets consecutive registers from <paramref name="start"/>.</summary>
    public void SetRegisters(int start, ReadOnlySpan<byte> values) => values.CopyTo(_registers.AsSpan(start));

    /// <summary>A written register value arrives (override to model side effects such as "start measurement").</summary>
    protected virtual void OnWrite(byte register, byte value) => _registers[register] = value;

    /// <summary>A register is read (override to model status bits that change).</summary>
    protected virtual byte OnRead(byte register) => _registers[register];

    /// <inheritdoc />
    protected override int OnTransfer(ReadOnlySpan<byte> write, Span<byte> read)
    {
        if (!write.IsEmpty)
        {
            if (WritePairs && write.Length > 1)
            {
                for (var i = 0; i + 1 < write.Length; i += 2)
                {
                    Pointer = write[i];
                    OnWrite(write[i], write[i + 1]);
                }
            }
            else
            {
                Pointer = write[0];
                for (var i = 1; i < write.Length; i++)
                {
                    OnWrite(Pointer++, write[i]);
                }
            }
        }

        for (var i = 0; i < read.Length; i++)
        {
            read[i] = OnRead(Pointer++);
        }

        return 0;
    }
}

/// <summary>
/// A device with 16-bit registers behind an 8-bit pointer, most significant byte first (TI ADS1115, INA219): a write of
/// three bytes sets a register, one byte only moves the pointer; reads return the pointed register (repeated).
/// </summary>
public class SimulatedWordRegisterDevice : SimulatedI2cDevice
{
    private readonly ushort[] _registers = new ushort[256];

    /// <summary>Creates the device at <paramref name="address"/>.</summary>
    public SimulatedWordRegisterDevice(int address)
        : base(address)
    {
    }

    /// <summary>The register pointer.</summary>
    protected byte Pointer { get; set; }

    /// <summary>A register's raw content.</summary>
    public ushort this[int register]
    {
        get => _registers[register];
        set => _registers[register] = value;
    }

    /// <summary>A register write arrives (override for side effects).</summary>
    protected virtual void OnWrite(byte register, ushort value) => _registers[register] = value;

    /// <summary>A register is read (override for computed registers).</summary>
    protected virtual ushort OnRead(byte register) => _registers[register];

    /// <inheritdoc />
    protected override int OnTransfer(ReadOnlySpan<byte> write, Span<byte> read)
    {
        if (!write.IsEmpty)
        {
            Pointer = write[0];
            if (write.Length >= 3)
            {
                OnWrite(Pointer, (ushort)(write[1] << 8 | write[2]));
            }
        }

        if (!read.IsEmpty)
        {
            var value = OnRead(Pointer);
            for (var i = 0; i < read.Length; i++)
            {
                read[i] = i % 2 == 0 ? (byte)(value >> 8) : (byte)value;
            }
        }

        return 0;
    }
}
