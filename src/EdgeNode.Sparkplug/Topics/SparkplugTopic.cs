using System.Diagnostics.CodeAnalysis;
using EdgeNode.Addressing;

namespace EdgeNode.Sparkplug;

/// <summary>
/// A Sparkplug topic (Sparkplug 3.0 §4.1): <c>spBv1.0/group_id/TYPE/edge_node_id[/device_id]</c> or the host state
/// topic <c>spBv1.0/STATE/host_id</c>. Factories validate every id and throw <see cref="ArgumentException"/> with the
/// reason; <see cref="TryParse(string?, out SparkplugTopic, out string?)"/> never throws. Build a topic once and cache
/// its <see cref="ToString"/>: it allocates the string each call.
/// </summary>
public readonly struct SparkplugTopic : IEquatable<SparkplugTopic>
{
    private SparkplugTopic(SparkplugMessageType type, string? groupId, string? edgeNodeId, string? deviceId, string? hostId, bool legacy)
    {
        MessageType = type;
        GroupId = groupId;
        EdgeNodeId = edgeNodeId;
        DeviceId = deviceId;
        HostId = hostId;
        IsLegacyState = legacy;
    }

    /// <summary>The namespace element <c>spBv1.0</c> (a legacy STATE topic has none: see <see cref="IsLegacyState"/>).</summary>
    public string Namespace => SparkplugNames.Namespace;

    /// <summary>The verb.</summary>
    public SparkplugMessageType MessageType { get; }

    /// <summary>The group_id (null for STATE).</summary>
    public string? GroupId { get; }

    /// <summary>The edge_node_id (null for STATE).</summary>
    public string? EdgeNodeId { get; }

    /// <summary>The device_id of DBIRTH/DDEATH/DDATA/DCMD topics; null otherwise.</summary>
    public string? DeviceId { get; }

    /// <summary>The host_id of a STATE topic; null otherwise.</summary>
    public string? HostId { get; }

    /// <summary>A Sparkplug 2.2-era <c>STATE/host_id</c> topic (no namespace; payload <c>ONLINE</c>/<c>OFFLINE</c>).</summary>
    public bool IsLegacyState { get; }

    /// <summary>True for device-level messages.</summary>
    public bool IsDeviceMessage => SparkplugMessageTypes.IsDeviceMessage(MessageType);

    /// <summary>An Edge Node topic: NBIRTH, NDEATH, NDATA or NCMD.</summary>
    public static SparkplugTopic Node(string groupId, SparkplugMessageType type, string edgeNodeId)
    {
        if (!SparkplugMessageTypes.IsNodeMessage(type))
        {
            throw new ArgumentException($"{type} is not an Edge Node message type (NBIRTH, NDEATH, NDATA, NCMD).", nameof(type));
        }

        return new(type, SparkplugId.Validate(groupId, "group_id"), SparkplugId.Validate(edgeNodeId, "edge_node_id"), null, null, false);
    }

    /// <summary>A device topic: DBIRTH, DDEATH, DDATA or DCMD.</summary>
    public static SparkplugTopic Device(string groupId, SparkplugMessageType type, string edgeNodeId, string deviceId)
    {
        if (!SparkplugMessageTypes.IsDeviceMessage(type))
        {
            throw new ArgumentException($"{type} is not a device message type (DBIRTH, DDEATH, DDATA, DCMD).", nameof(type));
        }

        return new(type, SparkplugId.Validate(groupId, "group_id"), SparkplugId.Validate(edgeNodeId, "edge_node_id"),
            SparkplugId.Validate(deviceId, "device_id"), null, false);
    }

    /// <summary>The Sparkplug 3.0 host state topic <c>spBv1.0/STATE/host_id</c> [tck-id-host-topic-phid-birth-topic].</summary>
    public static SparkplugTopic State(string hostId) =>
        new(SparkplugMessageType.STATE, null, null, null, SparkplugId.Validate(hostId, "host_id"), false);

    /// <summary>The pre-3.0 host state topic <c>STATE/host_id</c>, for hosts that still use it.</summary>
    public static SparkplugTopic LegacyState(string hostId) =>
        new(SparkplugMessageType.STATE, null, null, null, SparkplugId.Validate(hostId, "host_id"), true);

    /// <summary>The same Edge Node or device with another verb (e.g. NBIRTH → NDATA), without re-validating ids.</summary>
    public SparkplugTopic WithMessageType(SparkplugMessageType type)
    {
        if (MessageType == SparkplugMessageType.STATE || type == SparkplugMessageType.STATE
            || SparkplugMessageTypes.IsDeviceMessage(type) != IsDeviceMessage)
        {
            throw new ArgumentException($"Cannot turn a {MessageType} topic into {type}.", nameof(type));
        }

        return new(type, GroupId, EdgeNodeId, DeviceId, null, false);
    }

    /// <summary>A device topic of this Edge Node: <c>spBv1.0/group/TYPE/edge/device</c>.</summary>
    public SparkplugTopic ForDevice(string deviceId, SparkplugMessageType type) =>
        Device(GroupId ?? throw new InvalidOperationException("A STATE topic has no Edge Node."), type, EdgeNodeId!, deviceId);

    /// <summary>The subscription filter for every DCMD of an Edge Node: <c>spBv1.0/group/DCMD/edge/+</c>.</summary>
    public static string DeviceCommandFilter(string groupId, string edgeNodeId) =>
        $"{SparkplugNames.Namespace}/{SparkplugId.Validate(groupId, "group_id")}/DCMD/{SparkplugId.Validate(edgeNodeId, "edge_node_id")}/+";

    /// <summary>The topic string: <c>spBv1.0/group/NDATA/edge</c>, <c>spBv1.0/group/DDATA/edge/device</c>, <c>spBv1.0/STATE/host</c>.</summary>
    public override string ToString()
    {
        if (MessageType == SparkplugMessageType.STATE)
        {
            return IsLegacyState ? $"STATE/{HostId}" : $"{SparkplugNames.Namespace}/STATE/{HostId}";
        }

        if (MessageType == 0)
        {
            return "";
        }

        var verb = SparkplugMessageTypes.ToToken(MessageType);
        return DeviceId is null
            ? string.Concat(SparkplugNames.Namespace, "/", GroupId, "/", verb, "/", EdgeNodeId)
            : $"{SparkplugNames.Namespace}/{GroupId}/{verb}/{EdgeNodeId}/{DeviceId}";
    }

    /// <summary>Parses a topic; false for anything that is not a well-formed Sparkplug B topic.</summary>
    public static bool TryParse([NotNullWhen(true)] string? topic, out SparkplugTopic result) => TryParse(topic, out result, out _);

    /// <summary>
    /// Parses a topic, explaining a failure in <paramref name="error"/> (wrong namespace, unknown verb, a device id on a
    /// node message or none on a device message, invalid id, extra levels). Accepts the legacy <c>STATE/host_id</c>.
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? topic, out SparkplugTopic result, [NotNullWhen(false)] out string? error)
    {
        result = default;
        if (string.IsNullOrEmpty(topic))
        {
            error = "the topic is empty";
            return false;
        }

        Span<Range> levels = stackalloc Range[6];
        var span = topic.AsSpan();
        var count = span.Split(levels, '/');
        if (count == 2 && span[levels[0]] is "STATE")
        {
            return TryHost(topic[levels[1]], legacy: true, out result, out error);
        }

        if (span[levels[0]] is not SparkplugNames.Namespace)
        {
            error = $"the namespace is '{topic[levels[0]]}', not '{SparkplugNames.Namespace}'";
            return false;
        }

        if (count == 3 && span[levels[1]] is "STATE")
        {
            return TryHost(topic[levels[2]], legacy: false, out result, out error);
        }

        if (count is < 4 or > 5)
        {
            error = count > 5 ? "the topic has more than 5 levels" : "the topic has fewer than 4 levels";
            return false;
        }

        if (!SparkplugMessageTypes.TryParse(span[levels[2]], out var type) || type == SparkplugMessageType.STATE)
        {
            error = $"'{topic[levels[2]]}' is not a Sparkplug message type";
            return false;
        }

        var isDevice = SparkplugMessageTypes.IsDeviceMessage(type);
        if (isDevice != (count == 5))
        {
            error = isDevice ? $"a {type} topic needs a device_id" : $"a {type} topic has no device_id level";
            return false;
        }

        var group = topic[levels[1]];
        var edge = topic[levels[3]];
        var device = count == 5 ? topic[levels[4]] : null;
        if (!SparkplugId.IsValid(group, out var reason))
        {
            error = $"group_id '{group}' {reason}";
            return false;
        }

        if (!SparkplugId.IsValid(edge, out reason))
        {
            error = $"edge_node_id '{edge}' {reason}";
            return false;
        }

        if (device is not null && !SparkplugId.IsValid(device, out reason))
        {
            error = $"device_id '{device}' {reason}";
            return false;
        }

        result = new(type, group, edge, device, null, false);
        error = null;
        return true;
    }

    private static bool TryHost(string hostId, bool legacy, out SparkplugTopic result, out string? error)
    {
        result = default;
        if (!SparkplugId.IsValid(hostId, out var reason))
        {
            error = $"host_id '{hostId}' {reason}";
            return false;
        }

        result = new(SparkplugMessageType.STATE, null, null, null, hostId, legacy);
        error = null;
        return true;
    }

    /// <inheritdoc />
    public bool Equals(SparkplugTopic other) =>
        MessageType == other.MessageType && IsLegacyState == other.IsLegacyState
        && string.Equals(GroupId, other.GroupId, StringComparison.Ordinal)
        && string.Equals(EdgeNodeId, other.EdgeNodeId, StringComparison.Ordinal)
        && string.Equals(DeviceId, other.DeviceId, StringComparison.Ordinal)
        && string.Equals(HostId, other.HostId, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SparkplugTopic other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(MessageType, GroupId, EdgeNodeId, DeviceId, HostId, IsLegacyState);

    /// <summary>Same topic.</summary>
    public static bool operator ==(SparkplugTopic left, SparkplugTopic right) => left.Equals(right);

    /// <summary>Different topics.</summary>
    public static bool operator !=(SparkplugTopic left, SparkplugTopic right) => !left.Equals(right);
}
