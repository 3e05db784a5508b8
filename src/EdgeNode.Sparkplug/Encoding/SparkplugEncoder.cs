namespace EdgeNode.Sparkplug;

/// <summary>
/// Sizes and writes every Sparkplug message. Each <c>…Size</c> computes the exact body length of a message so the
/// parent can write its length prefix first (protobuf needs lengths before sub-messages) and the writer can ask for one
/// span of exactly the right size: no intermediate buffers, no copies, no allocation.
/// </summary>
internal static class SparkplugEncoder
{
    // Guards against cyclic object graphs (a template holding itself); far deeper than any real payload.
    private const int MaxDepth = 64;

    // ---- Metric -------------------------------------------------------------------------------------------------

    internal static int MetricSize(in SparkplugMetricData m, SparkplugEncodingOptions o, int depth)
    {
        CheckDepth(depth);
        var size = 0;
        if (m.Name is { } name)
        {
            size += 1 + ProtoSize.LengthDelimited(ProtoSize.Utf8(name));
        }

        if (m.Alias is { } alias)
        {
            size += 1 + ProtoSize.Varint(alias);
        }

        if (m.Timestamp is { } ts)
        {
            size += 1 + ProtoSize.Varint(ts);
        }

        if (!m.OmitDataType)
        {
            size += 1 + ProtoSize.Varint((uint)m.Value.DataType);
        }

        if (m.IsHistorical)
        {
            size += 2;
        }

        if (m.IsTransient)
        {
            size += 2;
        }

        if (m.MetaData is { } md)
        {
            size += 1 + ProtoSize.LengthDelimited(MetaDataSize(md));
        }

        if (m.Properties is { } props)
        {
            size = ProtoSize.Add(size, 1 + ProtoSize.LengthDelimited(PropertySetSize(props, o, depth + 1)));
        }

        return ProtoSize.Add(size, m.Value.IsNull ? 2 : ValueSize(m.Value, SparkplugValueContainer.Metric, o, depth + 1));
    }

    internal static void WriteMetric(ref ProtoSpanWriter w, in SparkplugMetricData m, SparkplugEncodingOptions o, int depth)
    {
        // Field order follows the field numbers, as protobuf serializers do.
        if (m.Name is { } name)
        {
            w.WriteTag(WireFields.Metric.Name, WireFields.WireLengthDelimited);
            w.WriteString(name);
        }

        if (m.Alias is { } alias)
        {
            w.WriteTag(WireFields.Metric.Alias, WireFields.WireVarint);
            w.WriteVarint(alias);
        }

        if (m.Timestamp is { } ts)
        {
            w.WriteTag(WireFields.Metric.Timestamp, WireFields.WireVarint);
            w.WriteVarint(ts);
        }

        if (!m.OmitDataType)
        {
            w.WriteTag(WireFields.Metric.DataType, WireFields.WireVarint);
            w.WriteVarint((uint)m.Value.DataType);
        }

        if (m.IsHistorical)
        {
            w.WriteTag(WireFields.Metric.IsHistorical, WireFields.WireVarint);
            w.WriteVarint(1);
        }

        if (m.IsTransient)
        {
            w.WriteTag(WireFields.Metric.IsTransient, WireFields.WireVarint);
            w.WriteVarint(1);
        }

        if (m.Value.IsNull)
        {
            // [tck-id-payloads-metric-is-null]: a null value is said explicitly, with no value field.
            w.WriteTag(WireFields.Metric.IsNull, WireFields.WireVarint);
            w.WriteVarint(1);
        }

        if (m.MetaData is { } md)
        {
            w.WriteTag(WireFields.Metric.MetaData, WireFields.WireLengthDelimited);
            w.WriteVarint((uint)MetaDataSize(md));
            WriteMetaData(ref w, md);
        }

        if (m.Properties is { } props)
        {
            w.WriteTag(WireFields.Metric.Properties, WireFields.WireLengthDelimited);
            w.WriteVarint((uint)PropertySetSize(props, o, depth + 1));
            WritePropertySet(ref w, props, o, depth + 1);
        }

        if (!m.Value.IsNull)
        {
            WriteValue(ref w, m.Value, SparkplugValueContainer.Metric, o, depth + 1);
        }
    }

    // ---- Values -------------------------------------------------------------------------------------------------

    private static SparkplugValueField FieldOf(in SparkplugValue v, SparkplugValueContainer c, SparkplugEncodingOptions o)
    {
        var field = SparkplugDataTypes.GetValueField(v.DataType, c, o);
        return field != SparkplugValueField.None
            ? field
            : throw new InvalidOperationException(
                $"A {SparkplugDataTypes.GetName(v.DataType)} value cannot be carried in a {c} (it has no field for it).");
    }

    /// <summary>Tag plus content of a non-null value's field.</summary>
    internal static int ValueSize(in SparkplugValue v, SparkplugValueContainer c, SparkplugEncodingOptions o, int depth)
    {
        var field = FieldOf(v, c, o);
        var tag = ProtoSize.Tag(WireFields.ValueFieldNumber(c, field));
        return field switch
        {
            SparkplugValueField.IntValue => tag + ProtoSize.Varint((uint)v.Bits),
            SparkplugValueField.LongValue => tag + ProtoSize.Varint(v.Bits),
            SparkplugValueField.FloatValue => tag + 4,
            SparkplugValueField.DoubleValue => tag + 8,
            SparkplugValueField.BooleanValue => tag + 1,
            SparkplugValueField.StringValue => tag + ProtoSize.LengthDelimited(ProtoSize.Utf8((string)v.Ref!)),
            SparkplugValueField.BytesValue => ProtoSize.Add(tag, ProtoSize.LengthDelimited(BytesLength(v))),
            SparkplugValueField.DataSetValue => ProtoSize.Add(tag, ProtoSize.LengthDelimited(DataSetSize((SparkplugDataSet)v.Ref!, o, depth))),
            SparkplugValueField.TemplateValue => ProtoSize.Add(tag, ProtoSize.LengthDelimited(TemplateSize((SparkplugTemplate)v.Ref!, o, depth))),
            SparkplugValueField.PropertySetValue => ProtoSize.Add(tag, ProtoSize.LengthDelimited(PropertySetSize((SparkplugPropertySet)v.Ref!, o, depth))),
            SparkplugValueField.PropertySetListValue => ProtoSize.Add(tag, ProtoSize.LengthDelimited(PropertySetListSize((SparkplugPropertySetList)v.Ref!, o, depth))),
            _ => throw new InvalidOperationException($"Unexpected value field {field}."),
        };
    }

    internal static void WriteValue(ref ProtoSpanWriter w, in SparkplugValue v, SparkplugValueContainer c, SparkplugEncodingOptions o, int depth)
    {
        var field = FieldOf(v, c, o);
        var number = WireFields.ValueFieldNumber(c, field);
        switch (field)
        {
            case SparkplugValueField.IntValue:
                // [Sparkplug 3.0 §6.4.16] signed 8/16/32-bit values travel as their two's complement, sign-extended to
                // 32 bits, in the uint32 field (Tahu Java/C do the same); unsigned ones zero-extended.
                w.WriteTag(number, WireFields.WireVarint);
                w.WriteVarint((uint)v.Bits);
                break;
            case SparkplugValueField.LongValue:
                w.WriteTag(number, WireFields.WireVarint);
                w.WriteVarint(v.Bits);
                break;
            case SparkplugValueField.FloatValue:
                w.WriteTag(number, WireFields.WireFixed32);
                w.WriteFixed32((uint)v.Bits);
                break;
            case SparkplugValueField.DoubleValue:
                w.WriteTag(number, WireFields.WireFixed64);
                w.WriteFixed64(v.Bits);
                break;
            case SparkplugValueField.BooleanValue:
                w.WriteTag(number, WireFields.WireVarint);
                w.WriteVarint(v.Bits != 0 ? 1UL : 0UL);
                break;
            case SparkplugValueField.StringValue:
                var s = (string)v.Ref!;
                w.WriteTag(number, WireFields.WireLengthDelimited);
                w.WriteString(s);
                break;
            case SparkplugValueField.BytesValue:
                w.WriteTag(number, WireFields.WireLengthDelimited);
                if (SparkplugDataTypes.IsArray(v.DataType))
                {
                    var length = SparkplugArrayCodec.GetEncodedLength(v);
                    w.WriteVarint((uint)length);
                    SparkplugArrayCodec.EncodeTo(v, w.Reserve(length));
                }
                else
                {
                    w.WriteBytes(v.AsBytes().Span);
                }

                break;
            case SparkplugValueField.DataSetValue:
                var dataSet = (SparkplugDataSet)v.Ref!;
                w.WriteTag(number, WireFields.WireLengthDelimited);
                w.WriteVarint((uint)DataSetSize(dataSet, o, depth));
                WriteDataSet(ref w, dataSet, o, depth);
                break;
            case SparkplugValueField.TemplateValue:
                var template = (SparkplugTemplate)v.Ref!;
                w.WriteTag(number, WireFields.WireLengthDelimited);
                w.WriteVarint((uint)TemplateSize(template, o, depth));
                WriteTemplate(ref w, template, o, depth);
                break;
            case SparkplugValueField.PropertySetValue:
                var set = (SparkplugPropertySet)v.Ref!;
                w.WriteTag(number, WireFields.WireLengthDelimited);
                w.WriteVarint((uint)PropertySetSize(set, o, depth));
                WritePropertySet(ref w, set, o, depth);
                break;
            case SparkplugValueField.PropertySetListValue:
                var list = (SparkplugPropertySetList)v.Ref!;
                w.WriteTag(number, WireFields.WireLengthDelimited);
                w.WriteVarint((uint)PropertySetListSize(list, o, depth));
                WritePropertySetList(ref w, list, o, depth);
                break;
        }
    }

    private static int BytesLength(in SparkplugValue v) =>
        SparkplugDataTypes.IsArray(v.DataType) ? SparkplugArrayCodec.GetEncodedLength(v) : (int)(uint)v.Bits;

    // ---- PropertySet / PropertyValue / PropertySetList ----------------------------------------------------------

    internal static int PropertySetSize(SparkplugPropertySet set, SparkplugEncodingOptions o, int depth)
    {
        CheckDepth(depth);
        var size = 0;
        for (var i = 0; i < set.Count; i++)
        {
            var (key, value) = set[i];
            size = ProtoSize.Add(size, 1 + ProtoSize.LengthDelimited(ProtoSize.Utf8(key)));
            size = ProtoSize.Add(size, 1 + ProtoSize.LengthDelimited(PropertyValueSize(value, o, depth + 1)));
        }

        return size;
    }

    internal static void WritePropertySet(ref ProtoSpanWriter w, SparkplugPropertySet set, SparkplugEncodingOptions o, int depth)
    {
        // keys and values are parallel repeated fields [tck-id-payloads-propertyset-keys-array-size]; all keys first.
        for (var i = 0; i < set.Count; i++)
        {
            var key = set[i].Key;
            w.WriteTag(WireFields.PropertySet.Keys, WireFields.WireLengthDelimited);
            w.WriteString(key);
        }

        for (var i = 0; i < set.Count; i++)
        {
            var value = set[i].Value;
            w.WriteTag(WireFields.PropertySet.Values, WireFields.WireLengthDelimited);
            w.WriteVarint((uint)PropertyValueSize(value, o, depth + 1));
            WritePropertyValue(ref w, value, o, depth + 1);
        }
    }

    private static int PropertyValueSize(in SparkplugValue v, SparkplugEncodingOptions o, int depth) =>
        1 + ProtoSize.Varint((uint)v.DataType) + (v.IsNull ? 2 : ValueSize(v, SparkplugValueContainer.PropertyValue, o, depth));

    private static void WritePropertyValue(ref ProtoSpanWriter w, in SparkplugValue v, SparkplugEncodingOptions o, int depth)
    {
        // type is required in BIRTHs [tck-id-payloads-metric-propertyvalue-type-req]; always written.
        w.WriteTag(WireFields.PropertyValue.Type, WireFields.WireVarint);
        w.WriteVarint((uint)v.DataType);
        if (v.IsNull)
        {
            w.WriteTag(WireFields.PropertyValue.IsNull, WireFields.WireVarint);
            w.WriteVarint(1);
            return;
        }

        WriteValue(ref w, v, SparkplugValueContainer.PropertyValue, o, depth);
    }

    internal static int PropertySetListSize(SparkplugPropertySetList list, SparkplugEncodingOptions o, int depth)
    {
        CheckDepth(depth);
        var size = 0;
        for (var i = 0; i < list.Count; i++)
        {
            size = ProtoSize.Add(size, 1 + ProtoSize.LengthDelimited(PropertySetSize(list[i], o, depth + 1)));
        }

        return size;
    }

    private static void WritePropertySetList(ref ProtoSpanWriter w, SparkplugPropertySetList list, SparkplugEncodingOptions o, int depth)
    {
        for (var i = 0; i < list.Count; i++)
        {
            w.WriteTag(WireFields.PropertySetList.PropertySet, WireFields.WireLengthDelimited);
            w.WriteVarint((uint)PropertySetSize(list[i], o, depth + 1));
            WritePropertySet(ref w, list[i], o, depth + 1);
        }
    }

    // ---- MetaData -----------------------------------------------------------------------------------------------

    private static int MetaDataSize(SparkplugMetaData md)
    {
        var size = 0;
        if (md.IsMultiPart is not null)
        {
            size += 2;
        }

        size += OptionalString(md.ContentType);
        if (md.Size is { } s)
        {
            size += 1 + ProtoSize.Varint(s);
        }

        if (md.Seq is { } q)
        {
            size += 1 + ProtoSize.Varint(q);
        }

        return ProtoSize.Add(size, OptionalString(md.FileName) + OptionalString(md.FileType) + OptionalString(md.Md5) + OptionalString(md.Description));

        static int OptionalString(string? value) => value is null ? 0 : 1 + ProtoSize.LengthDelimited(ProtoSize.Utf8(value));
    }

    private static void WriteMetaData(ref ProtoSpanWriter w, SparkplugMetaData md)
    {
        if (md.IsMultiPart is { } multi)
        {
            w.WriteTag(WireFields.MetaData.IsMultiPart, WireFields.WireVarint);
            w.WriteVarint(multi ? 1UL : 0UL);
        }

        WriteOptionalString(ref w, WireFields.MetaData.ContentType, md.ContentType);
        if (md.Size is { } s)
        {
            w.WriteTag(WireFields.MetaData.Size, WireFields.WireVarint);
            w.WriteVarint(s);
        }

        if (md.Seq is { } q)
        {
            w.WriteTag(WireFields.MetaData.Seq, WireFields.WireVarint);
            w.WriteVarint(q);
        }

        WriteOptionalString(ref w, WireFields.MetaData.FileName, md.FileName);
        WriteOptionalString(ref w, WireFields.MetaData.FileType, md.FileType);
        WriteOptionalString(ref w, WireFields.MetaData.Md5, md.Md5);
        WriteOptionalString(ref w, WireFields.MetaData.Description, md.Description);
    }

    private static void WriteOptionalString(ref ProtoSpanWriter w, int field, string? value)
    {
        if (value is not null)
        {
            w.WriteTag(field, WireFields.WireLengthDelimited);
            w.WriteString(value);
        }
    }

    // ---- DataSet ------------------------------------------------------------------------------------------------

    private static int DataSetSize(SparkplugDataSet ds, SparkplugEncodingOptions o, int depth)
    {
        CheckDepth(depth);
        var size = 1 + ProtoSize.Varint(ds.NumberOfColumns ?? (ulong)ds.Columns.Count);
        foreach (var column in ds.Columns)
        {
            size = ProtoSize.Add(size, 1 + ProtoSize.LengthDelimited(ProtoSize.Utf8(column)));
        }

        foreach (var type in ds.Types)
        {
            size = ProtoSize.Add(size, 1 + ProtoSize.Varint((uint)type));
        }

        foreach (var row in ds.Rows)
        {
            size = ProtoSize.Add(size, 1 + ProtoSize.LengthDelimited(RowSize(row, o, depth + 1)));
        }

        return size;
    }

    private static void WriteDataSet(ref ProtoSpanWriter w, SparkplugDataSet ds, SparkplugEncodingOptions o, int depth)
    {
        // num_of_columns is required [tck-id-payloads-dataset-column-size]; types unpacked (proto2, not [packed]).
        w.WriteTag(WireFields.DataSet.NumOfColumns, WireFields.WireVarint);
        w.WriteVarint(ds.NumberOfColumns ?? (ulong)ds.Columns.Count);
        foreach (var column in ds.Columns)
        {
            w.WriteTag(WireFields.DataSet.Columns, WireFields.WireLengthDelimited);
            w.WriteString(column);
        }

        foreach (var type in ds.Types)
        {
            w.WriteTag(WireFields.DataSet.Types, WireFields.WireVarint);
            w.WriteVarint((uint)type);
        }

        foreach (var row in ds.Rows)
        {
            w.WriteTag(WireFields.DataSet.Rows, WireFields.WireLengthDelimited);
            w.WriteVarint((uint)RowSize(row, o, depth + 1));
            foreach (var cell in row)
            {
                w.WriteTag(WireFields.DataSet.RowElements, WireFields.WireLengthDelimited);
                if (cell.IsNull)
                {
                    // DataSetValue has no is_null: a null cell is an empty element (as Tahu writes it).
                    w.WriteVarint(0);
                    continue;
                }

                w.WriteVarint((uint)ValueSize(cell, SparkplugValueContainer.DataSetValue, o, depth + 1));
                WriteValue(ref w, cell, SparkplugValueContainer.DataSetValue, o, depth + 1);
            }
        }
    }

    private static int RowSize(SparkplugValue[] row, SparkplugEncodingOptions o, int depth)
    {
        var size = 0;
        foreach (var cell in row)
        {
            size = ProtoSize.Add(size, 1 + ProtoSize.LengthDelimited(cell.IsNull ? 0 : ValueSize(cell, SparkplugValueContainer.DataSetValue, o, depth)));
        }

        return size;
    }

    // ---- Template -----------------------------------------------------------------------------------------------

    private static int TemplateSize(SparkplugTemplate t, SparkplugEncodingOptions o, int depth)
    {
        CheckDepth(depth);
        var size = 0;
        if (t.Version is { } version)
        {
            size += 1 + ProtoSize.LengthDelimited(ProtoSize.Utf8(version));
        }

        foreach (var metric in t.Metrics)
        {
            var data = metric.ToMetricData();
            size = ProtoSize.Add(size, 1 + ProtoSize.LengthDelimited(MetricSize(data, o, depth + 1)));
        }

        foreach (var parameter in t.Parameters)
        {
            size = ProtoSize.Add(size, 1 + ProtoSize.LengthDelimited(ParameterSize(parameter, o, depth + 1)));
        }

        if (t.TemplateRef is { } reference)
        {
            size = ProtoSize.Add(size, 1 + ProtoSize.LengthDelimited(ProtoSize.Utf8(reference)));
        }

        return ProtoSize.Add(size, 2);
    }

    private static void WriteTemplate(ref ProtoSpanWriter w, SparkplugTemplate t, SparkplugEncodingOptions o, int depth)
    {
        if (t.Version is { } version)
        {
            w.WriteTag(WireFields.Template.Version, WireFields.WireLengthDelimited);
            w.WriteString(version);
        }

        foreach (var metric in t.Metrics)
        {
            var data = metric.ToMetricData();
            w.WriteTag(WireFields.Template.Metrics, WireFields.WireLengthDelimited);
            w.WriteVarint((uint)MetricSize(data, o, depth + 1));
            WriteMetric(ref w, data, o, depth + 1);
        }

        foreach (var parameter in t.Parameters)
        {
            w.WriteTag(WireFields.Template.Parameters, WireFields.WireLengthDelimited);
            w.WriteVarint((uint)ParameterSize(parameter, o, depth + 1));
            WriteParameter(ref w, parameter, o, depth + 1);
        }

        WriteOptionalString(ref w, WireFields.Template.TemplateRef, t.TemplateRef);

        // is_definition is always present [tck-id-payloads-template-is-definition].
        w.WriteTag(WireFields.Template.IsDefinition, WireFields.WireVarint);
        w.WriteVarint(t.IsDefinition ? 1UL : 0UL);
    }

    private static int ParameterSize(SparkplugTemplateParameter p, SparkplugEncodingOptions o, int depth)
    {
        var size = p.Name is { } name ? 1 + ProtoSize.LengthDelimited(ProtoSize.Utf8(name)) : 0;
        size += 1 + ProtoSize.Varint((uint)p.Value.DataType);
        return p.Value.IsNull ? size : ProtoSize.Add(size, ValueSize(p.Value, SparkplugValueContainer.TemplateParameter, o, depth));
    }

    private static void WriteParameter(ref ProtoSpanWriter w, SparkplugTemplateParameter p, SparkplugEncodingOptions o, int depth)
    {
        WriteOptionalString(ref w, WireFields.Template.ParameterName, p.Name);
        w.WriteTag(WireFields.Template.ParameterType, WireFields.WireVarint);
        w.WriteVarint((uint)p.Value.DataType);
        if (!p.Value.IsNull)
        {
            WriteValue(ref w, p.Value, SparkplugValueContainer.TemplateParameter, o, depth);
        }
    }

    private static void CheckDepth(int depth)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidOperationException($"The Sparkplug payload nests deeper than {MaxDepth} levels (a template or property set that contains itself?).");
        }
    }
}
