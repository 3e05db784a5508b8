using System.Collections.Concurrent;
using System.Diagnostics;
using EdgeNode.Sparkplug;

namespace EdgeNode.Engine;

/// <summary>
/// Counters for the web console and Prometheus that outlive one engine (a reload or an NCMD Reboot starts a new engine;
/// a Prometheus counter must only reset when the process does). Written by the event loop with plain interlocked adds,
/// read from anywhere: no lock is ever held on the scan or publish path.
/// </summary>
public sealed class NodeTelemetry
{
    private readonly ConcurrentDictionary<string, DeviceCounters> _devices = new(StringComparer.Ordinal);
    private readonly long[] _published = new long[(int)SparkplugMessageType.STATE + 1];

    /// <summary>Counters of one device (by id); created on first use.</summary>
    public DeviceCounters Device(string deviceId) => _devices.GetOrAdd(deviceId, static _ => new DeviceCounters());

    /// <summary>Every device seen since the process started, by id.</summary>
    public IEnumerable<KeyValuePair<string, DeviceCounters>> Devices => _devices;

    /// <summary>Counts one completed scan of <paramref name="deviceId"/>.</summary>
    public void RecordScan(string deviceId, bool responded, long nowMs, long durationTicks)
    {
        var counters = Device(deviceId);
        Interlocked.Increment(ref counters.ScansField);
        if (!responded)
        {
            Interlocked.Increment(ref counters.ErrorsField);
        }

        Volatile.Write(ref counters.LastScanMsField, nowMs);
        Volatile.Write(ref counters.LastScanTicksField, durationTicks);
    }

    /// <summary>Counts one message the broker took (the type is read from the Sparkplug topic).</summary>
    public void RecordPublished(string topic)
    {
        // spBv1.0/<group>/<TYPE>/<edge>[/<device>]
        var span = topic.AsSpan();
        var first = span.IndexOf('/');
        if (first < 0)
        {
            return;
        }

        var rest = span[(first + 1)..];
        var second = rest.IndexOf('/');
        if (second < 0)
        {
            return;
        }

        rest = rest[(second + 1)..];
        var third = rest.IndexOf('/');
        if (third > 0 && SparkplugMessageTypes.TryParse(rest[..third], out var type))
        {
            Interlocked.Increment(ref _published[(int)type]);
        }
    }

    /// <summary>Messages of <paramref name="type"/> the broker took since the process started.</summary>
    public long Published(SparkplugMessageType type) => Interlocked.Read(ref _published[(int)type]);
}

/// <summary>One device's scan counters (see <see cref="NodeTelemetry"/>).</summary>
public sealed class DeviceCounters
{
#pragma warning disable CA1051 // fields so Interlocked can work on them; the properties are the API
    internal long ScansField;
    internal long ErrorsField;
    internal long LastScanMsField;
    internal long LastScanTicksField;
#pragma warning restore CA1051

    /// <summary>Scans completed (answered or not).</summary>
    public long Scans => Interlocked.Read(ref ScansField);

    /// <summary>Scans the device did not answer.</summary>
    public long Errors => Interlocked.Read(ref ErrorsField);

    /// <summary>When the last scan completed (Unix ms; 0: never).</summary>
    public long LastScanMs => Volatile.Read(ref LastScanMsField);

    /// <summary>How long the last scan took.</summary>
    public TimeSpan LastScanDuration => Stopwatch.GetElapsedTime(0, Volatile.Read(ref LastScanTicksField));
}
