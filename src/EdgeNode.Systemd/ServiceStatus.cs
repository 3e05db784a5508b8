using System.Globalization;
using System.Text;

namespace EdgeNode.Systemd;

/// <summary>
/// The node's one-line state for <c>STATUS=</c> (shown by <c>systemctl status edgenode</c>), e.g.
/// <c>online via mqtt://10.0.0.5:1883; devices 3 up, 1 down; 120 stored changes pending</c>. A record, so the caller
/// can send only when it changed.
/// </summary>
public sealed record ServiceStatus
{
    /// <summary>What the node is doing: <c>online</c>, <c>connecting</c>, <c>waiting for primary host X</c>, <c>stopping</c>…</summary>
    public required string State { get; init; }

    /// <summary>The broker in use or being tried (<c>mqtt://host:port</c>), if any.</summary>
    public string? Broker { get; init; }

    /// <summary>Devices answering their polls.</summary>
    public int DevicesUp { get; init; }

    /// <summary>Devices not answering (DDEATH published or pending).</summary>
    public int DevicesDown { get; init; }

    /// <summary>Changes held in the store-and-forward queue, waiting for the broker or the primary host.</summary>
    public long PendingChanges { get; init; }

    /// <summary>The status line (no newlines).</summary>
    public override string ToString()
    {
        var line = new StringBuilder(State);
        if (!string.IsNullOrEmpty(Broker))
        {
            line.Append(State.StartsWith("online", StringComparison.Ordinal) ? " via " : " ").Append(Broker);
        }

        line.Append(CultureInfo.InvariantCulture, $"; devices {DevicesUp} up, {DevicesDown} down");
        line.Append(CultureInfo.InvariantCulture,
            $"; {PendingChanges} stored change{(PendingChanges == 1 ? "" : "s")} pending");
        return SystemdNotifier.OneLine(line.ToString());
    }
}
