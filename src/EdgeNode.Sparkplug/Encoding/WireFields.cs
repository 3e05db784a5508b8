using Pb = EdgeNode.Sparkplug.Protobuf.Payload;

namespace EdgeNode.Sparkplug;

/// <summary>
/// Field numbers of sparkplug_b.proto, taken from the classes Grpc.Tools generates from it, so the hand-written codec
/// and the schema cannot drift apart.
/// </summary>
internal static class WireFields
{
    internal const int WireVarint = 0;
    internal const int WireFixed64 = 1;
    internal const int WireLengthDelimited = 2;
    internal const int WireStartGroup = 3;
    internal const int WireEndGroup = 4;
    internal const int WireFixed32 = 5;

    internal static class Payload
    {
        internal const int Timestamp = Pb.TimestampFieldNumber;
        internal const int Metrics = Pb.MetricsFieldNumber;
        internal const int Seq = Pb.SeqFieldNumber;
        internal const int Uuid = Pb.UuidFieldNumber;
        internal const int Body = Pb.BodyFieldNumber;
    }

    internal static class Metric
    {
        internal const int Name = Pb.Types.Metric.NameFieldNumber;
        internal const int Alias = Pb.Types.Metric.AliasFieldNumber;
        internal const int Timestamp = Pb.Types.Metric.TimestampFieldNumber;
        internal const int DataType = Pb.Types.Metric.DatatypeFieldNumber;
        internal const int IsHistorical = Pb.Types.Metric.IsHistoricalFieldNumber;
        internal const int IsTransient = Pb.Types.Metric.IsTransientFieldNumber;
        internal const int IsNull = Pb.Types.Metric.IsNullFieldNumber;
        internal const int MetaData = Pb.Types.Metric.MetadataFieldNumber;
        internal const int Properties = Pb.Types.Metric.PropertiesFieldNumber;
        internal const int IntValue = Pb.Types.Metric.IntValueFieldNumber;
        internal const int LongValue = Pb.Types.Metric.LongValueFieldNumber;
        internal const int FloatValue = Pb.Types.Metric.FloatValueFieldNumber;
        internal const int DoubleValue = Pb.Types.Metric.DoubleValueFieldNumber;
        internal const int BooleanValue = Pb.Types.Metric.BooleanValueFieldNumber;
        internal const int StringValue = Pb.Types.Metric.StringValueFieldNumber;
        internal const int BytesValue = Pb.Types.Metric.BytesValueFieldNumber;
        internal const int DataSetValue = Pb.Types.Metric.DatasetValueFieldNumber;
        internal const int TemplateValue = Pb.Types.Metric.TemplateValueFieldNumber;
    }

    internal static class MetaData
    {
        internal const int IsMultiPart = Pb.Types.MetaData.IsMultiPartFieldNumber;
        internal const int ContentType = Pb.Types.MetaData.ContentTypeFieldNumber;
        internal const int Size = Pb.Types.MetaData.SizeFieldNumber;
        internal const int Seq = Pb.Types.MetaData.SeqFieldNumber;
        internal const int FileName = Pb.Types.MetaData.FileNameFieldNumber;
        internal const int FileType = Pb.Types.MetaData.FileTypeFieldNumber;
        internal const int Md5 = Pb.Types.MetaData.Md5FieldNumber;
        internal const int Description = Pb.Types.MetaData.DescriptionFieldNumber;
    }

    internal static class PropertySet
    {
        internal const int Keys = Pb.Types.PropertySet.KeysFieldNumber;
        internal const int Values = Pb.Types.PropertySet.ValuesFieldNumber;
    }

    internal static class PropertySetList
    {
        internal const int PropertySet = Pb.Types.PropertySetList.PropertysetFieldNumber;
    }

    internal static class PropertyValue
    {
        internal const int Type = Pb.Types.PropertyValue.TypeFieldNumber;
        internal const int IsNull = Pb.Types.PropertyValue.IsNullFieldNumber;
        internal const int IntValue = Pb.Types.PropertyValue.IntValueFieldNumber;
        internal const int LongValue = Pb.Types.PropertyValue.LongValueFieldNumber;
        internal const int FloatValue = Pb.Types.PropertyValue.FloatValueFieldNumber;
        internal const int DoubleValue = Pb.Types.PropertyValue.DoubleValueFieldNumber;
        internal const int BooleanValue = Pb.Types.PropertyValue.BooleanValueFieldNumber;
        internal const int StringValue = Pb.Types.PropertyValue.StringValueFieldNumber;
        internal const int PropertySetValue = Pb.Types.PropertyValue.PropertysetValueFieldNumber;
        internal const int PropertySetListValue = Pb.Types.PropertyValue.PropertysetsValueFieldNumber;
    }

    internal static class DataSet
    {
        internal const int NumOfColumns = Pb.Types.DataSet.NumOfColumnsFieldNumber;
        internal const int Columns = Pb.Types.DataSet.ColumnsFieldNumber;
        internal const int Types = Pb.Types.DataSet.Types_FieldNumber;
        internal const int Rows = Pb.Types.DataSet.RowsFieldNumber;
        internal const int RowElements = Pb.Types.DataSet.Types.Row.ElementsFieldNumber;
        internal const int IntValue = Pb.Types.DataSet.Types.DataSetValue.IntValueFieldNumber;
        internal const int LongValue = Pb.Types.DataSet.Types.DataSetValue.LongValueFieldNumber;
        internal const int FloatValue = Pb.Types.DataSet.Types.DataSetValue.FloatValueFieldNumber;
        internal const int DoubleValue = Pb.Types.DataSet.Types.DataSetValue.DoubleValueFieldNumber;
        internal const int BooleanValue = Pb.Types.DataSet.Types.DataSetValue.BooleanValueFieldNumber;
        internal const int StringValue = Pb.Types.DataSet.Types.DataSetValue.StringValueFieldNumber;
    }

    internal static class Template
    {
        internal const int Version = Pb.Types.Template.VersionFieldNumber;
        internal const int Metrics = Pb.Types.Template.MetricsFieldNumber;
        internal const int Parameters = Pb.Types.Template.ParametersFieldNumber;
        internal const int TemplateRef = Pb.Types.Template.TemplateRefFieldNumber;
        internal const int IsDefinition = Pb.Types.Template.IsDefinitionFieldNumber;
        internal const int ParameterName = Pb.Types.Template.Types.Parameter.NameFieldNumber;
        internal const int ParameterType = Pb.Types.Template.Types.Parameter.TypeFieldNumber;
        internal const int IntValue = Pb.Types.Template.Types.Parameter.IntValueFieldNumber;
        internal const int LongValue = Pb.Types.Template.Types.Parameter.LongValueFieldNumber;
        internal const int FloatValue = Pb.Types.Template.Types.Parameter.FloatValueFieldNumber;
        internal const int DoubleValue = Pb.Types.Template.Types.Parameter.DoubleValueFieldNumber;
        internal const int BooleanValue = Pb.Types.Template.Types.Parameter.BooleanValueFieldNumber;
        internal const int StringValue = Pb.Types.Template.Types.Parameter.StringValueFieldNumber;
    }

    /// <summary>The field number of <paramref name="field"/> in <paramref name="container"/>; 0 when it has none.</summary>
    internal static int ValueFieldNumber(SparkplugValueContainer container, SparkplugValueField field) => container switch
    {
        SparkplugValueContainer.Metric => field switch
        {
            SparkplugValueField.IntValue => Metric.IntValue,
            SparkplugValueField.LongValue => Metric.LongValue,
            SparkplugValueField.FloatValue => Metric.FloatValue,
            SparkplugValueField.DoubleValue => Metric.DoubleValue,
            SparkplugValueField.BooleanValue => Metric.BooleanValue,
            SparkplugValueField.StringValue => Metric.StringValue,
            SparkplugValueField.BytesValue => Metric.BytesValue,
            SparkplugValueField.DataSetValue => Metric.DataSetValue,
            SparkplugValueField.TemplateValue => Metric.TemplateValue,
            _ => 0,
        },
        SparkplugValueContainer.PropertyValue => field switch
        {
            SparkplugValueField.IntValue => PropertyValue.IntValue,
            SparkplugValueField.LongValue => PropertyValue.LongValue,
            SparkplugValueField.FloatValue => PropertyValue.FloatValue,
            SparkplugValueField.DoubleValue => PropertyValue.DoubleValue,
            SparkplugValueField.BooleanValue => PropertyValue.BooleanValue,
            SparkplugValueField.StringValue => PropertyValue.StringValue,
            SparkplugValueField.PropertySetValue => PropertyValue.PropertySetValue,
            SparkplugValueField.PropertySetListValue => PropertyValue.PropertySetListValue,
            _ => 0,
        },
        SparkplugValueContainer.DataSetValue => field switch
        {
            SparkplugValueField.IntValue => DataSet.IntValue,
            SparkplugValueField.LongValue => DataSet.LongValue,
            SparkplugValueField.FloatValue => DataSet.FloatValue,
            SparkplugValueField.DoubleValue => DataSet.DoubleValue,
            SparkplugValueField.BooleanValue => DataSet.BooleanValue,
            SparkplugValueField.StringValue => DataSet.StringValue,
            _ => 0,
        },
        _ => field switch
        {
            SparkplugValueField.IntValue => Template.IntValue,
            SparkplugValueField.LongValue => Template.LongValue,
            SparkplugValueField.FloatValue => Template.FloatValue,
            SparkplugValueField.DoubleValue => Template.DoubleValue,
            SparkplugValueField.BooleanValue => Template.BooleanValue,
            SparkplugValueField.StringValue => Template.StringValue,
            _ => 0,
        },
    };
}
