namespace EdgeNode.Sparkplug.Tests.Values;

public sealed class SparkplugDataTypesUnitTests
{
    [Fact]
    public void Enum_MatchesGeneratedSchema()
    {
        // The public enum and the proto's DataType enum must agree value for value.
        foreach (var value in Enum.GetValues<Protobuf.DataType>())
        {
            Assert.Equal((uint)value, (uint)Enum.Parse<SparkplugDataType>(value.ToString() == "Uuid" ? "Uuid" : value.ToString(), ignoreCase: true));
        }

        Assert.Equal(35, Enum.GetValues<SparkplugDataType>().Length);
    }

    [Theory]
    [InlineData("int32", SparkplugDataType.Int32)]
    [InlineData("UUID", SparkplugDataType.Uuid)]
    [InlineData(" DateTimeArray ", SparkplugDataType.DateTimeArray)]
    [InlineData("12", SparkplugDataType.String)]
    public void TryParse_NamesAndNumbers(string name, SparkplugDataType expected)
    {
        Assert.True(SparkplugDataTypes.TryParse(name, out var type));
        Assert.Equal(expected, type);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Unknown")]
    [InlineData("0")]
    [InlineData("35")]
    [InlineData("Int128")]
    public void TryParse_Invalid_False(string name) => Assert.False(SparkplugDataTypes.TryParse(name, out _));

    [Fact]
    public void GetName_SpecSpelling()
    {
        Assert.Equal("UUID", SparkplugDataTypes.GetName(SparkplugDataType.Uuid));
        Assert.Equal("UInt32", SparkplugDataTypes.GetName(SparkplugDataType.UInt32));
        Assert.Equal("99", SparkplugDataTypes.GetName((SparkplugDataType)99));
    }

    [Theory]
    [InlineData(SparkplugDataType.Int8, SparkplugValueField.IntValue)]
    [InlineData(SparkplugDataType.UInt16, SparkplugValueField.IntValue)]
    [InlineData(SparkplugDataType.UInt32, SparkplugValueField.IntValue)]
    [InlineData(SparkplugDataType.Int64, SparkplugValueField.LongValue)]
    [InlineData(SparkplugDataType.DateTime, SparkplugValueField.LongValue)]
    [InlineData(SparkplugDataType.Uuid, SparkplugValueField.StringValue)]
    [InlineData(SparkplugDataType.File, SparkplugValueField.BytesValue)]
    [InlineData(SparkplugDataType.BooleanArray, SparkplugValueField.BytesValue)]
    [InlineData(SparkplugDataType.PropertySet, SparkplugValueField.None)]
    [InlineData(SparkplugDataType.Unknown, SparkplugValueField.None)]
    public void GetValueField_Metric(SparkplugDataType type, SparkplugValueField field) =>
        Assert.Equal(field, SparkplugDataTypes.GetValueField(type));

    [Fact]
    public void GetValueField_UInt32Option_LongValue()
    {
        Assert.Equal(SparkplugValueField.LongValue, SparkplugDataTypes.GetValueField(SparkplugDataType.UInt32, options: SparkplugEncodingOptions.TahuCompatible));
        Assert.Equal(SparkplugValueField.PropertySetValue, SparkplugDataTypes.GetValueField(SparkplugDataType.PropertySet, SparkplugValueContainer.PropertyValue));
        Assert.Equal(SparkplugValueField.None, SparkplugDataTypes.GetValueField(SparkplugDataType.Bytes, SparkplugValueContainer.DataSetValue));
    }

    [Fact]
    public void Families_BasicArrayAllowed()
    {
        Assert.True(SparkplugDataTypes.IsBasic(SparkplugDataType.Text));
        Assert.False(SparkplugDataTypes.IsBasic(SparkplugDataType.Uuid));
        Assert.True(SparkplugDataTypes.IsArray(SparkplugDataType.Int8Array));
        Assert.Equal(SparkplugDataType.DateTime, SparkplugDataTypes.GetElementType(SparkplugDataType.DateTimeArray));
        Assert.True(SparkplugDataTypes.IsAllowedIn(SparkplugDataType.PropertySetList, SparkplugValueContainer.PropertyValue));
        Assert.False(SparkplugDataTypes.IsAllowedIn(SparkplugDataType.PropertySetList, SparkplugValueContainer.Metric));
        Assert.False(SparkplugDataTypes.IsAllowedIn(SparkplugDataType.Template, SparkplugValueContainer.DataSetValue));
    }
}
