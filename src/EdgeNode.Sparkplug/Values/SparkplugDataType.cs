namespace EdgeNode.Sparkplug;

/// <summary>
/// The Sparkplug B datatypes (Sparkplug 3.0 §6.4.16). The numeric values are the wire values carried in
/// <c>Metric.datatype</c>, <c>PropertyValue.type</c>, <c>DataSet.types</c> and <c>Template.Parameter.type</c>.
/// </summary>
public enum SparkplugDataType : uint
{
    /// <summary>Not a valid datatype on the wire (the TCK rejects it); used for "no datatype".</summary>
    Unknown = 0,

    /// <summary>Signed 8-bit integer, sent sign-extended in <c>int_value</c>.</summary>
    Int8 = 1,

    /// <summary>Signed 16-bit integer, sent sign-extended in <c>int_value</c>.</summary>
    Int16 = 2,

    /// <summary>Signed 32-bit integer, sent as its two's complement in <c>int_value</c>.</summary>
    Int32 = 3,

    /// <summary>Signed 64-bit integer, sent as its two's complement in <c>long_value</c>.</summary>
    Int64 = 4,

    /// <summary>Unsigned 8-bit integer in <c>int_value</c>.</summary>
    UInt8 = 5,

    /// <summary>Unsigned 16-bit integer in <c>int_value</c>.</summary>
    UInt16 = 6,

    /// <summary>Unsigned 32-bit integer in <c>int_value</c> (spec) or <c>long_value</c> (Tahu, Ignition): see <see cref="SparkplugUInt32Encoding"/>.</summary>
    UInt32 = 7,

    /// <summary>Unsigned 64-bit integer in <c>long_value</c>.</summary>
    UInt64 = 8,

    /// <summary>IEEE 754 single precision in <c>float_value</c>.</summary>
    Float = 9,

    /// <summary>IEEE 754 double precision in <c>double_value</c>.</summary>
    Double = 10,

    /// <summary>Boolean in <c>boolean_value</c>.</summary>
    Boolean = 11,

    /// <summary>UTF-8 string in <c>string_value</c>.</summary>
    String = 12,

    /// <summary>Milliseconds since the Unix epoch (UTC) in <c>long_value</c>.</summary>
    DateTime = 13,

    /// <summary>UTF-8 text in <c>string_value</c>.</summary>
    Text = 14,

    /// <summary>A UUID as a string in <c>string_value</c>.</summary>
    Uuid = 15,

    /// <summary>A table in <c>dataset_value</c>.</summary>
    DataSet = 16,

    /// <summary>Opaque bytes in <c>bytes_value</c>.</summary>
    Bytes = 17,

    /// <summary>A file's content in <c>bytes_value</c> (name and type go in the metric's metadata).</summary>
    File = 18,

    /// <summary>A Template definition or instance in <c>template_value</c>.</summary>
    Template = 19,

    /// <summary>A nested property set (property values only).</summary>
    PropertySet = 20,

    /// <summary>A list of property sets (property values only).</summary>
    PropertySetList = 21,

    /// <summary>Packed little-endian int8 values in <c>bytes_value</c>.</summary>
    Int8Array = 22,

    /// <summary>Packed little-endian int16 values in <c>bytes_value</c>.</summary>
    Int16Array = 23,

    /// <summary>Packed little-endian int32 values in <c>bytes_value</c>.</summary>
    Int32Array = 24,

    /// <summary>Packed little-endian int64 values in <c>bytes_value</c>.</summary>
    Int64Array = 25,

    /// <summary>Packed uint8 values in <c>bytes_value</c>.</summary>
    UInt8Array = 26,

    /// <summary>Packed little-endian uint16 values in <c>bytes_value</c>.</summary>
    UInt16Array = 27,

    /// <summary>Packed little-endian uint32 values in <c>bytes_value</c>.</summary>
    UInt32Array = 28,

    /// <summary>Packed little-endian uint64 values in <c>bytes_value</c>.</summary>
    UInt64Array = 29,

    /// <summary>Packed little-endian IEEE 754 single values in <c>bytes_value</c>.</summary>
    FloatArray = 30,

    /// <summary>Packed little-endian IEEE 754 double values in <c>bytes_value</c>.</summary>
    DoubleArray = 31,

    /// <summary>A 4-byte little-endian count followed by the bits, first element in the most significant bit.</summary>
    BooleanArray = 32,

    /// <summary>UTF-8 strings, each terminated by a NUL byte, in <c>bytes_value</c>.</summary>
    StringArray = 33,

    /// <summary>Packed little-endian int64 milliseconds since the Unix epoch in <c>bytes_value</c>.</summary>
    DateTimeArray = 34,
}

/// <summary>The member of a value <c>oneof</c> that carries a datatype's value on the wire.</summary>
public enum SparkplugValueField
{
    /// <summary>The datatype has no value field in this message (e.g. PropertySet on a metric, Unknown).</summary>
    None = 0,

    /// <summary><c>int_value</c> (uint32).</summary>
    IntValue,

    /// <summary><c>long_value</c> (uint64).</summary>
    LongValue,

    /// <summary><c>float_value</c>.</summary>
    FloatValue,

    /// <summary><c>double_value</c>.</summary>
    DoubleValue,

    /// <summary><c>boolean_value</c>.</summary>
    BooleanValue,

    /// <summary><c>string_value</c>.</summary>
    StringValue,

    /// <summary><c>bytes_value</c> (metrics only).</summary>
    BytesValue,

    /// <summary><c>dataset_value</c> (metrics only).</summary>
    DataSetValue,

    /// <summary><c>template_value</c> (metrics only).</summary>
    TemplateValue,

    /// <summary><c>propertyset_value</c> (property values only).</summary>
    PropertySetValue,

    /// <summary><c>propertysets_value</c> (property values only).</summary>
    PropertySetListValue,
}

/// <summary>Where a value is carried: the value <c>oneof</c>s differ between messages.</summary>
public enum SparkplugValueContainer
{
    /// <summary><c>Payload.Metric</c>: every datatype except PropertySet and PropertySetList.</summary>
    Metric = 0,

    /// <summary><c>Payload.PropertyValue</c>: the basic types plus PropertySet and PropertySetList.</summary>
    PropertyValue,

    /// <summary><c>Payload.DataSet.DataSetValue</c>: the basic types only.</summary>
    DataSetValue,

    /// <summary><c>Payload.Template.Parameter</c>: the basic types only.</summary>
    TemplateParameter,
}
