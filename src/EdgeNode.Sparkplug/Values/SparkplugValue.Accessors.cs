namespace EdgeNode.Sparkplug;

public readonly partial struct SparkplugValue
{
    /// <summary>The Int8 value. Throws <see cref="InvalidOperationException"/> for another type or null.</summary>
    public sbyte AsInt8() => (sbyte)Scalar(SparkplugDataType.Int8);

    /// <summary>The Int16 value.</summary>
    public short AsInt16() => (short)Scalar(SparkplugDataType.Int16);

    /// <summary>The Int32 value.</summary>
    public int AsInt32() => (int)Scalar(SparkplugDataType.Int32);

    /// <summary>The Int64 value.</summary>
    public long AsInt64() => (long)Scalar(SparkplugDataType.Int64);

    /// <summary>The UInt8 value.</summary>
    public byte AsUInt8() => (byte)Scalar(SparkplugDataType.UInt8);

    /// <summary>The UInt16 value.</summary>
    public ushort AsUInt16() => (ushort)Scalar(SparkplugDataType.UInt16);

    /// <summary>The UInt32 value.</summary>
    public uint AsUInt32() => (uint)Scalar(SparkplugDataType.UInt32);

    /// <summary>The UInt64 value.</summary>
    public ulong AsUInt64() => Scalar(SparkplugDataType.UInt64);

    /// <summary>The Float value.</summary>
    public float AsFloat() => BitConverter.UInt32BitsToSingle((uint)Scalar(SparkplugDataType.Float));

    /// <summary>The Double value.</summary>
    public double AsDouble() => BitConverter.UInt64BitsToDouble(Scalar(SparkplugDataType.Double));

    /// <summary>The Boolean value.</summary>
    public bool AsBoolean() => Scalar(SparkplugDataType.Boolean) != 0;

    /// <summary>The DateTime value as milliseconds since the Unix epoch.</summary>
    public long AsDateTimeMilliseconds() => (long)Scalar(SparkplugDataType.DateTime);

    /// <summary>The DateTime value (UTC). Throws <see cref="ArgumentOutOfRangeException"/> beyond year 9999.</summary>
    public DateTimeOffset AsDateTime() => DateTimeOffset.FromUnixTimeMilliseconds(AsDateTimeMilliseconds());

    /// <summary>The string of a String, Text or UUID value.</summary>
    public string AsString()
    {
        if (!SparkplugDataTypes.IsText(_type) || !_hasValue)
        {
            throw Mismatch("String, Text or UUID");
        }

        return (string)_ref!;
    }

    /// <summary>The bytes of a Bytes or File value.</summary>
    public ReadOnlyMemory<byte> AsBytes()
    {
        if (_type is not (SparkplugDataType.Bytes or SparkplugDataType.File) || !_hasValue)
        {
            throw Mismatch("Bytes or File");
        }

        return new ReadOnlyMemory<byte>((byte[])_ref!, (int)(_bits >> 32), (int)(uint)_bits);
    }

    /// <summary>The DataSet.</summary>
    public SparkplugDataSet AsDataSet() => Reference<SparkplugDataSet>(SparkplugDataType.DataSet);

    /// <summary>The Template.</summary>
    public SparkplugTemplate AsTemplate() => Reference<SparkplugTemplate>(SparkplugDataType.Template);

    /// <summary>The PropertySet.</summary>
    public SparkplugPropertySet AsPropertySet() => Reference<SparkplugPropertySet>(SparkplugDataType.PropertySet);

    /// <summary>The PropertySetList.</summary>
    public SparkplugPropertySetList AsPropertySetList() => Reference<SparkplugPropertySetList>(SparkplugDataType.PropertySetList);

    /// <summary>
    /// The elements of an array value: <see cref="sbyte"/> for Int8Array, <see cref="short"/>, <see cref="int"/>,
    /// <see cref="long"/>, <see cref="byte"/> (UInt8Array), <see cref="ushort"/>, <see cref="uint"/>, <see cref="ulong"/>,
    /// <see cref="float"/>, <see cref="double"/>, <see cref="bool"/> (BooleanArray) and <see cref="long"/> milliseconds
    /// since the epoch for DateTimeArray.
    /// </summary>
    public ReadOnlySpan<T> AsArray<T>()
        where T : unmanaged
    {
        if (!SparkplugDataTypes.IsArray(_type) || _type == SparkplugDataType.StringArray || !_hasValue || _ref is not T[] array)
        {
            throw Mismatch($"an array of {typeof(T).Name}");
        }

        return array;
    }

    /// <summary>The elements of a StringArray value.</summary>
    public ReadOnlySpan<string> AsStringArray()
    {
        if (_type != SparkplugDataType.StringArray || !_hasValue)
        {
            throw Mismatch("StringArray");
        }

        return (string[])_ref!;
    }

    /// <summary>Number of elements of an array value, 0 otherwise.</summary>
    public int ArrayLength => _hasValue && SparkplugDataTypes.IsArray(_type) && _ref is Array a ? a.Length : 0;

    /// <summary>
    /// The value of any integer type (Int8 … UInt64) or DateTime as a signed 64-bit integer; false for other types,
    /// null, and UInt64 values above <see cref="long.MaxValue"/>.
    /// </summary>
    public bool TryGetInt64(out long value)
    {
        value = 0;
        if (!_hasValue || !(SparkplugDataTypes.IsInteger(_type) || _type == SparkplugDataType.DateTime))
        {
            return false;
        }

        if (_type == SparkplugDataType.UInt64 && _bits > long.MaxValue)
        {
            return false;
        }

        value = (long)_bits;
        return true;
    }

    /// <summary>The value of any integer type as an unsigned 64-bit integer; false for negative values, other types, null.</summary>
    public bool TryGetUInt64(out ulong value)
    {
        value = 0;
        if (!_hasValue || !SparkplugDataTypes.IsInteger(_type))
        {
            return false;
        }

        if (SparkplugDataTypes.IsSignedInteger(_type) && (long)_bits < 0)
        {
            return false;
        }

        value = _bits;
        return true;
    }

    /// <summary>The value of any numeric type (integers, Float, Double) as a double; false for other types and null.</summary>
    public bool TryGetDouble(out double value)
    {
        value = 0;
        if (!_hasValue)
        {
            return false;
        }

        switch (_type)
        {
            case SparkplugDataType.Float:
                value = BitConverter.UInt32BitsToSingle((uint)_bits);
                return true;
            case SparkplugDataType.Double:
                value = BitConverter.UInt64BitsToDouble(_bits);
                return true;
            case SparkplugDataType.UInt64:
                value = _bits;
                return true;
            case var t when SparkplugDataTypes.IsInteger(t):
                value = (long)_bits;
                return true;
            default:
                return false;
        }
    }

    /// <summary>The UUID of a UUID value when its string parses as one.</summary>
    public bool TryGetGuid(out Guid value)
    {
        value = default;
        return _type == SparkplugDataType.Uuid && _hasValue && Guid.TryParse((string)_ref!, out value);
    }

    private ulong Scalar(SparkplugDataType expected)
    {
        if (_type != expected || !_hasValue)
        {
            throw Mismatch(SparkplugDataTypes.GetName(expected));
        }

        return _bits;
    }

    private T Reference<T>(SparkplugDataType expected)
        where T : class
    {
        if (_type != expected || !_hasValue)
        {
            throw Mismatch(SparkplugDataTypes.GetName(expected));
        }

        return (T)_ref!;
    }

    private InvalidOperationException Mismatch(string wanted) =>
        new($"The value is {(_hasValue ? "" : "a null ")}{SparkplugDataTypes.GetName(_type)}, not {wanted}.");
}
