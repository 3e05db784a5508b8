using System.Net.Sockets;
using System.Text;
using EdgeNode.Testing;
using Xunit;

namespace EdgeNode.Tests;

/// <summary>
/// `edgenode run` as systemd sees it (Type=notify): READY=1 once the configuration is loaded and the first broker
/// connection was attempted, STATUS= lines as the state changes, STOPPING=1 on SIGTERM, exit 0 — over a real datagram
/// socket named by $NOTIFY_SOCKET.
/// </summary>
public sealed class RunUnderSystemdTests
{
    [Fact]
    public async Task Run_notifies_ready_status_and_stopping_and_exits_cleanly_on_sigterm()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var dir = Directory.CreateTempSubdirectory("edgenode-notify-").FullName;
        try
        {
            var socketPath = Path.Combine(dir, "notify");
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(socketPath));
            var config = Path.Combine(dir, "node.yaml");
            await File.WriteAllTextAsync(config, $"""
                node:
                  groupId: G
                  edgeNodeId: Notify
                mqtt:
                  servers: [ {broker.Url} ]
                """);
            await using var node = EdgeNodeCli.Start(["run", "--config", config], new Dictionary<string, string?>
            {
                ["NOTIFY_SOCKET"] = socketPath,
                ["STATE_DIRECTORY"] = Path.Combine(dir, "state"),
            });

            var seen = new List<string>();
            async Task<string> WaitForAsync(string prefix)
            {
                var deadline = DateTime.UtcNow.AddSeconds(30);
                var buffer = new byte[4096];
                while (DateTime.UtcNow < deadline)
                {
                    using var cts = new CancellationTokenSource(deadline - DateTime.UtcNow);
                    int n;
                    try
                    {
                        n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }

                    var message = Encoding.UTF8.GetString(buffer, 0, n);
                    seen.Add(message);
                    if (message.Split('\n').Any(line => line.StartsWith(prefix, StringComparison.Ordinal)))
                    {
                        return message;
                    }
                }

                throw new TimeoutException($"no {prefix} on the notify socket; seen: {string.Join(" | ", seen)}\nnode output:\n{node.Output}");
            }

            await WaitForAsync("READY=1");
            var online = await WaitForAsync("STATUS=online");
            Assert.Contains(broker.Url, online, StringComparison.Ordinal);

            node.Signal(Signals.SIGTERM);
            await WaitForAsync("STOPPING=1");
            Assert.Equal(0, await node.WaitForExitAsync(TimeSpan.FromSeconds(5)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Run_with_an_invalid_file_exits_2_with_the_validate_lines()
    {
        var dir = Directory.CreateTempSubdirectory("edgenode-invalid-").FullName;
        try
        {
            var config = Path.Combine(dir, "node.yaml");
            await File.WriteAllTextAsync(config, "node:\n  groupId: G\n  edgeNodeId: E\n  bogus: 1\nmqtt:\n  servers: [ mqtt://127.0.0.1:1 ]\n");
            var (code, output) = await EdgeNodeCli.RunToExitAsync("run", "--config", config);
            Assert.Equal(2, code);
            Assert.Contains($"{config}:4:3:", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
