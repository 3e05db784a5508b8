using Microsoft.Extensions.Logging;

namespace EdgeNode.I2c;

/// <summary>One value a sensor reports: the metric the engine publishes for it.</summary>
/// <param name="Name">Metric-style name, e.g. "Temperature".</param>
/// <param name="Units">Engineering unit, e.g. "°C", "Pa", "%RH", "V", "A", "W".</param>
public sealed record I2cSensorChannel(string Name, string Units);

/// <summary>
/// A sensor as the engine polls it: a fixed list of channels and one read that fills a value per channel. Reads return
/// an <see cref="I2cResult"/> instead of throwing; <see cref="I2cResult.DeviceResponded"/> false means the sensor
/// stopped answering (DDEATH). After a failure the next read configures the sensor again, so a sensor that was
/// power-cycled or replaced comes back by itself. One read at a time per sensor.
/// </summary>
public interface II2cSensor
{
    /// <summary>The chip, e.g. "BME280".</summary>
    string Model { get; }

    /// <summary>The device it talks to.</summary>
    I2cDevice Device { get; }

    /// <summary>The values a read produces, in order.</summary>
    IReadOnlyList<I2cSensorChannel> Channels { get; }

    /// <summary>Measures (waiting for the conversion on this thread) and writes one value per channel into <paramref name="values"/>.</summary>
    I2cResult Read(Span<double> values);

    /// <summary>Measures, awaiting conversions without blocking a thread, and writes one value per channel into <paramref name="values"/>.</summary>
    ValueTask<I2cResult> ReadAsync(Memory<double> values, CancellationToken cancellationToken = default);
}

/// <summary>
/// The measurement cycle shared by the drivers: configure once (chip id, calibration, settings), then per read start
/// each conversion, wait for it, and fetch the result, polling a ready flag a bounded number of times. A failure
/// marks the sensor for configuration again on the next read.
/// </summary>
/// <typeparam name="TMeasurement">The driver's measurement type.</typeparam>
public abstract class I2cSensor<TMeasurement> : II2cSensor
    where TMeasurement : struct
{
    private int _reading;

    /// <summary>Creates the driver over <paramref name="device"/>.</summary>
    protected I2cSensor(I2cDevice device, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(device);
        Device = device;
        Logger = logger ?? device.Bus.Logger;
    }

    /// <inheritdoc />
    public I2cDevice Device { get; }

    /// <inheritdoc />
    public abstract string Model { get; }

    /// <inheritdoc />
    public abstract IReadOnlyList<I2cSensorChannel> Channels { get; }

    /// <summary>The sensor was configured and has not failed since.</summary>
    public bool IsInitialized { get; private set; }

    /// <summary>The logger.</summary>
    protected ILogger Logger { get; }

    /// <summary>Conversions per read (e.g. one per ADS1115 channel).</summary>
    protected virtual int Steps => 1;

    /// <summary>Wait between polls of a ready flag once the nominal conversion time has passed.</summary>
    protected virtual TimeSpan ReadyPollInterval => TimeSpan.FromMilliseconds(2);

    /// <summary>Polls of the ready flag before the read fails with <see cref="I2cStatus.Timeout"/>.</summary>
    protected virtual int MaxReadyPolls => 10;

    /// <summary>Identifies and configures the chip. Returns the outcome; a readable text for the log goes to <paramref name="details"/>.</summary>
    protected abstract I2cResult OnInitialize(out string details);

    /// <summary>Starts conversion <paramref name="step"/>; <paramref name="wait"/> is how long it takes at most.</summary>
    protected abstract I2cResult Start(int step, out TimeSpan wait);

    /// <summary>Fetches conversion <paramref name="step"/>; <paramref name="notReady"/> asks for another poll.</summary>
    protected abstract I2cResult Fetch(int step, out bool notReady);

    /// <summary>Builds the measurement after every step was fetched.</summary>
    protected abstract TMeasurement Complete();

    /// <summary>Writes <paramref name="measurement"/> as one value per channel.</summary>
    protected abstract void ToValues(in TMeasurement measurement, Span<double> values);

    /// <summary>Identifies and configures the chip now (reads do it themselves when needed).</summary>
    public I2cResult Initialize()
    {
        var result = OnInitialize(out var details);
        IsInitialized = result.IsOk;
        if (result.IsOk)
        {
            Log.SensorReady(Logger, Model, Device.Address, Device.Bus.Name, details);
        }
        else
        {
            Log.SensorReadFailed(Logger, Model, Device.Address, Device.Bus.Name, result.ToString());
        }

        return result;
    }

    /// <summary>Measures once, blocking for the conversion time; returns the outcome without throwing.</summary>
    public I2cResult TryRead(out TMeasurement measurement)
    {
        measurement = default;
        Enter();
        try
        {
            var result = IsInitialized ? I2cResult.Ok : Initialize();
            for (var step = 0; result.IsOk && step < Steps; step++)
            {
                result = Start(step, out var wait);
                for (var poll = 0; result.IsOk; poll++)
                {
                    if (wait > TimeSpan.Zero)
                    {
                        Thread.Sleep(wait);
                    }

                    result = Fetch(step, out var notReady);
                    if (!result.IsOk || !notReady)
                    {
                        break;
                    }

                    result = poll >= MaxReadyPolls ? NeverReady() : result;
                    wait = ReadyPollInterval;
                }
            }

            return Finish(result, out measurement);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Measures once, awaiting the conversion time; returns the outcome without throwing.</summary>
    public async ValueTask<(I2cResult Result, TMeasurement Measurement)> TryReadAsync(CancellationToken cancellationToken = default)
    {
        Enter();
        try
        {
            var result = IsInitialized ? I2cResult.Ok : Initialize();
            for (var step = 0; result.IsOk && step < Steps; step++)
            {
                result = Start(step, out var wait);
                for (var poll = 0; result.IsOk; poll++)
                {
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                    }

                    result = Fetch(step, out var notReady);
                    if (!result.IsOk || !notReady)
                    {
                        break;
                    }

                    result = poll >= MaxReadyPolls ? NeverReady() : result;
                    wait = ReadyPollInterval;
                }
            }

            result = Finish(result, out var measurement);
            return (result, measurement);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Measures once, blocking for the conversion time.</summary>
    /// <exception cref="I2cException">The sensor did not answer, or answered with bad data.</exception>
    public TMeasurement Read()
    {
        TryRead(out var measurement).ThrowIfFailed(Device.Bus.Name, Device.Address);
        return measurement;
    }

    /// <summary>Measures once, awaiting the conversion time.</summary>
    /// <exception cref="I2cException">The sensor did not answer, or answered with bad data.</exception>
    public async ValueTask<TMeasurement> ReadAsync(CancellationToken cancellationToken = default)
    {
        var (result, measurement) = await TryReadAsync(cancellationToken).ConfigureAwait(false);
        result.ThrowIfFailed(Device.Bus.Name, Device.Address);
        return measurement;
    }

    I2cResult II2cSensor.Read(Span<double> values)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(values.Length, Channels.Count, nameof(values));
        var result = TryRead(out var measurement);
        if (result.IsOk)
        {
            ToValues(measurement, values);
        }

        return result;
    }

    async ValueTask<I2cResult> II2cSensor.ReadAsync(Memory<double> values, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(values.Length, Channels.Count, nameof(values));
        var (result, measurement) = await TryReadAsync(cancellationToken).ConfigureAwait(false);
        if (result.IsOk)
        {
            ToValues(measurement, values.Span);
        }

        return result;
    }

    /// <summary>A failed result for this device with <paramref name="message"/>.</summary>
    protected I2cResult Fail(I2cStatus status, string message) =>
        new(status, 0, $"{Model} at 0x{Device.Address:X2} on {Device.Bus.Name}: {message}");

    private I2cResult NeverReady() =>
        Fail(I2cStatus.Timeout, $"the conversion did not finish after {MaxReadyPolls} extra polls.");

    private I2cResult Finish(I2cResult result, out TMeasurement measurement)
    {
        if (result.IsOk)
        {
            measurement = Complete();
            return result;
        }

        measurement = default;
        if (IsInitialized)
        {
            Log.SensorReadFailed(Logger, Model, Device.Address, Device.Bus.Name, result.ToString());
        }

        // Whatever failed, configure again next time: the sensor may have been power-cycled or replaced.
        IsInitialized = false;
        return result;
    }

    private void Enter()
    {
        if (Interlocked.Exchange(ref _reading, 1) != 0)
        {
            throw new InvalidOperationException($"{Model} at {Device} is already being read: one read at a time per sensor.");
        }
    }

    private void Exit() => Volatile.Write(ref _reading, 0);
}
