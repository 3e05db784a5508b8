namespace EdgeNode.Engine.Session;

/// <summary>
/// What the node believes about its primary host application, following Sparkplug 3.0 §5 (Edge Node birth and
/// termination with a primary host): a STATE counts only if its timestamp is not older than the last one accepted
/// (operational-behavior-...-phid-wait-timestamp, ...-termination-host-offline-timestamp); the first STATE seen
/// is accepted; legacy 2.2 messages carry no timestamp and are always accepted.
/// </summary>
public sealed class PrimaryHostTracker
{
    private long? _lastTimestamp;

    public bool Online { get; private set; }

    public long? LastTimestamp => _lastTimestamp;

    /// <summary>True when <paramref name="message"/> is older than the last STATE accepted (Apply would ignore it).</summary>
    public bool IsStale(HostStateMessage message) => message.Timestamp is { } ts && _lastTimestamp is { } last && ts < last;

    /// <summary>Applies a STATE message; returns what changed, or <see cref="HostStateChange.Ignored"/> for a stale one.</summary>
    public HostStateChange Apply(HostStateMessage message)
    {
        if (message.Timestamp is { } ts)
        {
            if (_lastTimestamp is { } last && ts < last)
            {
                return HostStateChange.Ignored;
            }

            _lastTimestamp = ts;
        }

        var was = Online;
        Online = message.Online;
        return (was, Online) switch
        {
            (false, true) => HostStateChange.CameOnline,
            (true, false) => HostStateChange.WentOffline,
            (true, true) => HostStateChange.StillOnline,
            _ => HostStateChange.StillOffline,
        };
    }

    /// <summary>A new MQTT session starts not knowing whether the host is online; the last timestamp is kept so a
    /// retained stale STATE on the next server cannot bring the node up.</summary>
    public void ResetForNewSession() => Online = false;
}

public enum HostStateChange
{
    Ignored,
    CameOnline,
    WentOffline,
    StillOnline,
    StillOffline,
}
