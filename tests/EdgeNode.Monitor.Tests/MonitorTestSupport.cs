using System.Text.Json;
using EdgeNode.Sparkplug;

namespace EdgeNode.Monitor.Tests;

/// <summary>Builds payloads, runs them through the real codec and the interpreter, and renders them.</summary>
internal static class MonitorTestSupport
{
    public static readonly DateTimeOffset Received = new(2025, 6, 1, 10, 0, 0, 123, TimeSpan.Zero);

    public static readonly MonitorTextFormatter Text = new(color: false, TimeZoneInfo.Utc);

    public static SparkplugPayload Payload(ulong? seq, params SparkplugMetric[] metrics)
    {
        var payload = new SparkplugPayload { Timestamp = 1_748_772_000_000, Seq = seq };
        payload.Metrics.AddRange(metrics);
        return payload;
    }

    public static SparkplugMetric Metric(string? name, SparkplugValue value, ulong? alias = null, string? units = null)
    {
        var metric = new SparkplugMetric(name, value) { Alias = alias };
        if (units is not null)
        {
            metric.Properties = new SparkplugPropertySet();
            metric.Properties.Add(SparkplugNames.EngUnit, SparkplugValue.FromString(units));
        }

        return metric;
    }

    /// <summary>A DATA metric the way a frugal Edge Node sends it: by alias, no name, no datatype.</summary>
    public static SparkplugMetric ByAlias(ulong alias, SparkplugValue value) => new() { Alias = alias, Value = value, OmitDataType = true };

    /// <summary>Encodes with our codec (the bytes a broker carries) and interprets.</summary>
    public static MonitoredMessage Feed(this SparkplugMessageInterpreter interpreter, string topic, SparkplugPayload payload) =>
        interpreter.Interpret(topic, payload.ToByteArray(), Received);

    public static string[] Lines(MonitoredMessage message) => Text.Format(message).TrimEnd('\n').Split('\n');

    public static JsonElement Json(MonitoredMessage message)
    {
        var line = MonitorJsonFormatter.Format(message);
        Assert.DoesNotContain('\n', line);
        using var document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }
}
