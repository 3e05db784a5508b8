using EdgeNode.Testing;

namespace EdgeNode.Tests;

public class CliTests
{
    [Fact]
    public async Task Version_PrintsTheAssemblyVersion()
    {
        var (code, output) = await EdgeNodeCli.RunToExitAsync("--version");

        Assert.Equal(0, code);
        Assert.Matches(@"^\d+\.\d+\.\d+", output.Trim());
    }
}
