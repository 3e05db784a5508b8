using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeNode.Mqtt;
using MQTTnet;
using MQTTnet.Protocol;
using MqttClient = EdgeNode.Mqtt.MqttClient;
using MqttNetMessage = MQTTnet.MqttApplicationMessage;

namespace EdgeNode.Benchmarks.Mqtt;

/// <summary>
/// The .NET publishers of the "mqtt" suite, each run in a process of its own (like MQTT.js in
/// tests/interop/mqtt-bench.js) so CPU time and allocations are the client's alone, not the harness's:
/// <c>EdgeNode.Benchmarks mqtt-publisher &lt;ours|mqttnet&gt; &lt;host&gt; &lt;port&gt; &lt;topic&gt; &lt;count&gt; &lt;qos&gt;
/// &lt;payloadBytes&gt; &lt;warmup&gt; &lt;window&gt;</c>. Same protocol as mqtt-bench.js: connect, warm up on
/// "&lt;topic&gt;/warmup", print {"ready":true}, wait for "go" on stdin, publish, print
/// {"acked":n,"cpuSeconds":…,"allocatedBytes":…,"gen0":…}. The timed phase ends when every message is written
/// (QoS 0) or acknowledged (QoS 1), with at most &lt;window&gt; QoS 1 publishes outstanding.
/// </summary>
internal static class MqttPublisherProcess
{
    public const string Command = "mqtt-publisher";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 9)
        {
            await Console.Error.WriteLineAsync($"usage: {Command} <ours|mqttnet> <host> <port> <topic> <count> <qos> <payloadBytes> <warmup> <window>")
                .ConfigureAwait(false);
            return 2;
        }

        var kind = args[0];
        var host = args[1];
        var port = int.Parse(args[2], CultureInfo.InvariantCulture);
        var topic = args[3];
        var count = int.Parse(args[4], CultureInfo.InvariantCulture);
        var qos = int.Parse(args[5], CultureInfo.InvariantCulture);
        var payload = new byte[int.Parse(args[6], CultureInfo.InvariantCulture)];
        Array.Fill(payload, (byte)0x5a);
        var warmup = int.Parse(args[7], CultureInfo.InvariantCulture);
        var window = int.Parse(args[8], CultureInfo.InvariantCulture);

        IPublisher publisher = kind switch
        {
            "ours" => await OursPublisher.ConnectAsync(host, port, window).ConfigureAwait(false),
            "mqttnet" => await MqttNetPublisher.ConnectAsync(host, port).ConfigureAwait(false),
            _ => throw new ArgumentException($"unknown publisher '{kind}'"),
        };

        await publisher.PublishAsync(topic + "/warmup", payload, qos, warmup, window).ConfigureAwait(false);
        await publisher.DrainAsync().ConfigureAwait(false);
        Console.Out.WriteLine("{\"ready\":true}");
        Console.Out.Flush();
        while (Console.In.ReadLine() is { } line && line.Trim() != "go")
        {
        }

        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var gen0Before = GC.CollectionCount(0);
        var start = Stopwatch.GetTimestamp();
        await publisher.PublishAsync(topic, payload, qos, count, window).ConfigureAwait(false);
        await publisher.DrainAsync().ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var gen0 = GC.CollectionCount(0) - gen0Before;
        self.Refresh();
        var cpu = (self.TotalProcessorTime - cpuBefore).TotalSeconds;
        Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["acked"] = count,
            ["seconds"] = seconds,
            ["cpuSeconds"] = cpu,
            ["allocatedBytes"] = allocated,
            ["gen0"] = gen0,
        }));
        Console.Out.Flush();
        await publisher.DisposeAsync().ConfigureAwait(false);
        return 0;
    }

    private interface IPublisher : IAsyncDisposable
    {
        Task PublishAsync(string topic, byte[] payload, int qos, int count, int window);

        /// <summary>Returns once everything published so far is written to the socket (QoS 0 included).</summary>
        Task DrainAsync();
    }

    /// <summary>Our client as the node uses it: a string topic, QoS 0 without awaiting, QoS 1 through a window.</summary>
    private sealed class OursPublisher(MqttClient client) : IPublisher
    {
        public static async Task<OursPublisher> ConnectAsync(string host, int port, int window)
        {
            var client = new MqttClient();
            var result = await client.ConnectAsync(new EdgeNode.Mqtt.MqttClientOptions
            {
                Host = host,
                Port = port,
                ClientId = $"bench-ours-{Environment.ProcessId}",
                KeepAliveSeconds = 60,
                MaxInflight = window,
            }, CancellationToken.None).ConfigureAwait(false);
            return result.IsSuccess ? new OursPublisher(client) : throw new InvalidOperationException($"connect refused: {result}");
        }

        public async Task PublishAsync(string topic, byte[] payload, int qos, int count, int window)
        {
            if (qos == 0)
            {
                for (var i = 0; i < count; i++)
                {
                    var pending = client.PublishAsync(topic, payload);
                    if (!pending.IsCompletedSuccessfully)
                    {
                        Check(await pending.ConfigureAwait(false));
                    }
                }

                return;
            }

            var slots = new ValueTask<MqttPublishResult>[window];
            for (var i = 0; i < count; i++)
            {
                var slot = i % window;
                if (i >= window)
                {
                    Check(await slots[slot].ConfigureAwait(false));
                }

                slots[slot] = client.PublishAsync(topic, payload, (MqttQualityOfService)qos);
            }

            for (var i = Math.Max(0, count - window); i < count; i++)
            {
                Check(await slots[i % window].ConfigureAwait(false));
            }
        }

        // QoS 0 completes when queued: the PINGRESP proves every earlier packet was written and received.
        public Task DrainAsync() => client.PingAsync();

        public async ValueTask DisposeAsync()
        {
            await client.DisconnectAsync().ConfigureAwait(false);
            await client.DisposeAsync().ConfigureAwait(false);
        }

        private static void Check(MqttPublishResult result)
        {
            if (!result.IsSuccess)
            {
                throw new InvalidOperationException($"publish refused: {result.ReasonCode}");
            }
        }
    }

    /// <summary>
    /// MQTTnet 5.2 as its documentation shows it: one <see cref="MqttNetMessage"/> per publish (a gateway's
    /// messages differ), PublishAsync awaited for QoS 0 (it completes once written), QoS 1 through the same window.
    /// </summary>
    private sealed class MqttNetPublisher(IMqttClient client) : IPublisher
    {
        public static async Task<MqttNetPublisher> ConnectAsync(string host, int port)
        {
            var client = new MqttClientFactory().CreateMqttClient();
            var options = new MqttClientOptionsBuilder()
                .WithTcpServer(host, port)
                .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311)
                .WithClientId($"bench-mqttnet-{Environment.ProcessId}")
                .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
                .WithCleanSession()
                .Build();
            var result = await client.ConnectAsync(options, CancellationToken.None).ConfigureAwait(false);
            return result.ResultCode == MqttClientConnectResultCode.Success
                ? new MqttNetPublisher(client)
                : throw new InvalidOperationException($"connect refused: {result.ResultCode}");
        }

        public async Task PublishAsync(string topic, byte[] payload, int qos, int count, int window)
        {
            var level = (MqttQualityOfServiceLevel)qos;
            if (qos == 0)
            {
                for (var i = 0; i < count; i++)
                {
                    Check(await client.PublishAsync(Message(topic, payload, level)).ConfigureAwait(false));
                }

                return;
            }

            var slots = new Task<MqttClientPublishResult>[window];
            for (var i = 0; i < count; i++)
            {
                var slot = i % window;
                if (i >= window)
                {
                    Check(await slots[slot].ConfigureAwait(false));
                }

                slots[slot] = client.PublishAsync(Message(topic, payload, level));
            }

            for (var i = Math.Max(0, count - window); i < count; i++)
            {
                Check(await slots[i % window].ConfigureAwait(false));
            }
        }

        // Its QoS 0 publish completes once written; a ping makes the end the same as ours.
        public Task DrainAsync() => client.PingAsync();

        public async ValueTask DisposeAsync()
        {
            await client.DisconnectAsync().ConfigureAwait(false);
            client.Dispose();
        }

        private static MqttNetMessage Message(string topic, byte[] payload, MqttQualityOfServiceLevel level) =>
            new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(level).Build();

        private static void Check(MqttClientPublishResult result)
        {
            if (!result.IsSuccess)
            {
                throw new InvalidOperationException($"publish refused: {result.ReasonCode}");
            }
        }
    }
}
