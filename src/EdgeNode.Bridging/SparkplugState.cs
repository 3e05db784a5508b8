using EdgeNode.Sparkplug;

namespace EdgeNode.Bridging;

/// <summary>What a BIRTH said about one metric: its name, datatype and, for a Template instance, its members.</summary>
internal sealed class MetricDefinition
{
    public MetricDefinition(string name, SparkplugDataType dataType)
    {
        Name = name;
        DataType = dataType;
    }

    public string Name { get; }

    public SparkplugDataType DataType { get; }

    /// <summary>For a Template instance: the definition's name.</summary>
    public string? TemplateRef { get; init; }

    /// <summary>For a Template instance: the definition's version (from the instance, else the definition).</summary>
    public string? TemplateVersion { get; init; }

    /// <summary>For a Template instance: its members by name (their datatypes, for DATA that omits them).</summary>
    public Dictionary<string, MetricDefinition>? Members { get; init; }
}

/// <summary>A Template definition from an NBIRTH.</summary>
internal sealed record TemplateDefinition(string Name, string? Version, SparkplugTemplate Template);

/// <summary>The metrics of one BIRTH (node or device), by alias and by name.</summary>
internal class MetricBook
{
    public Dictionary<ulong, MetricDefinition> Aliases { get; } = [];

    public Dictionary<string, MetricDefinition> Names { get; } = new(StringComparer.Ordinal);

    public bool TryResolve(SparkplugMetric metric, out MetricDefinition definition)
    {
        if (metric.Name is { } name)
        {
            return Names.TryGetValue(name, out definition!);
        }

        if (metric.Alias is { } alias)
        {
            return Aliases.TryGetValue(alias, out definition!);
        }

        definition = null!;
        return false;
    }
}

/// <summary>A device as its DBIRTH described it.</summary>
internal sealed class DeviceState : MetricBook
{
    public DeviceState(string id, byte[] stateKey)
    {
        Id = id;
        StateKey = stateKey;
    }

    public string Id { get; }

    /// <summary><c>group/edgeNode/device</c> as UTF-8 (the state topic's and the device key).</summary>
    public byte[] StateKey { get; }
}

/// <summary>An edge node as its NBIRTH described it, with its devices.</summary>
internal sealed class NodeState : MetricBook
{
    public NodeState(string group, string edgeNode)
    {
        Group = group;
        EdgeNode = edgeNode;
        KeyText = group + "/" + edgeNode;
        StateKey = System.Text.Encoding.UTF8.GetBytes(KeyText);
    }

    public string Group { get; }

    public string EdgeNode { get; }

    public string KeyText { get; }

    /// <summary><c>group/edgeNode</c> as UTF-8.</summary>
    public byte[] StateKey { get; }

    /// <summary>True after an NBIRTH of the current session was seen.</summary>
    public bool Born { get; set; }

    public ulong? BdSeq { get; set; }

    /// <summary>The last seq seen, or -1.</summary>
    public int LastSeq { get; set; } = -1;

    public Dictionary<string, TemplateDefinition> Templates { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, DeviceState> Devices { get; } = new(StringComparer.Ordinal);

    /// <summary>When the last rebirth was requested (Environment.TickCount64), or long.MinValue.</summary>
    public long LastRebirthRequest { get; set; } = long.MinValue;

    /// <summary>When bad input from this node was last logged (Environment.TickCount64), or long.MinValue.</summary>
    public long LastProblemLogged { get; set; } = long.MinValue;

    public void Clear()
    {
        Aliases.Clear();
        Names.Clear();
        Templates.Clear();
        Devices.Clear();
        Born = false;
        BdSeq = null;
        LastSeq = -1;
    }
}
