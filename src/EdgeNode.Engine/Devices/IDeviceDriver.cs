using EdgeNode.Configuration;
using EdgeNode.Sparkplug;

namespace EdgeNode.Engine.Devices;

/// <summary>
/// A source of one Sparkplug device's values (a Modbus unit, GPIO lines, I2C sensors). The engine owns the policy
/// (scan timing, report by exception, births and deaths); a driver only reads, writes and raises events.
/// Calls are never concurrent on one driver: the engine awaits each before the next.
/// </summary>
public interface IDeviceDriver : IAsyncDisposable
{
    /// <summary>The device's configuration (metrics in the same order as the value arrays).</summary>
    DeviceConfig Config { get; }

    /// <summary>Sparkplug datatype of each metric as published (scaled metrics are Double).</summary>
    IReadOnlyList<SparkplugDataType> DataTypes { get; }

    /// <summary>
    /// Reads every metric into <paramref name="reading"/>. Returns whether the device answered at all: a device that
    /// does not answer (after the driver's retries) is dead and gets a DDEATH. Metrics that failed individually while
    /// the device answered are left unset in <paramref name="reading"/> (<see cref="DeviceReading.Good"/> false).
    /// </summary>
    ValueTask<DeviceReadResult> ReadAsync(DeviceReading reading, CancellationToken cancellationToken);

    /// <summary>Writes a DCMD value to metric <paramref name="metricIndex"/> (already checked writable by the engine).</summary>
    ValueTask<DeviceWriteResult> WriteAsync(int metricIndex, SparkplugValue value, CancellationToken cancellationToken);

    /// <summary>
    /// Values that arrive between scans (GPIO edges), or null for poll-only devices. The engine reports them at once,
    /// by exception like scanned values.
    /// </summary>
    System.Threading.Channels.ChannelReader<DeviceEvent>? Events { get; }
}

/// <summary>The values of one scan: <see cref="Values"/>[i] is valid when <see cref="Good"/>[i].</summary>
public sealed class DeviceReading
{
    /// <summary>Creates the arrays for <paramref name="metricCount"/> metrics.</summary>
    public DeviceReading(int metricCount)
    {
        Values = new SparkplugValue[metricCount];
        Good = new bool[metricCount];
    }

    /// <summary>Value per metric, with its published datatype.</summary>
    public SparkplugValue[] Values { get; }

    /// <summary>Whether each value was read in this scan.</summary>
    public bool[] Good { get; }

    /// <summary>When the values were read (Unix ms; set by the driver, or by the engine when the driver leaves 0).</summary>
    public long TimestampMs { get; set; }

    /// <summary>Marks every metric unread.</summary>
    public void Clear()
    {
        Array.Clear(Good);
        TimestampMs = 0;
    }
}

/// <summary>Outcome of one scan.</summary>
/// <param name="Responded">The device answered (at least partly); false means it is dead.</param>
/// <param name="Error">Why it did not answer, or why some metrics failed.</param>
/// <param name="NotPolled">
/// Nothing was asked of the device this scan (a Modbus unit in back-off after a failed scan): no new evidence either way,
/// so it does not count towards <c>deadAfterFailedScans</c>.
/// </param>
public readonly record struct DeviceReadResult(bool Responded, string? Error = null, bool NotPolled = false)
{
    /// <summary>A device that answered.</summary>
    public static DeviceReadResult Ok => new(true);

    /// <summary>A device that did not answer.</summary>
    public static DeviceReadResult Dead(string error) => new(false, error);

    /// <summary>A scan that did not reach the device (see <see cref="NotPolled"/>).</summary>
    public static DeviceReadResult Skipped(string error) => new(false, error, NotPolled: true);
}

/// <summary>Outcome of a DCMD write.</summary>
public enum DeviceWriteStatus
{
    /// <summary>Written.</summary>
    Written,

    /// <summary>Refused before reaching the device (value out of range, wrong type).</summary>
    Rejected,

    /// <summary>The device did not accept it (timeout, exception response, I/O error).</summary>
    Failed,
}

/// <summary>Outcome of a DCMD write with a reason for the log.</summary>
public readonly record struct DeviceWriteResult(DeviceWriteStatus Status, string? Error = null)
{
    /// <summary>Written.</summary>
    public static DeviceWriteResult Written => new(DeviceWriteStatus.Written);
}

/// <summary>A value that arrived on its own (an edge on a GPIO input).</summary>
/// <param name="MetricIndex">Index into the device's metrics.</param>
/// <param name="Value">New value with its published datatype.</param>
/// <param name="TimestampMs">When it happened (Unix ms).</param>
public readonly record struct DeviceEvent(int MetricIndex, SparkplugValue Value, long TimestampMs);

/// <summary>Creates the driver for a device; the node's host picks drivers by <see cref="DeviceKind"/>.</summary>
public interface IDeviceDriverFactory
{
    /// <summary>Whether this factory makes drivers for <paramref name="kind"/>.</summary>
    bool Supports(DeviceKind kind);

    /// <summary>Creates (and opens, if the source must be opened) the driver of <paramref name="device"/>.</summary>
    IDeviceDriver Create(DeviceConfig device);
}
