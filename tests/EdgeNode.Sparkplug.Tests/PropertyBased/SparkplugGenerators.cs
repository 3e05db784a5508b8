using FsCheck;
using FsCheck.Fluent;

namespace EdgeNode.Sparkplug.Tests.PropertyBased;

/// <summary>FsCheck generators for every datatype, nested property sets, DataSets, Templates and whole payloads.</summary>
internal static class SparkplugGenerators
{
    private static Gen<T> Any<T>() => ArbMap.Default.GeneratorFor<T>();

    private static Gen<T?> Optional<T>(Gen<T> gen)
        where T : struct =>
        Gen.Frequency((1, Gen.Constant<T?>(null)), (3, gen.Select(x => (T?)x)));

    private static Gen<string?> OptionalString(Gen<string> gen) =>
        Gen.Frequency((1, Gen.Constant<string?>(null)), (3, gen.Select(x => (string?)x)));

    /// <summary>Well-formed UTF-16 (no lone surrogates: they cannot travel as UTF-8), optionally without NUL.</summary>
    public static Gen<string> Text(bool allowNul = true) =>
        Gen.Frequency(
                (6, Any<char>().Where(c => !char.IsSurrogate(c) && (allowNul || c != '\0')).Select(c => c.ToString())),
                (1, Gen.Elements("😀", "名", "é")))
            .ArrayOf()
            .Select(string.Concat);

    private static Gen<T[]> Array<T>() => Any<T[]>().Where(a => a is not null);

    public static Gen<SparkplugValue> Basic(SparkplugDataType type) => type switch
    {
        SparkplugDataType.Int8 => Any<sbyte>().Select(SparkplugValue.FromInt8),
        SparkplugDataType.Int16 => Any<short>().Select(SparkplugValue.FromInt16),
        SparkplugDataType.Int32 => Any<int>().Select(SparkplugValue.FromInt32),
        SparkplugDataType.Int64 => Any<long>().Select(SparkplugValue.FromInt64),
        SparkplugDataType.UInt8 => Any<byte>().Select(SparkplugValue.FromUInt8),
        SparkplugDataType.UInt16 => Any<ushort>().Select(SparkplugValue.FromUInt16),
        SparkplugDataType.UInt32 => Any<uint>().Select(SparkplugValue.FromUInt32),
        SparkplugDataType.UInt64 => Any<ulong>().Select(SparkplugValue.FromUInt64),
        SparkplugDataType.Float => Any<float>().Select(SparkplugValue.FromFloat),
        SparkplugDataType.Double => Any<double>().Select(SparkplugValue.FromDouble),
        SparkplugDataType.Boolean => Any<bool>().Select(SparkplugValue.FromBoolean),
        SparkplugDataType.String => Text().Select(SparkplugValue.FromString),
        SparkplugDataType.DateTime => Any<long>().Select(SparkplugValue.FromDateTimeMilliseconds),
        SparkplugDataType.Text => Text().Select(SparkplugValue.FromText),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static readonly SparkplugDataType[] s_basic = [.. Enumerable.Range(1, 14).Select(i => (SparkplugDataType)i)];

    public static Gen<SparkplugValue> BasicOrNull() =>
        Gen.Elements(s_basic).SelectMany(t => Gen.Frequency((1, Gen.Constant(SparkplugValue.Null(t))), (6, Basic(t))));

    public static Gen<SparkplugValue> ArrayValue() => Gen.OneOf(
        Array<sbyte>().Select(SparkplugValue.FromInt8Array),
        Array<short>().Select(SparkplugValue.FromInt16Array),
        Array<int>().Select(SparkplugValue.FromInt32Array),
        Array<long>().Select(SparkplugValue.FromInt64Array),
        Array<byte>().Select(SparkplugValue.FromUInt8Array),
        Array<ushort>().Select(SparkplugValue.FromUInt16Array),
        Array<uint>().Select(SparkplugValue.FromUInt32Array),
        Array<ulong>().Select(SparkplugValue.FromUInt64Array),
        Array<float>().Select(SparkplugValue.FromFloatArray),
        Array<double>().Select(SparkplugValue.FromDoubleArray),
        Array<bool>().Select(SparkplugValue.FromBooleanArray),
        Text(allowNul: false).ArrayOf().Select(SparkplugValue.FromStringArray),
        Array<long>().Select(SparkplugValue.FromDateTimeArray));

    public static Gen<SparkplugDataSet> DataSet() =>
        from types in Gen.Elements(s_basic).ArrayOf().Select(t => t.Take(5).ToArray())
        from names in Text().ArrayOf(types.Length)
        from rowCount in Gen.Choose(0, 3)
        from rows in Gen.CollectToArray(types.Select(t => Gen.Frequency((1, Gen.Constant(SparkplugValue.Null(t))), (5, Basic(t))))).ArrayOf(rowCount)
        select Build(types, names, rows);

    private static SparkplugDataSet Build(SparkplugDataType[] types, string[] names, IEnumerable<SparkplugValue>[] rows)
    {
        var ds = new SparkplugDataSet();
        for (var i = 0; i < types.Length; i++)
        {
            ds.AddColumn(names[i], types[i]);
        }

        foreach (var row in rows)
        {
            ds.AddRow([.. row]);
        }

        return ds;
    }

    public static Gen<SparkplugPropertySet> PropertySet(int depth) =>
        from count in Gen.Choose(0, depth > 1 ? 2 : 4)
        from keys in Text().ArrayOf(count)
        from values in PropertyValue(depth).ArrayOf(count)
        select BuildSet(keys, values);

    private static SparkplugPropertySet BuildSet(string[] keys, SparkplugValue[] values)
    {
        var set = new SparkplugPropertySet();
        for (var i = 0; i < keys.Length; i++)
        {
            set.Set(keys[i], values[i]);
        }

        return set;
    }

    private static Gen<SparkplugValue> PropertyValue(int depth) => depth >= 2
        ? BasicOrNull()
        : Gen.Frequency(
            (6, BasicOrNull()),
            (1, Gen.Sized(_ => PropertySet(depth + 1)).Select(SparkplugValue.FromPropertySet)),
            (1, PropertySet(depth + 1).ArrayOf().Select(sets => sets.Take(2).ToArray()).Select(sets =>
            {
                var list = new SparkplugPropertySetList();
                foreach (var s in sets)
                {
                    list.Add(s);
                }

                return SparkplugValue.FromPropertySetList(list);
            })),
            (1, Gen.Elements(SparkplugDataType.PropertySet, SparkplugDataType.PropertySetList).Select(SparkplugValue.Null)));

    public static Gen<SparkplugTemplate> Template(int depth) =>
        from isDefinition in Any<bool>()
        from version in OptionalString(Text())
        from reference in OptionalString(Text())
        from memberCount in Gen.Choose(0, depth > 0 ? 1 : 3)
        from members in Metric(depth + 1, omitDataType: false).ArrayOf(memberCount)
        from parameters in (from name in OptionalString(Text()) from value in BasicOrNull() select new SparkplugTemplateParameter { Name = name, Value = value }).ArrayOf()
        select BuildTemplate(isDefinition, version, reference, members, parameters);

    private static SparkplugTemplate BuildTemplate(bool isDefinition, string? version, string? reference, SparkplugMetric[] members, SparkplugTemplateParameter[] parameters)
    {
        var t = new SparkplugTemplate { IsDefinition = isDefinition, Version = version, TemplateRef = reference };
        t.Metrics.AddRange(members);
        t.Parameters.AddRange(parameters.Take(4));
        return t;
    }

    public static Gen<SparkplugValue> MetricValue(int depth)
    {
        var gens = new List<(int, Gen<SparkplugValue>)>
        {
            (10, BasicOrNull()),
            (2, Gen.OneOf(Text().Select(SparkplugValue.FromUuid), Array<byte>().Select(SparkplugValue.FromBytes), Array<byte>().Select(SparkplugValue.FromFile))),
            (3, ArrayValue()),
            (1, DataSet().Select(SparkplugValue.FromDataSet)),
        };
        if (depth < 2)
        {
            gens.Add((1, Template(depth).Select(SparkplugValue.FromTemplate)));
        }

        return Gen.Frequency(gens.ToArray());
    }

    public static Gen<SparkplugMetaData?> MetaData() => Gen.Frequency(
        (4, Gen.Constant<SparkplugMetaData?>(null)),
        (1, from multi in Optional(Any<bool>())
            from contentType in OptionalString(Text())
            from size in Optional(Any<ulong>())
            from seq in Optional(Any<ulong>())
            from fileName in OptionalString(Text())
            from md5 in OptionalString(Text())
            select (SparkplugMetaData?)new SparkplugMetaData { IsMultiPart = multi, ContentType = contentType, Size = size, Seq = seq, FileName = fileName, Md5 = md5, FileType = "bin", Description = null }));

    public static Gen<SparkplugMetric> Metric(int depth, bool omitDataType) =>
        from name in OptionalString(Text())
        from alias in Optional(Any<ulong>())
        from timestamp in Optional(Any<ulong>())
        from value in MetricValue(depth)
        from historical in Any<bool>()
        from transient in Any<bool>()
        from props in Gen.Frequency((3, Gen.Constant<SparkplugPropertySet?>(null)), (1, PropertySet(0).Select(p => (SparkplugPropertySet?)p)))
        from metaData in MetaData()
        select new SparkplugMetric(name, value)
        {
            Alias = alias,
            Timestamp = timestamp,
            OmitDataType = omitDataType,
            IsHistorical = historical,
            IsTransient = transient,
            Properties = props,
            MetaData = metaData,
        };

    public static Gen<SparkplugPayload> Payload(bool omitDataType = false) =>
        from timestamp in Optional(Any<ulong>())
        from seq in Optional(Any<ulong>())
        from uuid in OptionalString(Text())
        from body in Gen.Frequency((3, Gen.Constant<byte[]?>(null)), (1, Array<byte>().Select(b => (byte[]?)b)))
        from metrics in Metric(0, omitDataType).ArrayOf().Select(m => m.Take(6).ToArray())
        select BuildPayload(timestamp, seq, uuid, body, metrics);

    private static SparkplugPayload BuildPayload(ulong? timestamp, ulong? seq, string? uuid, byte[]? body, SparkplugMetric[] metrics)
    {
        var payload = new SparkplugPayload { Timestamp = timestamp, Seq = seq, Uuid = uuid, Body = body };
        payload.Metrics.AddRange(metrics);
        return payload;
    }
}
