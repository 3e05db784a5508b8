namespace EdgeNode.Sparkplug.Tests.Values;

/// <summary>The value text logs, the web console and <c>edgenode monitor</c> show.</summary>
public sealed class SparkplugValueTextUnitTests
{
    [Theory]
    [InlineData("pump \"1\"", "\"pump \\\"1\\\"\"")]
    [InlineData("a\\b\tc\nd", "\"a\\\\b\\tc\\nd\"")]
    [InlineData("\u001b[2J\u007f\u009b", "\"\\u001b[2J\\u007f\\u009b\"")]
    [InlineData("Ünïcødé ✓", "\"Ünïcødé ✓\"")]
    public void FormatValueQuoted_String_QuotedWithEveryControlCharacterEscaped(string text, string expected)
    {
        Assert.Equal(expected, SparkplugValue.FromString(text).FormatValueQuoted());
        Assert.Equal(text, SparkplugValue.FromString(text).FormatValue());
    }

    [Fact]
    public void FormatValue_DateTimeArray_ElementsReadLikeADateTime()
    {
        var value = SparkplugValue.FromDateTimeArray(new long[] { 1_700_000_000_123, long.MaxValue });

        Assert.Equal("[2023-11-14T22:13:20.123Z, 9223372036854775807]", value.FormatValue());
        Assert.Equal("2023-11-14T22:13:20.123Z", SparkplugValue.FromDateTimeMilliseconds(1_700_000_000_123).FormatValue());
    }
}
