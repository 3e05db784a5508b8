using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.I2c;

/// <summary>How an <see cref="I2cBus"/> treats failed transfers.</summary>
public sealed record I2cBusOptions
{
    /// <summary>Further attempts after a NACK, bus error or timeout (0 = none). Default 2.</summary>
    public int Retries { get; init; } = 2;

    /// <summary>Pause before each further attempt, in milliseconds (lets a busy device finish; frees the bus for others).</summary>
    public int RetryDelayMs { get; init; } = 2;

    /// <summary>Adapter timeout (I2C_TIMEOUT, 10 ms units) in milliseconds; null keeps the driver's default.</summary>
    public int? AdapterTimeoutMs { get; init; }

    /// <summary>Every problem of the options, one line each; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Retries is < 0 or > 10)
        {
            problems.Add($"retries: {Retries} is outside 0..10");
        }

        if (RetryDelayMs is < 0 or > 1000)
        {
            problems.Add($"retryDelayMs: {RetryDelayMs} is outside 0..1000");
        }

        if (AdapterTimeoutMs is < 10 or > 60_000)
        {
            problems.Add($"adapterTimeoutMs: {AdapterTimeoutMs} is outside 10..60000");
        }

        return problems;
    }
}

/// <summary>
/// One I2C bus shared by several devices. Every transfer takes the bus lock, so one device's transaction never
/// interleaves with another's and retries are per transfer (the lock is released while waiting to retry). Thread-safe.
/// </summary>
public sealed class I2cBus : IDisposable
{
    private readonly II2cTransport _transport;
    private readonly Lock _lock = new();
    private readonly ILogger _logger;
    private bool _disposed;
    private long _transfers;
    private long _failures;

    /// <summary>A bus over <paramref name="transport"/> (e.g. a <see cref="Testing.SimulatedI2cBus"/>); the bus owns it.</summary>
    public I2cBus(II2cTransport transport, I2cBusOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        options ??= new I2cBusOptions();
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid I2C bus options: {string.Join("; ", problems)}", nameof(options));
        }

        _transport = transport;
        Options = options;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Opens /dev/i2c-<paramref name="busNumber"/> (bus 1 is the 40-pin header's SDA/SCL on a Raspberry Pi).</summary>
    /// <exception cref="I2cException">The bus is missing, not permitted or not an I2C adapter; the message says what to do.</exception>
    public static I2cBus Open(int busNumber, I2cBusOptions? options = null, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(busNumber);
        return Open("/dev/i2c-" + busNumber.ToString(CultureInfo.InvariantCulture), options, logger);
    }

    /// <summary>Opens the bus at <paramref name="path"/> (e.g. /dev/i2c-1, or a stable udev symlink).</summary>
    /// <exception cref="I2cException">The bus is missing, not permitted or not an I2C adapter; the message says what to do.</exception>
    public static I2cBus Open(string path, I2cBusOptions? options = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var problems = (options ?? new I2cBusOptions()).Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid I2C bus options: {string.Join("; ", problems)}", nameof(options));
        }

        var bus = new I2cBus(LinuxI2cTransport.Open(path, options?.AdapterTimeoutMs), options, logger);
        Log.BusOpened(bus._logger, path);
        return bus;
    }

    /// <summary>The bus name, e.g. /dev/i2c-1.</summary>
    public string Name => _transport.Name;

    /// <summary>The retry policy.</summary>
    public I2cBusOptions Options { get; }

    /// <summary>Transfers attempted so far (each retry counts).</summary>
    public long TransferCount => Interlocked.Read(ref _transfers);

    /// <summary>Transfers that failed so far (each failed attempt counts).</summary>
    public long FailureCount => Interlocked.Read(ref _failures);

    internal ILogger Logger => _logger;

    /// <summary>
    /// A device at the 7-bit <paramref name="address"/> (0x03..0x77). Checks with I2C_SLAVE that no kernel driver has
    /// bound the address; does not talk to the device (a sensor may be powered later).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a 7-bit device address.</exception>
    /// <exception cref="I2cException">A kernel driver owns the address (<see cref="I2cStatus.AddressInUse"/>).</exception>
    public I2cDevice CreateDevice(int address)
    {
        // 0x00-0x02 and 0x78-0x7F are reserved (general call, CBUS, HS mode, 10-bit addressing): i2cdetect's range.
        ArgumentOutOfRangeException.ThrowIfLessThan(address, 0x03);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(address, 0x77);
        int rc;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            rc = _transport.SelectAddress(address);
        }

        if (rc == -Interop.Errno.EBUSY)
        {
            throw new I2cException(new I2cResult(I2cStatus.AddressInUse, -rc,
                $"I2C address 0x{address:X2} on {Name} is bound to a kernel driver, which would fight EdgeNode for the " +
                $"device. Remove the device-tree overlay that loads it (e.g. dtoverlay=i2c-sensor,bme280 in " +
                $"/boot/firmware/config.txt) or unbind it; 'i2cdetect -y' shows the address as UU."), Name, address);
        }

        return new I2cDevice(this, address);
    }

    /// <summary>
    /// The addresses that acknowledge a one-byte read, like <c>i2cdetect -r</c> (a read is harmless for sensors; some
    /// write-only devices may not answer). Addresses bound to kernel drivers are skipped.
    /// </summary>
    public IReadOnlyList<int> Scan(int first = 0x08, int last = 0x77)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(first, 0x03);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(last, 0x77);
        var found = new List<int>();
        Span<byte> probe = stackalloc byte[1];
        for (var address = first; address <= last; address++)
        {
            if (Transfer(address, default, probe, retries: 0).IsOk)
            {
                found.Add(address);
            }
        }

        return found;
    }

    /// <summary>One transaction with the bus lock held, retried per <see cref="Options"/> (or <paramref name="retries"/>).</summary>
    internal I2cResult Transfer(int address, ReadOnlySpan<byte> write, Span<byte> read, int? retries = null)
    {
        if (write.Length > Interop.I2C_MSG_MAX_LEN || read.Length > Interop.I2C_MSG_MAX_LEN)
        {
            throw new ArgumentException($"I2C messages are limited to {Interop.I2C_MSG_MAX_LEN} bytes by i2c-dev.");
        }

        if (write.IsEmpty && read.IsEmpty)
        {
            throw new ArgumentException("An I2C transfer needs bytes to write or to read.");
        }

        var attempts = 1 + (retries ?? Options.Retries);
        for (var attempt = 1; ; attempt++)
        {
            int rc;
            lock (_lock)
            {
                if (_disposed)
                {
                    return new I2cResult(I2cStatus.BusUnavailable, 0, $"I2C bus {Name} is closed.");
                }

                Interlocked.Increment(ref _transfers);
                rc = _transport.Transfer(address, write, read);
            }

            if (rc >= 0)
            {
                return I2cResult.Ok;
            }

            Interlocked.Increment(ref _failures);
            var errno = -rc;
            var status = I2cResult.StatusOf(errno);
            if (!I2cResult.IsRetryable(status) || attempt >= attempts)
            {
                return new I2cResult(status, errno, Describe(status, errno, address, attempt));
            }

            Log.Retrying(_logger, Name, address, attempt, status, errno);
            if (Options.RetryDelayMs > 0)
            {
                Thread.Sleep(Options.RetryDelayMs);
            }
        }
    }

    private string Describe(I2cStatus status, int errno, int address, int attempts)
    {
        var detail = $"(errno {errno}: {Interop.StrError(errno)}{(attempts > 1 ? $", {attempts} attempts" : "")})";
        return status switch
        {
            I2cStatus.NotResponding => $"No answer from I2C address 0x{address:X2} on {Name} {detail}: check the sensor's " +
                "power, wiring (SDA/SCL not swapped), address jumper and pull-ups; 'i2cdetect -y <bus>' lists the addresses that answer.",
            I2cStatus.BusError => $"I2C transfer with 0x{address:X2} on {Name} failed on the bus {detail}: check cable length, " +
                "pull-up resistors and noise; another master may share the bus.",
            I2cStatus.Timeout => $"I2C bus {Name} timed out talking to 0x{address:X2} {detail}: a device may be holding SCL " +
                "low (stuck bus); power-cycle the sensors.",
            I2cStatus.BusUnavailable => $"I2C bus {Name} is gone {detail}: the adapter was removed or the bus closed.",
            _ => $"I2C transfer with 0x{address:X2} on {Name} failed {detail}.",
        };
    }

    /// <summary>Closes the bus; later transfers report <see cref="I2cStatus.BusUnavailable"/>.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _transport.Dispose();
        }

        Log.BusClosed(_logger, Name);
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
