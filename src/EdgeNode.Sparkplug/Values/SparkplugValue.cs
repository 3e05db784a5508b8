using System.Runtime.InteropServices;

namespace EdgeNode.Sparkplug;

/// <summary>
/// A Sparkplug value: its <see cref="DataType"/> and either the value or null (<c>is_null</c>). A small immutable
/// struct (24 bytes) that holds numbers inline and strings, byte buffers, arrays, DataSets, Templates and property
/// sets by reference, so building a metric value allocates nothing for scalar types. Equality is by type and value
/// (structural for DataSets, Templates and property sets; NaN equals NaN), which is what report-by-exception needs.
/// </summary>
/// <remarks>
/// <c>default(SparkplugValue)</c> is a null value of type <see cref="SparkplugDataType.Unknown"/>. Arrays passed to
/// the factories are kept, not copied: do not modify them afterwards.
/// </remarks>
[StructLayout(LayoutKind.Auto)]
public readonly partial struct SparkplugValue : IEquatable<SparkplugValue>
{
    // Integers: sign-extended (signed types) or zero-extended (unsigned) two's complement; DateTime: signed ms.
    // Float/Double: IEEE bits. Boolean: 0/1. Bytes/File: (offset << 32) | length into the byte[] in _ref.
    private readonly ulong _bits;
    private readonly object? _ref;
    private readonly SparkplugDataType _type;
    private readonly bool _hasValue;

    private SparkplugValue(SparkplugDataType type, ulong bits, object? reference)
    {
        _type = type;
        _bits = bits;
        _ref = reference;
        _hasValue = true;
    }

    private SparkplugValue(SparkplugDataType type)
    {
        _type = type;
    }

    /// <summary>The datatype of this value (also of a null value).</summary>
    public SparkplugDataType DataType => _type;

    /// <summary>True when there is no value (<c>is_null</c> on the wire).</summary>
    public bool IsNull => !_hasValue;

    /// <summary>The raw 64 bits (integers two's complement, floating point as IEEE bits).</summary>
    internal ulong Bits => _bits;

    internal object? Ref => _ref;

    /// <summary>
    /// For an integer (or DateTime) decoded from a wire value that does not fit its declared type — UInt16 from
    /// <c>int_value</c> 0x1FFFF, Int16 from 0x18000, UInt16 from <c>long_value</c> 2^63 — the wire value as text
    /// (<c>int_value 131071 (0x1FFFF)</c>); the value itself is the truncating cast every decoder makes. Null for
    /// values that were exact. Anything that acts on a value (a DCMD write) must refuse one that has it.
    /// </summary>
    public string? WireOverflow => _hasValue && (SparkplugDataTypes.IsInteger(_type) || _type == SparkplugDataType.DateTime) ? _ref as string : null;

    /// <summary>A null value of <paramref name="type"/> (encoded as <c>is_null = true</c> with no value field).</summary>
    public static SparkplugValue Null(SparkplugDataType type) => new(type);

    /// <inheritdoc />
    public bool Equals(SparkplugValue other) => SparkplugEquality.ValuesEqual(this, other);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SparkplugValue other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => SparkplugEquality.ValueHash(this);

    /// <summary>Same type and value (or both null).</summary>
    public static bool operator ==(SparkplugValue left, SparkplugValue right) => left.Equals(right);

    /// <summary>Different type or value.</summary>
    public static bool operator !=(SparkplugValue left, SparkplugValue right) => !left.Equals(right);

    /// <summary>A log-friendly form: <c>Int32(42)</c>, <c>String("pump 1")</c>, <c>Float(null)</c>.</summary>
    public override string ToString() => SparkplugValueFormatter.Format(this);

    /// <summary>The value alone, invariant culture (<c>42</c>, <c>pump 1</c>, <c>null</c>).</summary>
    public string FormatValue() => SparkplugValueFormatter.FormatValue(this, quoteStrings: false);

    /// <summary>
    /// The value alone as a reader should see it: as <see cref="FormatValue()"/>, but text in quotes with quotes,
    /// backslashes and control characters (C0, DEL, C1) escaped, so a hostile string stays inert on a terminal.
    /// </summary>
    public string FormatValueQuoted() => SparkplugValueFormatter.FormatValue(this, quoteStrings: true);
}
