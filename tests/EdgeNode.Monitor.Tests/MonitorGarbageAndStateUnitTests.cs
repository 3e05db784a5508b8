using EdgeNode.Sparkplug;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static EdgeNode.Monitor.Tests.MonitorTestSupport;

namespace EdgeNode.Monitor.Tests;

/// <summary>Payloads that are not Sparkplug are shown as length, error and hex, never a crash; STATE messages are read.</summary>
public sealed class MonitorGarbageAndStateUnitTests
{
    private readonly SparkplugMessageInterpreter _interpreter = new();

    [Fact]
    public void Garbage_OnASparkplugTopic_LengthErrorAndHex()
    {
        var message = _interpreter.Interpret("spBv1.0/Demo/DDATA/Gateway01/Turbine1", "garbage"u8.ToArray(), Received);

        Assert.Equal(MonitoredMessageKind.Undecodable, message.Kind);
        var lines = Lines(message);
        Assert.StartsWith("2025-06-01 10:00:00.123  DDATA   Demo/Gateway01/Turbine1  undecodable payload (7 bytes): ", lines[0], StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(message.Error));
        Assert.Equal("  hex 67617262616765", lines[1]);
        var json = Json(message);
        Assert.Equal("undecodable", json.GetProperty("kind").GetString());
        Assert.Equal(7, json.GetProperty("payloadLength").GetInt32());
        Assert.Equal("67617262616765", json.GetProperty("payloadHex").GetString());
        Assert.Equal(message.Error, json.GetProperty("error").GetString());
    }

    [Fact]
    public void Garbage_TruncatedPayload_ReportedAndLaterMessagesStillDecode()
    {
        var whole = Payload(1, Metric("Rotor/Speed", SparkplugValue.FromFloat(1f), alias: 3)).ToByteArray();
        var broken = _interpreter.Interpret("spBv1.0/Demo/DBIRTH/Gateway01/Turbine1", whole[..^3], Received);
        Assert.Equal(MonitoredMessageKind.Undecodable, broken.Kind);

        var next = _interpreter.Interpret("spBv1.0/Demo/DBIRTH/Gateway01/Turbine1", whole, Received);
        Assert.Equal(MonitoredMessageKind.Sparkplug, next.Kind);
        Assert.Equal("Rotor/Speed", next.Metrics[0].Name);
    }

    [Fact]
    public void Garbage_LongPayload_HexCutAfter64Bytes()
    {
        var bytes = Enumerable.Repeat((byte)0xFF, 200).ToArray();
        var lines = Lines(_interpreter.Interpret("spBv1.0/G/NDATA/E", bytes, Received));

        Assert.Contains("(200 bytes)", lines[0], StringComparison.Ordinal);
        Assert.Equal("  hex " + new string('F', 128) + "…", lines[1]);
    }

    [Fact]
    public void EmptyPayload_IsAnEmptySparkplugMessage()
    {
        var message = _interpreter.Interpret("spBv1.0/G/NDATA/E", ReadOnlyMemory<byte>.Empty, Received);

        Assert.Equal(MonitoredMessageKind.Sparkplug, message.Kind);
        Assert.Empty(message.Metrics);
        Assert.EndsWith("0 metrics", Lines(message)[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("spBv1.0/Demo/BOGUS/Gateway01")]
    [InlineData("spBv1.0/Demo")]
    [InlineData("spBv1.0/Demo/DDATA/Gateway01")]
    [InlineData("spBv1.0/Demo/NDATA/Gateway01/extra/levels")]
    public void NotASparkplugTopic_TopicErrorAndHex(string topic)
    {
        var message = _interpreter.Interpret(topic, new byte[] { 1, 2 }, Received);

        Assert.Equal(MonitoredMessageKind.NotSparkplug, message.Kind);
        var lines = Lines(message);
        Assert.Contains(topic, lines[0], StringComparison.Ordinal);
        Assert.Contains("not a Sparkplug topic", lines[0], StringComparison.Ordinal);
        Assert.Equal("  hex 0102", lines[1]);
        Assert.Equal("notSparkplug", Json(message).GetProperty("kind").GetString());
    }

    [Fact]
    public void State_V3Json_OnlineAndTimestamp()
    {
        var message = _interpreter.Interpret("spBv1.0/STATE/Scada1", """{"online":true,"timestamp":1700000000123}"""u8.ToArray(), Received, retained: true);

        Assert.Equal(MonitoredMessageKind.State, message.Kind);
        Assert.Equal("2025-06-01 10:00:00.123  STATE   host Scada1  online  timestamp=2023-11-14 22:13:20.123  retained", Lines(message)[0]);
        var json = Json(message);
        Assert.Equal("Scada1", json.GetProperty("host").GetString());
        Assert.True(json.GetProperty("state").GetProperty("online").GetBoolean());
        Assert.True(json.GetProperty("retained").GetBoolean());
    }

    [Fact]
    public void State_Legacy_OfflineText()
    {
        var message = _interpreter.Interpret("STATE/Scada1", "OFFLINE"u8.ToArray(), Received);

        Assert.Equal(MonitoredMessageKind.State, message.Kind);
        Assert.Contains("host Scada1  offline  (Sparkplug 2.2 STATE)", Lines(message)[0], StringComparison.Ordinal);
    }

    [Fact]
    public void State_NotJson_UndecodableWithHex()
    {
        var message = _interpreter.Interpret("spBv1.0/STATE/Scada1", "{nope"u8.ToArray(), Received);

        Assert.Equal(MonitoredMessageKind.Undecodable, message.Kind);
        var lines = Lines(message);
        Assert.Contains("undecodable STATE payload (5 bytes)", lines[0], StringComparison.Ordinal);
        Assert.Equal("  hex 7B6E6F7065", lines[1]);
    }

    [Property(MaxTest = 500)]
    public Property AnyBytesOnAnyTopic_NeverThrowsInEitherFormat() =>
        Prop.ForAll(
            ArbMap.Default.ArbFor<byte[]>(),
            Gen.Elements("spBv1.0/G/NBIRTH/E", "spBv1.0/G/DBIRTH/E/D", "spBv1.0/G/DDATA/E/D", "spBv1.0/G/NDEATH/E",
                "spBv1.0/STATE/H", "STATE/H", "spBv1.0/x", "spBv1.0/G/DCMD/E/D").ToArbitrary(),
            (bytes, topic) =>
            {
                var message = _interpreter.Interpret(topic, bytes ?? [], Received);
                var text = Text.Format(message);
                var json = MonitorJsonFormatter.Format(message);
                using var _ = System.Text.Json.JsonDocument.Parse(json);
                return text.Length > 0 && !json.Contains('\n', StringComparison.Ordinal);
            });

    [Property(MaxTest = 200)]
    public Property ValidPayloadWithOneByteFlipped_NeverThrows() =>
        Prop.ForAll(Gen.Choose(0, 10_000).ToArbitrary(), Gen.Choose(0, 255).ToArbitrary(), (position, value) =>
        {
            var bytes = Payload(3,
                Metric("Rotor/Speed", SparkplugValue.FromFloat(12.5f), alias: 3, units: "RPM"),
                Metric("Names", SparkplugValue.FromStringArray(["a", "b"])),
                Metric("Table", SparkplugValue.FromDataSet(new SparkplugDataSet().AddColumn("c", SparkplugDataType.Int32)
                    .AddRow(SparkplugValue.FromInt32(1))))).ToByteArray();
            bytes[position % bytes.Length] = (byte)value;
            var message = _interpreter.Interpret("spBv1.0/G/DBIRTH/E/D", bytes, Received);
            return Text.Format(message).Length > 0 && MonitorJsonFormatter.Format(message).Length > 0;
        });

    [Fact]
    public void Json_NonAsciiNames_StayReadable()
    {
        var message = _interpreter.Feed("spBv1.0/G/DBIRTH/E/D", Payload(1, Metric("Température", SparkplugValue.FromDouble(1), units: "°C")));

        var line = MonitorJsonFormatter.Format(message);
        Assert.Contains("\"name\":\"Température\"", line, StringComparison.Ordinal);
        Assert.Contains("\"units\":\"°C\"", line, StringComparison.Ordinal);
        Assert.Equal("Température", Json(message).GetProperty("metrics")[0].GetProperty("name").GetString());
    }
}
