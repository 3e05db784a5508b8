using EdgeNode.Configuration;
using EdgeNode.Modbus;
using EdgeNode.Sparkplug;

namespace EdgeNode.Engine.Devices.Modbus;

/// <summary>A Modbus unit as a Sparkplug device: one coalesced read plan per scan, DCMD writes through the point writer.</summary>
public sealed class ModbusDeviceDriver : IDeviceDriver
{
    private readonly ModbusPoint[] _points;
    private readonly ModbusPointReader _reader;
    private readonly ModbusPointWriter _writer;
    private readonly SparkplugDataType[] _types;

    /// <summary>Creates the driver over a unit client of a shared link.</summary>
    public ModbusDeviceDriver(DeviceConfig device, ModbusUnitClient unit)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(unit);
        Config = device;
        _points = [.. device.Metrics.Select(m => m.ToModbusPoint())];
        _types = [.. device.Metrics.Select(MetricTypes.ToSparkplug)];
        // The scan loop's code after a read is short and never blocks: on TCP it may run on the link's reader.
        _reader = new ModbusPointReader(unit, ModbusReadPlan.Create(_points)) { ContinueOnTcpReader = true };
        _writer = new ModbusPointWriter(unit);
    }

    /// <inheritdoc />
    public DeviceConfig Config { get; }

    /// <inheritdoc />
    public IReadOnlyList<SparkplugDataType> DataTypes => _types;

    /// <inheritdoc />
    public System.Threading.Channels.ChannelReader<DeviceEvent>? Events => null;

    /// <inheritdoc />
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<DeviceReadResult> ReadAsync(DeviceReading reading, CancellationToken cancellationToken)
    {
        var outcome = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        reading.TimestampMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (outcome.IsDeviceDead)
        {
            var error = outcome.Error ?? outcome.FailureStatus.ToString();
            return outcome.FailureStatus == ModbusStatus.UnitBackedOff ? DeviceReadResult.Skipped(error) : DeviceReadResult.Dead(error);
        }

        var results = _reader.Results;
        for (var i = 0; i < _points.Length; i++)
        {
            var result = results[i];
            if (result.IsGood && TryToSparkplug(result.Value, _types[i], out var value))
            {
                reading.Values[i] = value;
                reading.Good[i] = true;
            }
            else
            {
                reading.Good[i] = false;
            }
        }

        return outcome.AllGood ? DeviceReadResult.Ok : new DeviceReadResult(true, outcome.Error);
    }

    /// <inheritdoc />
    public async ValueTask<DeviceWriteResult> WriteAsync(int metricIndex, SparkplugValue value, CancellationToken cancellationToken)
    {
        var point = _points[metricIndex];
        if (!TryToModbus(value, point, out var raw, out var error))
        {
            return new DeviceWriteResult(DeviceWriteStatus.Rejected, error);
        }

        var result = await _writer.WriteAsync(point, raw, cancellationToken).ConfigureAwait(false);
        return result.Status switch
        {
            ModbusStatus.Ok => DeviceWriteResult.Written,
            ModbusStatus.ValueRejected => new DeviceWriteResult(DeviceWriteStatus.Rejected, result.Error ?? "value does not fit the register"),
            _ => new DeviceWriteResult(DeviceWriteStatus.Failed, result.ToString()),
        };
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Converts a decoded Modbus value to the metric's published datatype.</summary>
    public static bool TryToSparkplug(ModbusValue value, SparkplugDataType type, out SparkplugValue result)
    {
        result = default;
        switch (value.Kind)
        {
            case ModbusValueKind.Bool:
                result = SparkplugValue.FromBoolean(value.AsBool);
                break;
            case ModbusValueKind.String:
                result = SparkplugValue.FromString(value.AsString);
                break;
            case ModbusValueKind.Double:
                var d = RoundToPrecision(value.AsDouble);
                result = type == SparkplugDataType.Float ? SparkplugValue.FromFloat((float)d) : SparkplugValue.FromDouble(d);
                break;
            case ModbusValueKind.Int64:
                result = SparkplugValue.FromInt64(value.AsInt64);
                break;
            case ModbusValueKind.UInt64:
                result = SparkplugValue.FromUInt64(value.AsUInt64);
                break;
            default:
                return false;
        }

        if (result.DataType == type)
        {
            return true;
        }

        // not result.TryConvertTo(type, out result): the struct receiver is passed by reference and would be cleared first
        var read = result;
        return read.TryConvertTo(type, out result);
    }

    /// <summary>
    /// Rounds to 15 significant digits (what a double holds exactly), so raw × scale reads 21.2, not 21.200000000000003:
    /// the binary noise of the multiplication would otherwise reach the host and defeat report by exception.
    /// </summary>
    internal static double RoundToPrecision(double value)
    {
        if (value == 0 || !double.IsFinite(value))
        {
            return value;
        }

        var digits = 14 - (int)Math.Floor(Math.Log10(Math.Abs(value)));
        return digits is >= 0 and <= 15 ? Math.Round(value, digits, MidpointRounding.ToEven) : value;
    }

    /// <summary>Converts a DCMD value to what the point writer takes, refusing values of the wrong kind.</summary>
    public static bool TryToModbus(SparkplugValue value, ModbusPoint point, out ModbusValue result, out string? error)
    {
        result = default;
        error = null;
        if (value.IsNull)
        {
            error = "a null value cannot be written";
            return false;
        }

        if (point.IsScaled || point.DataType is ModbusDataType.Float32 or ModbusDataType.Float64)
        {
            if (value.DataType == SparkplugDataType.Boolean || !value.TryGetDouble(out var d) || !double.IsFinite(d))
            {
                error = $"expected a number, got {value}";
                return false;
            }

            result = ModbusValue.FromDouble(d);
            return true;
        }

        switch (point.DataType)
        {
            case ModbusDataType.Bool:
                if (value.DataType == SparkplugDataType.Boolean)
                {
                    result = ModbusValue.FromBool(value.AsBoolean());
                    return true;
                }

                if (value.TryGetInt64(out var bit) && bit is 0 or 1)
                {
                    result = ModbusValue.FromBool(bit == 1);
                    return true;
                }

                error = $"expected a Boolean, got {value}";
                return false;
            case ModbusDataType.String:
                if (value.DataType is SparkplugDataType.String or SparkplugDataType.Text)
                {
                    result = ModbusValue.FromString(value.AsString());
                    return true;
                }

                error = $"expected a String, got {value}";
                return false;
            case ModbusDataType.UInt64:
                if (value.TryGetUInt64(out var u))
                {
                    result = ModbusValue.FromUInt64(u);
                    return true;
                }

                error = $"expected an unsigned integer, got {value}";
                return false;
            default:
                if (value.DataType != SparkplugDataType.Boolean && value.TryGetInt64(out var l))
                {
                    result = ModbusValue.FromInt64(l);
                    return true;
                }

                if (value.TryGetDouble(out var whole) && whole == Math.Round(whole) && Math.Abs(whole) < 9.2e18)
                {
                    result = ModbusValue.FromInt64((long)whole);
                    return true;
                }

                error = $"expected an integer, got {value}";
                return false;
        }
    }
}

/// <summary>Makes Modbus drivers over one link pool (devices on one TCP endpoint or serial line share a link).</summary>
public sealed class ModbusDeviceDriverFactory(ModbusLinkPool pool) : IDeviceDriverFactory
{
    /// <inheritdoc />
    public bool Supports(DeviceKind kind) => kind == DeviceKind.Modbus;

    /// <inheritdoc />
    public IDeviceDriver Create(DeviceConfig device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var modbus = device.Modbus ?? throw new ArgumentException($"device '{device.Id}' has no modbus section", nameof(device));
        var unit = pool.Acquire(modbus.Link.ToModbus(), modbus.UnitId, new ModbusMasterOptions { TimeoutMs = modbus.TimeoutMs, Retries = modbus.Retries });
        return new ModbusDeviceDriver(device, unit);
    }
}
