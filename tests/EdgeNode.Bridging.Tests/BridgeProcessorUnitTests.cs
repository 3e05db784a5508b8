using System.Text;
using System.Text.Json;
using EdgeNode.Sparkplug;

namespace EdgeNode.Bridging.Tests;

public sealed class BridgeProcessorUnitTests
{
    private const long Now = 1_765_057_515_000;
    private long _clock = 1_000_000;

    private BridgeProcessor Create(RecordKeyBy keyBy = RecordKeyBy.Device, int rebirthMs = 5000) =>
        new(new BridgeOptions { KeyBy = keyBy, RebirthMinIntervalMs = rebirthMs }, () => _clock);

    private static SparkplugMetric M(string? name, ulong? alias, SparkplugValue value, ulong? ts = null) =>
        new(name, value) { Alias = alias, Timestamp = ts };

    private static byte[] Payload(ulong? seq, params SparkplugMetric[] metrics)
    {
        var p = new SparkplugPayload { Timestamp = 1_765_057_515_568, Seq = seq };
        p.Metrics.AddRange(metrics);
        return p.ToByteArray();
    }

    private static byte[] NBirth(ulong bdSeq = 3) => Payload(0,
        M("bdSeq", null, SparkplugValue.FromInt64((long)bdSeq)),
        M("Node Control/Rebirth", null, SparkplugValue.FromBoolean(false)),
        M("Counter", 1, SparkplugValue.FromUInt64(ulong.MaxValue)));

    private static byte[] DBirth(ulong seq = 1)
    {
        var power = M("Power/Active", 3, SparkplugValue.FromFloat(261.9f));
        power.Properties = new SparkplugPropertySet();
        power.Properties.Add("engUnit", SparkplugValue.FromString("kW"));
        return Payload(seq, power,
            M("Energy", 4, SparkplugValue.FromInt64(long.MinValue)),
            M("When", 5, SparkplugValue.FromDateTimeMilliseconds(1_700_000_000_123)),
            M("Blob", 6, SparkplugValue.FromBytes([1, 2, 3, 255])),
            M("Nothing", 7, SparkplugValue.Null(SparkplugDataType.Double)),
            M("Ratio", 8, SparkplugValue.FromDouble(0.1)));
    }

    /// <summary>A DDATA metric by alias without datatype, as the node sends them.</summary>
    private static SparkplugMetric ByAlias(ulong alias, SparkplugValue value, ulong? ts = null) =>
        new(null, value) { Alias = alias, Timestamp = ts, OmitDataType = true };

    private static List<JsonElement> Data(BridgeOutcome o) =>
        o.Records.Where(r => !r.IsState).Select(r => JsonDocument.Parse(r.Value).RootElement.Clone()).ToList();

    private static List<JsonElement> States(BridgeOutcome o) =>
        o.Records.Where(r => r.IsState).Select(r => JsonDocument.Parse(r.Value).RootElement.Clone()).ToList();

    [Fact]
    public void NodeBirth_Metrics_ProducesDataAndStateRecordsInContractShape()
    {
        var p = Create();
        var o = p.Process("spBv1.0/Plant1/NBIRTH/Gw1", NBirth(), Now);

        var state = Assert.Single(States(o));
        Assert.Equal("Plant1", state.GetProperty("group").GetString());
        Assert.Equal("Gw1", state.GetProperty("edgeNode").GetString());
        Assert.Equal(JsonValueKind.Null, state.GetProperty("device").ValueKind);
        Assert.True(state.GetProperty("online").GetBoolean());
        Assert.Equal("NBIRTH", state.GetProperty("messageType").GetString());
        Assert.Equal(3, state.GetProperty("bdSeq").GetInt64());
        Assert.Equal(3, state.GetProperty("metrics").GetArrayLength());
        Assert.Equal("Plant1/Gw1", Encoding.UTF8.GetString(o.Records.First(r => r.IsState).Key));

        var data = Data(o);
        Assert.Equal(3, data.Count);
        var counter = data.Single(d => d.GetProperty("metric").GetString() == "Counter");
        Assert.Equal("UInt64", counter.GetProperty("datatype").GetString());
        Assert.Contains("\"value\":18446744073709551615", counter.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(1_765_057_515_568, counter.GetProperty("timestamp").GetInt64());
        Assert.False(counter.GetProperty("historical").GetBoolean());
        Assert.Equal(0, counter.GetProperty("seq").GetInt64());
    }

    [Fact]
    public void DeviceData_ByAliasWithoutDatatype_NamedAndTypedFromTheBirth()
    {
        var p = Create();
        p.Process("spBv1.0/Plant1/NBIRTH/Gw1", NBirth(), Now);
        var birth = p.Process("spBv1.0/Plant1/DBIRTH/Gw1/Meter1", DBirth(), Now);
        var birthData = Data(birth);
        Assert.Equal(6, birthData.Count);
        var values = birthData.ToDictionary(d => d.GetProperty("metric").GetString()!, d => d.GetProperty("value").GetRawText());
        Assert.Equal("261.9", values["Power/Active"]);
        Assert.Equal("-9223372036854775808", values["Energy"]);
        Assert.Equal("1700000000123", values["When"]);
        Assert.Equal("\"AQID/w==\"", values["Blob"]);
        Assert.Equal("null", values["Nothing"]);
        Assert.Equal("0.1", values["Ratio"]);
        Assert.Equal("kW", States(birth)[0].GetProperty("metrics")[0].GetProperty("properties").GetProperty("engUnit").GetString());

        var o = p.Process("spBv1.0/Plant1/DDATA/Gw1/Meter1", Payload(2, ByAlias(3, SparkplugValue.FromFloat(300.5f), 1_765_057_600_000)), Now);
        var record = Assert.Single(o.Records);
        Assert.Equal("Plant1/Gw1/Meter1", Encoding.UTF8.GetString(record.Key));
        var json = JsonDocument.Parse(record.Value).RootElement;
        Assert.Equal("Power/Active", json.GetProperty("metric").GetString());
        Assert.Equal("Float", json.GetProperty("datatype").GetString());
        Assert.Equal(300.5, json.GetProperty("value").GetDouble());
        Assert.Equal(1_765_057_600_000, json.GetProperty("timestamp").GetInt64());
        Assert.Equal("DDATA", json.GetProperty("messageType").GetString());
        Assert.Equal("Meter1", json.GetProperty("device").GetString());
        Assert.Null(o.RebirthGroup);
    }

    [Fact]
    public void DeviceData_Int64AliasInLongValue_ExactInteger()
    {
        var p = Create();
        p.Process("spBv1.0/G/NBIRTH/N", NBirth(), Now);
        p.Process("spBv1.0/G/DBIRTH/N/D", DBirth(), Now);
        var o = p.Process("spBv1.0/G/DDATA/N/D", Payload(2, ByAlias(4, SparkplugValue.FromUInt64(unchecked((ulong)-1234567890123456789L)))), Now);
        Assert.Contains("\"value\":-1234567890123456789", Encoding.UTF8.GetString(o.Records[0].Value), StringComparison.Ordinal);
    }

    [Fact]
    public void Data_UnknownAlias_NotProducedCountedAndRebirthRequested()
    {
        var p = Create();
        p.Process("spBv1.0/G/NBIRTH/N", NBirth(), Now);
        var o = p.Process("spBv1.0/G/NDATA/N", Payload(1, ByAlias(99, SparkplugValue.FromInt32(5)), ByAlias(1, SparkplugValue.FromUInt64(7))), Now);
        Assert.Single(o.Records);
        Assert.Equal(1, o.Unnamable);
        Assert.Equal("G", o.RebirthGroup);
        Assert.Equal("N", o.RebirthEdgeNode);
        Assert.Contains("alias 99", o.RebirthReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Data_BeforeBirth_NothingProducedAndRebirthRequested()
    {
        var p = Create();
        var o = p.Process("spBv1.0/G/NDATA/N", Payload(5, ByAlias(1, SparkplugValue.FromUInt64(7))), Now);
        Assert.Empty(o.Records);
        Assert.Equal(1, o.Unnamable);
        Assert.Equal("N", o.RebirthEdgeNode);

        p.Process("spBv1.0/G/NBIRTH/N", NBirth(), Now);
        var device = p.Process("spBv1.0/G/DDATA/N/Unborn", Payload(1, ByAlias(3, SparkplugValue.FromFloat(1))), Now);
        Assert.Empty(device.Records);
        Assert.Equal(1, device.Unnamable);
        Assert.NotNull(device.RebirthReason);
    }

    [Fact]
    public void Data_SeqGap_ProducedAndRebirthRequested()
    {
        var p = Create();
        p.Process("spBv1.0/G/NBIRTH/N", NBirth(), Now);
        var o = p.Process("spBv1.0/G/NDATA/N", Payload(7, ByAlias(1, SparkplugValue.FromUInt64(7))), Now);
        Assert.Single(o.Records);
        Assert.Equal("N", o.RebirthEdgeNode);
        Assert.Contains("seq gap", o.RebirthReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Rebirth_RepeatedWithinInterval_RequestedOncePerInterval()
    {
        var p = Create(rebirthMs: 5000);
        Assert.NotNull(p.Process("spBv1.0/G/NDATA/N", Payload(1, ByAlias(1, SparkplugValue.FromUInt64(1))), Now).RebirthGroup);
        _clock += 4999;
        var second = p.Process("spBv1.0/G/NDATA/N", Payload(2, ByAlias(1, SparkplugValue.FromUInt64(1))), Now);
        Assert.Null(second.RebirthGroup);
        Assert.NotNull(second.RebirthReason);
        _clock += 1;
        Assert.NotNull(p.Process("spBv1.0/G/NDATA/N", Payload(3, ByAlias(1, SparkplugValue.FromUInt64(1))), Now).RebirthGroup);
    }

    [Fact]
    public void NodeDeath_MatchingBdSeq_DropsStateAndProducesDeath()
    {
        var p = Create();
        p.Process("spBv1.0/G/NBIRTH/N", NBirth(bdSeq: 3), Now);
        var stale = p.Process("spBv1.0/G/NDEATH/N", Payload(null, M("bdSeq", null, SparkplugValue.FromInt64(2))), Now);
        Assert.Empty(stale.Records);
        Assert.Equal(1, p.NodeCount);

        var death = p.Process("spBv1.0/G/NDEATH/N", Payload(null, M("bdSeq", null, SparkplugValue.FromInt64(3))), Now);
        var state = Assert.Single(States(death));
        Assert.False(state.GetProperty("online").GetBoolean());
        Assert.Equal("NDEATH", state.GetProperty("messageType").GetString());
        Assert.False(state.TryGetProperty("metrics", out _));
        Assert.Equal(0, p.NodeCount);

        var after = p.Process("spBv1.0/G/NDATA/N", Payload(1, ByAlias(1, SparkplugValue.FromUInt64(1))), Now);
        Assert.Empty(after.Records);
        Assert.NotNull(after.RebirthGroup);
    }

    [Fact]
    public void DeviceDeath_DropsDevice_LaterDataUnnamable()
    {
        var p = Create();
        p.Process("spBv1.0/G/NBIRTH/N", NBirth(), Now);
        p.Process("spBv1.0/G/DBIRTH/N/D", DBirth(), Now);
        var death = p.Process("spBv1.0/G/DDEATH/N/D", Payload(2), Now);
        var state = Assert.Single(States(death));
        Assert.Equal("D", state.GetProperty("device").GetString());
        Assert.Equal("G/N/D", Encoding.UTF8.GetString(death.Records[0].Key));
        var o = p.Process("spBv1.0/G/DDATA/N/D", Payload(3, ByAlias(3, SparkplugValue.FromFloat(1))), Now);
        Assert.Empty(o.Records);
    }

    [Fact]
    public void Birth_DuplicateAlias_RejectedWholeAndCounted()
    {
        var p = Create();
        p.Process("spBv1.0/G/NBIRTH/N", NBirth(), Now);
        var o = p.Process("spBv1.0/G/DBIRTH/N/D", Payload(1, M("A", 5, SparkplugValue.FromInt32(1)), M("B", 5, SparkplugValue.FromInt32(2))), Now);
        Assert.Empty(o.Records);
        Assert.Equal(BridgeProblemKind.BadBirth, o.Problem);
        Assert.Contains("alias 5", o.ProblemDetail, StringComparison.Ordinal);
        Assert.True(o.LogProblem);
    }

    [Fact]
    public void BadInput_Repeated_LoggedOncePerMinutePerNode()
    {
        var p = Create();
        p.Process("spBv1.0/G/NBIRTH/N", NBirth(), Now);
        var first = p.Process("spBv1.0/G/NDATA/N", [0xFF, 0xFF, 0xFF], Now);
        Assert.Equal(BridgeProblemKind.Undecodable, first.Problem);
        Assert.True(first.LogProblem);
        _clock += 59_000;
        Assert.False(p.Process("spBv1.0/G/NDATA/N", [0x0A, 0xFF], Now).LogProblem);
        _clock += 1_000;
        Assert.True(p.Process("spBv1.0/G/NDATA/N", [0x0A, 0xFF], Now).LogProblem);
    }

    [Fact]
    public void Topic_NotSparkplug_CountedNothingProduced()
    {
        var p = Create();
        var o = p.Process("spBv1.0/G/NOPE/N", NBirth(), Now);
        Assert.Equal(BridgeProblemKind.NotSparkplug, o.Problem);
        Assert.Empty(o.Records);
        Assert.Empty(p.Process("spBv1.0/G/NCMD/N", NBirth(), Now).Records);
        Assert.Empty(p.Process("spBv1.0/STATE/Host", "{\"online\":true}"u8, Now).Records);
    }

    [Fact]
    public void Historical_Metric_KeepsOriginalTimestampAndFlag()
    {
        var p = Create();
        p.Process("spBv1.0/G/NBIRTH/N", NBirth(), Now);
        var m = ByAlias(1, SparkplugValue.FromUInt64(42), 1_700_000_000_000);
        m.IsHistorical = true;
        var json = JsonDocument.Parse(p.Process("spBv1.0/G/NDATA/N", Payload(1, m), Now).Records[0].Value).RootElement;
        Assert.True(json.GetProperty("historical").GetBoolean());
        Assert.Equal(1_700_000_000_000, json.GetProperty("timestamp").GetInt64());
    }

    [Fact]
    public void Template_InstanceInBirthAndData_FlattenedWithTemplateNameAndVersion()
    {
        var p = Create();
        var definition = SparkplugTemplate.Definition("1.2");
        definition.Metrics.Add(new SparkplugMetric("Rotor/Speed", SparkplugValue.FromFloat(0)));
        definition.Metrics.Add(new SparkplugMetric("Power/Limit", SparkplugValue.FromUInt16(0)));
        var nbirth = Payload(0, M("bdSeq", null, SparkplugValue.FromInt64(1)), M("WindTurbine", null, SparkplugValue.FromTemplate(definition)));
        var births = p.Process("spBv1.0/G/NBIRTH/N", nbirth, Now);
        Assert.Single(Data(births)); // the definition is not a value
        Assert.Equal("WindTurbine", States(births)[0].GetProperty("templates")[0].GetProperty("name").GetString());

        var instance = SparkplugTemplate.Instance("WindTurbine", "1.2");
        instance.Metrics.Add(new SparkplugMetric("Rotor/Speed", SparkplugValue.FromFloat(12.5f)));
        instance.Metrics.Add(new SparkplugMetric("Power/Limit", SparkplugValue.FromUInt16(3000)));
        var dbirth = p.Process("spBv1.0/G/DBIRTH/N/T1", Payload(1, M("Turbine", 10, SparkplugValue.FromTemplate(instance))), Now);
        var members = Data(dbirth);
        Assert.Equal(["Turbine/Rotor/Speed", "Turbine/Power/Limit"], members.Select(m => m.GetProperty("metric").GetString()));
        Assert.All(members, m =>
        {
            Assert.Equal("WindTurbine", m.GetProperty("template").GetString());
            Assert.Equal("1.2", m.GetProperty("templateVersion").GetString());
        });

        // DDATA: the instance by alias, only the changed member, its datatype omitted.
        var changed = SparkplugTemplate.Instance("WindTurbine");
        changed.Metrics.Add(new SparkplugMetric("Power/Limit", SparkplugValue.FromUInt32(1500)) { OmitDataType = true });
        var ddata = p.Process("spBv1.0/G/DDATA/N/T1", Payload(2, new SparkplugMetric(null, SparkplugValue.FromTemplate(changed)) { Alias = 10 }), Now);
        var record = Assert.Single(Data(ddata));
        Assert.Equal("Turbine/Power/Limit", record.GetProperty("metric").GetString());
        Assert.Equal("UInt16", record.GetProperty("datatype").GetString());
        Assert.Equal(1500, record.GetProperty("value").GetInt32());
    }

    [Fact]
    public void KeyBy_MetricAndNode_KeysFollowTheContract()
    {
        var byMetric = Create(RecordKeyBy.Metric);
        byMetric.Process("spBv1.0/G/NBIRTH/N", NBirth(), Now);
        var o = byMetric.Process("spBv1.0/G/DBIRTH/N/D", DBirth(), Now);
        Assert.Equal("G/N/D/Power/Active", Encoding.UTF8.GetString(o.Records.First(r => !r.IsState).Key));
        Assert.Equal("G/N/D", Encoding.UTF8.GetString(o.Records.First(r => r.IsState).Key));

        var byNode = Create(RecordKeyBy.Node);
        byNode.Process("spBv1.0/G/NBIRTH/N", NBirth(), Now);
        Assert.Equal("G/N", Encoding.UTF8.GetString(byNode.Process("spBv1.0/G/DBIRTH/N/D", DBirth(), Now).Records.First(r => !r.IsState).Key));
    }

    [Fact]
    public void Groups_Configured_OtherGroupsIgnored()
    {
        var p = new BridgeProcessor(new BridgeOptions { Groups = ["Plant1"] });
        Assert.Empty(p.Process("spBv1.0/Plant2/NBIRTH/N", NBirth(), Now).Records);
        Assert.NotEmpty(p.Process("spBv1.0/Plant1/NBIRTH/N", NBirth(), Now).Records);
    }
}
