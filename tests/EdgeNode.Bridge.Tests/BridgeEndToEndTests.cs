using System.Net.Http;
using System.Text.Json;
using EdgeNode.Bridge.Tests.Infrastructure;
using EdgeNode.Mqtt;
using EdgeNode.Sparkplug;

namespace EdgeNode.Bridge.Tests;

public sealed class BridgeRigFixture : IAsyncLifetime
{
    public BridgeRig Rig { get; private set; } = null!;

    public async Task InitializeAsync() => Rig = await BridgeRig.StartAsync();

    public async Task DisposeAsync() => await Rig.DisposeAsync();
}

public sealed class BridgeEndToEndTests(BridgeRigFixture fixture) : IClassFixture<BridgeRigFixture>
{
    private BridgeRig Rig => fixture.Rig;

    [Fact]
    public async Task Records_FromRealNode_NamesDatatypesAndValuesMatchTheDevice()
    {
        Rig.SetDevice(counter: 7, signed: -123456, big: 9_007_199_254_740_993UL, temp: 21.5f, run: true, label: "OK");
        var records = await Rig.WaitForDataAsync(r => BridgeRig.Metric(r, "Counter").Any(v => v.GetProperty("value").GetInt32() == 7) &&
            BridgeRig.Metric(r, "Signed").Any(v => v.GetProperty("value").GetInt32() == -123456), TimeSpan.FromSeconds(30), "Counter 7 and Signed -123456");

        JsonElement Latest(string metric) => BridgeRig.Metric(records, metric).Last();
        Assert.Equal("UInt16", Latest("Counter").GetProperty("datatype").GetString());
        Assert.Equal("Int32", Latest("Signed").GetProperty("datatype").GetString());
        var big = Latest("Big");
        Assert.Equal("UInt64", big.GetProperty("datatype").GetString());
        Assert.Contains("\"value\":9007199254740993", big.GetRawText(), StringComparison.Ordinal); // beyond double precision: exact text
        Assert.Equal("Float", Latest("Temp").GetProperty("datatype").GetString());
        Assert.Equal(21.5, Latest("Temp").GetProperty("value").GetDouble());
        Assert.Equal("Boolean", Latest("Run").GetProperty("datatype").GetString());
        Assert.True(Latest("Run").GetProperty("value").GetBoolean());
        Assert.Equal("String", Latest("Label").GetProperty("datatype").GetString());
        Assert.Equal("OK", Latest("Label").GetProperty("value").GetString());
        var counter = Latest("Counter");
        Assert.Equal(BridgeRig.Group, counter.GetProperty("group").GetString());
        Assert.Equal(BridgeRig.EdgeNode, counter.GetProperty("edgeNode").GetString());
        Assert.Equal(JsonValueKind.Number, counter.GetProperty("bdSeq").ValueKind);
        Assert.All(records.Where(r => r.Value.GetProperty("device").GetString() == BridgeRig.Device),
            r => Assert.Equal($"{BridgeRig.Group}/{BridgeRig.EdgeNode}/{BridgeRig.Device}", r.Key));

        // The same records through an independent client of another code base.
        var python = await KafkaReader.ReadWithPythonAsync(Rig.Kafka.BootstrapServers, "sparkplug.data");
        Assert.Contains(python, r => r.Value.GetProperty("metric").GetString() == "Counter" && r.Value.GetProperty("value").GetInt32() == 7);

        // Births on the state topic, with the metrics' names, datatypes and properties.
        var states = await Rig.StateAsync();
        var dbirth = states.Last(s => s.Value.GetProperty("messageType").GetString() == "DBIRTH").Value;
        Assert.True(dbirth.GetProperty("online").GetBoolean());
        var temp = dbirth.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "Temp");
        Assert.Equal("Float", temp.GetProperty("datatype").GetString());
        Assert.Equal("C", temp.GetProperty("properties").GetProperty("engUnit").GetString());
        Assert.Contains(states, s => s.Value.GetProperty("messageType").GetString() == "NBIRTH" && s.Key == $"{BridgeRig.Group}/{BridgeRig.EdgeNode}");
    }

    [Fact]
    public async Task Rebirth_UnknownAliasDataBeforeBirthAndSeqGap_EachRequested()
    {
        await using var fake = new MqttClient();
        var commands = new System.Collections.Concurrent.ConcurrentQueue<string>();
        fake.ApplicationMessageReceivedAsync = m =>
        {
            if (SparkplugPayload.TryDecode(m.Payload.Span, out var p, out _) && p.IsRebirthRequest())
            {
                commands.Enqueue(m.Topic);
            }

            return Task.CompletedTask;
        };
        await fake.ConnectAsync(new MqttClientOptions { Host = "127.0.0.1", Port = Rig.Broker.Port, ClientId = "fake-edge" });
        await fake.SubscribeAsync("spBv1.0/Fake/NCMD/+");

        static byte[] Payload(ulong? seq, params SparkplugMetric[] metrics)
        {
            var p = new SparkplugPayload { Timestamp = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Seq = seq };
            p.Metrics.AddRange(metrics);
            return p.ToByteArray();
        }

        async Task ExpectRebirthAsync(string node)
        {
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (!commands.Contains($"spBv1.0/Fake/NCMD/{node}"))
            {
                Assert.True(DateTime.UtcNow < deadline, $"no rebirth request for {node}\n{BridgeRig.Tail(Rig.Bridge.Output)}");
                await Task.Delay(100);
            }
        }

        // DATA before any BIRTH.
        await fake.PublishAsync("spBv1.0/Fake/NDATA/Unborn", Payload(1, new SparkplugMetric(null, SparkplugValue.FromInt32(1)) { Alias = 1 }));
        await ExpectRebirthAsync("Unborn");

        // An alias the BIRTH did not define.
        await fake.PublishAsync("spBv1.0/Fake/NBIRTH/Alias", Payload(0, new SparkplugMetric("bdSeq", SparkplugValue.FromInt64(0)),
            new SparkplugMetric("A", SparkplugValue.FromInt32(1)) { Alias = 1 }), MqttQualityOfService.AtLeastOnce);
        await fake.PublishAsync("spBv1.0/Fake/NDATA/Alias", Payload(1, new SparkplugMetric(null, SparkplugValue.FromInt32(2)) { Alias = 99 }));
        await ExpectRebirthAsync("Alias");

        // A seq gap.
        await fake.PublishAsync("spBv1.0/Fake/NBIRTH/Gap", Payload(0, new SparkplugMetric("bdSeq", SparkplugValue.FromInt64(0)),
            new SparkplugMetric("A", SparkplugValue.FromInt32(1)) { Alias = 1 }), MqttQualityOfService.AtLeastOnce);
        await fake.PublishAsync("spBv1.0/Fake/NDATA/Gap", Payload(1, new SparkplugMetric(null, SparkplugValue.FromInt32(2)) { Alias = 1 }));
        await fake.PublishAsync("spBv1.0/Fake/NDATA/Gap", Payload(5, new SparkplugMetric(null, SparkplugValue.FromInt32(3)) { Alias = 1 }));
        await ExpectRebirthAsync("Gap");

        // The value of the seq-gap message is still named and produced.
        await Rig.WaitForDataAsync(r => r.Any(x => x.Value.GetProperty("edgeNode").GetString() == "Gap" && x.Value.GetProperty("value").GetInt32() == 3),
            TimeSpan.FromSeconds(15), "Gap's value 3");
    }

    [Fact]
    public async Task BadPayloads_CountedLoggedAndSurvived()
    {
        await using var fake = new MqttClient();
        await fake.ConnectAsync(new MqttClientOptions { Host = "127.0.0.1", Port = Rig.Broker.Port, ClientId = "hostile" });
        for (var i = 0; i < 50; i++)
        {
            // QoS 1: every one of them must reach the bridge (QoS 0 may be shed by a loaded broker).
            await fake.PublishAsync("spBv1.0/Evil/NDATA/Bad", new byte[] { 0x0A, 0xFF, 0xFF, 0xFF, (byte)i }, MqttQualityOfService.AtLeastOnce);
        }

        await fake.PublishAsync("spBv1.0/Evil/NOTATYPE/Bad", new byte[] { 1, 2, 3 });
        var dup = new SparkplugPayload { Seq = 0, Timestamp = 1 };
        dup.Metrics.Add(new SparkplugMetric("bdSeq", SparkplugValue.FromInt64(0)));
        dup.Metrics.Add(new SparkplugMetric("A", SparkplugValue.FromInt32(1)) { Alias = 7 });
        dup.Metrics.Add(new SparkplugMetric("B", SparkplugValue.FromInt32(2)) { Alias = 7 });
        await fake.PublishAsync("spBv1.0/Evil/NBIRTH/Dup", dup.ToByteArray(), MqttQualityOfService.AtLeastOnce);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Rig.WebPort}") };
        var deadline = DateTime.UtcNow.AddSeconds(15);
        string metrics;
        while (true)
        {
            metrics = await http.GetStringAsync("/metrics");
            if (metrics.Contains("edgenode_bridge_undecodable_total 50", StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.True(metrics.Contains("edgenode_bridge_undecodable_total 50", StringComparison.Ordinal), metrics + "\n" + BridgeRig.Tail(Rig.Bridge.Output));
        Assert.Contains("edgenode_bridge_kafka_up 1", metrics, StringComparison.Ordinal);
        Assert.Matches(@"edgenode_bridge_records_produced_total\{topic=""sparkplug.data""\} [1-9]", metrics);
        Assert.Matches(@"edgenode_bridge_rebirth_requests_total \d+", metrics);
        Assert.Equal("ok", (await http.GetStringAsync("/healthz")).Trim());
        // Logged once per source per minute, not 50 times.
        Assert.Single(Rig.Bridge.Output.Split('\n'), l => l.Contains("Evil/Bad: undecodable", StringComparison.Ordinal));
        Assert.Contains("alias 7 is used by 'A' and 'B'", Rig.Bridge.Output, StringComparison.Ordinal);
        Assert.False(Rig.Bridge.Process!.HasExited);

        // Still bridging.
        Rig.SetCounter(4242);
        await Rig.WaitForDataAsync(r => BridgeRig.Metric(r, "Counter").Any(v => v.GetProperty("value").GetInt32() == 4242), TimeSpan.FromSeconds(20), "Counter 4242");
    }
}
