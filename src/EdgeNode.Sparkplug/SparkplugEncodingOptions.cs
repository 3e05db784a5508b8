namespace EdgeNode.Sparkplug;

/// <summary>Which value field carries UInt32 values. Decoding always accepts both.</summary>
public enum SparkplugUInt32Encoding
{
    /// <summary>
    /// <c>int_value</c> (uint32), as Sparkplug 3.0 §6.4.16 specifies and the 3.x TCK checks
    /// (<c>Utils.hasValidDatatype</c>). The default.
    /// </summary>
    IntValue = 0,

    /// <summary>
    /// <c>long_value</c> (uint64), as Eclipse Tahu (Java, C, JS) and Ignition encode it; the TCK 3.0.0's
    /// <c>Utils.hasValue</c> expects this form. Choose it when the host application only reads <c>long_value</c>.
    /// </summary>
    LongValue = 1,
}

/// <summary>Choices the encoder makes where real hosts disagree. Immutable; share one instance.</summary>
public sealed record SparkplugEncodingOptions
{
    /// <summary>Specification-conformant defaults (UInt32 in <c>int_value</c>).</summary>
    public static SparkplugEncodingOptions Default { get; } = new();

    /// <summary>The encoding Eclipse Tahu and Ignition produce (UInt32 in <c>long_value</c>).</summary>
    public static SparkplugEncodingOptions TahuCompatible { get; } = new() { UInt32Encoding = SparkplugUInt32Encoding.LongValue };

    /// <summary>Where UInt32 values go: metrics, property values, DataSet cells and Template parameters alike.</summary>
    public SparkplugUInt32Encoding UInt32Encoding { get; init; } = SparkplugUInt32Encoding.IntValue;

    internal bool UInt32InLongValue => UInt32Encoding == SparkplugUInt32Encoding.LongValue;
}
