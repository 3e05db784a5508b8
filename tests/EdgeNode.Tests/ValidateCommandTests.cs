using EdgeNode.Testing;

namespace EdgeNode.Tests;

/// <summary><c>edgenode validate --config FILE</c> as a process: <c>ok</c> and exit 0, or one FILE:LINE:COLUMN line per problem and exit 2.</summary>
public sealed class ValidateCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edgenode-validate-" + Guid.NewGuid().ToString("N"));

    public ValidateCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task ValidFile_PrintsOk_AndExitsZero()
    {
        var path = Write("good.yaml", """
            node: { groupId: Plant, edgeNodeId: Gw1 }
            mqtt: { servers: [ "mqtt://127.0.0.1:1883" ] }
            devices:
              - id: Pump1
                modbus: { tcp: { host: 127.0.0.1, port: 5020 } }
                metrics: [ { name: Flow, table: input, address: 0, type: float32 } ]
            """);

        var (code, output) = await EdgeNodeCli.RunToExitAsync("validate", "--config", path);

        Assert.Equal(0, code);
        Assert.Equal(["ok"], Lines(output));
    }

    [Fact]
    public async Task InvalidFile_PrintsEveryProblemAsFileLineColumn_AndExitsTwo()
    {
        var path = Write("bad.yaml", """
            node:
              groupId: Plant/1
              edgeNodeId: Gw1
            mqtt: { servers: [ "mqtt://127.0.0.1:1883" ], keepAliveSeconds: 70000 }
            devices:
              - id: Pump1
                modbus: { tcp: { host: 127.0.0.1 } }
                metrics:
                  - { name: Flow, table: input, address: 0, type: flaot32 }
                  - { name: Run, table: coil, adress: 0, type: bool }
            """);

        var (code, output) = await EdgeNodeCli.RunToExitAsync("validate", "--config", path);

        Assert.Equal(2, code);
        Assert.Equal(
        [
            $"{path}:2:12: node.groupId: 'Plant/1' contains '/' at position 6 (the MQTT topic level separator); a Sparkplug id is one MQTT topic level",
            $"{path}:4:65: mqtt.keepAliveSeconds: 70000 is outside 0..65535",
            $"{path}:9:55: devices[0].metrics[0].type: unknown type 'flaot32' (expected bool, int16, uint16, int32, uint32, int64, uint64, float32, float64, string)",
            $"{path}:10:35: devices[0].metrics[1]: unknown key 'adress' (did you mean 'address'?)",
        ], Lines(output));
    }

    [Fact]
    public async Task RelativePath_IsPrintedAsGiven()
    {
        Write("rel.yaml", "node: { groupId: G }\nmqtt: { servers: [ \"mqtt://b\" ] }\n");

        await using var process = EdgeNodeCli.Start(["validate", "--config", "rel.yaml"], workingDirectory: _dir);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(50);

        Assert.Equal(2, code);
        Assert.Equal(["rel.yaml:1:7: node: missing required key 'edgeNodeId'"], Lines(process.Output));
    }

    [Fact]
    public async Task ProblemsOfAnIncludedTypeFile_NameThatFile()
    {
        var library = Write("types/pumps.yaml", "types:\n  Pump:\n    metrics: [ { name: Flow, table: input, address: 0, type: float32, writable: true } ]\n");
        var path = Write("plant.yaml", """
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://b" ] }
            include: types/
            devices:
              - { id: P1, type: Pump, modbus: { tcp: { host: 10.0.0.5 } } }
            """);

        var (code, output) = await EdgeNodeCli.RunToExitAsync("validate", "--config", path);

        Assert.Equal(2, code);
        Assert.Equal(
            [$"{library}:3:81: types.Pump.metrics[0].writable: the input table is read-only; only coil and holding can be written"],
            Lines(output));
    }

    [Fact]
    public async Task MissingFile_IsOneProblem_AndExitsTwo()
    {
        var path = Path.Combine(_dir, "nowhere.yaml");

        var (code, output) = await EdgeNodeCli.RunToExitAsync("validate", "--config", path);

        Assert.Equal(2, code);
        Assert.Equal([$"{path}:1:1: file not found"], Lines(output));
    }

    [Fact]
    public async Task ShippedExample_Validates()
    {
        var (code, output) = await EdgeNodeCli.RunToExitAsync("validate", "--config", Path.Combine(RepoPaths.Config, "edgenode.example.yaml"));

        Assert.True(code == 0, output);
        Assert.Equal(["ok"], Lines(output));
    }
}
