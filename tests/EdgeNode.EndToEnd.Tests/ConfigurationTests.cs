using System.Text.RegularExpressions;
using EdgeNode.EndToEnd.Tests.Infrastructure;
using EdgeNode.Testing;
using Xunit.Abstractions;
using static EdgeNode.EndToEnd.Tests.Infrastructure.SparkplugFacts;

namespace EdgeNode.EndToEnd.Tests;

/// <summary>
/// The configuration file at run time: reload on change or SIGHUP (validate first; valid → apply and rebirth; invalid
/// → keep the old map, issue 5), and <c>run</c> on an invalid file (contract: exit 2 with FILE:LINE:COLUMN lines).
/// </summary>
public sealed class ConfigurationTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private async Task<(PyModbusSlave Slave, SparkplugObserver Observer, NodeUnderTest Node, NodeConfig Config, SparkplugMessage NBirth)> StartAsync()
    {
        var broker = await StartBrokerAsync();
        var slave = await StartSlaveAsync(new PyModbusRegisterMap().Holding(1, 0, 5, 6, 7));
        var observer = await ObserveAsync(broker);
        var config = Config(broker);
        config.Devices.Add(new DeviceYaml
        {
            Id = "Press",
            Port = slave.Port,
            Metrics = ["{ name: Pressure, table: holding, address: 0, type: uint16 }"],
        });
        var node = StartNode(config.ToYaml());
        var nbirth = await WaitNBirthAsync(observer);
        await WaitDBirthAsync(observer, "Press", nbirth.Index);
        return (slave, observer, node, config, nbirth);
    }

    private static NodeConfig WithMetric(NodeConfig config, string metric)
    {
        var device = config.Devices[0];
        config.Devices[0] = new DeviceYaml
        {
            Id = device.Id,
            Port = device.Port,
            UnitId = device.UnitId,
            Metrics = [.. device.Metrics, metric],
        };
        return config;
    }

    [Fact]
    public async Task ChangedConfigFile_IsReloaded_RebirthCarriesTheNewMetric_SameBdSeq()
    {
        var (_, observer, node, config, nbirth) = await StartAsync();

        var from = observer.Count;
        node.WriteConfig(WithMetric(config, "{ name: Temperature, table: holding, address: 1, type: int16, units: C }").ToYaml());

        var rebirth = await WaitNBirthAsync(observer, from, StepTimeout);
        var dbirth = await WaitDBirthAsync(observer, "Press", rebirth.Index, StepTimeout);
        Assert.Equal(6, dbirth.Metric("Temperature")?.AsLong());
        Assert.Equal(5, dbirth.Metric("Pressure")?.AsLong());
        Assert.Equal("C", dbirth.Metric("Temperature")!.Properties["engUnit"].Value!.GetValue<string>());

        // a rebirth (Sparkplug: NBIRTH again on the same connection, same bdSeq), not a new session with an NDEATH
        var deaths = observer.Messages.Skip(from).Where(m => m.Topic == NDeathTopic || m.MessageType == "DDEATH").ToList();
        Assert.True(deaths.Count == 0 && BdSeq(nbirth) == BdSeq(rebirth),
            $"reload must rebirth (same bdSeq {BdSeq(nbirth)}, no NDEATH/DDEATH); saw bdSeq {BdSeq(rebirth)} and {string.Join(", ", deaths)}\n{observer.Report(from)}");
        Assert.True(node.IsRunning);
    }

    [Fact]
    public async Task Sighup_ReloadsTheConfiguration()
    {
        var (_, observer, node, config, _) = await StartAsync();

        // written to a new file and renamed over the old one (what config management tools do), then SIGHUP
        var temp = node.ConfigPath + ".new";
        await File.WriteAllTextAsync(temp, WithMetric(config, "{ name: Extra, table: holding, address: 2, type: uint16 }").ToYaml());
        File.Move(temp, node.ConfigPath, overwrite: true);
        var from = observer.Count;
        node.Hangup();

        var rebirth = await WaitNBirthAsync(observer, from, StepTimeout);
        var dbirth = await WaitDBirthAsync(observer, "Press", rebirth.Index, StepTimeout);
        Assert.Equal(7, dbirth.Metric("Extra")?.AsLong());
    }

    [Fact]
    public async Task InvalidConfigReload_KeepsRunningOnTheOldMap()
    {
        var (slave, observer, node, config, nbirth) = await StartAsync();

        var from = observer.Count;
        var broken = WithMetric(config, "{ name: Temperature, table: holding, address: 1, type: int16, colour: red }").ToYaml();
        node.WriteConfig(broken);
        node.Hangup();
        await Task.Delay(1500);

        Assert.True(node.IsRunning, node.OutputTail());
        Assert.DoesNotContain(observer.Messages.Skip(from), m => m.Topic == NBirthTopic || m.Topic == NDeathTopic);
        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, 55);
        await WaitDataAsync(observer, "Press", "Pressure", m => m.AsLong() == 55, "= 55 (old map still polled)", from);

        // a rebirth now shows the old map: Temperature was never applied
        var before = observer.Count;
        await observer.RequestRebirthAsync(GroupId, EdgeNodeId);
        var rebirth = await WaitNBirthAsync(observer, before, StepTimeout);
        var dbirth = await WaitDBirthAsync(observer, "Press", rebirth.Index, StepTimeout);
        Assert.Null(dbirth.Metric("Temperature"));
        Assert.Equal(55, dbirth.Metric("Pressure")?.AsLong());
        Assert.Equal(BdSeq(nbirth), BdSeq(rebirth));
    }

    [Fact]
    public async Task RunWithInvalidConfig_ExitsTwo_WithFileLineColumnMessages_AndPublishesNothing()
    {
        var broker = await StartBrokerAsync();
        var observer = await ObserveAsync(broker);
        var yaml = string.Join('\n',
            "node:",
            $"  groupId: {GroupId}",
            $"  edgeNodeId: {EdgeNodeId}",
            "  scanMss: 100",
            "mqtt:",
            "  servers:",
            $"    - {broker.Url}",
            "devices:",
            "  - id: Bad",
            "    modbus:",
            "      tcp: { host: 127.0.0.1, port: 1502 }",
            "    metrics:",
            "      - { name: X, table: holding, address: 0, type: float33 }",
            "");
        var node = StartNode(yaml);

        var code = await node.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(100);
        var output = node.Process!.Output;
        Assert.True(code == 2, $"exit code {code}, expected 2 (invalid configuration)\n{output}");

        var file = Regex.Escape(node.ConfigPath);
        var unknownKey = new Regex($"^{file}:4:3: .*scanMss", RegexOptions.Multiline);
        Assert.True(unknownKey.IsMatch(output), $"expected a line '{node.ConfigPath}:4:3: ... scanMss ...' for the unknown key:\n{output}");
        // the bad value on line 13: the column of the key (48) or of the value (54)
        var badType = new Regex($"^{file}:13:(48|54): .*float33", RegexOptions.Multiline);
        Assert.True(badType.IsMatch(output), $"expected a line '{node.ConfigPath}:13:<column of type or float33>: ... float33 ...' (every problem in one run):\n{output}");

        Assert.DoesNotContain(observer.Messages, m => m.GroupId == GroupId);
    }
}
