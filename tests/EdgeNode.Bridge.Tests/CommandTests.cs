using EdgeNode.Bridge.Tests.Infrastructure;

namespace EdgeNode.Bridge.Tests;

public sealed class CommandTests
{
    [Fact]
    public async Task Version_Flag_PrintsVersion()
    {
        var (code, output) = await BridgeUnderTest.RunToExitAsync("--version");
        Assert.Equal(0, code);
        Assert.Matches(@"^\d+\.\d+\.\d+", output.Trim());
    }

    [Fact]
    public async Task Validate_ShippedExample_Ok()
    {
        var example = Path.Combine(EdgeNode.Testing.RepoPaths.Root, "config", "edgenode-bridge.example.yaml");
        var (code, output) = await BridgeUnderTest.RunToExitAsync("validate", "--config", example);
        Assert.True(code == 0, output);
        Assert.Equal("ok", output.Trim());
    }

    [Fact]
    public async Task Validate_EveryProblem_FileLineColumnAndExit2()
    {
        var file = Path.Combine(Path.GetTempPath(), $"bridge-bad-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, """
            mqtt:
              servers: ["http://nowhere"]
            sparkplug:
              hostId: "a/b"
              rebirthMinIntervalMs: -1
            kafka:
              bootstrapServer: "x:1"
              keyBy: topic
              properties: { acks: "1" }
              topics: { data: "bad topic" }
            """);
        try
        {
            var (code, output) = await BridgeUnderTest.RunToExitAsync("validate", "--config", file);
            Assert.Equal(2, code);
            
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length >= 7, output);
            Assert.All(lines, l => Assert.StartsWith(file + ":", l, StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith($"{file}:2:", StringComparison.Ordinal) && l.Contains("servers", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith($"{file}:4:", StringComparison.Ordinal) && l.Contains("hostId", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith($"{file}:5:", StringComparison.Ordinal) && l.Contains("rebirthMinIntervalMs", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith($"{file}:7:3:", StringComparison.Ordinal) && l.Contains("did you mean 'bootstrapServers'", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith($"{file}:8:", StringComparison.Ordinal) && l.Contains("keyBy", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith($"{file}:9:", StringComparison.Ordinal) && l.Contains("acks", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith($"{file}:10:", StringComparison.Ordinal) && l.Contains("topics.data", StringComparison.Ordinal));

            var (runCode, runOutput) = await BridgeUnderTest.RunToExitAsync("run", "--config", file);
            Assert.Equal(2, runCode);
            Assert.Equal(output.Trim(), runOutput.Trim());
        }
        finally
        {
            File.Delete(file);
        }
    }
}
