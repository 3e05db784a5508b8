using System.Globalization;
using System.Text;
using EdgeNode.Configuration.Yaml;

namespace EdgeNode.Configuration.Tests;

/// <summary>
/// Issue 13's start-up footprint at the loader: a large device map is read with shared strings and with collections
/// paced by the reader (GarbagePacer), and neither may change what is loaded or how an error is reported.
/// </summary>
public class LargeMapTests
{
    private const int Units = 8;
    private const int Registers = 250;

    /// <summary>8 × 250 metrics (about 130 KB): past a few of the reader's 4 MB collection steps.</summary>
    private static string LargeMap(Func<int, int, string>? metric = null)
    {
        var yaml = new StringBuilder("node: { groupId: G, edgeNodeId: E }\nmqtt: { servers: [ mqtt://127.0.0.1:1883 ] }\ndevices:\n");
        for (var unit = 1; unit <= Units; unit++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  - id: Unit{unit}\n    modbus:\n      tcp: {{ host: 127.0.0.1, port: 502 }}\n      unitId: {unit}\n    metrics:\n");
            for (var address = 0; address < Registers; address++)
            {
                yaml.Append(metric?.Invoke(unit, address) ?? $"      - {{ name: R{address:000}, table: holding, address: {address}, type: uint16 }}\n");
            }
        }

        return yaml.ToString();
    }

    /// <summary>The line of metric <paramref name="address"/> of <paramref name="unit"/> in <see cref="LargeMap"/>.</summary>
    private static int LineOf(int unit, int address) => 3 + ((unit - 1) * (5 + Registers)) + 5 + address + 1;

    [Fact]
    public void Load_TwoThousandMetrics_EveryMetricAsWritten()
    {
        var result = TempConfig.LoadText(LargeMap());

        Assert.Empty(result.Errors);
        var devices = result.Config!.Devices;
        Assert.Equal(Units, devices.Count);
        for (var unit = 0; unit < Units; unit++)
        {
            var metrics = devices[unit].Metrics;
            Assert.Equal(Registers, metrics.Count);
            for (var address = 0; address < Registers; address++)
            {
                Assert.Equal($"R{address:000}", metrics[address].Name);
                Assert.Equal(address, metrics[address].Address);
                Assert.Equal(ModbusTableSetting.HoldingRegister, metrics[address].Table);
                Assert.Equal(MetricDataType.UInt16, metrics[address].Type);
            }
        }
    }

    [Fact]
    public void Load_TwoThousandMetrics_RepeatedNamesShareOneString()
    {
        var devices = TempConfig.LoadText(LargeMap()).Config!.Devices;

        // The same name in every device is one string: the configuration holds 250 names, not 2,000.
        Assert.Same(devices[0].Metrics[17].Name, devices[Units - 1].Metrics[17].Name);
    }

    [Fact]
    public void Load_ErrorsDeepInALargeMap_FileLineAndKeyAsInASmallOne()
    {
        var result = TempConfig.LoadText(LargeMap((unit, address) => (unit, address) switch
        {
            (3, 100) => "      - { name: R100, table: holding, address: 70000, type: uint16 }\n",
            (Units, Registers - 1) => "      - { name: R249, table: holding, address: 249, type: unit16 }\n",
            _ => null!,
        }));

        Assert.Collection(result.Errors,
            e =>
            {
                Assert.Equal(LineOf(3, 100), e.Line);
                Assert.Equal("devices[2].metrics[100].address: 70000 is outside 0..65535", e.Message);
            },
            e =>
            {
                Assert.Equal(LineOf(Units, Registers - 1), e.Line);
                Assert.StartsWith("devices[7].metrics[249].type: unknown type 'unit16'", e.Message, StringComparison.Ordinal);
            });
    }

    [Fact]
    public void Read_SameTextQuotedAndPlain_KeepTheirOwnStyle()
    {
        var problems = new List<YamlTreeReader.Problem>();

        var root = (YSeq)YamlTreeReader.Read("[ 502, \"502\", 502 ]", problems)!;

        Assert.Empty(problems);
        var items = root.Items.Cast<YScalar>().ToList();
        Assert.Equal(["502", "502", "502"], items.Select(s => s.Value));
        Assert.Equal([true, false, true], items.Select(s => s.IsPlain));
    }
}
