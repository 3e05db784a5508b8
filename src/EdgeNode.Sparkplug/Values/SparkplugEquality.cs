namespace EdgeNode.Sparkplug;

/// <summary>
/// Structural equality of values and of the object model: same types, same values (floating point by
/// <see cref="double.Equals(double)"/>, so NaN equals NaN), same nested DataSets, Templates and property sets.
/// </summary>
internal static class SparkplugEquality
{
    private const int MaxDepth = 64;

    internal static bool ValuesEqual(in SparkplugValue a, in SparkplugValue b) => ValuesEqual(a, b, 0);

    private static bool ValuesEqual(in SparkplugValue a, in SparkplugValue b, int depth)
    {
        if (a.DataType != b.DataType || a.IsNull != b.IsNull)
        {
            return false;
        }

        if (a.IsNull)
        {
            return true;
        }

        switch (a.DataType)
        {
            case SparkplugDataType.Float:
                return BitConverter.UInt32BitsToSingle((uint)a.Bits).Equals(BitConverter.UInt32BitsToSingle((uint)b.Bits));
            case SparkplugDataType.Double:
                return BitConverter.UInt64BitsToDouble(a.Bits).Equals(BitConverter.UInt64BitsToDouble(b.Bits));
            case SparkplugDataType.String or SparkplugDataType.Text or SparkplugDataType.Uuid:
                return string.Equals((string)a.Ref!, (string)b.Ref!, StringComparison.Ordinal);
            case SparkplugDataType.Bytes or SparkplugDataType.File:
                return a.AsBytes().Span.SequenceEqual(b.AsBytes().Span);
            case SparkplugDataType.DataSet:
                return DataSetsEqual((SparkplugDataSet)a.Ref!, (SparkplugDataSet)b.Ref!, depth + 1);
            case SparkplugDataType.Template:
                return TemplatesEqual((SparkplugTemplate)a.Ref!, (SparkplugTemplate)b.Ref!, depth + 1);
            case SparkplugDataType.PropertySet:
                return PropertySetsEqual((SparkplugPropertySet)a.Ref!, (SparkplugPropertySet)b.Ref!, depth + 1);
            case SparkplugDataType.PropertySetList:
                return PropertySetListsEqual((SparkplugPropertySetList)a.Ref!, (SparkplugPropertySetList)b.Ref!, depth + 1);
            case var t when SparkplugDataTypes.IsArray(t):
                return ArraysEqual(a, b);
            default:
                return a.Bits == b.Bits;
        }
    }

    private static bool ArraysEqual(in SparkplugValue a, in SparkplugValue b) => a.DataType switch
    {
        SparkplugDataType.Int8Array => a.AsArray<sbyte>().SequenceEqual(b.AsArray<sbyte>()),
        SparkplugDataType.Int16Array => a.AsArray<short>().SequenceEqual(b.AsArray<short>()),
        SparkplugDataType.Int32Array => a.AsArray<int>().SequenceEqual(b.AsArray<int>()),
        SparkplugDataType.Int64Array or SparkplugDataType.DateTimeArray => a.AsArray<long>().SequenceEqual(b.AsArray<long>()),
        SparkplugDataType.UInt8Array => a.AsArray<byte>().SequenceEqual(b.AsArray<byte>()),
        SparkplugDataType.UInt16Array => a.AsArray<ushort>().SequenceEqual(b.AsArray<ushort>()),
        SparkplugDataType.UInt32Array => a.AsArray<uint>().SequenceEqual(b.AsArray<uint>()),
        SparkplugDataType.UInt64Array => a.AsArray<ulong>().SequenceEqual(b.AsArray<ulong>()),
        SparkplugDataType.FloatArray => a.AsArray<float>().SequenceEqual(b.AsArray<float>()),
        SparkplugDataType.DoubleArray => a.AsArray<double>().SequenceEqual(b.AsArray<double>()),
        SparkplugDataType.BooleanArray => a.AsArray<bool>().SequenceEqual(b.AsArray<bool>()),
        SparkplugDataType.StringArray => a.AsStringArray().SequenceEqual(b.AsStringArray()),
        _ => false,
    };

    internal static int ValueHash(in SparkplugValue v)
    {
        var hash = new HashCode();
        hash.Add(v.DataType);
        hash.Add(v.IsNull);
        if (v.IsNull)
        {
            return hash.ToHashCode();
        }

        switch (v.DataType)
        {
            case SparkplugDataType.Float:
                hash.Add(BitConverter.UInt32BitsToSingle((uint)v.Bits));
                break;
            case SparkplugDataType.Double:
                hash.Add(BitConverter.UInt64BitsToDouble(v.Bits));
                break;
            case SparkplugDataType.String or SparkplugDataType.Text or SparkplugDataType.Uuid:
                hash.Add((string)v.Ref!, StringComparer.Ordinal);
                break;
            case SparkplugDataType.Bytes or SparkplugDataType.File:
                hash.AddBytes(v.AsBytes().Span);
                break;
            case var t when SparkplugDataTypes.IsArray(t):
                hash.Add(v.ArrayLength);
                break;
            case SparkplugDataType.DataSet or SparkplugDataType.Template or SparkplugDataType.PropertySet or SparkplugDataType.PropertySetList:
                break; // structural: equal objects may be different instances
            default:
                hash.Add(v.Bits);
                break;
        }

        return hash.ToHashCode();
    }

    internal static bool PropertySetsEqual(SparkplugPropertySet? a, SparkplugPropertySet? b, int depth = 0)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a is null || b is null || a.Count != b.Count || depth > MaxDepth)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!string.Equals(a[i].Key, b[i].Key, StringComparison.Ordinal) || !ValuesEqual(a[i].Value, b[i].Value, depth + 1))
            {
                return false;
            }
        }

        return true;
    }

    private static bool PropertySetListsEqual(SparkplugPropertySetList a, SparkplugPropertySetList b, int depth)
    {
        if (a.Count != b.Count || depth > MaxDepth)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!PropertySetsEqual(a[i], b[i], depth + 1))
            {
                return false;
            }
        }

        return true;
    }

    private static bool DataSetsEqual(SparkplugDataSet a, SparkplugDataSet b, int depth)
    {
        if (depth > MaxDepth || (a.NumberOfColumns ?? (ulong)a.Columns.Count) != (b.NumberOfColumns ?? (ulong)b.Columns.Count)
            || !a.Columns.SequenceEqual(b.Columns, StringComparer.Ordinal) || !a.Types.SequenceEqual(b.Types) || a.Rows.Count != b.Rows.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Rows.Count; i++)
        {
            var ra = a.Rows[i];
            var rb = b.Rows[i];
            if (ra.Length != rb.Length)
            {
                return false;
            }

            for (var j = 0; j < ra.Length; j++)
            {
                if (!CellsEqual(ra[j], rb[j], depth))
                {
                    return false;
                }
            }
        }

        return true;
    }

    // A null cell has no type on the wire; compare nulls regardless of the type they were built with.
    private static bool CellsEqual(in SparkplugValue a, in SparkplugValue b, int depth) =>
        (a.IsNull && b.IsNull) || ValuesEqual(a, b, depth + 1);

    private static bool TemplatesEqual(SparkplugTemplate a, SparkplugTemplate b, int depth)
    {
        if (depth > MaxDepth || a.IsDefinition != b.IsDefinition || !string.Equals(a.Version, b.Version, StringComparison.Ordinal)
            || !string.Equals(a.TemplateRef, b.TemplateRef, StringComparison.Ordinal)
            || a.Metrics.Count != b.Metrics.Count || a.Parameters.Count != b.Parameters.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Metrics.Count; i++)
        {
            if (!MetricsEqual(a.Metrics[i], b.Metrics[i], depth + 1))
            {
                return false;
            }
        }

        for (var i = 0; i < a.Parameters.Count; i++)
        {
            if (!string.Equals(a.Parameters[i].Name, b.Parameters[i].Name, StringComparison.Ordinal)
                || !ValuesEqual(a.Parameters[i].Value, b.Parameters[i].Value, depth + 1))
            {
                return false;
            }
        }

        return true;
    }

    internal static bool MetricsEqual(SparkplugMetric a, SparkplugMetric b, int depth = 0) =>
        depth <= MaxDepth
        && string.Equals(a.Name, b.Name, StringComparison.Ordinal) && a.Alias == b.Alias && a.Timestamp == b.Timestamp
        && a.OmitDataType == b.OmitDataType && a.IsHistorical == b.IsHistorical && a.IsTransient == b.IsTransient
        && ValuesEqual(a.Value, b.Value, depth + 1) && PropertySetsEqual(a.Properties, b.Properties, depth + 1)
        && MetaDataEqual(a.MetaData, b.MetaData);

    private static bool MetaDataEqual(SparkplugMetaData? a, SparkplugMetaData? b) =>
        ReferenceEquals(a, b) || (a is not null && b is not null
            && a.IsMultiPart == b.IsMultiPart && a.Size == b.Size && a.Seq == b.Seq
            && string.Equals(a.ContentType, b.ContentType, StringComparison.Ordinal)
            && string.Equals(a.FileName, b.FileName, StringComparison.Ordinal)
            && string.Equals(a.FileType, b.FileType, StringComparison.Ordinal)
            && string.Equals(a.Md5, b.Md5, StringComparison.Ordinal)
            && string.Equals(a.Description, b.Description, StringComparison.Ordinal));

    internal static bool PayloadsEqual(SparkplugPayload a, SparkplugPayload b)
    {
        if (a.Timestamp != b.Timestamp || a.Seq != b.Seq || !string.Equals(a.Uuid, b.Uuid, StringComparison.Ordinal)
            || (a.Body is null) != (b.Body is null) || (a.Body is not null && !a.Body.AsSpan().SequenceEqual(b.Body))
            || a.Metrics.Count != b.Metrics.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Metrics.Count; i++)
        {
            if (!MetricsEqual(a.Metrics[i], b.Metrics[i]))
            {
                return false;
            }
        }

        return true;
    }
}
