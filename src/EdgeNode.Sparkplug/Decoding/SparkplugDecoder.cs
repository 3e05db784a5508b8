namespace EdgeNode.Sparkplug;

/// <summary>
/// Decodes the protobuf wire format of sparkplug_b.proto into the object model. Hand-written so that malformed input
/// is a result (false + reason), never an exception, with nesting bounded by <see cref="MaxDepth"/> and every length
/// checked against the input before it is used, so memory stays proportional to the input.
/// </summary>
internal static class SparkplugDecoder
{
    /// <summary>Deepest nesting of templates, property sets and data sets accepted.</summary>
    internal const int MaxDepth = 32;

    internal static int CountMetrics(ReadOnlySpan<byte> buffer)
    {
        var count = 0;
        var r = new ProtoReader(buffer);
        while (!r.End)
        {
            if (!r.TryReadTag(out var field, out var wire, out _))
            {
                return -1;
            }

            if (field == WireFields.Payload.Metrics && wire == WireFields.WireLengthDelimited)
            {
                if (!r.TryReadLengthDelimited(out _))
                {
                    return -1;
                }

                count++;
            }
            else if (!r.TrySkip(wire, out _))
            {
                return -1;
            }
        }

        return count;
    }

    internal static bool TryDecodePayload(ReadOnlySpan<byte> buffer, out SparkplugPayload? payload, out string? error)
    {
        payload = null;
        var result = new SparkplugPayload();
        // A BIRTH carries hundreds of metrics: one pass over the top-level tags sizes the list once instead of growing
        // (and copying) it eight times. A malformed payload counts -1 and is reported by the loop below.
        var count = CountMetrics(buffer);
        if (count > 4)
        {
            result.Metrics.Capacity = count;
        }

        var r = new ProtoReader(buffer);
        while (!r.End)
        {
            if (!r.TryReadTag(out var field, out var wire, out error))
            {
                return false;
            }

            switch (field)
            {
                case WireFields.Payload.Timestamp when wire == WireFields.WireVarint:
                    if (!r.TryReadVarint(out var ts))
                    {
                        return Fail("truncated payload timestamp", out error);
                    }

                    result.Timestamp = ts;
                    break;
                case WireFields.Payload.Metrics when wire == WireFields.WireLengthDelimited:
                    if (!r.TryReadLengthDelimited(out var metricBytes))
                    {
                        return Fail($"truncated metric {result.Metrics.Count}", out error);
                    }

                    if (!TryDecodeMetric(metricBytes, 1, out var metric, out error))
                    {
                        error = $"metric {result.Metrics.Count}: {error}";
                        return false;
                    }

                    result.Metrics.Add(metric!);
                    break;
                case WireFields.Payload.Seq when wire == WireFields.WireVarint:
                    if (!r.TryReadVarint(out var seq))
                    {
                        return Fail("truncated seq", out error);
                    }

                    result.Seq = seq;
                    break;
                case WireFields.Payload.Uuid when wire == WireFields.WireLengthDelimited:
                    if (!r.TryReadString(out var uuid))
                    {
                        return Fail("truncated uuid", out error);
                    }

                    result.Uuid = uuid;
                    break;
                case WireFields.Payload.Body when wire == WireFields.WireLengthDelimited:
                    if (!r.TryReadLengthDelimited(out var body))
                    {
                        return Fail("truncated body", out error);
                    }

                    result.Body = body.ToArray();
                    break;
                default:
                    if (!r.TrySkip(wire, out error))
                    {
                        return false;
                    }

                    break;
            }
        }

        payload = result;
        error = null;
        return true;
    }

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }

    private static bool TooDeep(out string? error) => Fail($"nesting deeper than {MaxDepth} levels", out error);

    /// <summary>The last value field seen in a message (a oneof: the last one wins, as in protobuf).</summary>
    private ref struct ValueSlot
    {
        internal SparkplugValueField Field;
        internal ulong Bits;
        internal object? Reference;
        internal ReadOnlySpan<byte> Bytes;

        internal readonly bool TryBuild(uint? declared, bool isNull, SparkplugValueContainer container, out SparkplugValue value, out string? error)
        {
            error = null;
            if (declared is null)
            {
                value = isNull ? default : SparkplugWireValue.Natural(Field, Bits, Reference, Bytes);
                return true;
            }

            var type = (SparkplugDataType)declared.Value;
            if (!SparkplugDataTypes.IsDefined(type) || type == SparkplugDataType.Unknown)
            {
                value = default;
                return Fail($"unknown datatype {declared.Value}", out error);
            }

            if (isNull)
            {
                value = SparkplugValue.Null(type);
                return true;
            }

            return SparkplugWireValue.TryToValue(type, container, Field, Bits, Reference, Bytes, out value, out error);
        }
    }

    /// <summary>
    /// Reads a scalar value field (int/long/float/double/bool/string) of any value oneof. Returns false when the
    /// field is not one, true with <paramref name="ok"/> telling whether it was read.
    /// </summary>
    private static bool TryReadScalar(ref ProtoReader r, SparkplugValueField field, int wire, ref ValueSlot slot, out bool ok, bool shared = false)
    {
        ok = true;
        switch (field)
        {
            case SparkplugValueField.IntValue or SparkplugValueField.LongValue or SparkplugValueField.BooleanValue
                when wire == WireFields.WireVarint:
                ok = r.TryReadVarint(out var v);
                slot = new ValueSlot { Field = field, Bits = field == SparkplugValueField.IntValue ? (uint)v : v };
                return true;
            case SparkplugValueField.FloatValue when wire == WireFields.WireFixed32:
                ok = r.TryReadFixed32(out var f);
                slot = new ValueSlot { Field = field, Bits = f };
                return true;
            case SparkplugValueField.DoubleValue when wire == WireFields.WireFixed64:
                ok = r.TryReadFixed64(out var d);
                slot = new ValueSlot { Field = field, Bits = d };
                return true;
            case SparkplugValueField.StringValue when wire == WireFields.WireLengthDelimited:
                // Property texts (units, descriptions) repeat in every BIRTH; metric values change and are not shared.
                string s;
                ok = shared ? r.TryReadSharedString(out s) : r.TryReadString(out s);
                slot = new ValueSlot { Field = field, Reference = s };
                return true;
            default:
                return false;
        }
    }

    // ---- Metric -------------------------------------------------------------------------------------------------

    internal static bool TryDecodeMetric(ReadOnlySpan<byte> buffer, int depth, out SparkplugMetric? metric, out string? error)
    {
        metric = null;
        if (depth > MaxDepth)
        {
            return TooDeep(out error);
        }

        var m = new SparkplugMetric();
        uint? datatype = null;
        var isNull = false;
        var slot = default(ValueSlot);
        var r = new ProtoReader(buffer);
        while (!r.End)
        {
            if (!r.TryReadTag(out var field, out var wire, out error))
            {
                return false;
            }

            ulong v;
            switch (field)
            {
                case WireFields.Metric.Name when wire == WireFields.WireLengthDelimited:
                    if (!r.TryReadSharedString(out var name))
                    {
                        return Fail("truncated name", out error);
                    }

                    m.Name = name;
                    continue;
                case WireFields.Metric.Alias when wire == WireFields.WireVarint:
                    if (!r.TryReadVarint(out v))
                    {
                        return Fail("truncated alias", out error);
                    }

                    m.Alias = v;
                    continue;
                case WireFields.Metric.Timestamp when wire == WireFields.WireVarint:
                    if (!r.TryReadVarint(out v))
                    {
                        return Fail("truncated timestamp", out error);
                    }

                    m.Timestamp = v;
                    continue;
                case WireFields.Metric.DataType when wire == WireFields.WireVarint:
                    if (!r.TryReadVarint(out v))
                    {
                        return Fail("truncated datatype", out error);
                    }

                    datatype = (uint)v;
                    continue;
                case WireFields.Metric.IsHistorical when wire == WireFields.WireVarint:
                    if (!r.TryReadVarint(out v))
                    {
                        return Fail("truncated is_historical", out error);
                    }

                    m.IsHistorical = v != 0;
                    continue;
                case WireFields.Metric.IsTransient when wire == WireFields.WireVarint:
                    if (!r.TryReadVarint(out v))
                    {
                        return Fail("truncated is_transient", out error);
                    }

                    m.IsTransient = v != 0;
                    continue;
                case WireFields.Metric.IsNull when wire == WireFields.WireVarint:
                    if (!r.TryReadVarint(out v))
                    {
                        return Fail("truncated is_null", out error);
                    }

                    isNull = v != 0;
                    continue;
                case WireFields.Metric.MetaData when wire == WireFields.WireLengthDelimited:
                    if (!r.TryReadLengthDelimited(out var mdBytes))
                    {
                        return Fail("truncated metadata", out error);
                    }

                    if (!TryDecodeMetaData(mdBytes, out var md, out error))
                    {
                        error = $"metadata: {error}";
                        return false;
                    }

                    m.MetaData = md;
                    continue;
                case WireFields.Metric.Properties when wire == WireFields.WireLengthDelimited:
                    if (!r.TryReadLengthDelimited(out var propBytes))
                    {
                        return Fail("truncated properties", out error);
                    }

                    if (!TryDecodePropertySet(propBytes, depth + 1, out var props, out error))
                    {
                        error = $"properties: {error}";
                        return false;
                    }

                    m.Properties = props;
                    continue;
                case WireFields.Metric.BytesValue when wire == WireFields.WireLengthDelimited:
                    if (!r.TryReadLengthDelimited(out var bytes))
                    {
                        return Fail("truncated bytes_value", out error);
                    }

                    slot = new ValueSlot { Field = SparkplugValueField.BytesValue, Bytes = bytes };
                    continue;
                case WireFields.Metric.DataSetValue when wire == WireFields.WireLengthDelimited:
                    if (!r.TryReadLengthDelimited(out var dsBytes))
                    {
                        return Fail("truncated dataset_value", out error);
                    }

                    if (!TryDecodeDataSet(dsBytes, depth + 1, out var ds, out error))
                    {
                        error = $"dataset: {error}";
                        return false;
                    }

                    slot = new ValueSlot { Field = SparkplugValueField.DataSetValue, Reference = ds };
                    continue;
                case WireFields.Metric.TemplateValue when wire == WireFields.WireLengthDelimited:
                    if (!r.TryReadLengthDelimited(out var tBytes))
                    {
                        return Fail("truncated template_value", out error);
                    }

                    if (!TryDecodeTemplate(tBytes, depth + 1, out var template, out error))
                    {
                        error = $"template: {error}";
                        return false;
                    }

                    slot = new ValueSlot { Field = SparkplugValueField.TemplateValue, Reference = template };
                    continue;
                case >= WireFields.Metric.IntValue and <= WireFields.Metric.StringValue:
                    if (TryReadScalar(ref r, MetricScalar(field), wire, ref slot, out var ok))
                    {
                        if (!ok)
                        {
                            return Fail($"truncated value field {field}", out error);
                        }

                        continue;
                    }

                    break;
                case 19: // extension_value: a value this decoder cannot interpret
                    slot = default;
                    break;
            }

            if (!r.TrySkip(wire, out error))
            {
                return false;
            }
        }

        m.OmitDataType = datatype is null;
        if (!slot.TryBuild(datatype, isNull, SparkplugValueContainer.Metric, out var value, out error))
        {
            if (m.Name is not null)
            {
                error = $"'{m.Name}': {error}";
            }

            return false;
        }

        m.Value = value;
        metric = m;
        return true;
    }

    private static SparkplugValueField MetricScalar(int field) => field switch
    {
        WireFields.Metric.IntValue => SparkplugValueField.IntValue,
        WireFields.Metric.LongValue => SparkplugValueField.LongValue,
        WireFields.Metric.FloatValue => SparkplugValueField.FloatValue,
        WireFields.Metric.DoubleValue => SparkplugValueField.DoubleValue,
        WireFields.Metric.BooleanValue => SparkplugValueField.BooleanValue,
        WireFields.Metric.StringValue => SparkplugValueField.StringValue,
        _ => SparkplugValueField.None,
    };

    // The PropertyValue, DataSetValue and Parameter oneofs number their scalars consecutively from int_value.
    private static SparkplugValueField ScalarFrom(int field, int intValueField) => (field - intValueField) switch
    {
        0 => SparkplugValueField.IntValue,
        1 => SparkplugValueField.LongValue,
        2 => SparkplugValueField.FloatValue,
        3 => SparkplugValueField.DoubleValue,
        4 => SparkplugValueField.BooleanValue,
        5 => SparkplugValueField.StringValue,
        _ => SparkplugValueField.None,
    };

    // ---- MetaData -----------------------------------------------------------------------------------------------

    private static bool TryDecodeMetaData(ReadOnlySpan<byte> buffer, out SparkplugMetaData? metaData, out string? error)
    {
        metaData = null;
        var md = new SparkplugMetaData();
        var r = new ProtoReader(buffer);
        while (!r.End)
        {
            if (!r.TryReadTag(out var field, out var wire, out error))
            {
                return false;
            }

            bool ok;
            ulong v;
            string s;
            switch (field)
            {
                case WireFields.MetaData.IsMultiPart when wire == WireFields.WireVarint:
                    ok = r.TryReadVarint(out v);
                    md.IsMultiPart = v != 0;
                    break;
                case WireFields.MetaData.Size when wire == WireFields.WireVarint:
                    ok = r.TryReadVarint(out v);
                    md.Size = v;
                    break;
                case WireFields.MetaData.Seq when wire == WireFields.WireVarint:
                    ok = r.TryReadVarint(out v);
                    md.Seq = v;
                    break;
                case WireFields.MetaData.ContentType when wire == WireFields.WireLengthDelimited:
                    ok = r.TryReadString(out s);
                    md.ContentType = s;
                    break;
                case WireFields.MetaData.FileName when wire == WireFields.WireLengthDelimited:
                    ok = r.TryReadString(out s);
                    md.FileName = s;
                    break;
                case WireFields.MetaData.FileType when wire == WireFields.WireLengthDelimited:
                    ok = r.TryReadString(out s);
                    md.FileType = s;
                    break;
                case WireFields.MetaData.Md5 when wire == WireFields.WireLengthDelimited:
                    ok = r.TryReadString(out s);
                    md.Md5 = s;
                    break;
                case WireFields.MetaData.Description when wire == WireFields.WireLengthDelimited:
                    ok = r.TryReadString(out s);
                    md.Description = s;
                    break;
                default:
                    if (!r.TrySkip(wire, out error))
                    {
                        return false;
                    }

                    continue;
            }

            if (!ok)
            {
                return Fail($"truncated field {field}", out error);
            }
        }

        metaData = md;
        error = null;
        return true;
    }

    // ---- PropertySet / PropertyValue / PropertySetList ----------------------------------------------------------

    private static bool TryDecodePropertySet(ReadOnlySpan<byte> buffer, int depth, out SparkplugPropertySet? set, out string? error)
    {
        set = null;
        if (depth > MaxDepth)
        {
            return TooDeep(out error);
        }

        // Keys and values are parallel repeated fields; fill one set in place instead of two temporary lists.
        var result = new SparkplugPropertySet(4);
        var keyCount = 0;
        var valueCount = 0;
        var r = new ProtoReader(buffer);
        while (!r.End)
        {
            if (!r.TryReadTag(out var field, out var wire, out error))
            {
                return false;
            }

            if (field == WireFields.PropertySet.Keys && wire == WireFields.WireLengthDelimited)
            {
                if (!r.TryReadLengthDelimited(out var keyBytes))
                {
                    return Fail("truncated key", out error);
                }

                result.SetDecodedKey(keyCount++, WellKnownKey(keyBytes));
            }
            else if (field == WireFields.PropertySet.Values && wire == WireFields.WireLengthDelimited)
            {
                if (!r.TryReadLengthDelimited(out var valueBytes))
                {
                    return Fail("truncated value", out error);
                }

                if (!TryDecodePropertyValue(valueBytes, depth + 1, out var value, out error))
                {
                    error = $"value {valueCount}: {error}";
                    return false;
                }

                result.SetDecodedValue(valueCount++, value);
            }
            else if (!r.TrySkip(wire, out error))
            {
                return false;
            }
        }

        if (keyCount != valueCount)
        {
            // [tck-id-payloads-propertyset-keys-array-size] [tck-id-payloads-propertyset-values-array-size]
            return Fail($"{keyCount} keys but {valueCount} values", out error);
        }

        set = result;
        error = null;
        return true;
    }

    /// <summary>
    /// The property keys every BIRTH repeats for each metric come back as shared string instances (no allocation per
    /// metric); any other key is decoded.
    /// </summary>
    private static string WellKnownKey(ReadOnlySpan<byte> utf8) => utf8.Length switch
    {
        6 when utf8.SequenceEqual("engLow"u8) => SparkplugNames.EngLow,
        7 when utf8.SequenceEqual("engUnit"u8) => SparkplugNames.EngUnit,
        7 when utf8.SequenceEqual("engHigh"u8) => SparkplugNames.EngHigh,
        7 when utf8.SequenceEqual("Quality"u8) => SparkplugNames.Quality,
        11 when utf8.SequenceEqual("description"u8) => SparkplugNames.Description,
        0 => "",
        _ => System.Text.Encoding.UTF8.GetString(utf8),
    };

    // Tags of the PropertyValue fields the fast path reads (field number << 3 | wire type).
    private const byte PropertyTypeTag = (WireFields.PropertyValue.Type << 3) | WireFields.WireVarint;
    private const byte PropertyDoubleTag = (WireFields.PropertyValue.DoubleValue << 3) | WireFields.WireFixed64;
    private const byte PropertyFloatTag = (WireFields.PropertyValue.FloatValue << 3) | WireFields.WireFixed32;
    private const byte PropertyStringTag = (WireFields.PropertyValue.StringValue << 3) | WireFields.WireLengthDelimited;

    /// <summary>
    /// The shape every encoder (ours, Tahu's) gives a BIRTH's properties: the type, then one value of that type and
    /// nothing else (engUnit and description as String, engLow/engHigh as Double or Float). Read straight from the bytes;
    /// false sends anything else (other types, is_null, extra or reordered fields) through the general decoder.
    /// </summary>
    private static bool TryDecodeCommonPropertyValue(ReadOnlySpan<byte> buffer, out SparkplugValue value)
    {
        value = default;
        if (buffer.Length < 3 || buffer[0] != PropertyTypeTag)
        {
            return false;
        }

        var type = (SparkplugDataType)buffer[1];
        var tag = buffer[2];
        var rest = buffer[3..];
        switch (type)
        {
            case SparkplugDataType.Double when tag == PropertyDoubleTag && rest.Length == 8:
                value = SparkplugValue.FromDoubleBits(System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(rest));
                return true;
            case SparkplugDataType.Float when tag == PropertyFloatTag && rest.Length == 4:
                value = SparkplugValue.FromFloatBits(System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(rest));
                return true;
            case SparkplugDataType.String or SparkplugDataType.Text when tag == PropertyStringTag && rest.Length >= 1 && rest[0] < 0x80 &&
                                                                       rest.Length == 1 + rest[0]:
                value = SparkplugValue.FromTextOfType(type, DecodedStrings.Get(rest[1..]));
                return true;
            default:
                return false;
        }
    }

    private static bool TryDecodePropertyValue(ReadOnlySpan<byte> buffer, int depth, out SparkplugValue value, out string? error)
    {
        if (TryDecodeCommonPropertyValue(buffer, out value))
        {
            error = null;
            return true;
        }

        value = default;
        uint? type = null;
        var isNull = false;
        var slot = default(ValueSlot);
        var r = new ProtoReader(buffer);
        while (!r.End)
        {
            if (!r.TryReadTag(out var field, out var wire, out error))
            {
                return false;
            }

            ulong v;
            switch (field)
            {
                case WireFields.PropertyValue.Type when wire == WireFields.WireVarint:
                    if (!r.TryReadVarint(out v))
                    {
                        return Fail("truncated type", out error);
                    }

                    type = (uint)v;
                    continue;
                case WireFields.PropertyValue.IsNull when wire == WireFields.WireVarint:
                    if (!r.TryReadVarint(out v))
                    {
                        return Fail("truncated is_null", out error);
                    }

                    isNull = v != 0;
                    continue;
                case WireFields.PropertyValue.PropertySetValue when wire == WireFields.WireLengthDelimited:
                    if (!r.TryReadLengthDelimited(out var setBytes))
                    {
                        return Fail("truncated propertyset_value", out error);
                    }

                    if (!TryDecodePropertySet(setBytes, depth + 1, out var set, out error))
                    {
                        return false;
                    }

                    slot = new ValueSlot { Field = SparkplugValueField.PropertySetValue, Reference = set };
                    continue;
                case WireFields.PropertyValue.PropertySetListValue when wire == WireFields.WireLengthDelimited:
                    if (!r.TryReadLengthDelimited(out var listBytes))
                    {
                        return Fail("truncated propertysets_value", out error);
                    }

                    if (!TryDecodePropertySetList(listBytes, depth + 1, out var list, out error))
                    {
                        return false;
                    }

                    slot = new ValueSlot { Field = SparkplugValueField.PropertySetListValue, Reference = list };
                    continue;
                case >= WireFields.PropertyValue.IntValue and <= WireFields.PropertyValue.StringValue:
                    if (TryReadScalar(ref r, ScalarFrom(field, WireFields.PropertyValue.IntValue), wire, ref slot, out var ok, shared: true))
                    {
                        if (!ok)
                        {
                            return Fail($"truncated value field {field}", out error);
                        }

                        continue;
                    }

                    break;
                case 11: // extension_value
                    slot = default;
                    break;
            }

            if (!r.TrySkip(wire, out error))
            {
                return false;
            }
        }

        return slot.TryBuild(type, isNull, SparkplugValueContainer.PropertyValue, out value, out error);
    }

    private static bool TryDecodePropertySetList(ReadOnlySpan<byte> buffer, int depth, out SparkplugPropertySetList? list, out string? error)
    {
        list = null;
        if (depth > MaxDepth)
        {
            return TooDeep(out error);
        }

        var result = new SparkplugPropertySetList();
        var r = new ProtoReader(buffer);
        while (!r.End)
        {
            if (!r.TryReadTag(out var field, out var wire, out error))
            {
                return false;
            }

            if (field == WireFields.PropertySetList.PropertySet && wire == WireFields.WireLengthDelimited)
            {
                if (!r.TryReadLengthDelimited(out var setBytes))
                {
                    return Fail("truncated propertyset", out error);
                }

                if (!TryDecodePropertySet(setBytes, depth + 1, out var set, out error))
                {
                    error = $"propertyset {result.Count}: {error}";
                    return false;
                }

                result.Add(set!);
            }
            else if (!r.TrySkip(wire, out error))
            {
                return false;
            }
        }

        list = result;
        error = null;
        return true;
    }

    // ---- DataSet ------------------------------------------------------------------------------------------------

    private static bool TryDecodeDataSet(ReadOnlySpan<byte> buffer, int depth, out SparkplugDataSet? dataSet, out string? error)
    {
        dataSet = null;
        if (depth > MaxDepth)
        {
            return TooDeep(out error);
        }

        var ds = new SparkplugDataSet();
        List<(int Start, int Length)>? rows = null;
        var r = new ProtoReader(buffer);
        while (!r.End)
        {
            if (!r.TryReadTag(out var field, out var wire, out error))
            {
                return false;
            }

            ulong v;
            switch (field)
            {
                case WireFields.DataSet.NumOfColumns when wire == WireFields.WireVarint:
                    if (!r.TryReadVarint(out v))
                    {
                        return Fail("truncated num_of_columns", out error);
                    }

                    ds.NumberOfColumns = v;
                    continue;
                case WireFields.DataSet.Columns when wire == WireFields.WireLengthDelimited:
                    if (!r.TryReadString(out var column))
                    {
                        return Fail("truncated column name", out error);
                    }

                    ds.Columns.Add(column);
                    continue;
                case WireFields.DataSet.Types when wire == WireFields.WireVarint:
                    if (!r.TryReadVarint(out v))
                    {
                        return Fail("truncated type", out error);
                    }

                    ds.Types.Add((SparkplugDataType)(uint)v);
                    continue;
                case WireFields.DataSet.Types when wire == WireFields.WireLengthDelimited:
                    // A packed encoding of the repeated scalar is legal on the wire for any protobuf parser.
                    if (!r.TryReadLengthDelimited(out var packed))
                    {
                        return Fail("truncated packed types", out error);
                    }

                    var pr = new ProtoReader(packed);
                    while (!pr.End)
                    {
                        if (!pr.TryReadVarint(out v))
                        {
                            return Fail("truncated packed types", out error);
                        }

                        ds.Types.Add((SparkplugDataType)(uint)v);
                    }

                    continue;
                case WireFields.DataSet.Rows when wire == WireFields.WireLengthDelimited:
                    // Rows are typed by the column types, which may come later on the wire: decode them at the end.
                    if (!r.TryReadLengthDelimited(out var rowBytes))
                    {
                        return Fail("truncated row", out error);
                    }

                    (rows ??= []).Add((r.Position - rowBytes.Length, rowBytes.Length));
                    continue;
            }

            if (!r.TrySkip(wire, out error))
            {
                return false;
            }
        }

        foreach (var type in ds.Types)
        {
            if (!SparkplugDataTypes.IsBasic(type))
            {
                // [tck-id-payloads-dataset-types-value]: only the basic types have DataSetValue fields.
                return Fail($"column type {(uint)type} is not a basic type", out error);
            }
        }

        if (rows is not null)
        {
            foreach (var (start, length) in rows)
            {
                if (!TryDecodeRow(buffer.Slice(start, length), ds.Types, out var row, out error))
                {
                    error = $"row {ds.Rows.Count}: {error}";
                    return false;
                }

                ds.Rows.Add(row!);
            }
        }

        dataSet = ds;
        error = null;
        return true;
    }

    private static bool TryDecodeRow(ReadOnlySpan<byte> buffer, List<SparkplugDataType> types, out SparkplugValue[]? row, out string? error)
    {
        row = null;
        var cells = new List<SparkplugValue>(types.Count);
        var r = new ProtoReader(buffer);
        while (!r.End)
        {
            if (!r.TryReadTag(out var field, out var wire, out error))
            {
                return false;
            }

            if (field != WireFields.DataSet.RowElements || wire != WireFields.WireLengthDelimited)
            {
                if (!r.TrySkip(wire, out error))
                {
                    return false;
                }

                continue;
            }

            if (!r.TryReadLengthDelimited(out var cellBytes))
            {
                return Fail("truncated element", out error);
            }

            var slot = default(ValueSlot);
            var cr = new ProtoReader(cellBytes);
            while (!cr.End)
            {
                if (!cr.TryReadTag(out var cellField, out var cellWire, out error))
                {
                    return false;
                }

                if (cellField is >= WireFields.DataSet.IntValue and <= WireFields.DataSet.StringValue
                    && TryReadScalar(ref cr, ScalarFrom(cellField, WireFields.DataSet.IntValue), cellWire, ref slot, out var ok))
                {
                    if (!ok)
                    {
                        return Fail($"element {cells.Count}: truncated value", out error);
                    }

                    continue;
                }

                if (cellField == 7)
                {
                    slot = default; // extension_value
                }

                if (!cr.TrySkip(cellWire, out error))
                {
                    return false;
                }
            }

            // Cells beyond the declared columns keep the natural type of their field.
            uint? declared = cells.Count < types.Count ? (uint)types[cells.Count] : null;
            var isNull = slot.Field == SparkplugValueField.None;
            if (!slot.TryBuild(declared, isNull, SparkplugValueContainer.DataSetValue, out var value, out error))
            {
                error = $"element {cells.Count}: {error}";
                return false;
            }

            cells.Add(value);
        }

        row = [.. cells];
        error = null;
        return true;
    }

    // ---- Template -----------------------------------------------------------------------------------------------

    private static bool TryDecodeTemplate(ReadOnlySpan<byte> buffer, int depth, out SparkplugTemplate? template, out string? error)
    {
        template = null;
        if (depth > MaxDepth)
        {
            return TooDeep(out error);
        }

        var t = new SparkplugTemplate();
        var r = new ProtoReader(buffer);
        while (!r.End)
        {
            if (!r.TryReadTag(out var field, out var wire, out error))
            {
                return false;
            }

            switch (field)
            {
                case WireFields.Template.Version when wire == WireFields.WireLengthDelimited:
                    if (!r.TryReadString(out var version))
                    {
                        return Fail("truncated version", out error);
                    }

                    t.Version = version;
                    continue;
                case WireFields.Template.TemplateRef when wire == WireFields.WireLengthDelimited:
                    if (!r.TryReadString(out var reference))
                    {
                        return Fail("truncated template_ref", out error);
                    }

                    t.TemplateRef = reference;
                    continue;
                case WireFields.Template.IsDefinition when wire == WireFields.WireVarint:
                    if (!r.TryReadVarint(out var isDefinition))
                    {
                        return Fail("truncated is_definition", out error);
                    }

                    t.IsDefinition = isDefinition != 0;
                    continue;
                case WireFields.Template.Metrics when wire == WireFields.WireLengthDelimited:
                    if (!r.TryReadLengthDelimited(out var metricBytes))
                    {
                        return Fail("truncated member metric", out error);
                    }

                    if (!TryDecodeMetric(metricBytes, depth + 1, out var member, out error))
                    {
                        error = $"member {t.Metrics.Count}: {error}";
                        return false;
                    }

                    t.Metrics.Add(member!);
                    continue;
                case WireFields.Template.Parameters when wire == WireFields.WireLengthDelimited:
                    if (!r.TryReadLengthDelimited(out var parameterBytes))
                    {
                        return Fail("truncated parameter", out error);
                    }

                    if (!TryDecodeParameter(parameterBytes, out var parameter, out error))
                    {
                        error = $"parameter {t.Parameters.Count}: {error}";
                        return false;
                    }

                    t.Parameters.Add(parameter!);
                    continue;
            }

            if (!r.TrySkip(wire, out error))
            {
                return false;
            }
        }

        template = t;
        error = null;
        return true;
    }

    private static bool TryDecodeParameter(ReadOnlySpan<byte> buffer, out SparkplugTemplateParameter? parameter, out string? error)
    {
        parameter = null;
        var p = new SparkplugTemplateParameter();
        uint? type = null;
        var slot = default(ValueSlot);
        var r = new ProtoReader(buffer);
        while (!r.End)
        {
            if (!r.TryReadTag(out var field, out var wire, out error))
            {
                return false;
            }

            if (field == WireFields.Template.ParameterName && wire == WireFields.WireLengthDelimited)
            {
                if (!r.TryReadString(out var name))
                {
                    return Fail("truncated name", out error);
                }

                p.Name = name;
                continue;
            }

            if (field == WireFields.Template.ParameterType && wire == WireFields.WireVarint)
            {
                if (!r.TryReadVarint(out var v))
                {
                    return Fail("truncated type", out error);
                }

                type = (uint)v;
                continue;
            }

            if (field is >= WireFields.Template.IntValue and <= WireFields.Template.StringValue
                && TryReadScalar(ref r, ScalarFrom(field, WireFields.Template.IntValue), wire, ref slot, out var ok))
            {
                if (!ok)
                {
                    return Fail($"truncated value field {field}", out error);
                }

                continue;
            }

            if (field == 9)
            {
                slot = default; // extension_value
            }

            if (!r.TrySkip(wire, out error))
            {
                return false;
            }
        }

        if (!slot.TryBuild(type, slot.Field == SparkplugValueField.None, SparkplugValueContainer.TemplateParameter, out var value, out error))
        {
            if (p.Name is not null)
            {
                error = $"'{p.Name}': {error}";
            }

            return false;
        }

        p.Value = value;
        parameter = p;
        return true;
    }
}
