using System.Text.RegularExpressions;
using EdgeNode.EndToEnd.Tests.Infrastructure;
using EdgeNode.Testing;
using Xunit.Abstractions;
using static EdgeNode.EndToEnd.Tests.Infrastructure.SparkplugFacts;

namespace EdgeNode.EndToEnd.Tests;

/// <summary>
/// The Sparkplug session of the contract (section "Sparkplug behaviour"): will, subscriptions, NBIRTH/DBIRTH,
/// bdSeq, kill -9, clean stop. The broker logs every packet so the order of SUBSCRIBE and PUBLISH can be read.
/// </summary>
public sealed class SessionTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private async Task<(MosquittoBroker Broker, PyModbusSlave Slave, SparkplugObserver Observer, NodeUnderTest Node, NodeConfig Config)> StartTwoDevicesAsync(
        bool start = true, Action<NodeConfig>? configure = null)
    {
        var broker = await StartBrokerAsync(logAll: true);
        var slave = await StartSlaveAsync(new PyModbusRegisterMap()
            .Holding(1, 0, 11).Coils(1, 0, true)
            .Holding(2, 0, 22), 1, 2);
        var observer = await ObserveAsync(broker);
        var config = Config(broker);
        config.Devices.Add(new DeviceYaml
        {
            Id = "Pump",
            Port = slave.Port,
            UnitId = 1,
            Metrics = ["{ name: Flow, table: holding, address: 0, type: uint16, units: m3/h }", "{ name: Running, table: coil, address: 0, type: bool }"],
        });
        config.Devices.Add(new DeviceYaml
        {
            Id = "Fan",
            Port = slave.Port,
            UnitId = 2,
            Metrics = ["{ name: Speed, table: holding, address: 0, type: uint16 }"],
        });
        configure?.Invoke(config);
        var node = start ? StartNode(config.ToYaml()) : CreateNode(config.ToYaml());
        return (broker, slave, observer, node, config);
    }

    [Fact]
    public async Task NodeBirth_HasSeqZero_BdSeqInt64_RebirthFalseWithoutAlias_NodeControlsAndInfo()
    {
        var startMs = NowMs();
        var (_, _, observer, _, _) = await StartTwoDevicesAsync();

        var nbirth = await WaitNBirthAsync(observer);
        await WaitDBirthAsync(observer, "Pump", nbirth.Index);
        await WaitDBirthAsync(observer, "Fan", nbirth.Index);
        var report = observer.Report();

        Assert.True(nbirth.Error is null, $"Tahu could not decode the NBIRTH: {nbirth.Error}\n{report}");
        Assert.Equal(0, nbirth.Qos);
        Assert.False(nbirth.Retain);
        Assert.True(nbirth.Payload!.Seq == 0, $"NBIRTH seq must be present and 0 (contract: NBIRTH seq 0)\n{report}");
        Assert.True(nbirth.Payload.Timestamp is { } ts && (long)ts >= startMs - 1000 && (long)ts <= nbirth.ReceivedMs + 1000,
            $"NBIRTH payload timestamp {nbirth.Payload.Timestamp} not the publish time (start {startMs}, received {nbirth.ReceivedMs})");

        var bdSeq = BdSeq(nbirth);
        Assert.InRange(bdSeq, 0, 255);

        var rebirth = nbirth.Metric(Rebirth);
        Assert.True(rebirth is not null, $"NBIRTH lacks {Rebirth}\n{report}");
        Assert.Equal(DtBoolean, rebirth.Datatype);
        Assert.False(rebirth.AsBool());
        Assert.True(rebirth.Alias is null, $"{Rebirth} must not carry an alias (it has {rebirth.Alias})");

        foreach (var name in new[] { "Node Control/Reboot", "Node Control/Next Server", "Node Control/Scan Rate",
                     "Properties/Hardware Make", "Properties/Hardware Model", "Properties/OS", "Properties/OS Version",
                     "Store/Pending", "Store/Bytes", "Store/Dropped" })
        {
            Assert.True(nbirth.Metric(name) is not null, $"NBIRTH lacks '{name}' (issues 5 and 6)\n{observer.Summarize(nbirth)}");
        }

        Assert.Equal(DtBoolean, nbirth.Metric("Node Control/Reboot")!.Datatype);
        Assert.Equal(DtBoolean, nbirth.Metric("Node Control/Next Server")!.Datatype);
        var scanRate = nbirth.Metric("Node Control/Scan Rate")!;
        Assert.True(scanRate.AsLong() == 100, $"Scan Rate should report the configured default scanMs 100, got {scanRate.ValueText}");
        foreach (var name in new[] { "Properties/Hardware Make", "Properties/Hardware Model", "Properties/OS", "Properties/OS Version" })
        {
            Assert.Equal(DtString, nbirth.Metric(name)!.Datatype);
        }

        // node information: version, host name, uptime (issue 5); their exact names are the node's choice
        var names = nbirth.Payload.Metrics.Select(m => m.Name ?? "").ToList();
        Assert.True(names.Any(n => n.Contains("version", StringComparison.OrdinalIgnoreCase) && !n.StartsWith("Properties/OS", StringComparison.Ordinal)),
            $"no node version metric in NBIRTH: {string.Join(", ", names)}");
        Assert.True(names.Any(n => n.Contains("host", StringComparison.OrdinalIgnoreCase)), $"no host name metric in NBIRTH: {string.Join(", ", names)}");
        Assert.True(names.Any(n => n.Contains("uptime", StringComparison.OrdinalIgnoreCase)), $"no uptime metric in NBIRTH: {string.Join(", ", names)}");

        foreach (var m in nbirth.Payload.Metrics)
        {
            Assert.True(m.Name is not null, $"NBIRTH metric without name: {m.Describe()}");
            Assert.True(m.Datatype is > 0, $"NBIRTH metric {m.Name} has no valid datatype");
            Assert.True(m.IsNull || m.Value is not null || m.Template is not null, $"NBIRTH metric {m.Name} has neither value nor is_null");
            Assert.True(m.Timestamp is not null, $"NBIRTH metric {m.Name} has no timestamp");
            if (m.Name != Rebirth)
            {
                Assert.True(m.Alias is not null, $"NBIRTH metric {m.Name} has no alias (contract: aliases on everything except Rebirth)");
            }
        }
    }

    [Fact]
    public async Task DeviceBirths_FollowNodeBirthWithConsecutiveSeq_AliasesUniqueAcrossNode_NoDataBefore()
    {
        var (_, _, observer, _, _) = await StartTwoDevicesAsync();

        var nbirth = await WaitNBirthAsync(observer);
        var pump = await WaitDBirthAsync(observer, "Pump", nbirth.Index);
        var fan = await WaitDBirthAsync(observer, "Fan", nbirth.Index);
        var report = observer.Report();

        var ours = SequencedMessages(observer.Messages, GroupId, EdgeNodeId);
        Assert.True(ours[0].MessageType == "NBIRTH", $"the first message of the session must be NBIRTH\n{report}");
        var lastBirth = Math.Max(pump.Index, fan.Index);
        var between = ours.Where(m => m.Index > nbirth.Index && m.Index < lastBirth && m.IsData).ToList();
        Assert.True(between.Count == 0, $"DATA before all DBIRTHs were out: {string.Join(", ", between)}\n{report}");
        Assert.Null(FirstSeqBreak(ours.Where(m => m.Index <= lastBirth).ToList()));
        Assert.Equal(1, Math.Min(pump.Seq, fan.Seq));
        Assert.Equal(2, Math.Max(pump.Seq, fan.Seq));

        foreach (var dbirth in new[] { pump, fan })
        {
            Assert.Equal(0, dbirth.Qos);
            Assert.False(dbirth.Retain);
            Assert.True(dbirth.Payload!.Timestamp is not null, $"{dbirth} has no payload timestamp");
            foreach (var m in dbirth.Payload.Metrics)
            {
                Assert.True(m.Name is not null && m.Alias is not null && m.Timestamp is not null && m.Datatype is > 0,
                    $"DBIRTH metric needs name, alias, timestamp and datatype: {m.Describe()}");
            }
        }

        Assert.Equal(11, pump.Metric("Flow")!.AsLong());
        Assert.True(pump.Metric("Running")!.AsBool());
        Assert.Equal(22, fan.Metric("Speed")!.AsLong());
        Assert.Equal("m3/h", pump.Metric("Flow")!.Properties["engUnit"].Value!.GetValue<string>());

        var aliases = nbirth.Payload!.Metrics.Concat(pump.Payload!.Metrics).Concat(fan.Payload!.Metrics)
            .Where(m => m.Alias is not null).Select(m => m.Alias!.Value).ToList();
        Assert.True(aliases.Count == aliases.Distinct().Count(), $"aliases not unique across the node: {string.Join(",", aliases)}");
    }

    [Fact]
    public async Task Connect_WillIsNdeathQos1_CommandsSubscribedAtQos1BeforeNodeBirth()
    {
        var (broker, _, observer, _, _) = await StartTwoDevicesAsync();
        var nbirth = await WaitNBirthAsync(observer);
        await WaitDBirthAsync(observer, "Fan", nbirth.Index);

        var clientId = $"{GroupId}-{EdgeNodeId}";
        var log = BrokerLog(broker).Split('\n');
        var connected = Array.FindIndex(log, l => l.Contains($" as {clientId} (", StringComparison.Ordinal));
        Assert.True(connected >= 0, $"no connection of client id {clientId} (contract default \"<groupId>-<edgeNodeId>\") in the broker log:\n{string.Join('\n', log.TakeLast(60))}");
        Assert.Contains("c1,", log[connected], StringComparison.Ordinal); // clean session
        var willLine = Array.FindIndex(log, connected, l => l.Contains("Will message specified", StringComparison.Ordinal));
        Assert.True(willLine > connected && log[willLine].Contains("(r0, q1)", StringComparison.Ordinal),
            $"the CONNECT must carry a will with QoS 1, not retained:\n{string.Join('\n', log.Skip(connected).Take(6))}");
        Assert.Contains(NDeathTopic, log[willLine + 1], StringComparison.Ordinal);

        var birthPublish = Array.FindIndex(log, connected,
            l => l.Contains($"Received PUBLISH from {clientId}", StringComparison.Ordinal) && l.Contains($"'{NBirthTopic}'", StringComparison.Ordinal));
        Assert.True(birthPublish > connected, "no NBIRTH PUBLISH in the broker log");
        // lines read "<time>: <text>"; the subscribed filters are indented under "Received SUBSCRIBE"
        var subscribed = log.Skip(connected).Take(birthPublish - connected)
            .Select(l => Regex.Replace(l, "^[0-9]+: ", "").Trim()).ToList();
        var ncmd = $"{NCmdTopic} (QoS 1)";
        Assert.True(subscribed.Contains(ncmd), $"'{ncmd}' not subscribed before the NBIRTH:\n{string.Join('\n', subscribed)}");
        var dcmdPattern = new Regex($"^spBv1\\.0/{Regex.Escape(GroupId)}/DCMD/{Regex.Escape(EdgeNodeId)}/(\\+|#|Pump|Fan) \\(QoS 1\\)$");
        var dcmd = subscribed.Where(l => dcmdPattern.IsMatch(l)).ToList();
        Assert.True(dcmd.Count > 0 && (dcmd.Any(l => l.Contains("/+ ", StringComparison.Ordinal) || l.Contains("/# ", StringComparison.Ordinal)) || dcmd.Count >= 2),
            $"DCMD of both devices not subscribed at QoS 1 before the NBIRTH:\n{string.Join('\n', subscribed)}");
    }

    [Fact]
    public async Task RebirthRequestPublishedRightAfterNodeBirth_IsAnswered()
    {
        // A host reacting to the NBIRTH at once must be heard: NCMD was subscribed before the NBIRTH went out.
        var (_, _, observer, _, _) = await StartTwoDevicesAsync();
        var nbirth = await WaitNBirthAsync(observer);
        await observer.RequestRebirthAsync(GroupId, EdgeNodeId);

        var second = await WaitNBirthAsync(observer, nbirth.Index + 1, StepTimeout);
        Assert.Equal(BdSeq(nbirth), BdSeq(second));
        Assert.Equal(0, second.Seq);
    }

    [Fact]
    public async Task KillMinus9_BrokerPublishesWill_NdeathQos1WithOnlyTheBirthsBdSeqAndNoSeq()
    {
        var (_, _, observer, node, _) = await StartTwoDevicesAsync();
        var nbirth = await WaitNBirthAsync(observer);
        await WaitDBirthAsync(observer, "Fan", nbirth.Index);

        await node.KillAsync();
        var ndeath = await observer.WaitForTopicAsync(NDeathTopic, StepTimeout, nbirth.Index);

        Assert.True(ndeath.Error is null, ndeath.Error);
        Assert.Equal(1, ndeath.Qos);
        Assert.False(ndeath.Retain);
        Assert.True(ndeath.Payload!.Seq is null, $"NDEATH must not carry seq: {observer.Summarize(ndeath)}");
        Assert.True(ndeath.Payload.Metrics.Count == 1, $"NDEATH must carry only bdSeq: {observer.Summarize(ndeath)}");
        Assert.Equal(BdSeq(nbirth), BdSeq(ndeath));
    }

    [Fact]
    public async Task BdSeq_IncrementsPerConnection_SurvivesRestart_UnchangedByNothingElse()
    {
        var (broker, _, observer, node, _) = await StartTwoDevicesAsync();
        var first = await WaitNBirthAsync(observer);
        var b0 = BdSeq(first);

        Assert.Equal(0, await node.StopAsync(TimeSpan.FromSeconds(5)));
        var stoppedDeath = await observer.WaitForTopicAsync(NDeathTopic, StepTimeout, first.Index);
        Assert.Equal(b0, BdSeq(stoppedDeath));
        Assert.True(File.Exists(Path.Combine(node.StateDirectory, "bdseq")),
            $"no bdseq file in the state directory: {string.Join(", ", node.StateFiles().Select(f => f.Name))}");

        node.Start();
        var second = await WaitNBirthAsync(observer, stoppedDeath.Index + 1);
        Assert.Equal((b0 + 1) % 256, BdSeq(second));
        await WaitDBirthAsync(observer, "Fan", second.Index);

        // a new connection after a broker crash: +1 again
        await broker.StopAsync();
        await Task.Delay(500);
        await RestartBrokerHoldingNodeAsync(broker, node, observer);
        var third = await WaitNBirthAsync(observer, second.Index + 1);
        Assert.Equal((b0 + 2) % 256, BdSeq(third));

        // and its will carries the same value
        await node.KillAsync();
        var killed = await observer.WaitForTopicAsync(NDeathTopic, StepTimeout, third.Index);
        Assert.Equal((b0 + 2) % 256, BdSeq(killed));
    }

    [Fact]
    public async Task BdSeq_Wraps255To0_OnTheNextConnection()
    {
        var (_, _, observer, node, _) = await StartTwoDevicesAsync(start: false);
        // the state file as the node keeps it: the bdSeq of the last connection the broker accepted, in decimal
        await File.WriteAllTextAsync(Path.Combine(node.StateDirectory, "bdseq"), "254\n");

        node.Start();
        var first = await WaitNBirthAsync(observer);
        Assert.Equal(255, BdSeq(first));
        Assert.Equal(0, await node.StopAsync(TimeSpan.FromSeconds(5)));
        var death = await observer.WaitForTopicAsync(NDeathTopic, StepTimeout, first.Index);
        Assert.Equal(255, BdSeq(death));

        node.Start();
        var second = await WaitNBirthAsync(observer, death.Index + 1);
        Assert.Equal(0, BdSeq(second));
    }

    [Fact]
    public async Task Sigterm_PublishesDdeathForEveryDeviceThenNdeath_DisconnectsAndExitsZeroWithin5s()
    {
        var (broker, _, observer, node, _) = await StartTwoDevicesAsync();
        var nbirth = await WaitNBirthAsync(observer);
        await WaitDBirthAsync(observer, "Pump", nbirth.Index);
        await WaitDBirthAsync(observer, "Fan", nbirth.Index);
        await Task.Delay(300);

        var from = observer.Count;
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        node.Process!.Signal(Signals.SIGTERM);
        var code = await node.WaitForExitAsync(TimeSpan.FromSeconds(5));
        stopwatch.Stop();
        Assert.Equal(0, code);

        var ndeath = await observer.WaitForTopicAsync(NDeathTopic, StepTimeout, from);
        var pumpDeath = await observer.WaitForTopicAsync(DDeathTopic("Pump"), TimeSpan.FromSeconds(1), from);
        var fanDeath = await observer.WaitForTopicAsync(DDeathTopic("Fan"), TimeSpan.FromSeconds(1), from);
        var report = observer.Report(from);
        Assert.True(pumpDeath.Index < ndeath.Index && fanDeath.Index < ndeath.Index, $"DDEATHs must precede the NDEATH\n{report}");
        Assert.Equal(BdSeq(nbirth), BdSeq(ndeath));
        Assert.True(ndeath.Payload!.Seq is null, "NDEATH must not carry seq");
        foreach (var ddeath in new[] { pumpDeath, fanDeath })
        {
            Assert.True(ddeath.Payload!.Seq is not null && ddeath.Payload.Timestamp is not null, $"DDEATH needs seq and timestamp: {observer.Summarize(ddeath)}");
        }

        Assert.Null(FirstSeqBreak(SequencedMessages(observer.Messages, GroupId, EdgeNodeId)));

        // a DISCONNECT (not a dropped socket): mosquitto logs "Received DISCONNECT" and discards the will
        var clientId = $"{GroupId}-{EdgeNodeId}";
        await WaitBrokerLogAsync(broker, $"Received DISCONNECT from {clientId}", TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Mqtt5_CleanStartSession_CleanStopPublishesNdeath_ThenDisconnectWithWillMessage()
    {
        var (broker, _, observer, node, _) = await StartTwoDevicesAsync(configure: c => c.MqttExtras.Add("protocolVersion: \"5.0\""));
        var nbirth = await WaitNBirthAsync(observer);
        await WaitDBirthAsync(observer, "Fan", nbirth.Index);
        var clientId = $"{GroupId}-{EdgeNodeId}";
        var connect = await WaitBrokerLogAsync(broker, $" as {clientId} (", TimeSpan.FromSeconds(1));
        Assert.Contains("(p5, c1,", connect, StringComparison.Ordinal);

        var from = observer.Count;
        node.Process!.Signal(Signals.SIGTERM);
        Assert.Equal(0, await node.WaitForExitAsync(TimeSpan.FromSeconds(5)));
        await WaitBrokerLogAsync(broker, $"Received DISCONNECT from {clientId}", TimeSpan.FromSeconds(2));

        // requirements 3.9: with MQTT 5 the DISCONNECT carries reason 0x04 (Disconnect with Will Message), so the
        // broker also releases the will: the host sees the published NDEATH and the will, both with the bdSeq
        await observer.WaitForConditionAsync(m => m.Skip(from).Count(x => x.Topic == NDeathTopic) >= 2, TimeSpan.FromSeconds(3),
            "two NDEATHs after SIGTERM (the published one, then the will released by DISCONNECT reason 0x04)", from);
        Assert.All(observer.Messages.Skip(from).Where(m => m.Topic == NDeathTopic), m => Assert.Equal(BdSeq(nbirth), BdSeq(m)));
        Assert.True(observer.Messages.Skip(from).Count(m => m.MessageType == "DDEATH") == 2, observer.Report(from));
    }
}
