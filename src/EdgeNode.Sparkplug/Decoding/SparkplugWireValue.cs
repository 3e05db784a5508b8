namespace EdgeNode.Sparkplug;

/// <summary>Turns the value field a decoder found into a <see cref="SparkplugValue"/> of the declared datatype.</summary>
internal static class SparkplugWireValue
{
    /// <summary>
    /// Reads a value field as <paramref name="declared"/>. Integer types and DateTime accept both <c>int_value</c> and
    /// <c>long_value</c> (UInt32 travels in either, depending on the encoder) and are cast to the declared width, as
    /// Tahu's decoders do: a sign-extended Int8 -1 (0xFFFFFFFF) reads back as -1.
    /// </summary>
    internal static bool TryToValue(SparkplugDataType declared, SparkplugValueContainer container, SparkplugValueField field,
        ulong bits, object? reference, ReadOnlySpan<byte> bytes, out SparkplugValue value, out string? error)
    {
        error = null;
        if (field == SparkplugValueField.None)
        {
            value = SparkplugValue.Null(declared);
            return true;
        }

        switch (declared)
        {
            case var t when SparkplugDataTypes.IsInteger(t) || t == SparkplugDataType.DateTime:
                if (field == SparkplugValueField.IntValue)
                {
                    // int_value holds 32 bits: sign-extend for Int64 (a signed value squeezed into 32 bits).
                    var raw = t == SparkplugDataType.Int64 ? (ulong)(long)(int)(uint)bits : (uint)bits;
                    value = Fits(t, field, bits)
                        ? SparkplugValue.FromRawInteger(t, raw)
                        : SparkplugValue.FromRawInteger(t, raw, Overflow(field, (uint)bits));
                    return true;
                }

                if (field == SparkplugValueField.LongValue)
                {
                    value = Fits(t, field, bits)
                        ? SparkplugValue.FromRawInteger(t, bits)
                        : SparkplugValue.FromRawInteger(t, bits, Overflow(field, bits));
                    return true;
                }

                break;
            case SparkplugDataType.Float when field == SparkplugValueField.FloatValue:
                value = SparkplugValue.FromFloatBits((uint)bits);
                return true;
            case SparkplugDataType.Double when field == SparkplugValueField.DoubleValue:
                value = SparkplugValue.FromDoubleBits(bits);
                return true;
            case SparkplugDataType.Boolean when field == SparkplugValueField.BooleanValue:
                value = SparkplugValue.FromBoolean(bits != 0);
                return true;
            case var t when SparkplugDataTypes.IsText(t) && field == SparkplugValueField.StringValue:
                value = SparkplugValue.FromTextOfType(t, (string)reference!);
                return true;
            case SparkplugDataType.Bytes or SparkplugDataType.File when field == SparkplugValueField.BytesValue:
                value = SparkplugValue.FromByteBuffer(declared, bytes.ToArray());
                return true;
            case var t when SparkplugDataTypes.IsArray(t) && field == SparkplugValueField.BytesValue:
                return SparkplugArrayCodec.TryDecode(t, bytes, out value, out error);
            case SparkplugDataType.DataSet when field == SparkplugValueField.DataSetValue:
            case SparkplugDataType.Template when field == SparkplugValueField.TemplateValue:
            case SparkplugDataType.PropertySet when field == SparkplugValueField.PropertySetValue:
            case SparkplugDataType.PropertySetList when field == SparkplugValueField.PropertySetListValue:
                value = declared switch
                {
                    SparkplugDataType.DataSet => SparkplugValue.FromDataSet((SparkplugDataSet)reference!),
                    SparkplugDataType.Template => SparkplugValue.FromTemplate((SparkplugTemplate)reference!),
                    SparkplugDataType.PropertySet => SparkplugValue.FromPropertySet((SparkplugPropertySet)reference!),
                    _ => SparkplugValue.FromPropertySetList((SparkplugPropertySetList)reference!),
                };
                return true;
        }

        value = default;
        error = SparkplugDataTypes.IsDefined(declared) && declared != SparkplugDataType.Unknown
            ? $"datatype {SparkplugDataTypes.GetName(declared)} cannot be carried in {FieldName(container, field)}"
            : $"unknown datatype {(uint)declared}";
        return false;
    }

    /// <summary>
    /// Whether the wire value is one the declared type can hold, before any cast: signed types take a two's complement
    /// value sign-extended to the field's width (Int16 −1 is int_value 0xFFFFFFFF), unsigned types a zero-extended one.
    /// 0x1FFFF is no UInt16 and 0x18000 (or 0x0000FFFF) no Int16, although a cast to 16 bits would make one of them.
    /// </summary>
    internal static bool Fits(SparkplugDataType declared, SparkplugValueField field, ulong bits)
    {
        long signed = field == SparkplugValueField.IntValue ? (int)(uint)bits : (long)bits;
        ulong unsigned = field == SparkplugValueField.IntValue ? (uint)bits : bits;
        return declared switch
        {
            SparkplugDataType.Int8 => signed is >= sbyte.MinValue and <= sbyte.MaxValue,
            SparkplugDataType.Int16 => signed is >= short.MinValue and <= short.MaxValue,
            SparkplugDataType.Int32 => signed is >= int.MinValue and <= int.MaxValue,
            SparkplugDataType.UInt8 => unsigned <= byte.MaxValue,
            SparkplugDataType.UInt16 => unsigned <= ushort.MaxValue,
            SparkplugDataType.UInt32 => unsigned <= uint.MaxValue,
            _ => true, // Int64, UInt64, DateTime: every 32- or 64-bit pattern is one of their values
        };
    }

    private static string Overflow(SparkplugValueField field, ulong bits) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{(field == SparkplugValueField.IntValue ? "int_value" : "long_value")} {bits} (0x{bits:X})");

    /// <summary>The value a field gives when no datatype says otherwise (DATA/CMD metrics sent without datatype).</summary>
    internal static SparkplugValue Natural(SparkplugValueField field, ulong bits, object? reference, ReadOnlySpan<byte> bytes) => field switch
    {
        SparkplugValueField.IntValue => SparkplugValue.FromUInt32((uint)bits),
        SparkplugValueField.LongValue => SparkplugValue.FromUInt64(bits),
        SparkplugValueField.FloatValue => SparkplugValue.FromFloatBits((uint)bits),
        SparkplugValueField.DoubleValue => SparkplugValue.FromDoubleBits(bits),
        SparkplugValueField.BooleanValue => SparkplugValue.FromBoolean(bits != 0),
        SparkplugValueField.StringValue => SparkplugValue.FromString((string)reference!),
        SparkplugValueField.BytesValue => SparkplugValue.FromBytes(bytes.ToArray()),
        SparkplugValueField.DataSetValue => SparkplugValue.FromDataSet((SparkplugDataSet)reference!),
        SparkplugValueField.TemplateValue => SparkplugValue.FromTemplate((SparkplugTemplate)reference!),
        SparkplugValueField.PropertySetValue => SparkplugValue.FromPropertySet((SparkplugPropertySet)reference!),
        SparkplugValueField.PropertySetListValue => SparkplugValue.FromPropertySetList((SparkplugPropertySetList)reference!),
        _ => default,
    };

    private static string FieldName(SparkplugValueContainer container, SparkplugValueField field) =>
        $"{field switch
        {
            SparkplugValueField.IntValue => "int_value",
            SparkplugValueField.LongValue => "long_value",
            SparkplugValueField.FloatValue => "float_value",
            SparkplugValueField.DoubleValue => "double_value",
            SparkplugValueField.BooleanValue => "boolean_value",
            SparkplugValueField.StringValue => "string_value",
            SparkplugValueField.BytesValue => "bytes_value",
            SparkplugValueField.DataSetValue => "dataset_value",
            SparkplugValueField.TemplateValue => "template_value",
            SparkplugValueField.PropertySetValue => "propertyset_value",
            _ => "propertysets_value",
        }} of a {container}";
}
