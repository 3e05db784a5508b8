using EdgeNode.Addressing;
using EdgeNode.Mqtt;
using EdgeNode.Sparkplug;
using EdgeNode.Testing;
using static EdgeNode.Monitor.Tests.MonitorTestSupport;

namespace EdgeNode.Monitor.Tests;

/// <summary>The monitor in-process against a real Mosquitto that goes away and comes back.</summary>
public sealed class SparkplugMonitorIntegrationTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > Wait)
            {
                throw new TimeoutException($"not within {Wait.TotalSeconds:0} s: {what}");
            }

            await Task.Delay(20);
        }
    }

    private static async Task PublishAsync(MosquittoBroker broker, string topic, byte[] payload)
    {
        await using var client = new MqttClient();
        Assert.True((await client.ConnectAsync(new MqttClientOptions { Host = broker.Host, Port = broker.Port, ClientId = $"pub-{Guid.NewGuid():N}"[..20] })).IsSuccess);
        Assert.True((await client.PublishAsync(topic, payload, MqttQualityOfService.AtLeastOnce)).IsSuccess);
        await client.DisconnectAsync();
    }

    [Fact]
    public async Task Run_BrokerRestarts_ReconnectsQuietlyAndAliasesLearntBeforeStillResolve()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var output = new SharedWriter();
        var status = new SharedWriter();
        var monitor = new SparkplugMonitor(
            new SparkplugMonitorOptions { Server = MqttServerEndpoint.Parse(broker.Url), Count = 2, TimeZone = TimeZoneInfo.Utc },
            output, status);
        var run = monitor.RunAsync();
        await WaitForAsync(() => status.ToString().Contains("monitoring", StringComparison.Ordinal), "first subscription");

        await PublishAsync(broker, "spBv1.0/Demo/DBIRTH/Gateway01/Turbine1",
            Payload(1, Metric("Rotor/Speed", SparkplugValue.FromFloat(12.5f), alias: 3, units: "RPM")).ToByteArray());
        await WaitForAsync(() => monitor.Printed == 1, "the DBIRTH printed");

        await broker.RestartAsync();
        await WaitForAsync(() => status.ToString().Split("monitoring").Length == 3, "the subscription renewed after the restart");
        await PublishAsync(broker, "spBv1.0/Demo/DDATA/Gateway01/Turbine1", Payload(2, ByAlias(3, SparkplugValue.FromFloat(14f))).ToByteArray());

        Assert.Equal(2, await run.WaitAsync(Wait));
        var text = output.ToString()!;
        Assert.Contains("DDATA   Demo/Gateway01/Turbine1  seq=2", text, StringComparison.Ordinal);
        Assert.Contains("  Rotor/Speed  #3  Float  = 14 RPM", text, StringComparison.Ordinal);
        var statusLines = status.ToString().Trim().Split('\n');
        Assert.Contains(statusLines, l => l.Contains("lost", StringComparison.Ordinal) && l.Contains("reconnecting", StringComparison.Ordinal));
        Assert.True(statusLines.Length <= 6, "reconnecting is quiet: " + string.Join(" | ", statusLines));
    }

    [Fact]
    public async Task Run_BrokerNotYetUp_WaitsWithOneLineThenMonitors()
    {
        var port = FreePort.Next();
        var status = new SharedWriter();
        var monitor = new SparkplugMonitor(
            new SparkplugMonitorOptions { Server = new MqttServerEndpoint("127.0.0.1", port, false), Count = 1 },
            new SharedWriter(), status);
        using var cancel = new CancellationTokenSource(Wait);
        var run = monitor.RunAsync(cancel.Token);
        await WaitForAsync(() => status.ToString().Contains("waiting for the broker", StringComparison.Ordinal), "the waiting line");
        await Task.Delay(1500); // a few failed attempts

        Assert.Single(status.ToString().Trim().Split('\n'));
        await cancel.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(Wait));
    }

    /// <summary>A text writer the monitor writes to from its threads while the test reads it.</summary>
    private sealed class SharedWriter : StringWriter
    {
        private readonly Lock _lock = new();

        public override void Write(char value)
        {
            lock (_lock)
            {
                base.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_lock)
            {
                base.Write(value);
            }
        }

        public override string ToString()
        {
            lock (_lock)
            {
                return base.ToString();
            }
        }
    }
}
