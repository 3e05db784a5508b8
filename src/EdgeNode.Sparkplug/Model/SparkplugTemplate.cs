namespace EdgeNode.Sparkplug;

/// <summary>
/// A Template (<c>Payload.Template</c>, Sparkplug 3.0 §6.4.11-§6.4.13), the value of a metric of datatype Template.
/// A <em>definition</em> (NBIRTH only; <see cref="IsDefinition"/> true, no <see cref="TemplateRef"/>) lists every member
/// metric and every parameter with its default; an <em>instance</em> (<see cref="IsDefinition"/> false,
/// <see cref="TemplateRef"/> = the definition metric's name) carries all members in a BIRTH and changed members in DATA.
/// </summary>
public sealed class SparkplugTemplate
{
    /// <summary>Version of the definition, to detect mismatches (optional, UTF-8) [tck-id-payloads-template-version].</summary>
    public string? Version { get; set; }

    /// <summary>Member metrics (names relative to the template, e.g. <c>Rotor/Speed</c>).</summary>
    public List<SparkplugMetric> Metrics { get; } = [];

    /// <summary>Parameters: static, typed values (basic types) of the definition or instance.</summary>
    public List<SparkplugTemplateParameter> Parameters { get; } = [];

    /// <summary>For an instance, the name of the definition metric in the NBIRTH; null for a definition.</summary>
    public string? TemplateRef { get; set; }

    /// <summary>True for a definition. Always written, as the specification requires [tck-id-payloads-template-is-definition].</summary>
    public bool IsDefinition { get; set; }

    /// <summary>A definition (for the NBIRTH).</summary>
    public static SparkplugTemplate Definition(string? version = null) => new() { IsDefinition = true, Version = version };

    /// <summary>An instance of the definition named <paramref name="templateRef"/>.</summary>
    public static SparkplugTemplate Instance(string templateRef, string? version = null) =>
        new() { IsDefinition = false, TemplateRef = templateRef ?? throw new ArgumentNullException(nameof(templateRef)), Version = version };

    /// <inheritdoc />
    public override string ToString() => SparkplugValueFormatter.Format(this);
}

/// <summary>A Template parameter (<c>Payload.Template.Parameter</c>): a name and a basic-typed value (or null).</summary>
public sealed class SparkplugTemplateParameter
{
    /// <summary>An unnamed, null parameter (set the properties).</summary>
    public SparkplugTemplateParameter()
    {
    }

    /// <summary>A parameter named <paramref name="name"/> with <paramref name="value"/> (its type is the value's type).</summary>
    public SparkplugTemplateParameter(string name, SparkplugValue value)
    {
        Name = name;
        Value = value;
    }

    /// <summary>The parameter name [tck-id-payloads-template-parameter-name-required].</summary>
    public string? Name { get; set; }

    /// <summary>The value; its <see cref="SparkplugValue.DataType"/> is written as the parameter's <c>type</c>.</summary>
    public SparkplugValue Value { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"{Name}={Value}";
}
