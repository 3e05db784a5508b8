using System.Globalization;
using System.Text;

namespace EdgeNode.Storage;

/// <summary>Which field of a <see cref="StoredValue"/> holds the value.</summary>
public enum StoredValueKind
{
    /// <summary>No value (Sparkplug <c>is_null</c>).</summary>
    Null = 0,

    /// <summary>A boolean (Sparkplug Boolean).</summary>
    Boolean = 1,

    /// <summary>A signed 64-bit integer (Sparkplug Int8…Int64, UInt8…UInt32, DateTime).</summary>
    Int64 = 2,

    /// <summary>An unsigned 64-bit integer (Sparkplug UInt64).</summary>
    UInt64 = 3,

    /// <summary>A 32-bit IEEE float (Sparkplug Float).</summary>
    Float = 4,

    /// <summary>A 64-bit IEEE double (Sparkplug Double).</summary>
    Double = 5,

    /// <summary>A string (Sparkplug String, Text, UUID).</summary>
    String = 6,

    /// <summary>Raw bytes (Sparkplug Bytes, File, or any pre-encoded value).</summary>
    Bytes = 7,
}

/// <summary>
/// The value of one stored metric change. Which Sparkplug datatype it is published as comes from the
/// <see cref="StoreMetric"/>; the kind only says how the bits are kept. Floating-point values round-trip bit-exactly
/// (NaN payloads and -0.0 included).
/// </summary>
public readonly struct StoredValue : IEquatable<StoredValue>
{
    private readonly long _bits;
    private readonly object? _reference;

    private StoredValue(StoredValueKind kind, long bits, object? reference)
    {
        Kind = kind;
        _bits = bits;
        _reference = reference;
    }

    /// <summary>How the value is held.</summary>
    public StoredValueKind Kind { get; }

    /// <summary>True for the Sparkplug <c>is_null</c> value.</summary>
    public bool IsNull => Kind == StoredValueKind.Null;

    /// <summary>The null value.</summary>
    public static StoredValue Null => default;

    /// <summary>A boolean value.</summary>
    public static StoredValue FromBoolean(bool value) => new(StoredValueKind.Boolean, value ? 1 : 0, null);

    /// <summary>A signed integer value (any Sparkplug integer type up to Int64 and UInt32, DateTime).</summary>
    public static StoredValue FromInt64(long value) => new(StoredValueKind.Int64, value, null);

    /// <summary>An unsigned 64-bit value.</summary>
    public static StoredValue FromUInt64(ulong value) => new(StoredValueKind.UInt64, unchecked((long)value), null);

    /// <summary>A 32-bit float value.</summary>
    public static StoredValue FromFloat(float value) => new(StoredValueKind.Float, BitConverter.SingleToInt32Bits(value), null);

    /// <summary>A 64-bit double value.</summary>
    public static StoredValue FromDouble(double value) => new(StoredValueKind.Double, BitConverter.DoubleToInt64Bits(value), null);

    /// <summary>A string value; stored as UTF-8 (unpaired surrogates become U+FFFD).</summary>
    public static StoredValue FromString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(StoredValueKind.String, 0, value);
    }

    /// <summary>A byte value. The array is not copied: do not change it until <c>Append</c> returned.</summary>
    public static StoredValue FromBytes(byte[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(StoredValueKind.Bytes, 0, value);
    }

    /// <summary>The boolean; throws unless <see cref="Kind"/> is Boolean.</summary>
    public bool AsBoolean() => Expect(StoredValueKind.Boolean)._bits != 0;

    /// <summary>The signed integer; throws unless <see cref="Kind"/> is Int64.</summary>
    public long AsInt64() => Expect(StoredValueKind.Int64)._bits;

    /// <summary>The unsigned integer; throws unless <see cref="Kind"/> is UInt64.</summary>
    public ulong AsUInt64() => unchecked((ulong)Expect(StoredValueKind.UInt64)._bits);

    /// <summary>The float; throws unless <see cref="Kind"/> is Float.</summary>
    public float AsFloat() => BitConverter.Int32BitsToSingle((int)Expect(StoredValueKind.Float)._bits);

    /// <summary>The double; throws unless <see cref="Kind"/> is Double.</summary>
    public double AsDouble() => BitConverter.Int64BitsToDouble(Expect(StoredValueKind.Double)._bits);

    /// <summary>The string; throws unless <see cref="Kind"/> is String.</summary>
    public string AsString() => (string)Expect(StoredValueKind.String)._reference!;

    /// <summary>The bytes; throws unless <see cref="Kind"/> is Bytes.</summary>
    public byte[] AsBytes() => (byte[])Expect(StoredValueKind.Bytes)._reference!;

    internal long RawBits => _bits;

    internal object? RawReference => _reference;

    private StoredValue Expect(StoredValueKind kind) =>
        Kind == kind ? this : throw new InvalidOperationException($"the value is {Kind}, not {kind}");

    /// <inheritdoc />
    public bool Equals(StoredValue other) =>
        Kind == other.Kind && _bits == other._bits && Kind switch
        {
            StoredValueKind.String => string.Equals((string?)_reference, (string?)other._reference, StringComparison.Ordinal),
            StoredValueKind.Bytes => ((byte[])_reference!).AsSpan().SequenceEqual((byte[])other._reference!),
            _ => true,
        };

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is StoredValue other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Kind switch
    {
        StoredValueKind.String => HashCode.Combine(Kind, StringComparer.Ordinal.GetHashCode((string)_reference!)),
        StoredValueKind.Bytes => HashCode.Combine(Kind, ((byte[])_reference!).Length),
        _ => HashCode.Combine(Kind, _bits),
    };

    /// <summary>Equality by kind and exact bits.</summary>
    public static bool operator ==(StoredValue left, StoredValue right) => left.Equals(right);

    /// <summary>Inequality by kind and exact bits.</summary>
    public static bool operator !=(StoredValue left, StoredValue right) => !left.Equals(right);

    /// <summary>The value for logs and the inspection tool (invariant culture; bytes as hex, cut after 32).</summary>
    public override string ToString() => Kind switch
    {
        StoredValueKind.Null => "null",
        StoredValueKind.Boolean => AsBoolean() ? "true" : "false",
        StoredValueKind.Int64 => AsInt64().ToString(CultureInfo.InvariantCulture),
        StoredValueKind.UInt64 => AsUInt64().ToString(CultureInfo.InvariantCulture),
        StoredValueKind.Float => AsFloat().ToString("R", CultureInfo.InvariantCulture),
        StoredValueKind.Double => AsDouble().ToString("R", CultureInfo.InvariantCulture),
        StoredValueKind.String => Quote(AsString()),
        StoredValueKind.Bytes => Hex(AsBytes()),
        _ => Kind.ToString(),
    };

    private static string Quote(string value)
    {
        var text = value.Length > 64 ? value[..64] + "…" : value;
        return "\"" + text.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }

    private static string Hex(byte[] value)
    {
        var sb = new StringBuilder("0x");
        sb.Append(Convert.ToHexString(value, 0, Math.Min(value.Length, 32)));
        if (value.Length > 32)
        {
            sb.Append(CultureInfo.InvariantCulture, $"… ({value.Length} bytes)");
        }

        return sb.ToString();
    }
}
