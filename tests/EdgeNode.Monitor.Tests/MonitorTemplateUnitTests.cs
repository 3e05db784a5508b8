using EdgeNode.Sparkplug;
using static EdgeNode.Monitor.Tests.MonitorTestSupport;

namespace EdgeNode.Monitor.Tests;

/// <summary>Template definitions and instances are shown with their parameters and members indented below them.</summary>
public sealed class MonitorTemplateUnitTests
{
    private const string Definition = "_types_/WindTurbine";
    private readonly SparkplugMessageInterpreter _interpreter = new();

    private MonitoredMessage NodeBirth()
    {
        var definition = SparkplugTemplate.Definition("1.2");
        definition.Parameters.Add(new SparkplugTemplateParameter("Manufacturer", SparkplugValue.FromString("Acme")));
        definition.Parameters.Add(new SparkplugTemplateParameter("RatedPowerKw", SparkplugValue.FromDouble(3000)));
        definition.Metrics.Add(Metric("Rotor/Speed", SparkplugValue.FromFloat(0f), units: "RPM"));
        definition.Metrics.Add(Metric("Power/Limit", SparkplugValue.FromUInt16(0), units: "kW"));
        return _interpreter.Feed("spBv1.0/Demo/NBIRTH/Gateway01", Payload(0,
            Metric(SparkplugNames.BdSeq, SparkplugValue.FromInt64(0)),
            Metric(Definition, SparkplugValue.FromTemplate(definition))));
    }

    private MonitoredMessage DeviceBirth()
    {
        var instance = SparkplugTemplate.Instance(Definition, "1.2");
        instance.Parameters.Add(new SparkplugTemplateParameter("Manufacturer", SparkplugValue.FromString("Vestas")));
        instance.Metrics.Add(Metric("Rotor/Speed", SparkplugValue.FromFloat(12.5f), units: "RPM"));
        instance.Metrics.Add(Metric("Power/Limit", SparkplugValue.FromUInt16(3000), units: "kW"));
        return _interpreter.Feed("spBv1.0/Demo/DBIRTH/Gateway01/Turbine1", Payload(1, Metric("Turbine", SparkplugValue.FromTemplate(instance), alias: 10)));
    }

    [Fact]
    public void NodeBirth_TemplateDefinition_ParametersAndMembersIndented()
    {
        var lines = Lines(NodeBirth());

        Assert.Equal(
        [
            "  bdSeq                Int64     = 0",
            "  _types_/WindTurbine  Template  = definition v1.2, 2 members, 2 parameters",
            "      param Manufacturer  String  = \"Acme\"",
            "      param RatedPowerKw  Double  = 3000",
            "      Rotor/Speed  Float   = 0 RPM",
            "      Power/Limit  UInt16  = 0 kW",
        ], lines[1..]);
    }

    [Fact]
    public void DeviceBirth_TemplateInstance_RefParametersAndMembers()
    {
        NodeBirth();
        var message = DeviceBirth();

        Assert.Equal(
        [
            "  Turbine  #10  Template  = instance of _types_/WindTurbine v1.2, 2 members, 1 parameter",
            "      param Manufacturer  String  = \"Vestas\"",
            "      Rotor/Speed  Float   = 12.5 RPM",
            "      Power/Limit  UInt16  = 3000 kW",
        ], Lines(message)[1..]);

        var value = Json(message).GetProperty("metrics")[0].GetProperty("value");
        Assert.False(value.GetProperty("isDefinition").GetBoolean());
        Assert.Equal(Definition, value.GetProperty("templateRef").GetString());
        Assert.Equal("Vestas", value.GetProperty("parameters")[0].GetProperty("value").GetString());
        Assert.Equal(12.5, value.GetProperty("members")[0].GetProperty("value").GetDouble());
        Assert.Equal("RPM", value.GetProperty("members")[0].GetProperty("units").GetString());
    }

    [Fact]
    public void DeviceData_InstanceByAliasWithChangedMembersOnly_ResolvedFromTheBirth()
    {
        NodeBirth();
        DeviceBirth();
        var changed = SparkplugTemplate.Instance(Definition);
        changed.Metrics.Add(new SparkplugMetric("Power/Limit", SparkplugValue.FromUInt16(1500)) { OmitDataType = true });
        var message = _interpreter.Feed("spBv1.0/Demo/DDATA/Gateway01/Turbine1",
            Payload(2, new SparkplugMetric { Alias = 10, Value = SparkplugValue.FromTemplate(changed), OmitDataType = true }));

        Assert.Equal(
        [
            "  Turbine  #10  Template  = instance of _types_/WindTurbine, 1 member, 0 parameters",
            "      Power/Limit  UInt16  = 1500 kW",
        ], Lines(message)[1..]);
    }

    [Fact]
    public void DeviceData_InstanceMembersOfAnUnseenDevice_FallBackToTheDefinition()
    {
        NodeBirth();
        var changed = SparkplugTemplate.Instance(Definition);
        changed.Metrics.Add(new SparkplugMetric("Rotor/Speed", SparkplugValue.FromFloat(9f)) { OmitDataType = true });
        var message = _interpreter.Feed("spBv1.0/Demo/DDATA/Gateway01/Turbine9", Payload(2, Metric("Turbine", SparkplugValue.FromTemplate(changed))));

        Assert.Equal("      Rotor/Speed  Float  = 9 RPM", Lines(message)[2]);
    }
}
