using EdgeNode.Modbus;
using EdgeNode.Testing;

namespace EdgeNode.Configuration.Tests;

/// <summary>The files under config/ load as shipped.</summary>
public class ShippedFilesTests
{
    [Fact]
    public void ExampleConfiguration_Validates_WithEveryKindOfModbusDevice()
    {
        var config = ConfigAssert.Valid(EdgeNodeConfigLoader.Load(Path.Combine(RepoPaths.Config, "edgenode.example.yaml")));

        Assert.Equal(["PowerMeter", "WindTurbine"], config.Types.Select(t => t.Name));
        Assert.Equal(["Turbine1", "Turbine7", "Meter1", "Meter2"], config.Devices.Select(d => d.Id));
        Assert.Equal(ModbusLinkKind.Tcp, config.Devices[0].Modbus!.Link.Kind);
        Assert.Equal(config.Devices[2].Modbus!.Link, config.Devices[3].Modbus!.Link);
        Assert.Equal(ModbusLinkKind.Rtu, config.Devices[2].Modbus!.Link.Kind);

        var turbine = config.Devices[1];
        Assert.Equal("WindTurbine", turbine.Type!.Name);
        Assert.DoesNotContain(turbine.Metrics, m => m.Name == "Alarm/Fault");
        Assert.False(turbine.Metrics.Single(m => m.Name == "Power/Limit").Writable);
        Assert.Equal(20, turbine.Metrics.Single(m => m.Name == "Power/Active").Deadband);
        Assert.Equal("ESW-3000 rev B", turbine.Parameters.Single(p => p.Name == "Model").Value);
        Assert.Equal(200L, config.Devices[2].Parameters.Single(p => p.Name == "CtRatio").Value);
    }

    [Fact]
    public void ExampleConfiguration_CommentedGpioAndI2cSections_ValidateOnceUncommented()
    {
        using var temp = new TempConfig();
        var text = File.ReadAllText(Path.Combine(RepoPaths.Config, "edgenode.example.yaml"));
        var start = text.IndexOf("  # - id: Cabinet", StringComparison.Ordinal);
        Assert.True(start > 0);
        // "  # - id: ..." and "  #   key: ..." are commented YAML; "  # Sensors on ..." is prose and stays a comment
        var lines = text[start..].Split('\n').Select(l => l.StartsWith("  # -", StringComparison.Ordinal) || l.StartsWith("  #   ", StringComparison.Ordinal)
            ? "  " + l[4..]
            : l);
        temp.Write("types/wind-turbine.yaml", File.ReadAllText(Path.Combine(RepoPaths.Config, "types", "wind-turbine.yaml")));

        var config = ConfigAssert.Valid(temp.Load(text[..start] + string.Join('\n', lines)));

        Assert.Equal(["Turbine1", "Turbine7", "Meter1", "Meter2", "Cabinet", "Environment"], config.Devices.Select(d => d.Id));
        Assert.Equal(5, config.Devices[5].I2c!.Sensors.Count);
        Assert.True(config.Devices[4].Metrics[1].Writable);
    }

    [Fact]
    public void WindTurbineLibrary_MatchesTheSimulatorsRegisterMap()
    {
        using var temp = new TempConfig();
        var library = Path.Combine(RepoPaths.Config, "types", "wind-turbine.yaml");
        var config = ConfigAssert.Valid(temp.Load($$"""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://b" ] }
            include: {{library}}
            devices:
              - { id: T1, type: WindTurbine, modbus: { tcp: { host: 127.0.0.1, port: 5020 } } }
            """));

        var type = Assert.Single(config.Types);
        Assert.Equal(library, type.SourcePath);
        Assert.Equal(["Manufacturer", "Model", "RatedPowerKw"], type.Parameters.Select(p => p.Name));
        Assert.Equal(3000.0, type.Parameters[2].Value);
        Assert.Equal(
        [
            "Rotor/Speed holding 0 Float32", "Blade/Pitch holding 2 Float32", "Power/Active holding 4 Float32", "Wind/Speed holding 6 Float32",
            "Nacelle/Temperature holding 8 Int16", "Power/Limit holding 20 UInt16 writable", "Status/Run coil 0 Bool writable",
            "Alarm/Overspeed discrete 0 Bool", "Alarm/Fault discrete 1 Bool", "Fault/Code input 0 UInt16",
        ], type.Metrics.Select(m => $"{m.Name} {Table(m.Table!.Value)} {m.Address} {m.Type}{(m.Writable ? " writable" : "")}"));
        Assert.Equal(0.1, type.Metrics[4].Scale);
        Assert.All(type.Metrics, m => Assert.False(string.IsNullOrEmpty(m.Description)));
        Assert.All(type.Metrics.Where(m => m.Type is not MetricDataType.Bool and not MetricDataType.UInt16), m => Assert.NotNull(m.Deadband));
        Assert.All(type.Metrics.Where(m => m.Type != MetricDataType.Bool && m.Name != "Fault/Code"), m => Assert.True(m.EngLow < m.EngHigh));
    }

    private static string Table(ModbusTableSetting table) => table switch
    {
        ModbusTableSetting.Coil => "coil",
        ModbusTableSetting.DiscreteInput => "discrete",
        ModbusTableSetting.InputRegister => "input",
        _ => "holding",
    };
}
