namespace EdgeNode.Configuration.Tests;

/// <summary><c>include:</c> folders of type libraries: loaded by name, errors reported in their own file.</summary>
public class IncludeTests
{
    private const string Library = """
        # Pumps of the plant, map rev A
        types:
          Pump:
            version: "1.0"
            parameters: [ { name: Model, type: string, default: P-100 } ]
            metrics:
              - { name: Flow, table: input, address: 0, type: float32, units: m3/h }
              - { name: Run, table: coil, address: 0, type: bool, writable: true }
        """;

    [Fact]
    public void IncludedTypes_AreUsableByDevices()
    {
        using var temp = new TempConfig();
        temp.Write("lib/pumps.yaml", Library);
        temp.Write("lib/valves.yml", "types:\n  Valve:\n    metrics: [ { name: Open, table: discrete, address: 0, type: bool } ]\n");
        temp.Write("lib/README.md", "not a type file");
        var config = ConfigAssert.Valid(temp.Load("""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://b" ] }
            include: lib
            devices:
              - { id: P1, type: Pump, modbus: { tcp: { host: plc } } }
              - { id: V1, type: Valve, modbus: { tcp: { host: plc }, unitId: 2 } }
            """));

        Assert.Equal(["Pump", "Valve"], config.Types.Select(t => t.Name));
        Assert.Equal(Path.Combine(temp.Dir, "lib", "pumps.yaml"), config.Types[0].SourcePath);
        Assert.Equal(Path.Combine(temp.Dir, "lib", "valves.yml"), config.Types[1].SourcePath);
        Assert.Equal(["Flow", "Run"], config.Devices[0].Metrics.Select(m => m.Name));
        Assert.Equal("P-100", config.Devices[0].Parameters[0].Value);
    }

    [Fact]
    public void IncludeList_TakesSeveralFoldersAndSingleFiles()
    {
        using var temp = new TempConfig();
        temp.Write("a/pumps.yaml", Library);
        temp.Write("b/valve.yaml", "types:\n  Valve:\n    metrics: [ { name: Open, table: discrete, address: 0, type: bool } ]\n");
        var config = ConfigAssert.Valid(temp.Load("""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://b" ] }
            types:
              Local:
                metrics: [ { name: X, table: coil, address: 0, type: bool } ]
            include: [ a/, b/valve.yaml ]
            """));

        Assert.Equal(["Local", "Pump", "Valve"], config.Types.Select(t => t.Name));
    }

    [Fact]
    public void ErrorsInAnIncludedFile_CarryThatFilesPathAndPosition()
    {
        using var temp = new TempConfig();
        temp.Write("lib/pumps.yaml", Library.Replace("type: float32", "type: flaot32", StringComparison.Ordinal));
        var result = temp.Load("""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://b" ] }
            include: lib
            devices:
              - { id: P1, type: Pump, modbus: { tcp: { host: plc } } }
              - { id: P2, type: Pmup, modbus: { tcp: { host: plc } } }
            """);

        Assert.Equal(2, result.Errors.Count);
        // the main file first, then the included one
        Assert.Equal(new ConfigError(temp.MainPath, 6, 21, "devices[1].type: unknown type 'Pmup' (did you mean 'Pump'?)"), result.Errors[0]);
        Assert.Equal(Path.Combine(temp.Dir, "lib", "pumps.yaml"), result.Errors[1].File);
        Assert.Equal((7, 55), (result.Errors[1].Line, result.Errors[1].Column));
        Assert.StartsWith("types.Pump.metrics[0].type: unknown type 'flaot32'", result.Errors[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ErrorPath_OfAnIncludedFile_IsJoinedToThePathTheUserGave()
    {
        using var temp = new TempConfig();
        temp.Write("lib/pumps.yaml", "types:\n  Pump: { metrics: [] }\n");
        temp.Write("edgenode.yaml", "node: { groupId: G, edgeNodeId: E }\nmqtt: { servers: [ \"mqtt://b\" ] }\ninclude: lib\n");
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, temp.MainPath);
        var result = EdgeNodeConfigLoader.Load(relative);

        var error = Assert.Single(result.Errors);
        Assert.Equal(Path.Combine(Path.GetDirectoryName(relative)!, "lib", "pumps.yaml"), error.File);
        Assert.Equal("2:20 types.Pump.metrics: a type needs at least one metric", $"{error.Line}:{error.Column} {error.Message}");
    }

    [Fact]
    public void SyntaxErrorInAnIncludedFile_IsReportedThere_AndTheMainFileStillChecked()
    {
        using var temp = new TempConfig();
        var lib = temp.Write("lib/bad.yaml", "types:\n  Pump: [\n");
        var result = temp.Load("""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://b" ], keepAliveSeconds: -1 }
            include: lib
            """);

        Assert.Equal(2, result.Errors.Count);
        Assert.Equal(temp.MainPath, result.Errors[0].File);
        Assert.Equal(lib, result.Errors[1].File);
        Assert.Contains("YAML syntax error", result.Errors[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFolder_IsReportedAtTheIncludeValue()
    {
        using var temp = new TempConfig();
        ConfigAssert.Single(temp.Load("""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://b" ] }
            include: types/
            """), 3, 10, "include: folder '" + Path.Combine(temp.Dir, "types") + "' not found");
    }

    [Fact]
    public void IncludedFile_HoldsOnlyTypes()
    {
        using var temp = new TempConfig();
        var lib = temp.Write("lib/x.yaml", "node: { groupId: X }\ntyps: {}\n");
        var result = temp.Load("""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://b" ] }
            include: lib
            """);

        Assert.Equal(
        [
            $"{lib}:1:1: node: 'node' belongs in the main configuration file; an included file holds only 'types:'",
            $"{lib}:2:1: unknown key 'typs' (did you mean 'types'?)",
        ], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void TypeDefinedTwice_IsReportedWhereItIsRedefined()
    {
        using var temp = new TempConfig();
        var lib = temp.Write("lib/pumps.yaml", Library);
        var result = temp.Load("""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://b" ] }
            types:
              Pump:
                metrics: [ { name: X, table: coil, address: 0, type: bool } ]
            include: lib
            """);

        var error = Assert.Single(result.Errors);
        Assert.Equal($"{lib}:3:3: types.Pump: type 'Pump' is already defined at {temp.MainPath}:4", error.ToString());
    }
}
