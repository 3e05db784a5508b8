namespace EdgeNode.Sparkplug;

public readonly partial struct SparkplugValue
{
    /// <summary>
    /// Reads this value's wire form as <paramref name="declared"/>: what a decoder would have produced had the metric
    /// carried that datatype. For DATA and CMD metrics sent by alias without a datatype (they decode with the natural
    /// type of their value field: <c>int_value</c> → UInt32, <c>long_value</c> → UInt64, <c>bytes_value</c> → Bytes…),
    /// pass the datatype from the BIRTH: UInt32 0xFFFFFFFF read as Int32 is -1, Bytes read as Int16Array are parsed.
    /// </summary>
    /// <returns>False with <paramref name="error"/> when the wire field cannot carry <paramref name="declared"/>.</returns>
    public bool TryReinterpret(SparkplugDataType declared, out SparkplugValue value, out string? error)
    {
        if (declared == _type)
        {
            value = this;
            error = null;
            return true;
        }

        if (!_hasValue)
        {
            value = Null(declared);
            error = null;
            return true;
        }

        var field = SparkplugDataTypes.GetValueField(_type, SparkplugValueContainer.PropertyValue) switch
        {
            SparkplugValueField.None => SparkplugDataTypes.GetValueField(_type),
            var f => f,
        };

        byte[]? bytes = null;
        if (field == SparkplugValueField.BytesValue)
        {
            bytes = SparkplugDataTypes.IsArray(_type) ? SparkplugArrayCodec.Encode(this) : AsBytes().ToArray();
        }

        var bits = field == SparkplugValueField.IntValue ? (uint)_bits : _bits;
        return SparkplugWireValue.TryToValue(declared, SparkplugValueContainer.Metric, field, bits, bytes is null ? _ref : null, bytes, out value, out error);
    }

    /// <summary>
    /// Converts the value to <paramref name="target"/> when it can be represented exactly: between integer types (and
    /// DateTime) within range, integers ↔ Float/Double (integral values only towards integers), Float ↔ Double,
    /// Boolean ↔ 0/1, and among String/Text/UUID. Null converts to a null of <paramref name="target"/>. Use it to check
    /// a command's value against the metric's datatype before writing it to a device.
    /// </summary>
    public bool TryConvertTo(SparkplugDataType target, out SparkplugValue value)
    {
        value = default;
        if (target == _type)
        {
            value = this;
            return true;
        }

        if (!_hasValue)
        {
            value = Null(target);
            return true;
        }

        if (SparkplugDataTypes.IsText(target))
        {
            if (!SparkplugDataTypes.IsText(_type))
            {
                return false;
            }

            value = FromTextOfType(target, (string)_ref!);
            return true;
        }

        if (!IsScalarNumber(_type) || !IsScalarNumber(target))
        {
            return false;
        }

        // Source as exact integer (sign + magnitude in 128 bits) or as a floating point number.
        Int128 integer;
        switch (_type)
        {
            case SparkplugDataType.Float or SparkplugDataType.Double:
                var d = _type == SparkplugDataType.Float ? BitConverter.UInt32BitsToSingle((uint)_bits) : BitConverter.UInt64BitsToDouble(_bits);
                if (target == SparkplugDataType.Double)
                {
                    value = FromDouble(d);
                    return true;
                }

                if (target == SparkplugDataType.Float)
                {
                    var f = (float)d;
                    if (float.IsInfinity(f) && !double.IsInfinity(d))
                    {
                        return false;
                    }

                    value = FromFloat(f);
                    return true;
                }

                if (!double.IsFinite(d) || Math.Truncate(d) != d || d < -1.8446744073709552E19 || d > 1.8446744073709552E19)
                {
                    return false;
                }

                integer = (Int128)d;
                break;
            case SparkplugDataType.UInt64:
                integer = _bits;
                break;
            case SparkplugDataType.Boolean:
                integer = _bits != 0 ? 1 : 0;
                break;
            default:
                integer = (long)_bits;
                break;
        }

        switch (target)
        {
            case SparkplugDataType.Float:
                value = FromFloat((float)integer);
                return true;
            case SparkplugDataType.Double:
                value = FromDouble((double)integer);
                return true;
            case SparkplugDataType.Boolean:
                if (integer != 0 && integer != 1)
                {
                    return false;
                }

                value = FromBoolean(integer == 1);
                return true;
        }

        var (min, max) = IntegerRange(target);
        if (integer < min || integer > max)
        {
            return false;
        }

        // In range, so every target but UInt64 fits a long.
        value = target == SparkplugDataType.UInt64 ? FromUInt64((ulong)integer) : FromRawInteger(target, (ulong)(long)integer);
        return true;
    }

    private static bool IsScalarNumber(SparkplugDataType type) =>
        SparkplugDataTypes.IsNumeric(type) || type is SparkplugDataType.Boolean or SparkplugDataType.DateTime;

    private static (Int128 Min, Int128 Max) IntegerRange(SparkplugDataType type) => type switch
    {
        SparkplugDataType.Int8 => (sbyte.MinValue, sbyte.MaxValue),
        SparkplugDataType.Int16 => (short.MinValue, short.MaxValue),
        SparkplugDataType.Int32 => (int.MinValue, int.MaxValue),
        SparkplugDataType.Int64 or SparkplugDataType.DateTime => (long.MinValue, long.MaxValue),
        SparkplugDataType.UInt8 => (byte.MinValue, byte.MaxValue),
        SparkplugDataType.UInt16 => (ushort.MinValue, ushort.MaxValue),
        SparkplugDataType.UInt32 => (uint.MinValue, uint.MaxValue),
        SparkplugDataType.UInt64 => (ulong.MinValue, ulong.MaxValue),
        _ => (0, -1),
    };
}
