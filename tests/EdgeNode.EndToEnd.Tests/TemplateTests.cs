using EdgeNode.EndToEnd.Tests.Infrastructure;
using EdgeNode.Testing;
using Xunit.Abstractions;
using static EdgeNode.EndToEnd.Tests.Infrastructure.SparkplugFacts;

namespace EdgeNode.EndToEnd.Tests;

/// <summary>
/// Device types as Sparkplug Templates (contract, "Device types"; issue 9): the definition in NBIRTH, one instance per
/// typed device in its DBIRTH, DDATA with only the changed members, and a host resolving every instance.
/// </summary>
public sealed class TemplateTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const string Types = """
          WindTurbine:
            version: "1.2"
            description: 3 MW turbine, Modbus map rev C
            parameters:
              - { name: Manufacturer, type: string, default: Acme }
              - { name: RatedPowerKw, type: float64, default: 3000 }
            metrics:
              - { name: Rotor/Speed, table: holding, address: 0, type: float32, units: RPM, deadband: 0.5 }
              - { name: Power/Limit, table: holding, address: 2, type: uint16, units: kW, writable: true }
              - { name: Pitch, table: holding, address: 3, type: int16, scale: 0.1 }
        """;

    private static readonly string[] s_members = ["Rotor/Speed", "Power/Limit", "Pitch"];

    private async Task<(PyModbusSlave Slave, SparkplugObserver Observer, SparkplugMessage NBirth, SparkplugMessage T7, SparkplugMessage T8)> StartAsync()
    {
        var broker = await StartBrokerAsync();
        var slave = await StartSlaveAsync(new PyModbusRegisterMap()
            // unit 1 maps the type at +100; what sits at 0..3 must not be read for Turbine7
            .Holding(1, 0, Registers.Float32(99.0f)).Holding(1, 2, 9, 9)
            .Holding(1, 100, Registers.Float32(12.5f)).Holding(1, 102, 2500).Holding(1, 103, Registers.Int16(-35))
            .Holding(2, 0, Registers.Float32(7.25f)).Holding(2, 2, 1000).Holding(2, 3, 15), 1, 2);
        var observer = await ObserveAsync(broker);
        var config = Config(broker);
        config.Types = Types;
        config.Devices.Add(new DeviceYaml
        {
            Id = "Turbine7",
            Type = "WindTurbine",
            Port = slave.Port,
            UnitId = 1,
            AddressOffset = 100,
            Parameters = "{ Manufacturer: Vestas }",
        });
        config.Devices.Add(new DeviceYaml { Id = "Turbine8", Type = "WindTurbine", Port = slave.Port, UnitId = 2 });
        StartNode(config.ToYaml());
        var nbirth = await WaitNBirthAsync(observer);
        var t7 = await WaitDBirthAsync(observer, "Turbine7", nbirth.Index);
        var t8 = await WaitDBirthAsync(observer, "Turbine8", nbirth.Index);
        return (slave, observer, nbirth, t7, t8);
    }

    private static ObservedMetric Instance(SparkplugObserver observer, SparkplugMessage message)
    {
        var instances = message.Payload!.Metrics.Where(m => m.Datatype == DtTemplate && m.Template is not null).ToList();
        Assert.True(instances.Count == 1, $"exactly one Template instance expected in {message}: {observer.Summarize(message)}");
        return instances[0];
    }

    [Fact]
    public async Task NodeBirth_CarriesTheTypeDefinition_VersionMembersAndParameterDefaults()
    {
        var (_, observer, nbirth, _, _) = await StartAsync();
        var summary = observer.Summarize(nbirth);

        var definitions = nbirth.Payload!.Metrics.Where(m => m.Datatype == DtTemplate).ToList();
        Assert.True(definitions.Count == 1 && definitions[0].Name == "WindTurbine",
            $"one definition named WindTurbine expected (two devices share the type): {summary}");
        var definition = definitions[0].Template!;
        Assert.True(definition.IsDefinition == true, "is_definition must be true");
        Assert.Null(definition.TemplateRef);
        Assert.Equal("1.2", definition.Version);
        Assert.True(definition.Metrics.Select(m => m.Name).ToHashSet().SetEquals(s_members), $"members: {summary}");
        Assert.Equal(DtFloat, definition.Member("Rotor/Speed")!.Datatype);
        Assert.Equal(DtUInt16, definition.Member("Power/Limit")!.Datatype);
        Assert.Equal(DtDouble, definition.Member("Pitch")!.Datatype);
        Assert.Equal("RPM", definition.Member("Rotor/Speed")!.Properties["engUnit"].Value!.GetValue<string>());

        var manufacturer = definition.Parameter("Manufacturer");
        var rated = definition.Parameter("RatedPowerKw");
        Assert.True(manufacturer is not null && manufacturer.Type == DtString && manufacturer.Value?.GetValue<string>() == "Acme",
            $"parameter Manufacturer (String, default Acme): {manufacturer}");
        Assert.True(rated is not null && rated.Type == DtDouble && rated.Value?.GetValue<double>() == 3000,
            $"parameter RatedPowerKw (Double, default 3000): {rated}");
        Assert.True(nbirth.Error is null, $"Tahu could not decode the NBIRTH: {nbirth.Error}");
    }

    [Fact]
    public async Task DeviceBirth_CarriesOneInstance_WithEveryMemberAtTheOffsetAndTheDevicesParameters()
    {
        var (_, observer, _, t7, t8) = await StartAsync();

        var i7 = Instance(observer, t7);
        Assert.Equal("WindTurbine", i7.Template!.TemplateRef);
        Assert.True(i7.Template.IsDefinition == false, "an instance carries is_definition = false");
        Assert.True(i7.Alias is not null, "the instance metric is aliased like every other metric");
        Assert.True(i7.Template.Metrics.Select(m => m.Name).ToHashSet().SetEquals(s_members), observer.Summarize(t7));
        Assert.Equal(12.5, i7.Template.Member("Rotor/Speed")!.AsDouble());
        Assert.Equal(2500, i7.Template.Member("Power/Limit")!.AsLong());
        Assert.Equal(-3.5, i7.Template.Member("Pitch")!.AsDouble(), 9);
        Assert.Equal("Vestas", i7.Template.Parameter("Manufacturer")?.Value?.GetValue<string>());
        Assert.Equal(3000, i7.Template.Parameter("RatedPowerKw")?.Value?.GetValue<double>());

        var i8 = Instance(observer, t8);
        Assert.Equal(7.25, i8.Template!.Member("Rotor/Speed")!.AsDouble());
        Assert.Equal(1000, i8.Template.Member("Power/Limit")!.AsLong());
        Assert.Equal(1.5, i8.Template.Member("Pitch")!.AsDouble(), 9);
        Assert.Equal("Acme", i8.Template.Parameter("Manufacturer")?.Value?.GetValue<string>());
    }

    [Fact]
    public async Task Ddata_CarriesTheInstanceWithOnlyTheChangedMembers()
    {
        var (slave, observer, _, t7, _) = await StartAsync();
        var alias = Instance(observer, t7).Alias;

        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 102, 2600);
        var ddata = await observer.WaitForAsync(m => m.Topic == DDataTopic("Turbine7") && m.Payload!.Metrics.Any(x =>
                x.Template?.Member("Power/Limit") is { } member && member.AsLong() == 2600),
            StepTimeout, "DDATA of Turbine7 with the instance's Power/Limit = 2600", t7.Index);

        var instance = ddata.Payload!.Metrics.Single(x => x.Template is not null);
        Assert.True(instance.Alias == alias && instance.Name is null, $"the instance goes by its alias {alias}: {instance.Describe()}");
        Assert.True(instance.Template!.Metrics.Count == 1, $"only the changed member: {observer.Summarize(ddata)}");

        // a change below the member's deadband (0.5) is not reported; above it, it is
        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 100, Registers.Float32(12.7f));
        await WaitScansAsync(slave, 1, 4);
        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 100, Registers.Float32(13.25f));
        var speed = await observer.WaitForAsync(m => m.Topic == DDataTopic("Turbine7") && m.Payload!.Metrics.Any(x =>
                x.Template?.Member("Rotor/Speed") is { } member && member.AsDouble() == 13.25),
            StepTimeout, "DDATA of Turbine7 with Rotor/Speed = 13.25", ddata.Index + 1);
        var reported = observer.Messages.Skip(t7.Index).Where(m => m.Topic == DDataTopic("Turbine7"))
            .SelectMany(m => m.Payload!.Metrics).Where(x => x.Template?.Member("Rotor/Speed") is not null)
            .Select(x => x.Template!.Member("Rotor/Speed")!.AsDouble()).ToList();
        Assert.True(reported.SequenceEqual([13.25]), $"Rotor/Speed reports {string.Join(",", reported)}; 12.7 is within the deadband\n{observer.Report(t7.Index)}");
        Assert.True(speed.Index > ddata.Index);
    }

    [Fact]
    public async Task EveryTemplateRef_ResolvesToADefinitionOfTheSameNodeBirth_MembersASubset()
    {
        var (slave, observer, nbirth, t7, _) = await StartAsync();
        await slave.SetRegistersAsync(2, PyModbusTable.HoldingRegisters, 3, 20);
        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 103, 20);
        await observer.WaitForAsync(m => m.Topic == DDataTopic("Turbine8"), StepTimeout, "DDATA of Turbine8", t7.Index);
        await observer.WaitForAsync(m => m.Topic == DDataTopic("Turbine7"), StepTimeout, "DDATA of Turbine7", t7.Index);

        // what a host does: definitions from the NBIRTH, then every instance in DBIRTH and DDATA checked against them
        var definitions = nbirth.Payload!.Metrics.Where(m => m.Template?.IsDefinition == true)
            .ToDictionary(m => m.Name!, m => m.Template!.Metrics.Select(x => x.Name).ToHashSet());
        var problems = new List<string>();
        var instances = 0;
        foreach (var message in observer.Messages.Where(m => m.GroupId == GroupId && m.Index > nbirth.Index && (m.IsBirth || m.IsData)))
        {
            foreach (var metric in message.Payload!.Metrics.Where(x => x.Template is not null))
            {
                instances++;
                var t = metric.Template!;
                if (t.IsDefinition == true)
                {
                    problems.Add($"{message}: a definition outside the NBIRTH");
                }
                else if (t.TemplateRef is null || !definitions.TryGetValue(t.TemplateRef, out var members))
                {
                    problems.Add($"{message}: template_ref '{t.TemplateRef}' has no definition in the NBIRTH");
                }
                else if (t.Metrics.Any(x => !members.Contains(x.Name)))
                {
                    problems.Add($"{message}: members {string.Join(",", t.Metrics.Select(x => x.Name))} not all in the definition");
                }
            }
        }

        Assert.True(instances >= 4, $"expected instances in two DBIRTHs and two DDATA, saw {instances}");
        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n" + observer.Report(nbirth.Index));
    }

    [Fact]
    public async Task TemplatesOff_TypedDevicesAreFlattenedToMemberMetrics()
    {
        var broker = await StartBrokerAsync();
        var slave = await StartSlaveAsync(new PyModbusRegisterMap()
            .Holding(1, 100, Registers.Float32(12.5f)).Holding(1, 102, 2500).Holding(1, 103, Registers.Int16(-35)));
        var observer = await ObserveAsync(broker);
        var config = Config(broker);
        config.NodeExtras.Add("templates: false");
        config.Types = Types;
        config.Devices.Add(new DeviceYaml { Id = "Turbine7", Type = "WindTurbine", Port = slave.Port, AddressOffset = 100 });
        StartNode(config.ToYaml());
        var nbirth = await WaitNBirthAsync(observer);
        var dbirth = await WaitDBirthAsync(observer, "Turbine7", nbirth.Index);

        Assert.DoesNotContain(nbirth.Payload!.Metrics, m => m.Datatype == DtTemplate);
        Assert.DoesNotContain(dbirth.Payload!.Metrics, m => m.Datatype == DtTemplate);
        Assert.True(dbirth.Metric("Rotor/Speed")?.AsDouble() == 12.5, $"flattened member Rotor/Speed: {observer.Summarize(dbirth)}");
        Assert.Equal(2500, dbirth.Metric("Power/Limit")?.AsLong());
        Assert.Equal(-3.5, dbirth.Metric("Pitch")!.AsDouble(), 9);
    }

    [Fact]
    public async Task ChangedTypeInAnIncludedFolder_RebirthsWithTheNewDefinition_SameBdSeq()
    {
        var broker = await StartBrokerAsync();
        var slave = await StartSlaveAsync(new PyModbusRegisterMap()
            .Holding(1, 0, Registers.Float32(7.25f)).Holding(1, 2, 1000).Holding(1, 3, 15).Holding(1, 4, 42), 1);
        var observer = await ObserveAsync(broker);
        var config = Config(broker);
        config.Devices.Add(new DeviceYaml { Id = "Turbine1", Type = "WindTurbine", Port = slave.Port, UnitId = 1 });
        // the plant's type library lives beside the map, in its own folder
        var node = CreateNode(config.ToYaml() + "include: types/\n");
        var library = Path.Combine(node.Directory, "types");
        Directory.CreateDirectory(library);
        var typeFile = Path.Combine(library, "wind-turbine.yaml");
        await File.WriteAllTextAsync(typeFile, "types:\n" + Types);
        node.Start();
        var nbirth = await WaitNBirthAsync(observer);
        await WaitDBirthAsync(observer, "Turbine1", nbirth.Index);
        Assert.Equal("1.2", nbirth.Payload!.Metrics.Single(m => m.Name == "WindTurbine").Template!.Version);

        var from = observer.Count;
        var changed = Types.Replace("version: \"1.2\"", "version: \"1.3\"", StringComparison.Ordinal)
            + "\n      - { name: Fault/Code, table: holding, address: 4, type: uint16 }\n";
        await File.WriteAllTextAsync(typeFile, "types:\n" + changed);

        var rebirth = await WaitNBirthAsync(observer, from, StepTimeout);
        var definition = rebirth.Payload!.Metrics.Single(m => m.Name == "WindTurbine").Template!;
        Assert.Equal("1.3", definition.Version);
        Assert.NotNull(definition.Member("Fault/Code"));
        Assert.Equal(BdSeq(nbirth), BdSeq(rebirth));
        var dbirth = await WaitDBirthAsync(observer, "Turbine1", rebirth.Index, StepTimeout);
        var instance = Instance(observer, dbirth).Template!;
        Assert.Equal(42, instance.Member("Fault/Code")?.AsLong());
    }
}
