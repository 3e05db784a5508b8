using System.Runtime.InteropServices;

namespace EdgeNode.Sparkplug;

public readonly partial struct SparkplugValue
{
    /// <summary>An Int8 value.</summary>
    public static SparkplugValue FromInt8(sbyte value) => new(SparkplugDataType.Int8, (ulong)(long)value, null);

    /// <summary>An Int16 value.</summary>
    public static SparkplugValue FromInt16(short value) => new(SparkplugDataType.Int16, (ulong)(long)value, null);

    /// <summary>An Int32 value.</summary>
    public static SparkplugValue FromInt32(int value) => new(SparkplugDataType.Int32, (ulong)(long)value, null);

    /// <summary>An Int64 value.</summary>
    public static SparkplugValue FromInt64(long value) => new(SparkplugDataType.Int64, (ulong)value, null);

    /// <summary>A UInt8 value.</summary>
    public static SparkplugValue FromUInt8(byte value) => new(SparkplugDataType.UInt8, value, null);

    /// <summary>A UInt16 value.</summary>
    public static SparkplugValue FromUInt16(ushort value) => new(SparkplugDataType.UInt16, value, null);

    /// <summary>A UInt32 value.</summary>
    public static SparkplugValue FromUInt32(uint value) => new(SparkplugDataType.UInt32, value, null);

    /// <summary>A UInt64 value.</summary>
    public static SparkplugValue FromUInt64(ulong value) => new(SparkplugDataType.UInt64, value, null);

    /// <summary>A Float value (NaN and infinities allowed).</summary>
    public static SparkplugValue FromFloat(float value) => new(SparkplugDataType.Float, BitConverter.SingleToUInt32Bits(value), null);

    /// <summary>A Double value (NaN and infinities allowed).</summary>
    public static SparkplugValue FromDouble(double value) => new(SparkplugDataType.Double, BitConverter.DoubleToUInt64Bits(value), null);

    /// <summary>A Boolean value.</summary>
    public static SparkplugValue FromBoolean(bool value) => new(SparkplugDataType.Boolean, value ? 1UL : 0UL, null);

    /// <summary>A String value.</summary>
    public static SparkplugValue FromString(string value) =>
        new(SparkplugDataType.String, 0, value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>A Text value.</summary>
    public static SparkplugValue FromText(string value) =>
        new(SparkplugDataType.Text, 0, value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>A UUID value carried as the given string.</summary>
    public static SparkplugValue FromUuid(string value) =>
        new(SparkplugDataType.Uuid, 0, value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>A UUID value (lower-case "D" form, e.g. <c>4b0c2d8e-…</c>).</summary>
    public static SparkplugValue FromUuid(Guid value) =>
        new(SparkplugDataType.Uuid, 0, value.ToString("D", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A DateTime value (milliseconds since the Unix epoch, UTC; sub-millisecond digits are dropped).</summary>
    public static SparkplugValue FromDateTime(DateTimeOffset value) => FromDateTimeMilliseconds(value.ToUnixTimeMilliseconds());

    /// <summary>A DateTime value given as milliseconds since the Unix epoch (UTC).</summary>
    public static SparkplugValue FromDateTimeMilliseconds(long unixMilliseconds) =>
        new(SparkplugDataType.DateTime, (ulong)unixMilliseconds, null);

    /// <summary>A Bytes value over <paramref name="value"/> (kept, not copied).</summary>
    public static SparkplugValue FromBytes(byte[] value) => FromByteBuffer(SparkplugDataType.Bytes, value);

    /// <summary>A Bytes value over <paramref name="value"/> (kept when array-backed, else copied).</summary>
    public static SparkplugValue FromBytes(ReadOnlyMemory<byte> value) => FromByteBuffer(SparkplugDataType.Bytes, value);

    /// <summary>A File value (its name and type belong in the metric's <see cref="SparkplugMetaData"/>).</summary>
    public static SparkplugValue FromFile(byte[] value) => FromByteBuffer(SparkplugDataType.File, value);

    /// <summary>A File value (kept when array-backed, else copied).</summary>
    public static SparkplugValue FromFile(ReadOnlyMemory<byte> value) => FromByteBuffer(SparkplugDataType.File, value);

    /// <summary>A DataSet value.</summary>
    public static SparkplugValue FromDataSet(SparkplugDataSet value) =>
        new(SparkplugDataType.DataSet, 0, value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>A Template value (definition or instance).</summary>
    public static SparkplugValue FromTemplate(SparkplugTemplate value) =>
        new(SparkplugDataType.Template, 0, value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>A PropertySet value (property values only).</summary>
    public static SparkplugValue FromPropertySet(SparkplugPropertySet value) =>
        new(SparkplugDataType.PropertySet, 0, value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>A PropertySetList value (property values only).</summary>
    public static SparkplugValue FromPropertySetList(SparkplugPropertySetList value) =>
        new(SparkplugDataType.PropertySetList, 0, value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>An Int8Array value (the array is kept).</summary>
    public static SparkplugValue FromInt8Array(sbyte[] values) => Array(SparkplugDataType.Int8Array, values);

    /// <summary>An Int16Array value (the array is kept).</summary>
    public static SparkplugValue FromInt16Array(short[] values) => Array(SparkplugDataType.Int16Array, values);

    /// <summary>An Int32Array value (the array is kept).</summary>
    public static SparkplugValue FromInt32Array(int[] values) => Array(SparkplugDataType.Int32Array, values);

    /// <summary>An Int64Array value (the array is kept).</summary>
    public static SparkplugValue FromInt64Array(long[] values) => Array(SparkplugDataType.Int64Array, values);

    /// <summary>A UInt8Array value (the array is kept).</summary>
    public static SparkplugValue FromUInt8Array(byte[] values) => Array(SparkplugDataType.UInt8Array, values);

    /// <summary>A UInt16Array value (the array is kept).</summary>
    public static SparkplugValue FromUInt16Array(ushort[] values) => Array(SparkplugDataType.UInt16Array, values);

    /// <summary>A UInt32Array value (the array is kept).</summary>
    public static SparkplugValue FromUInt32Array(uint[] values) => Array(SparkplugDataType.UInt32Array, values);

    /// <summary>A UInt64Array value (the array is kept).</summary>
    public static SparkplugValue FromUInt64Array(ulong[] values) => Array(SparkplugDataType.UInt64Array, values);

    /// <summary>A FloatArray value (the array is kept).</summary>
    public static SparkplugValue FromFloatArray(float[] values) => Array(SparkplugDataType.FloatArray, values);

    /// <summary>A DoubleArray value (the array is kept).</summary>
    public static SparkplugValue FromDoubleArray(double[] values) => Array(SparkplugDataType.DoubleArray, values);

    /// <summary>A BooleanArray value (the array is kept).</summary>
    public static SparkplugValue FromBooleanArray(bool[] values) => Array(SparkplugDataType.BooleanArray, values);

    /// <summary>A StringArray value (the array is kept). Elements must be non-null and free of NUL characters,
    /// because the wire form terminates each string with a NUL byte.</summary>
    public static SparkplugValue FromStringArray(string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is null)
            {
                throw new ArgumentException($"StringArray element {i} is null.", nameof(values));
            }

            if (values[i].Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException($"StringArray element {i} contains a NUL character, which terminates strings on the wire.", nameof(values));
            }
        }

        return Array(SparkplugDataType.StringArray, values);
    }

    /// <summary>A DateTimeArray value from milliseconds since the Unix epoch (the array is kept).</summary>
    public static SparkplugValue FromDateTimeArray(long[] unixMilliseconds) => Array(SparkplugDataType.DateTimeArray, unixMilliseconds);

    /// <summary>A DateTimeArray value (converted to milliseconds since the Unix epoch).</summary>
    public static SparkplugValue FromDateTimeArray(ReadOnlySpan<DateTimeOffset> values)
    {
        var ms = new long[values.Length];
        for (var i = 0; i < ms.Length; i++)
        {
            ms[i] = values[i].ToUnixTimeMilliseconds();
        }

        return Array(SparkplugDataType.DateTimeArray, ms);
    }

    /// <summary>
    /// An integer, DateTime or Boolean value of <paramref name="type"/> from raw two's complement bits, truncated to the
    /// type's width and sign- or zero-extended as the type says (how a decoder casts <c>int_value</c>/<c>long_value</c>).
    /// </summary>
    /// <summary>
    /// An integer decoded from a wire value the type cannot hold: the value is the cast decoders make (Tahu's), and
    /// <see cref="WireOverflow"/> keeps what was on the wire so that writers can refuse it.
    /// </summary>
    internal static SparkplugValue FromRawInteger(SparkplugDataType type, ulong raw, string overflow)
    {
        var cast = FromRawInteger(type, raw);
        return new SparkplugValue(type, cast._bits, overflow);
    }

    internal static SparkplugValue FromRawInteger(SparkplugDataType type, ulong raw) => type switch
    {
        SparkplugDataType.Int8 => FromInt8((sbyte)raw),
        SparkplugDataType.Int16 => FromInt16((short)raw),
        SparkplugDataType.Int32 => FromInt32((int)raw),
        SparkplugDataType.Int64 => FromInt64((long)raw),
        SparkplugDataType.UInt8 => FromUInt8((byte)raw),
        SparkplugDataType.UInt16 => FromUInt16((ushort)raw),
        SparkplugDataType.UInt32 => FromUInt32((uint)raw),
        SparkplugDataType.UInt64 => FromUInt64(raw),
        SparkplugDataType.DateTime => FromDateTimeMilliseconds((long)raw),
        SparkplugDataType.Boolean => FromBoolean(raw != 0),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not an integer type"),
    };

    internal static SparkplugValue FromFloatBits(uint bits) => new(SparkplugDataType.Float, bits, null);

    internal static SparkplugValue FromDoubleBits(ulong bits) => new(SparkplugDataType.Double, bits, null);

    internal static SparkplugValue FromTextOfType(SparkplugDataType type, string value) => new(type, 0, value);

    internal static SparkplugValue FromByteBuffer(SparkplugDataType type, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(type, (uint)value.Length, value);
    }

    internal static SparkplugValue FromByteBuffer(SparkplugDataType type, ReadOnlyMemory<byte> value)
    {
        if (!MemoryMarshal.TryGetArray(value, out var segment) || segment.Array is null)
        {
            return FromByteBuffer(type, value.ToArray());
        }

        return new(type, ((ulong)(uint)segment.Offset << 32) | (uint)segment.Count, segment.Array);
    }

    internal static SparkplugValue Array<T>(SparkplugDataType type, T[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new(type, 0, values);
    }
}
