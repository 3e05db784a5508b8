using EdgeNode.Modbus;

namespace EdgeNode.Configuration.Tests;

/// <summary>Device types: declaration, parameters, offsets, overrides, and the errors of each, with their positions.</summary>
public class TypeTests
{
    // Lines 1-16; devices follow from line 17.
    private const string Head = """
        node: { groupId: G, edgeNodeId: E }
        mqtt: { servers: [ "mqtt://b" ] }
        types:
          Drive:
            version: "2.0"
            description: VFD, map rev B
            parameters:
              - { name: Manufacturer, type: string, default: Acme }
              - { name: RatedKw, type: float64, default: 7.5 }
              - { name: Poles, type: uint16, default: 4 }
              - { name: Vector, type: bool, default: false }
            metrics:
              - { name: Speed, table: input, address: 0, type: float32, units: rpm, deadband: 1, engLow: 0, engHigh: 3000 }
              - { name: Setpoint, table: holding, address: 10, type: uint16, units: rpm, writable: true }
              - { name: Run, table: coil, address: 0, type: bool, writable: true }
              - { name: Trip, table: discrete, address: 5, type: bool }
        devices:

        """;

    private static ConfigLoadResult Devices(string yaml) => TempConfig.LoadText(Head + yaml);

    [Fact]
    public void TypedDevice_GetsTheMembersWithOffsetOverridesAndParameters()
    {
        var config = ConfigAssert.Valid(Devices("""
              - id: Drive1
                type: Drive
                modbus: { tcp: { host: plc }, unitId: 3 }
                addressOffset: 100
                parameters: { RatedKw: 11, Poles: 2 }
                overrides:
                  Speed: { deadband: 5, units: "1/min", description: Motor speed, engHigh: 6000, maxIntervalMs: 60000 }
                  Setpoint: { writable: false }
                  Trip: { enabled: false }
            """));

        var type = Assert.Single(config.Types);
        Assert.Equal("Drive", type.Name);
        Assert.Equal("2.0", type.Version);
        Assert.Equal("VFD, map rev B", type.Description);
        Assert.Equal(4, type.Metrics.Count);

        var device = Assert.Single(config.Devices);
        Assert.Same(type, device.Type);
        Assert.Equal(["Speed", "Setpoint", "Run"], device.Metrics.Select(m => m.Name));
        Assert.Equal([100, 110, 100], device.Metrics.Select(m => m.Address));
        Assert.Equal(new MetricConfig
        {
            Name = "Speed", Table = ModbusTableSetting.InputRegister, Address = 100, Type = MetricDataType.Float32, Units = "1/min", Deadband = 5,
            EngLow = 0, EngHigh = 6000, Description = "Motor speed", MaxIntervalMs = 60000,
        }, device.Metrics[0]);
        Assert.False(device.Metrics[1].Writable);
        Assert.True(device.Metrics[2].Writable);
        Assert.Equal(
        [
            new ParameterConfig { Name = "Manufacturer", Type = MetricDataType.String, Value = "Acme" },
            new ParameterConfig { Name = "RatedKw", Type = MetricDataType.Float64, Value = 11.0 },
            new ParameterConfig { Name = "Poles", Type = MetricDataType.UInt16, Value = 2L },
            new ParameterConfig { Name = "Vector", Type = MetricDataType.Bool, Value = false },
        ], device.Parameters);

        // The type itself is untouched by the device's offset and overrides.
        Assert.Equal([0, 10, 0, 5], type.Metrics.Select(m => m.Address));
        Assert.Equal(1, type.Metrics[0].Deadband);
    }

    [Fact]
    public void TwoInstances_ShareTheTypeButNotTheirValues()
    {
        var config = ConfigAssert.Valid(Devices("""
              - { id: A, type: Drive, modbus: { tcp: { host: plc }, unitId: 1 } }
              - { id: B, type: Drive, modbus: { tcp: { host: plc }, unitId: 2 }, addressOffset: 20, parameters: { Manufacturer: Other } }
            """));

        Assert.Same(config.Devices[0].Type, config.Devices[1].Type);
        Assert.Equal([0, 10, 0, 5], config.Devices[0].Metrics.Select(m => m.Address));
        Assert.Equal([20, 30, 20, 25], config.Devices[1].Metrics.Select(m => m.Address));
        Assert.Equal("Acme", config.Devices[0].Parameters[0].Value);
        Assert.Equal("Other", config.Devices[1].Parameters[0].Value);
    }

    [Fact]
    public void ParameterValues_HaveTheirDeclaredClrTypes()
    {
        var config = ConfigAssert.Valid(TempConfig.LoadText("""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://b" ] }
            types:
              T:
                parameters:
                  - { name: a, type: int16, default: -5 }
                  - { name: b, type: uint32, default: 4000000000 }
                  - { name: c, type: int64, default: -9000000000 }
                  - { name: d, type: uint64, default: 18446744073709551615 }
                  - { name: e, type: float32, default: 1.5 }
                  - { name: f, type: string, default: 42 }
                  - { name: g, type: bool, default: true }
                metrics: [ { name: M, table: coil, address: 0, type: bool } ]
            devices:
              - { id: D, type: T, modbus: { tcp: { host: plc } } }
            """));

        Assert.Equal<object>([-5L, 4_000_000_000L, -9_000_000_000L, ulong.MaxValue, 1.5, "42", true], config.Devices[0].Parameters.Select(p => p.Value));
    }

    [Fact]
    public void UnknownType_SuggestsTheClosest() =>
        ConfigAssert.Single(Devices("""
              - { id: A, type: Drvie, modbus: { tcp: { host: plc } } }
            """), 18, 20, "devices[0].type: unknown type 'Drvie' (did you mean 'Drive'?)");

    [Fact]
    public void UnknownType_ListsTheKnownTypes() =>
        ConfigAssert.Single(Devices("""
              - { id: A, type: Compressor, modbus: { tcp: { host: plc } } }
            """), 18, 20, "devices[0].type: unknown type 'Compressor' (known types: Drive)");

    [Fact]
    public void UnknownType_WithoutAnyTypes_SaysHowToDeclareOne() =>
        ConfigAssert.Single(TempConfig.LoadText("""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://b" ] }
            devices:
              - { id: A, type: Drive, modbus: { tcp: { host: plc } } }
            """), 4, 20, "unknown type 'Drive' (no types are defined: add a types: section or include: a type library)");

    [Fact]
    public void UnknownParameter_SuggestsTheClosest() =>
        ConfigAssert.Single(Devices("""
              - { id: A, type: Drive, modbus: { tcp: { host: plc } }, parameters: { RatedKW: 3 } }
            """), 18, 73, "devices[0].parameters: type 'Drive' has no parameter 'RatedKW' (did you mean 'RatedKw'?)");

    [Theory]
    [InlineData("Poles: 70000", "Poles: ", "devices[0].parameters.Poles: 70000 is outside 0..65535")]
    [InlineData("Poles: two", "Poles: ", "devices[0].parameters.Poles: expected an integer, got 'two'")]
    [InlineData("Vector: 1", "Vector: ", "devices[0].parameters.Vector: expected true or false, got '1'")]
    [InlineData("RatedKw: fast", "RatedKw: ", "devices[0].parameters.RatedKw: expected a number, got 'fast'")]
    [InlineData("Manufacturer: [a]", "Manufacturer: ", "devices[0].parameters.Manufacturer: expected a text value, got a list")]
    public void ParameterValue_MustHaveTheDeclaredType(string parameter, string at, string message)
    {
        var line = $"  - {{ id: A, type: Drive, modbus: {{ tcp: {{ host: plc }} }}, parameters: {{ {parameter} }} }}";
        ConfigAssert.Single(TempConfig.LoadText(Head + line + "\n"), 18, line.IndexOf(at, StringComparison.Ordinal) + at.Length + 1, message);
    }

    [Fact]
    public void Overrides_OfUnknownMembers_AreReported() =>
        ConfigAssert.Single(Devices("""
              - id: A
                type: Drive
                modbus: { tcp: { host: plc } }
                overrides: { Sped: { deadband: 2 } }
            """), 21, 18, "devices[0].overrides: type 'Drive' has no member 'Sped' (did you mean 'Speed'?)");

    [Fact]
    public void Overrides_CannotMakeAReadOnlyMemberWritable() =>
        ConfigAssert.Single(Devices("""
              - id: A
                type: Drive
                modbus: { tcp: { host: plc } }
                overrides: { Speed: { writable: true } }
            """), 21, 37, "devices[0].overrides.Speed.writable: member 'Speed' is on the input table, which is read-only");

    [Fact]
    public void Overrides_HaveTheirOwnKeys() =>
        ConfigAssert.Single(Devices("""
              - id: A
                type: Drive
                modbus: { tcp: { host: plc } }
                overrides: { Speed: { scale: 2 } }
            """), 21, 27, "devices[0].overrides.Speed: unknown key 'scale'");

    [Fact]
    public void Overrides_KeepTheLimitsConsistent() =>
        ConfigAssert.Single(Devices("""
              - id: A
                type: Drive
                modbus: { tcp: { host: plc } }
                overrides: { Speed: { engLow: 5000 } }
            """), 21, 35, "devices[0].overrides.Speed.engLow: engHigh 3000 is below engLow 5000");

    [Fact]
    public void Overrides_DeadbandNotForBoolMembers() =>
        ConfigAssert.Single(Devices("""
              - id: A
                type: Drive
                modbus: { tcp: { host: plc } }
                overrides: { Run: { deadband: 1 } }
            """), 21, 35, "devices[0].overrides.Run.deadband: not for type bool");

    [Fact]
    public void AddressOffset_MustKeepEveryMemberInRange() =>
        ConfigAssert.Single(Devices("""
              - id: A
                type: Drive
                modbus: { tcp: { host: plc } }
                addressOffset: 65530
            """), 21, 20, "devices[0].addressOffset: 65530 moves member 'Setpoint' to 65540, outside 0..65535");

    [Fact]
    public void NegativeAddressOffset_MayNotGoBelowZero() =>
        ConfigAssert.Single(Devices("""
              - id: A
                type: Drive
                modbus: { tcp: { host: plc } }
                addressOffset: -6
            """), 21, 20, "devices[0].addressOffset: -6 moves member 'Speed' to -6, outside 0..65535 (and 2 more)");

    [Fact]
    public void TypedDevice_MustNotListMetrics() =>
        ConfigAssert.Single(Devices("""
              - id: A
                type: Drive
                modbus: { tcp: { host: plc } }
                metrics: [ { name: X, table: coil, address: 1, type: bool } ]
            """), 21, 5, "devices[0].metrics: a typed device takes its metrics from its type 'Drive'; change them with overrides:");

    [Fact]
    public void Types_AreForModbusDevicesOnly() =>
        ConfigAssert.Single(Devices("""
              - id: A
                type: Drive
                gpio: { chip: gpiochip0 }
                metrics: [ { name: X, line: 4 } ]
            """), 19, 5, "devices[0].type: device types describe Modbus register maps; not for a gpio device");

    [Fact]
    public void TypeErrors_AreReportedOnce_AndDevicesUsingTheTypeAddNoNoise()
    {
        var result = TempConfig.LoadText("""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://b" ] }
            types:
              Broken:
                versoin: 1
                parameters:
                  - { name: P, type: uint16 }
                  - { name: P, type: uint16, default: 1 }
                  - { name: Q, type: int16, default: 40000 }
                metrics:
                  - { name: A, table: input, address: 0, type: uint16, writable: true }
                  - { name: A, table: input, address: 1, type: uint16 }
            devices:
              - { id: D, type: Broken, modbus: { tcp: { host: plc } }, overrides: { A: { deadband: 1 } }, parameters: { P: 2 } }
            """);

        Assert.Equal(
        [
            "5:5 types.Broken: unknown key 'versoin' (did you mean 'version'?)",
            "7:9 types.Broken.parameters[0]: missing required key 'default'",
            "8:17 types.Broken.parameters[1].name: duplicate parameter name 'P' (first at line 7)",
            "9:42 types.Broken.parameters[2].default: 40000 is outside -32768..32767",
            "11:70 types.Broken.metrics[0].writable: the input table is read-only; only coil and holding can be written",
            "12:17 types.Broken.metrics[1].name: duplicate metric name 'A' (also types.Broken.metrics[0], line 11)",
        ], result.Errors.Select(e => $"{e.Line}:{e.Column} {e.Message}"));
    }

    [Theory]
    [InlineData("\"Node Control/Thing\"", "starts with 'Node Control/'")]
    [InlineData("\"Properties/Asset\"", "starts with 'Properties/', which the node uses for its own NBIRTH metrics")]
    [InlineData("\"Wind//Turbine\"", "has an empty folder level")]
    public void TypeNames_AreMetricNamesOfTheNbirth(string name, string message) =>
        ConfigAssert.Single(TempConfig.LoadText($$"""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://b" ] }
            types:
              {{name}}:
                metrics: [ { name: M, table: coil, address: 0, type: bool } ]
            """), 4, 3, message);

    [Fact]
    public void TypeWithoutMetrics_IsReported() =>
        ConfigAssert.Single(TempConfig.LoadText("""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://b" ] }
            types:
              T:
                version: "1"
            """), 5, 5, "types.T: missing required key 'metrics'");
}
