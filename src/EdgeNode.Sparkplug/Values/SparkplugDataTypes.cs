using System.Diagnostics.CodeAnalysis;

namespace EdgeNode.Sparkplug;

/// <summary>Facts about <see cref="SparkplugDataType"/>: names, value fields, families (Sparkplug 3.0 §6.4.16).</summary>
public static class SparkplugDataTypes
{
    private static readonly string[] s_names =
    [
        "Unknown", "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64", "Float", "Double",
        "Boolean", "String", "DateTime", "Text", "UUID", "DataSet", "Bytes", "File", "Template", "PropertySet",
        "PropertySetList", "Int8Array", "Int16Array", "Int32Array", "Int64Array", "UInt8Array", "UInt16Array",
        "UInt32Array", "UInt64Array", "FloatArray", "DoubleArray", "BooleanArray", "StringArray", "DateTimeArray",
    ];

    /// <summary>The highest datatype value Sparkplug 3.0 defines.</summary>
    public const SparkplugDataType MaxDefined = SparkplugDataType.DateTimeArray;

    /// <summary>True for the values Sparkplug 3.0 defines (0 = Unknown included).</summary>
    public static bool IsDefined(SparkplugDataType type) => (uint)type <= (uint)MaxDefined;

    /// <summary>The specification's name ("Int8", "UUID", "DateTimeArray"); the number for undefined values.</summary>
    public static string GetName(SparkplugDataType type) =>
        IsDefined(type) ? s_names[(int)type] : ((uint)type).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Parses a specification name, case-insensitively ("int32", "UUID", "Uuid"); also accepts the numeric value.
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? name, out SparkplugDataType type)
    {
        type = SparkplugDataType.Unknown;
        if (string.IsNullOrWhiteSpace(name))
        {
            return false;
        }

        var trimmed = name.AsSpan().Trim();
        for (var i = 1; i < s_names.Length; i++)
        {
            if (trimmed.Equals(s_names[i], StringComparison.OrdinalIgnoreCase))
            {
                type = (SparkplugDataType)i;
                return true;
            }
        }

        if (uint.TryParse(trimmed, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            && n is > 0 and <= (uint)MaxDefined)
        {
            type = (SparkplugDataType)n;
            return true;
        }

        return false;
    }

    /// <summary>
    /// The "basic types" (Int8 … Text, values 1-14): the only types allowed for DataSet columns and Template parameters
    /// [tck-id-payloads-dataset-types-value] [tck-id-payloads-template-parameter-type-value].
    /// </summary>
    public static bool IsBasic(SparkplugDataType type) => type is >= SparkplugDataType.Int8 and <= SparkplugDataType.Text;

    /// <summary>The array types of Sparkplug 3.0 (Int8Array … DateTimeArray), all carried in <c>bytes_value</c>.</summary>
    public static bool IsArray(SparkplugDataType type) => type is >= SparkplugDataType.Int8Array and <= SparkplugDataType.DateTimeArray;

    /// <summary>Int8 … UInt64 (not DateTime).</summary>
    public static bool IsInteger(SparkplugDataType type) => type is >= SparkplugDataType.Int8 and <= SparkplugDataType.UInt64;

    /// <summary>Int8, Int16, Int32, Int64.</summary>
    public static bool IsSignedInteger(SparkplugDataType type) => type is >= SparkplugDataType.Int8 and <= SparkplugDataType.Int64;

    /// <summary>UInt8, UInt16, UInt32, UInt64.</summary>
    public static bool IsUnsignedInteger(SparkplugDataType type) => type is >= SparkplugDataType.UInt8 and <= SparkplugDataType.UInt64;

    /// <summary>Integers, Float and Double.</summary>
    public static bool IsNumeric(SparkplugDataType type) => type is >= SparkplugDataType.Int8 and <= SparkplugDataType.Double;

    /// <summary>String, Text and UUID: the types carried in <c>string_value</c>.</summary>
    public static bool IsText(SparkplugDataType type) =>
        type is SparkplugDataType.String or SparkplugDataType.Text or SparkplugDataType.Uuid;

    /// <summary>
    /// Whether the specification allows <paramref name="type"/> in <paramref name="container"/>: metrics take every type
    /// but Unknown, PropertySet and PropertySetList; property values the basic types plus PropertySet/PropertySetList
    /// [tck-id-payloads-metric-propertyvalue-type-value]; DataSet columns and Template parameters the basic types.
    /// </summary>
    public static bool IsAllowedIn(SparkplugDataType type, SparkplugValueContainer container) => container switch
    {
        SparkplugValueContainer.Metric => IsDefined(type) && type is not (SparkplugDataType.Unknown or SparkplugDataType.PropertySet or SparkplugDataType.PropertySetList),
        SparkplugValueContainer.PropertyValue => IsBasic(type) || type is SparkplugDataType.PropertySet or SparkplugDataType.PropertySetList,
        _ => IsBasic(type),
    };

    /// <summary>The element type of an array type (Int32Array → Int32, DateTimeArray → DateTime); Unknown otherwise.</summary>
    public static SparkplugDataType GetElementType(SparkplugDataType arrayType) => arrayType switch
    {
        SparkplugDataType.Int8Array => SparkplugDataType.Int8,
        SparkplugDataType.Int16Array => SparkplugDataType.Int16,
        SparkplugDataType.Int32Array => SparkplugDataType.Int32,
        SparkplugDataType.Int64Array => SparkplugDataType.Int64,
        SparkplugDataType.UInt8Array => SparkplugDataType.UInt8,
        SparkplugDataType.UInt16Array => SparkplugDataType.UInt16,
        SparkplugDataType.UInt32Array => SparkplugDataType.UInt32,
        SparkplugDataType.UInt64Array => SparkplugDataType.UInt64,
        SparkplugDataType.FloatArray => SparkplugDataType.Float,
        SparkplugDataType.DoubleArray => SparkplugDataType.Double,
        SparkplugDataType.BooleanArray => SparkplugDataType.Boolean,
        SparkplugDataType.StringArray => SparkplugDataType.String,
        SparkplugDataType.DateTimeArray => SparkplugDataType.DateTime,
        _ => SparkplugDataType.Unknown,
    };

    /// <summary>Size in bytes of one element of a fixed-width array type; 0 for BooleanArray, StringArray and non-arrays.</summary>
    public static int GetArrayElementSize(SparkplugDataType arrayType) => arrayType switch
    {
        SparkplugDataType.Int8Array or SparkplugDataType.UInt8Array => 1,
        SparkplugDataType.Int16Array or SparkplugDataType.UInt16Array => 2,
        SparkplugDataType.Int32Array or SparkplugDataType.UInt32Array or SparkplugDataType.FloatArray => 4,
        SparkplugDataType.Int64Array or SparkplugDataType.UInt64Array or SparkplugDataType.DoubleArray or SparkplugDataType.DateTimeArray => 8,
        _ => 0,
    };

    /// <summary>
    /// The value field that carries <paramref name="type"/> in <paramref name="container"/> when encoding with
    /// <paramref name="options"/> (UInt32 goes to <c>long_value</c> under <see cref="SparkplugUInt32Encoding.LongValue"/>).
    /// <see cref="SparkplugValueField.None"/> when the container has no field for the type.
    /// </summary>
    public static SparkplugValueField GetValueField(SparkplugDataType type, SparkplugValueContainer container = SparkplugValueContainer.Metric,
        SparkplugEncodingOptions? options = null)
    {
        var field = type switch
        {
            SparkplugDataType.Int8 or SparkplugDataType.Int16 or SparkplugDataType.Int32 or SparkplugDataType.UInt8
                or SparkplugDataType.UInt16 => SparkplugValueField.IntValue,
            SparkplugDataType.UInt32 => (options ?? SparkplugEncodingOptions.Default).UInt32Encoding == SparkplugUInt32Encoding.LongValue
                ? SparkplugValueField.LongValue
                : SparkplugValueField.IntValue,
            SparkplugDataType.Int64 or SparkplugDataType.UInt64 or SparkplugDataType.DateTime => SparkplugValueField.LongValue,
            SparkplugDataType.Float => SparkplugValueField.FloatValue,
            SparkplugDataType.Double => SparkplugValueField.DoubleValue,
            SparkplugDataType.Boolean => SparkplugValueField.BooleanValue,
            SparkplugDataType.String or SparkplugDataType.Text or SparkplugDataType.Uuid => SparkplugValueField.StringValue,
            SparkplugDataType.DataSet => SparkplugValueField.DataSetValue,
            SparkplugDataType.Bytes or SparkplugDataType.File => SparkplugValueField.BytesValue,
            SparkplugDataType.Template => SparkplugValueField.TemplateValue,
            SparkplugDataType.PropertySet => SparkplugValueField.PropertySetValue,
            SparkplugDataType.PropertySetList => SparkplugValueField.PropertySetListValue,
            _ when IsArray(type) => SparkplugValueField.BytesValue,
            _ => SparkplugValueField.None,
        };

        return ContainerHas(container, field) ? field : SparkplugValueField.None;
    }

    internal static bool ContainerHas(SparkplugValueContainer container, SparkplugValueField field) => field switch
    {
        SparkplugValueField.None => false,
        SparkplugValueField.IntValue or SparkplugValueField.LongValue or SparkplugValueField.FloatValue
            or SparkplugValueField.DoubleValue or SparkplugValueField.BooleanValue or SparkplugValueField.StringValue => true,
        SparkplugValueField.BytesValue or SparkplugValueField.DataSetValue or SparkplugValueField.TemplateValue =>
            container == SparkplugValueContainer.Metric,
        SparkplugValueField.PropertySetValue or SparkplugValueField.PropertySetListValue =>
            container == SparkplugValueContainer.PropertyValue,
        _ => false,
    };
}
