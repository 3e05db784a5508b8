using System.Globalization;

namespace EdgeNode.Modbus;

/// <summary>What a <see cref="ModbusValue"/> holds.</summary>
public enum ModbusValueKind : byte
{
    /// <summary>No value (a failed read).</summary>
    None,

    /// <summary>A boolean.</summary>
    Bool,

    /// <summary>A signed integer (int16, int32, int64).</summary>
    Int64,

    /// <summary>An unsigned integer (uint16, uint32, uint64).</summary>
    UInt64,

    /// <summary>A floating-point number (float32 widened exactly, float64, and every scaled value).</summary>
    Double,

    /// <summary>A string.</summary>
    String,
}

/// <summary>
/// A decoded point value without boxing: bool, long, ulong, double or string. Equality compares kind and exact bits
/// (NaN equals NaN), which is what change detection needs.
/// </summary>
public readonly struct ModbusValue : IEquatable<ModbusValue>
{
    private readonly long _bits;
    private readonly string? _string;

    private ModbusValue(ModbusValueKind kind, long bits, string? text)
    {
        Kind = kind;
        _bits = bits;
        _string = text;
    }

    /// <summary>What the value holds.</summary>
    public ModbusValueKind Kind { get; }

    /// <summary>True when the value holds something.</summary>
    public bool HasValue => Kind != ModbusValueKind.None;

    /// <summary>The boolean (throws for another kind).</summary>
    public bool AsBool => Kind == ModbusValueKind.Bool ? _bits != 0 : throw WrongKind(ModbusValueKind.Bool);

    /// <summary>The signed integer (throws for another kind).</summary>
    public long AsInt64 => Kind == ModbusValueKind.Int64 ? _bits : throw WrongKind(ModbusValueKind.Int64);

    /// <summary>The unsigned integer (throws for another kind).</summary>
    public ulong AsUInt64 => Kind == ModbusValueKind.UInt64 ? (ulong)_bits : throw WrongKind(ModbusValueKind.UInt64);

    /// <summary>The double (throws for another kind).</summary>
    public double AsDouble => Kind == ModbusValueKind.Double ? BitConverter.Int64BitsToDouble(_bits) : throw WrongKind(ModbusValueKind.Double);

    /// <summary>The string (throws for another kind).</summary>
    public string AsString => Kind == ModbusValueKind.String ? _string! : throw WrongKind(ModbusValueKind.String);

    /// <summary>A boolean value.</summary>
    public static ModbusValue FromBool(bool value) => new(ModbusValueKind.Bool, value ? 1 : 0, null);

    /// <summary>A signed integer value.</summary>
    public static ModbusValue FromInt64(long value) => new(ModbusValueKind.Int64, value, null);

    /// <summary>An unsigned integer value.</summary>
    public static ModbusValue FromUInt64(ulong value) => new(ModbusValueKind.UInt64, (long)value, null);

    /// <summary>A floating-point value.</summary>
    public static ModbusValue FromDouble(double value) => new(ModbusValueKind.Double, BitConverter.DoubleToInt64Bits(value), null);

    /// <summary>A string value.</summary>
    public static ModbusValue FromString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new ModbusValue(ModbusValueKind.String, 0, value);
    }

    /// <summary>Converts a bool.</summary>
    public static implicit operator ModbusValue(bool value) => FromBool(value);

    /// <summary>Converts a long.</summary>
    public static implicit operator ModbusValue(long value) => FromInt64(value);

    /// <summary>Converts a ulong.</summary>
    public static implicit operator ModbusValue(ulong value) => FromUInt64(value);

    /// <summary>Converts a double.</summary>
    public static implicit operator ModbusValue(double value) => FromDouble(value);

    /// <summary>Converts a string.</summary>
    public static implicit operator ModbusValue(string value) => FromString(value);

    /// <summary>A numeric value as double (bool → 0/1); NaN for strings and none.</summary>
    public double ToDouble() => Kind switch
    {
        ModbusValueKind.Bool => _bits,
        ModbusValueKind.Int64 => _bits,
        ModbusValueKind.UInt64 => (ulong)_bits,
        ModbusValueKind.Double => BitConverter.Int64BitsToDouble(_bits),
        _ => double.NaN,
    };

    /// <inheritdoc />
    public bool Equals(ModbusValue other) =>
        Kind == other.Kind && _bits == other._bits && string.Equals(_string, other._string, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ModbusValue other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, _bits, _string);

    /// <summary>Equality.</summary>
    public static bool operator ==(ModbusValue left, ModbusValue right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(ModbusValue left, ModbusValue right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        ModbusValueKind.Bool => _bits != 0 ? "true" : "false",
        ModbusValueKind.Int64 => _bits.ToString(CultureInfo.InvariantCulture),
        ModbusValueKind.UInt64 => ((ulong)_bits).ToString(CultureInfo.InvariantCulture),
        ModbusValueKind.Double => BitConverter.Int64BitsToDouble(_bits).ToString("R", CultureInfo.InvariantCulture),
        ModbusValueKind.String => _string!,
        _ => "(none)",
    };

    private InvalidOperationException WrongKind(ModbusValueKind wanted) => new($"the value is {Kind}, not {wanted}");
}
