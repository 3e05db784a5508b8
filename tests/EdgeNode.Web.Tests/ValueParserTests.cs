using System.Text.Json;
using EdgeNode.Engine;
using EdgeNode.Sparkplug;

namespace EdgeNode.Web.Tests;

/// <summary>Values typed in the console (or sent by a script) as the metric's datatype, and the /metrics text.</summary>
public sealed class ValueParserTests
{
    private static (bool Ok, SparkplugValue Value, string Error) Parse(string json, SparkplugDataType type)
    {
        using var doc = JsonDocument.Parse(json);
        var ok = ValueParser.TryParse(doc.RootElement, type, out var value, out var error);
        return (ok, value, error);
    }

    [Theory]
    [InlineData("42", SparkplugDataType.UInt16, "42")]
    [InlineData("\"42\"", SparkplugDataType.UInt16, "42")]
    [InlineData("-32768", SparkplugDataType.Int16, "-32768")]
    [InlineData("18446744073709551615", SparkplugDataType.UInt64, "18446744073709551615")]
    [InlineData("21.5", SparkplugDataType.Float, "21.5")]
    [InlineData("1e300", SparkplugDataType.Double, "1E+300")]
    [InlineData("true", SparkplugDataType.Boolean, "true")]
    [InlineData("\"false\"", SparkplugDataType.Boolean, "false")]
    [InlineData("\"auto\"", SparkplugDataType.String, "auto")]
    public void TryParse_FitsTheDatatype_ValueOfThatType(string json, SparkplugDataType type, string expected)
    {
        var (ok, value, error) = Parse(json, type);
        Assert.True(ok, error);
        Assert.Equal(type, value.DataType);
        Assert.Equal(expected, value.FormatValue(), ignoreCase: true);
    }

    [Theory]
    [InlineData("65536", SparkplugDataType.UInt16, "outside 0..65535")]
    [InlineData("-1", SparkplugDataType.UInt32, "outside 0..4294967295")]
    [InlineData("1.5", SparkplugDataType.Int32, "whole number")]
    [InlineData("\"abc\"", SparkplugDataType.Double, "a number")]
    [InlineData("1e39", SparkplugDataType.Float, "does not fit a Float")]
    [InlineData("1", SparkplugDataType.Boolean, "true or false")]
    [InlineData("1", SparkplugDataType.String, "a string")]
    [InlineData("null", SparkplugDataType.UInt16, "whole number")]
    [InlineData("[1]", SparkplugDataType.Int32Array, "cannot be written")]
    public void TryParse_DoesNotFit_RefusedWithAReason(string json, SparkplugDataType type, string reason)
    {
        var (ok, _, error) = Parse(json, type);
        Assert.False(ok);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Escape_LabelValue_BackslashQuoteAndNewline()
    {
        Assert.Equal("a\\\\b\\\"c\\nd", PrometheusText.Escape("a\\b\"c\nd"));
    }

    [Fact]
    public void Render_DeviceWithQuotesInItsId_OneWellFormedLinePerSeries()
    {
        var telemetry = new NodeTelemetry();
        telemetry.RecordScan("Pump \"A\"", responded: false, nowMs: 1, durationTicks: 0);
        telemetry.RecordPublished("spBv1.0/G/DDATA/E/Pump");
        telemetry.RecordPublished("not/a/sparkplug/topic");
        var snapshot = new EngineSnapshot
        {
            TakenMs = 1,
            Generation = 0,
            Session = "storing",
            Devices = [new DeviceSnapshot { Id = "Pump \"A\"", Kind = "modbus", Metrics = [] }],
        };
        var text = PrometheusText.Render(snapshot, telemetry, "1.2.3", 0, new ProcessStats(1024, 0.5));
        Assert.Contains("edgenode_device_online{device=\"Pump \\\"A\\\"\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("edgenode_device_scan_errors_total{device=\"Pump \\\"A\\\"\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("edgenode_messages_published_total{type=\"DDATA\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("edgenode_session_online 0\n", text, StringComparison.Ordinal);
        Assert.Contains("edgenode_session_state{state=\"storing\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("edgenode_info{version=\"1.2.3\"} 1\n", text, StringComparison.Ordinal);
        foreach (var line in text.TrimEnd('\n').Split('\n'))
        {
            Assert.Matches(@"^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{[a-z]+=""([^""\\]|\\.)*""\})? -?[0-9.eE+-]+)$", line);
        }
    }
}
