using EdgeNode.EndToEnd.Tests.Infrastructure;
using EdgeNode.Testing;
using Xunit.Abstractions;
using static EdgeNode.EndToEnd.Tests.Infrastructure.SparkplugFacts;

namespace EdgeNode.EndToEnd.Tests;

/// <summary>
/// DBIRTH values and datatypes per the contract's tables (metric fields, value rules, Sparkplug datatypes): every
/// register type, the four byte orders over 32 and 64 bits, bits of a register, strings, scaled values as Double,
/// units as engUnit — read from pymodbus and decoded by Tahu.
/// </summary>
public sealed class DatatypeTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const ulong U64Value = 12345678901234567890UL;
    private const ulong U64Pattern = 0x0102030405060708UL;

    private static PyModbusRegisterMap Map() => new PyModbusRegisterMap()
        .Holding(1, 0, Registers.Int16(-1234))
        .Holding(1, 1, Registers.UInt16(54321))
        .Holding(1, 2, Registers.Int32(-123456789))
        .Holding(1, 4, Registers.UInt32(3_000_000_000))
        .Holding(1, 6, Registers.Int64(-1_234_567_890_123))
        .Holding(1, 10, Registers.UInt64(U64Value))
        .Holding(1, 14, Registers.Float32(12.5f))
        .Holding(1, 16, Registers.Float64(-2.75))
        .Holding(1, 20, Registers.Int32(0x12345678, "CDAB"))
        .Holding(1, 22, Registers.Int32(0x12345678, "BADC"))
        .Holding(1, 24, Registers.Int32(0x12345678, "DCBA"))
        .Holding(1, 26, Registers.Float32(-0.15625f, "CDAB"))
        .Holding(1, 28, Registers.UInt64(U64Pattern, "CDAB"))
        .Holding(1, 32, Registers.Int64(-2, "DCBA"))
        .Holding(1, 36, Registers.Float64(1234.5, "BADC"))
        .Holding(1, 40, 0x8010)
        .Holding(1, 42, Registers.String("EdgeNode", 4))
        .Holding(1, 46, Registers.String("Hi", 4))
        .Holding(1, 50, Registers.String("Wx", 1, "BADC"))
        .Holding(1, 52, Registers.Int16(-125))
        .Holding(1, 53, Registers.UInt16(100))
        .Holding(1, 60, Registers.Float32(15.25f))
        .Holding(1, 62, Registers.UInt32(0xDEADBEEF, "DCBA"))
        .Input(1, 10, Registers.Int32(12345, "CDAB"))
        .Input(1, 12, Registers.UInt16(7))
        .Coils(1, 0, true, false)
        .Discrete(1, 3, true);

    private static readonly string[] s_metrics =
    [
        "{ name: T/Int16, table: holding, address: 0, type: int16 }",
        "{ name: T/UInt16, table: holding, address: 1, type: uint16 }",
        "{ name: T/Int32, table: holding, address: 2, type: int32 }",
        "{ name: T/UInt32, table: holding, address: 4, type: uint32 }",
        "{ name: T/Int64, table: holding, address: 6, type: int64 }",
        "{ name: T/UInt64, table: holding, address: 10, type: uint64 }",
        "{ name: T/Float32, table: holding, address: 14, type: float32 }",
        "{ name: T/Float64, table: holding, address: 16, type: float64 }",
        "{ name: Order/Int32CDAB, table: holding, address: 20, type: int32, order: CDAB }",
        "{ name: Order/Int32BADC, table: holding, address: 22, type: int32, order: BADC }",
        "{ name: Order/Int32DCBA, table: holding, address: 24, type: int32, order: DCBA }",
        "{ name: Order/Float32CDAB, table: holding, address: 26, type: float32, order: CDAB }",
        "{ name: Order/UInt64CDAB, table: holding, address: 28, type: uint64, order: CDAB }",
        "{ name: Order/Int64DCBA, table: holding, address: 32, type: int64, order: DCBA }",
        "{ name: Order/Float64BADC, table: holding, address: 36, type: float64, order: BADC }",
        "{ name: Order/UInt32DCBA, table: holding, address: 62, type: uint32, order: DCBA }",
        "{ name: Bits/B4, table: holding, address: 40, type: bool, bit: 4 }",
        "{ name: Bits/B5, table: holding, address: 40, type: bool, bit: 5 }",
        "{ name: Bits/B15, table: holding, address: 40, type: bool, bit: 15 }",
        "{ name: Text/Full, table: holding, address: 42, type: string, length: 4 }",
        "{ name: Text/Trimmed, table: holding, address: 46, type: string, length: 4 }",
        "{ name: Text/Swapped, table: holding, address: 50, type: string, length: 1, order: BADC }",
        "{ name: Scaled/Int16, table: holding, address: 52, type: int16, scale: 0.1 }",
        "{ name: Scaled/Offset, table: holding, address: 53, type: uint16, scale: 0.5, offset: -10 }",
        "{ name: Rotor/Speed, table: holding, address: 60, type: float32, units: RPM, deadband: 0.5 }",
        "{ name: Power/Active, table: input, address: 10, type: int32, order: CDAB, scale: 0.1, units: kW }",
        "{ name: Input/Plain, table: input, address: 12, type: uint16 }",
        "{ name: Status/Run, table: coil, address: 0, type: bool, writable: true }",
        "{ name: Status/Off, table: coil, address: 1, type: bool }",
        "{ name: Alarm/Door, table: discrete, address: 3, type: bool }",
        "{ name: Tank/Level, table: input, address: 12, type: uint16, units: m, description: Level of tank 3, engLow: 0, engHigh: 12.5 }",
    ];

    [Fact]
    public async Task DeviceBirth_CarriesEveryMetric_WithTheContractDatatypeValueTimestampAndUnits()
    {
        var broker = await StartBrokerAsync();
        var slave = await StartSlaveAsync(Map());
        var observer = await ObserveAsync(broker);
        var config = Config(broker);
        config.Devices.Add(new DeviceYaml { Id = "Plc", Port = slave.Port, Metrics = [.. s_metrics] });
        var beforeStart = NowMs();
        StartNode(config.ToYaml());

        var nbirth = await WaitNBirthAsync(observer);
        var dbirth = await WaitDBirthAsync(observer, "Plc", nbirth.Index);
        var summary = observer.Summarize(dbirth);
        Assert.True(dbirth.Error is null, $"Tahu could not decode the DBIRTH: {dbirth.Error}");

        var expected = new (string Name, int Datatype, Func<ObservedMetric, bool> Value, string Shows)[]
        {
            ("T/Int16", DtInt16, m => m.AsLong() == -1234, "-1234"),
            ("T/UInt16", DtUInt16, m => m.AsLong() == 54321, "54321"),
            ("T/Int32", DtInt32, m => m.AsLong() == -123456789, "-123456789"),
            ("T/UInt32", DtUInt32, m => m.AsULong() == 3_000_000_000, "3000000000"),
            ("T/Int64", DtInt64, m => m.AsLong() == -1_234_567_890_123, "-1234567890123"),
            ("T/UInt64", DtUInt64, m => m.AsULong() == U64Value, U64Value.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("T/Float32", DtFloat, m => m.AsDouble() == 12.5, "12.5"),
            ("T/Float64", DtDouble, m => m.AsDouble() == -2.75, "-2.75"),
            ("Order/Int32CDAB", DtInt32, m => m.AsLong() == 0x12345678, "305419896"),
            ("Order/Int32BADC", DtInt32, m => m.AsLong() == 0x12345678, "305419896"),
            ("Order/Int32DCBA", DtInt32, m => m.AsLong() == 0x12345678, "305419896"),
            ("Order/Float32CDAB", DtFloat, m => m.AsDouble() == -0.15625, "-0.15625"),
            ("Order/UInt64CDAB", DtUInt64, m => m.AsULong() == U64Pattern, U64Pattern.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Order/Int64DCBA", DtInt64, m => m.AsLong() == -2, "-2"),
            ("Order/Float64BADC", DtDouble, m => m.AsDouble() == 1234.5, "1234.5"),
            ("Order/UInt32DCBA", DtUInt32, m => m.AsULong() == 0xDEADBEEF, "3735928559"),
            ("Bits/B4", DtBoolean, m => m.AsBool(), "true"),
            ("Bits/B5", DtBoolean, m => !m.AsBool(), "false"),
            ("Bits/B15", DtBoolean, m => m.AsBool(), "true"),
            ("Text/Full", DtString, m => m.AsString() == "EdgeNode", "\"EdgeNode\""),
            ("Text/Trimmed", DtString, m => m.AsString() == "Hi", "\"Hi\" (trailing NULs trimmed)"),
            ("Text/Swapped", DtString, m => m.AsString() == "Wx", "\"Wx\""),
            ("Scaled/Int16", DtDouble, m => Math.Abs(m.AsDouble() - -12.5) < 1e-9, "-12.5 (raw -125 x 0.1)"),
            ("Scaled/Offset", DtDouble, m => Math.Abs(m.AsDouble() - 40.0) < 1e-9, "40 (raw 100 x 0.5 - 10)"),
            ("Rotor/Speed", DtFloat, m => m.AsDouble() == 15.25, "15.25"),
            ("Power/Active", DtDouble, m => Math.Abs(m.AsDouble() - 1234.5) < 1e-9, "1234.5 (raw 12345 x 0.1)"),
            ("Input/Plain", DtUInt16, m => m.AsLong() == 7, "7"),
            ("Status/Run", DtBoolean, m => m.AsBool(), "true"),
            ("Status/Off", DtBoolean, m => !m.AsBool(), "false"),
            ("Alarm/Door", DtBoolean, m => m.AsBool(), "true"),
            ("Tank/Level", DtUInt16, m => m.AsLong() == 7, "7"),
        };

        var problems = new List<string>();
        foreach (var (name, datatype, value, shows) in expected)
        {
            var metric = dbirth.Metric(name);
            if (metric is null)
            {
                problems.Add($"{name}: missing");
                continue;
            }

            if (metric.Datatype != datatype)
            {
                problems.Add($"{name}: datatype {metric.Datatype} ({metric.DatatypeName}), expected {datatype}");
            }

            bool ok;
            try
            {
                ok = !metric.IsNull && value(metric);
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException or OverflowException)
            {
                ok = false;
            }

            if (!ok)
            {
                problems.Add($"{name}: value {metric.ValueText}, expected {shows}");
            }

            if (metric.Timestamp is not { } ts || (long)ts < beforeStart - 1000 || (long)ts > dbirth.ReceivedMs + 1000)
            {
                problems.Add($"{name}: timestamp {metric.Timestamp} not the read time");
            }

            if (metric.Alias is null)
            {
                problems.Add($"{name}: no alias");
            }
        }

        Assert.True(problems.Count == 0, "DBIRTH does not match the contract:\n  " + string.Join("\n  ", problems) + "\n" + summary);
        Assert.Equal(s_metrics.Length, dbirth.Payload!.Metrics.Count(m => m.Name is not null && expected.Any(e => e.Name == m.Name)));

        // uint32Encoding defaults to the specification's int_value
        Assert.Equal("intValue", dbirth.Metric("T/UInt32")!.WireField);
        Assert.Equal("longValue", dbirth.Metric("T/UInt64")!.WireField);
        Assert.Equal("intValue", dbirth.Metric("T/Int16")!.WireField);

        var rpm = dbirth.Metric("Rotor/Speed")!.Properties;
        Assert.True(rpm.TryGetValue("engUnit", out var unit) && unit.Value?.GetValue<string>() == "RPM" && unit.Type == DtString,
            $"Rotor/Speed needs property engUnit = \"RPM\" (String): {summary}");
        Assert.Equal("kW", dbirth.Metric("Power/Active")!.Properties["engUnit"].Value!.GetValue<string>());
        Assert.False(dbirth.Metric("T/Int16")!.Properties.ContainsKey("engUnit"), "no units configured, no engUnit expected");

        // issue 5: engLow/engHigh and the description where configured
        var level = dbirth.Metric("Tank/Level")!.Properties;
        Assert.True(level.TryGetValue("engLow", out var low) && low.Value is not null && low.Value.GetValue<double>() == 0,
            $"Tank/Level needs property engLow = 0: {summary}");
        Assert.True(level.TryGetValue("engHigh", out var high) && high.Value is not null && high.Value.GetValue<double>() == 12.5,
            $"Tank/Level needs property engHigh = 12.5: {summary}");
        Assert.True(level.TryGetValue("description", out var description) && description.Value?.GetValue<string>() == "Level of tank 3",
            $"Tank/Level needs property description: {summary}");
    }

    [Fact]
    public async Task ChangedRegisters_AreReportedWithTheSameDecoding()
    {
        // the DATA path decodes like the BIRTH path: negative, 64-bit, reordered and scaled values after a change
        var broker = await StartBrokerAsync();
        var slave = await StartSlaveAsync(Map());
        var observer = await ObserveAsync(broker);
        var config = Config(broker);
        config.Devices.Add(new DeviceYaml { Id = "Plc", Port = slave.Port, Metrics = [.. s_metrics] });
        StartNode(config.ToYaml());
        var nbirth = await WaitNBirthAsync(observer);
        var dbirth = await WaitDBirthAsync(observer, "Plc", nbirth.Index);

        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 6, Registers.Int64(long.MinValue + 1));
        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 28, Registers.UInt64(ulong.MaxValue - 1, "CDAB"));
        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 24, Registers.Int32(-7, "DCBA"));
        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 52, Registers.Int16(333));
        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 42, Registers.String("Changed!", 4));
        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 62, Registers.UInt32(uint.MaxValue, "DCBA"));

        await WaitDataAsync(observer, "Plc", "T/Int64", m => m.AsLong() == long.MinValue + 1, $"= {long.MinValue + 1}", dbirth.Index);
        await WaitDataAsync(observer, "Plc", "Order/UInt64CDAB", m => m.AsULong() == ulong.MaxValue - 1, $"= {ulong.MaxValue - 1}", dbirth.Index);
        await WaitDataAsync(observer, "Plc", "Order/Int32DCBA", m => m.AsLong() == -7, "= -7", dbirth.Index);
        await WaitDataAsync(observer, "Plc", "Scaled/Int16", m => Math.Abs(m.AsDouble() - 33.3) < 1e-9, "= 33.3", dbirth.Index);
        await WaitDataAsync(observer, "Plc", "Text/Full", m => m.AsString() == "Changed!", "= \"Changed!\"", dbirth.Index);
        await WaitDataAsync(observer, "Plc", "Order/UInt32DCBA", m => m.AsULong() == uint.MaxValue, $"= {uint.MaxValue}", dbirth.Index);
    }

    [Fact]
    public async Task UInt32EncodingLongValue_PutsUInt32InLongValue_AsTahuAndIgnitionExpect()
    {
        var broker = await StartBrokerAsync();
        var slave = await StartSlaveAsync(Map());
        var observer = await ObserveAsync(broker);
        var config = Config(broker);
        config.NodeExtras.Add("uint32Encoding: longValue");
        config.Devices.Add(new DeviceYaml { Id = "Plc", Port = slave.Port, Metrics = ["{ name: T/UInt32, table: holding, address: 4, type: uint32 }"] });
        StartNode(config.ToYaml());
        var nbirth = await WaitNBirthAsync(observer);
        var dbirth = await WaitDBirthAsync(observer, "Plc", nbirth.Index);

        var metric = dbirth.Metric("T/UInt32")!;
        Assert.Equal("longValue", metric.WireField);
        Assert.Equal(DtUInt32, metric.Datatype);
        Assert.Equal(3_000_000_000UL, metric.AsULong());
    }
}
