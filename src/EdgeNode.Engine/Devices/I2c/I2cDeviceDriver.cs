using System.Text;
using System.Threading.Channels;
using EdgeNode.Configuration;
using EdgeNode.I2c;
using EdgeNode.Sparkplug;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Engine.Devices.I2c;

/// <summary>
/// Sensors on one I2C bus as a Sparkplug device: every scan reads each sensor once (in configuration order) and maps its
/// channels to the metrics. The device is dead when no sensor answered; when some did, the metrics of the silent or
/// failing sensors are left unread. Sensors re-initialize themselves after a failure, so a power-cycled sensor comes
/// back by itself. Read-only: DCMD writes are rejected.
/// </summary>
public sealed class I2cDeviceDriver : IDeviceDriver
{
    private readonly I2cSensorSlot?[] _sensors;
    private readonly I2cMetricBinding[] _bindings;
    private readonly SparkplugDataType[] _types;
    private readonly ILogger _logger;
    private readonly Action? _release;
    private bool _disposed;

    /// <summary>Builds the sensors of <paramref name="device"/> on <paramref name="bus"/> (nothing is sent until the first read).</summary>
    /// <param name="device">The device configuration.</param>
    /// <param name="bus">The bus (shared with other devices; the caller owns it).</param>
    /// <param name="logger">The logger.</param>
    /// <param name="release">Called once on dispose (returns the bus lease).</param>
    /// <exception cref="ArgumentException">Unknown channel or option, value out of range, or not an I2C device.</exception>
    /// <exception cref="I2cException">A kernel driver owns a sensor's address.</exception>
    internal I2cDeviceDriver(DeviceConfig device, I2cBus bus, ILogger logger, Action? release)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(logger);
        if (device.Kind != DeviceKind.I2c || device.I2c is null)
        {
            throw new ArgumentException($"Device '{device.Id}' is not an I2C device (kind {device.Kind}).", nameof(device));
        }

        Config = device;
        _logger = logger;
        (_sensors, _bindings) = I2cSensorBuilder.Build(device, bus, logger);
        _types = [.. _bindings.Select(b => b.Published)];
        _release = release;
        I2cDeviceLog.Created(logger, device.Id, _sensors.Count(s => s is not null), bus.Name, _bindings.Length);
    }

    /// <inheritdoc />
    public DeviceConfig Config { get; }

    /// <inheritdoc />
    public IReadOnlyList<SparkplugDataType> DataTypes => _types;

    /// <summary>Null: sensors are polled.</summary>
    public ChannelReader<DeviceEvent>? Events => null;

    /// <inheritdoc />
    public async ValueTask<DeviceReadResult> ReadAsync(DeviceReading reading, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reading);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var polled = 0;
        var answered = 0;
        StringBuilder? errors = null;
        foreach (var slot in _sensors)
        {
            if (slot is null)
            {
                continue;
            }

            var channels = slot.Sensor.Channels.Count;
            if (slot.Values.Length < channels)
            {
                slot.Values = new double[channels];
            }

            var result = await slot.Sensor.ReadAsync(slot.Values.AsMemory(0, channels), cancellationToken).ConfigureAwait(false);
            slot.LastResult = result;
            polled++;
            if (result.DeviceResponded)
            {
                answered++;
            }

            if (!result.IsOk)
            {
                Append(ref errors, result.Error ?? $"{slot.Description}: {result.Status}");
                if (!slot.Failing)
                {
                    I2cDeviceLog.SensorFailed(_logger, Config.Id, slot.Description, result.ToString());
                }
            }
            else if (slot.Failing)
            {
                I2cDeviceLog.SensorRecovered(_logger, Config.Id, slot.Description);
            }

            slot.Failing = !result.IsOk;
        }

        for (var i = 0; i < _bindings.Length; i++)
        {
            var binding = _bindings[i];
            reading.Good[i] = false;
            var slot = _sensors[binding.Sensor];
            if (slot is null || !slot.LastResult.IsOk)
            {
                continue;
            }

            var channel = slot.IndexOf(binding.Channel);
            if (channel < 0)
            {
                // Sensor channel lists may depend on what the chip turned out to be; the configured model makes this rare.
                Append(ref errors, $"{slot.Description} has no {binding.Channel} (metric '{Config.Metrics[i].Name}')");
                continue;
            }

            if (binding.TryConvert(slot.Values[channel], out var value))
            {
                reading.Values[i] = value;
                reading.Good[i] = true;
            }
            else
            {
                Append(ref errors, $"{slot.Description}: {binding.Channel} read {slot.Values[channel]} (metric '{Config.Metrics[i].Name}')");
            }
        }

        reading.TimestampMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (polled > 0 && answered == 0)
        {
            return DeviceReadResult.Dead(errors?.ToString() ?? "no sensor answered");
        }

        return errors is null ? DeviceReadResult.Ok : new DeviceReadResult(true, errors.ToString());
    }

    /// <summary>Rejects every write: I2C sensors are read-only.</summary>
    public ValueTask<DeviceWriteResult> WriteAsync(int metricIndex, SparkplugValue value, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new DeviceWriteResult(DeviceWriteStatus.Rejected,
            $"I2C device '{Config.Id}' is read-only: '{(metricIndex >= 0 && metricIndex < Config.Metrics.Count ? Config.Metrics[metricIndex].Name : metricIndex.ToString(System.Globalization.CultureInfo.InvariantCulture))}' is a sensor value."));

    /// <summary>Returns the bus to the factory (closed when no device uses it any more).</summary>
    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            _release?.Invoke();
        }

        return ValueTask.CompletedTask;
    }

    private static void Append(ref StringBuilder? errors, string error)
    {
        errors ??= new StringBuilder();
        if (errors.Length > 0)
        {
            errors.Append("; ");
        }

        errors.Append(error);
    }
}
