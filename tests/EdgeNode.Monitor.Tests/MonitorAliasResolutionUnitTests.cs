using EdgeNode.Sparkplug;
using static EdgeNode.Monitor.Tests.MonitorTestSupport;

namespace EdgeNode.Monitor.Tests;

/// <summary>DATA sent by alias (no name, no datatype) is shown with the name, datatype and unit its Edge Node's BIRTH gave.</summary>
public sealed class MonitorAliasResolutionUnitTests
{
    private readonly SparkplugMessageInterpreter _interpreter = new();

    private void Birth(string group = "Demo", string node = "Gateway01", ulong rotorAlias = 3, string rotorName = "Rotor/Speed")
    {
        _interpreter.Feed($"spBv1.0/{group}/NBIRTH/{node}", Payload(0,
            Metric(SparkplugNames.BdSeq, SparkplugValue.FromInt64(1)),
            Metric(SparkplugNames.NodeControlRebirth, SparkplugValue.FromBoolean(false)),
            Metric("Uptime", SparkplugValue.FromUInt64(5), alias: 1, units: "s")));
        _interpreter.Feed($"spBv1.0/{group}/DBIRTH/{node}/Turbine1", Payload(1,
            Metric(rotorName, SparkplugValue.FromFloat(12.5f), alias: rotorAlias, units: "RPM"),
            Metric("Fault/Code", SparkplugValue.FromInt16(0), alias: 4),
            Metric("Nacelle/Temperature", SparkplugValue.FromDouble(21.5), alias: 5, units: "°C")));
    }

    [Fact]
    public void DeviceData_ByAliasWithoutDatatype_ShowsBirthNameDatatypeAndUnits()
    {
        Birth();
        var message = _interpreter.Feed("spBv1.0/Demo/DDATA/Gateway01/Turbine1", Payload(2,
            ByAlias(3, SparkplugValue.FromFloat(13.5f)),
            ByAlias(4, SparkplugValue.FromInt16(-1)),   // int_value 0xFFFFFFFF on the wire: a UInt32 until the BIRTH says Int16
            ByAlias(5, SparkplugValue.FromDouble(22.25))));

        Assert.Equal(
        [
            "  Rotor/Speed          #3  Float   = 13.5 RPM",
            "  Fault/Code           #4  Int16   = -1",
            "  Nacelle/Temperature  #5  Double  = 22.25 °C",
        ], Lines(message)[1..]);
        Assert.All(message.Metrics, m => Assert.True(m.NameFromAlias));
        var json = Json(message).GetProperty("metrics");
        Assert.Equal("Fault/Code", json[1].GetProperty("name").GetString());
        Assert.Equal(4UL, json[1].GetProperty("alias").GetUInt64());
        Assert.Equal("Int16", json[1].GetProperty("datatype").GetString());
        Assert.Equal(-1, json[1].GetProperty("value").GetInt32());
    }

    [Fact]
    public void NodeData_ByAlias_ResolvedFromTheNodeBirth()
    {
        Birth();
        var message = _interpreter.Feed("spBv1.0/Demo/NDATA/Gateway01", Payload(3, ByAlias(1, SparkplugValue.FromUInt64(60))));

        Assert.Equal("  Uptime  #1  UInt64  = 60 s", Lines(message)[1]);
    }

    [Fact]
    public void Data_AliasNoBirthExplains_ShownAsAliasWithAHint()
    {
        var message = _interpreter.Feed("spBv1.0/Demo/DDATA/Gateway01/Turbine1", Payload(2, ByAlias(9, SparkplugValue.FromUInt32(7))));

        var line = Lines(message)[1];
        Assert.StartsWith("  <alias 9>  #9  UInt32  = 7", line, StringComparison.Ordinal);
        Assert.Contains("alias not in any birth seen", line, StringComparison.Ordinal);
        Assert.Null(message.Metrics[0].Name);
        Assert.False(Json(message).GetProperty("metrics")[0].TryGetProperty("name", out _));
    }

    [Fact]
    public void NodeBirth_StartsTheAliasMapAfresh()
    {
        Birth();
        _interpreter.Feed("spBv1.0/Demo/NBIRTH/Gateway01", Payload(0, Metric(SparkplugNames.BdSeq, SparkplugValue.FromInt64(2))));

        var message = _interpreter.Feed("spBv1.0/Demo/DDATA/Gateway01/Turbine1", Payload(1, ByAlias(3, SparkplugValue.FromFloat(1f))));

        Assert.Null(message.Metrics[0].Name);
        Assert.StartsWith("  <alias 3>", Lines(message)[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Aliases_KeptPerEdgeNode_SameAliasDifferentNodesDoNotMix()
    {
        Birth(node: "GatewayA", rotorAlias: 3, rotorName: "Rotor/Speed");
        Birth(node: "GatewayB", rotorAlias: 3, rotorName: "Blade/Pitch");
        Birth(group: "Other", node: "GatewayA", rotorAlias: 3, rotorName: "Wind/Speed");

        string NameOf(string group, string node) =>
            _interpreter.Feed($"spBv1.0/{group}/DDATA/{node}/Turbine1", Payload(5, ByAlias(3, SparkplugValue.FromFloat(1f)))).Metrics[0].Name!;

        Assert.Equal("Rotor/Speed", NameOf("Demo", "GatewayA"));
        Assert.Equal("Blade/Pitch", NameOf("Demo", "GatewayB"));
        Assert.Equal("Wind/Speed", NameOf("Other", "GatewayA"));
        Assert.Equal(3, _interpreter.KnownEdgeNodes);
    }

    [Fact]
    public void Data_ByNameWithoutDatatype_TakesTheBirthDatatypeAndUnits()
    {
        Birth();
        var metric = new SparkplugMetric("Fault/Code", SparkplugValue.FromInt16(-2)) { OmitDataType = true };
        var message = _interpreter.Feed("spBv1.0/Demo/DDATA/Gateway01/Turbine1", Payload(2, metric));

        Assert.Equal(SparkplugDataType.Int16, message.Metrics[0].DataType);
        Assert.Equal(-2, message.Metrics[0].Value.AsInt16());
        Assert.False(message.Metrics[0].NameFromAlias);
    }

    [Fact]
    public void Data_ValueTheBirthTypeCannotRead_ShownRawWithANote()
    {
        Birth();
        var message = _interpreter.Feed("spBv1.0/Demo/DDATA/Gateway01/Turbine1", Payload(2, ByAlias(3, SparkplugValue.FromString("oops"))));

        Assert.Equal("Rotor/Speed", message.Metrics[0].Name);
        Assert.Equal(SparkplugDataType.String, message.Metrics[0].DataType);
        Assert.Contains("the birth says Float", Lines(message)[1], StringComparison.Ordinal);
    }
}
