namespace EdgeNode.Configuration;

/// <summary>A device type (digital model), published as a Sparkplug Template definition.</summary>
public sealed record DeviceTypeConfig
{
    /// <summary>The type's name: the Template definition's metric name and every instance's template_ref.</summary>
    public required string Name { get; init; }

    /// <summary>The type's version (Template version), if given.</summary>
    public string? Version { get; init; }

    /// <summary>Free text.</summary>
    public string? Description { get; init; }

    /// <summary>Static parameters with their defaults.</summary>
    public IReadOnlyList<ParameterConfig> Parameters { get; init; } = [];

    /// <summary>Members, as declared (no address offset applied).</summary>
    public required IReadOnlyList<MetricConfig> Metrics { get; init; }

    /// <summary>File the type was declared in (the main file or an included one).</summary>
    public string? SourcePath { get; init; }
}

/// <summary>A Template parameter: a typed static value (a default on the type, the actual value on a device).</summary>
public sealed record ParameterConfig
{
    /// <summary>Parameter name.</summary>
    public required string Name { get; init; }

    /// <summary>Its type (one of the metric types).</summary>
    public required MetricDataType Type { get; init; }

    /// <summary>The value: <see cref="bool"/>, <see cref="long"/>, <see cref="ulong"/>, <see cref="double"/> or <see cref="string"/>.</summary>
    public required object Value { get; init; }
}
