using EdgeNode.Testing;

namespace EdgeNode.Web.Tests;

/// <summary>
/// Without <c>web:</c> the node has no console and pays next to nothing for it: no port, no ASP.NET Core assembly mapped
/// (only the small EdgeNode.Web.dll, whose problem log the run command keeps either way).
/// </summary>
public sealed class ConsoleOffTests
{
    [Fact]
    public async Task Run_NoWebSection_NoAspNetCoreAssemblyLoaded()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoOptions { Quiet = true });
        await using var node = NodeUnderTest.Start($$"""
            node: { groupId: WebTest, edgeNodeId: NoConsole }
            mqtt: { servers: [ "{{broker.Url}}" ] }
            devices: []
            """);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!node.Output.Contains("NBIRTH published", StringComparison.Ordinal))
        {
            Assert.True(node.IsRunning, node.OutputTail());
            Assert.True(DateTime.UtcNow < until, "no NBIRTH within 60 s\n" + node.OutputTail());
            await Task.Delay(100);
        }

        await Task.Delay(2000);
        var maps = await File.ReadAllTextAsync($"/proc/{node.Process!.Id}/maps");
        Assert.Contains("edgenode", maps, StringComparison.OrdinalIgnoreCase);
        // The node's logging comes from the ASP.NET Core shared folder (Microsoft.Extensions.*); its own assemblies never.
        Assert.DoesNotMatch(@"/Microsoft\.AspNetCore\.[^/\n]*\.dll", maps);
        Assert.DoesNotContain("Web console", node.Output, StringComparison.Ordinal);
    }
}
