using System.Globalization;
using EdgeNode.Configuration;
using EdgeNode.I2c;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Engine.Devices.I2c;

/// <summary>
/// Creates <see cref="I2cDeviceDriver"/>s for devices with an <c>i2c:</c> section. Devices on the same bus share one
/// <see cref="I2cBus"/> (opened once, closed when the last of its devices is disposed), whose lock keeps each transfer
/// whole; a sensor address may belong to one device only, so two devices never interleave one chip's measurement cycle.
/// Thread-safe.
/// </summary>
public sealed class I2cDeviceDriverFactory : IDeviceDriverFactory
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly Func<string, I2cBus> _openBus;
    private readonly Dictionary<string, SharedBus> _buses = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>A factory over the running kernel's /dev/i2c-N, or over <paramref name="busOpener"/> (bus path → bus).</summary>
    /// <param name="loggerFactory">Loggers for buses, sensors and drivers.</param>
    /// <param name="busOpener">Opens a bus given its path (<c>/dev/i2c-1</c>); tests return an <see cref="I2cBus"/> over a simulated bus.</param>
    /// <param name="busOptions">Retries on NACK and their delay for buses this factory opens itself.</param>
    public I2cDeviceDriverFactory(ILoggerFactory loggerFactory, Func<string, I2cBus>? busOpener = null, I2cBusOptions? busOptions = null)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _loggerFactory = loggerFactory;
        var busLogger = loggerFactory.CreateLogger("EdgeNode.I2c");
        _openBus = busOpener ?? (path => I2cBus.Open(path, busOptions, busLogger));
    }

    /// <inheritdoc />
    public bool Supports(DeviceKind kind) => kind == DeviceKind.I2c;

    /// <summary>Opens (or shares) the device's bus and builds its sensors; nothing is sent to them until the first read.</summary>
    /// <exception cref="ArgumentException">Not an I2C device, an unknown channel or option, a bad value, or an address another device has.</exception>
    /// <exception cref="I2cException">The bus is missing or not permitted (the message names the <c>i2c</c> group), or a kernel driver owns an address.</exception>
    public IDeviceDriver Create(DeviceConfig device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.Kind != DeviceKind.I2c || device.I2c is null)
        {
            throw new ArgumentException($"Device '{device.Id}' is not an I2C device (kind {device.Kind}).", nameof(device));
        }

        var path = BusPath(device.I2c.Bus);
        var addresses = device.I2c.Sensors.Select(s => s.Address).Distinct().ToArray();
        var bus = Acquire(device.Id, path, addresses);
        try
        {
            return new I2cDeviceDriver(device, bus, _loggerFactory.CreateLogger<I2cDeviceDriver>(), () => Release(path, device.Id));
        }
        catch (I2cException ex)
        {
            Release(path, device.Id);
            throw new I2cException(ex.Result with { Error = $"I2C device '{device.Id}': {ex.Message}" }, ex.Bus, ex.Address, ex);
        }
        catch
        {
            Release(path, device.Id);
            throw;
        }
    }

    /// <summary>The device path of a configured bus: <c>1</c> and <c>i2c-1</c> are <c>/dev/i2c-1</c>; paths stay as written.</summary>
    public static string BusPath(string bus)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bus);
        var text = bus.Trim();
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return "/dev/i2c-" + number.ToString(CultureInfo.InvariantCulture);
        }

        return text.StartsWith('/') ? text : "/dev/" + text;
    }

    private I2cBus Acquire(string deviceId, string path, int[] addresses)
    {
        lock (_lock)
        {
            if (_buses.TryGetValue(path, out var shared))
            {
                foreach (var address in addresses)
                {
                    if (shared.Owners.TryGetValue(address, out var owner) && owner != deviceId)
                    {
                        throw new ArgumentException(
                            $"I2C device '{deviceId}': address 0x{address:X2} on {path} already belongs to device '{owner}'; one chip " +
                            "can be read by one device only (put the metrics in one device).");
                    }
                }
            }
            else
            {
                I2cBus bus;
                try
                {
                    bus = _openBus(path);
                }
                catch (I2cException ex)
                {
                    throw new I2cException(ex.Result with { Error = $"I2C device '{deviceId}': {ex.Message}" }, ex.Bus, ex.Address, ex);
                }

                shared = new SharedBus(bus);
                _buses.Add(path, shared);
            }

            foreach (var address in addresses)
            {
                shared.Owners[address] = deviceId;
            }

            shared.Devices.Add(deviceId);
            return shared.Bus;
        }
    }

    private void Release(string path, string deviceId)
    {
        I2cBus? close = null;
        lock (_lock)
        {
            if (!_buses.TryGetValue(path, out var shared) || !shared.Devices.Remove(deviceId))
            {
                return;
            }

            foreach (var address in shared.Owners.Where(o => o.Value == deviceId).Select(o => o.Key).ToArray())
            {
                shared.Owners.Remove(address);
            }

            if (shared.Devices.Count == 0)
            {
                _buses.Remove(path);
                close = shared.Bus;
            }
        }

        close?.Dispose();
    }

    private sealed class SharedBus(I2cBus bus)
    {
        public I2cBus Bus { get; } = bus;

        public Dictionary<int, string> Owners { get; } = [];

        public List<string> Devices { get; } = [];
    }
}
