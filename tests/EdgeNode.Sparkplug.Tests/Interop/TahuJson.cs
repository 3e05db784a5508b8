using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EdgeNode.Sparkplug.Tests.Interop;

/// <summary>
/// How Tahu's JavaScript object model represents our values, in the JSON conventions of
/// <see cref="EdgeNode.Testing.TahuCodec"/>: the expectation for Tahu's decoder and the input for Tahu's encoder.
/// </summary>
internal static class TahuJson
{
    public static JsonObject Payload(SparkplugPayload payload, bool input = false)
    {
        var json = new JsonObject();
        if (payload.Timestamp is { } ts)
        {
            json["timestamp"] = U64(ts);
        }

        json["metrics"] = new JsonArray([.. payload.Metrics.Select(m => (JsonNode)Metric(m, input))]);
        if (payload.Seq is { } seq)
        {
            json["seq"] = U64(seq);
        }

        return json;
    }

    public static JsonObject Metric(SparkplugMetric metric, bool input = false)
    {
        var json = new JsonObject();
        if (metric.Name is not null)
        {
            json["name"] = metric.Name;
        }

        if (!metric.OmitDataType)
        {
            json["type"] = SparkplugDataTypes.GetName(metric.Value.DataType);
        }

        json["value"] = Value(metric.Value, SparkplugValueContainer.Metric, input);
        if (metric.Timestamp is { } ts)
        {
            json["timestamp"] = U64(ts);
        }

        if (metric.Alias is { } alias)
        {
            json["alias"] = U64(alias);
        }

        if (metric.IsHistorical)
        {
            json["isHistorical"] = true;
        }

        if (metric.Properties is { } props)
        {
            json["properties"] = PropertySet(props, input);
        }

        return json;
    }

    public static JsonNode? Value(SparkplugValue v, SparkplugValueContainer container, bool input = false)
    {
        if (v.IsNull)
        {
            return null;
        }

        var c = CultureInfo.InvariantCulture;
        return v.DataType switch
        {
            SparkplugDataType.Int8 => v.AsInt8(),
            SparkplugDataType.Int16 => v.AsInt16(),
            SparkplugDataType.Int32 => v.AsInt32(),
            // Tahu reads DataSet cells' long_value without toSigned(): negative Int64 cells come back unsigned.
            SparkplugDataType.Int64 => container == SparkplugValueContainer.DataSetValue && !input
                ? unchecked((ulong)v.AsInt64()).ToString(c)
                : v.AsInt64().ToString(c),
            SparkplugDataType.UInt8 => v.AsUInt8(),
            SparkplugDataType.UInt16 => v.AsUInt16(),
            SparkplugDataType.UInt32 => v.AsUInt32(),
            SparkplugDataType.UInt64 => v.AsUInt64().ToString(c),
            SparkplugDataType.DateTime => unchecked((ulong)v.AsDateTimeMilliseconds()).ToString(c),
            SparkplugDataType.Float => Number(v.AsFloat()),
            SparkplugDataType.Double => Number(v.AsDouble()),
            SparkplugDataType.Boolean => v.AsBoolean(),
            SparkplugDataType.String or SparkplugDataType.Text or SparkplugDataType.Uuid => v.AsString(),
            SparkplugDataType.Bytes or SparkplugDataType.File => Convert.ToBase64String(v.AsBytes().Span),
            SparkplugDataType.DataSet => DataSet(v.AsDataSet(), input),
            SparkplugDataType.Template => Template(v.AsTemplate(), input),
            SparkplugDataType.PropertySet => PropertySet(v.AsPropertySet(), input),
            SparkplugDataType.PropertySetList => new JsonArray([.. v.AsPropertySetList().Select(s => (JsonNode)PropertySet(s, input))]),
            _ => throw new NotSupportedException($"Tahu's model has no representation for {v.DataType}"),
        };
    }

    private static JsonNode Number(double d) =>
        double.IsNaN(d) ? "NaN"
        : double.IsPositiveInfinity(d) ? "Infinity"
        : double.IsNegativeInfinity(d) ? "-Infinity"
        : d == 0 && double.IsNegative(d) ? "-0"
        : JsonValue.Create(d);

    private static JsonObject DataSet(SparkplugDataSet ds, bool input) => new()
    {
        ["numOfColumns"] = U64(ds.NumberOfColumns ?? (ulong)ds.Columns.Count),
        ["columns"] = new JsonArray([.. ds.Columns.Select(c => (JsonNode)c)]),
        ["types"] = new JsonArray([.. ds.Types.Select(t => (JsonNode)SparkplugDataTypes.GetName(t))]),
        ["rows"] = new JsonArray([.. ds.Rows.Select(row => (JsonNode)new JsonArray([.. row.Select(cell => Value(cell, SparkplugValueContainer.DataSetValue, input))]))]),
    };

    private static JsonObject Template(SparkplugTemplate t, bool input)
    {
        var json = new JsonObject
        {
            // Tahu's decoder reports absent optional strings as "" (protobufjs prototype defaults); its encoder writes
            // whatever it is given, so the input leaves absent ones out.
            ["version"] = t.Version ?? (input ? null : ""),
            ["templateRef"] = t.TemplateRef ?? (input ? null : ""),
            ["isDefinition"] = t.IsDefinition,
            ["metrics"] = new JsonArray([.. t.Metrics.Select(m => (JsonNode)Metric(m, input))]),
            ["parameters"] = new JsonArray([.. t.Parameters.Select(p => (JsonNode)new JsonObject
            {
                ["name"] = p.Name ?? "",
                ["type"] = SparkplugDataTypes.GetName(p.Value.DataType),
                ["value"] = Value(p.Value, SparkplugValueContainer.TemplateParameter, input),
            })]),
        };
        if (input)
        {
            foreach (var key in new[] { "version", "templateRef" }.Where(k => json[k] is null))
            {
                json.Remove(key);
            }
        }

        return json;
    }

    private static JsonObject PropertySet(SparkplugPropertySet set, bool input)
    {
        var json = new JsonObject();
        foreach (var (key, value) in set)
        {
            json[key] = new JsonObject
            {
                ["type"] = SparkplugDataTypes.GetName(value.DataType),
                ["value"] = Value(value, SparkplugValueContainer.PropertyValue, input),
            };
        }

        return json;
    }

    private static JsonNode U64(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Structural JSON equality with numbers compared by value (1 == 1.0), objects by key regardless of order.</summary>
    public static bool Equivalent(JsonNode? a, JsonNode? b, out string path) => Equivalent(a, b, "$", out path);

    private static bool Equivalent(JsonNode? a, JsonNode? b, string at, out string path)
    {
        path = at;
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        switch (a)
        {
            case JsonObject oa when b is JsonObject ob:
                foreach (var (key, value) in oa)
                {
                    if (!ob.TryGetPropertyValue(key, out var other) || !Equivalent(value, other, $"{at}.{key}", out path))
                    {
                        path = ob.ContainsKey(key) ? path : $"{at}.{key} (missing)";
                        return false;
                    }
                }

                foreach (var (key, _) in ob)
                {
                    if (!oa.ContainsKey(key))
                    {
                        path = $"{at}.{key} (unexpected)";
                        return false;
                    }
                }

                return true;
            case JsonArray aa when b is JsonArray ab:
                if (aa.Count != ab.Count)
                {
                    path = $"{at} (length {aa.Count} vs {ab.Count})";
                    return false;
                }

                for (var i = 0; i < aa.Count; i++)
                {
                    if (!Equivalent(aa[i], ab[i], $"{at}[{i}]", out path))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValue va when b is JsonValue vb:
                if (va.GetValueKind() == JsonValueKind.Number && vb.GetValueKind() == JsonValueKind.Number)
                {
                    return va.GetValue<double>() == vb.GetValue<double>()
                        && (va.GetValue<double>() != 0 || double.IsNegative(va.GetValue<double>()) == double.IsNegative(vb.GetValue<double>()));
                }

                return JsonNode.DeepEquals(va, vb);
            default:
                return false;
        }
    }
}
