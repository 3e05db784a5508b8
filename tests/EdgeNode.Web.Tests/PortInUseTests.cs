using System.Net;
using System.Net.Sockets;
using EdgeNode.Testing;

namespace EdgeNode.Web.Tests;

/// <summary>The console is a window on the node: when its port is taken the node says so and runs (and publishes) without it.</summary>
public sealed class PortInUseTests
{
    [Fact]
    public async Task Run_ConsolePortTaken_NodeRunsAndLogsWhy()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoOptions { Quiet = true });
        await using var node = NodeUnderTest.Start($$"""
            node: { groupId: WebPort, edgeNodeId: Gw{{port}} }
            mqtt: { servers: [ "{{broker.Url}}" ], reconnectMaxMs: 500 }
            web: { listen: "127.0.0.1:{{port}}" }
            devices:
              - id: Nobody
                modbus: { tcp: { host: 127.0.0.1, port: {{FreePort.Next()}} }, timeoutMs: 200 }
                metrics:
                  - { name: X, table: holding, address: 0, type: uint16 }
            """);
        await node.Process!.WaitForLineAsync("NBIRTH published", TimeSpan.FromSeconds(60));
        Assert.Contains($"Web console not started on 127.0.0.1:{port}", node.Output, StringComparison.Ordinal);
        Assert.True(node.IsRunning, node.OutputTail());
    }
}
