using EdgeNode.Engine;
using System.Text.RegularExpressions;
using EdgeNode.Modbus;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace EdgeNode.Configuration.Tests;

/// <summary>Generated files: a valid file never yields an error; one misspelled key yields exactly one error, there.</summary>
public class PropertyTests
{
    [Property(MaxTest = 150)]
    public Property ValidFile_NeverYieldsErrors_AndResolvesEveryEnabledDevice() =>
        Prop.ForAll(ConfigGenerators.Config().ToArbitrary(), config =>
        {
            var result = TempConfig.LoadText(config.Render().Text);
            if (result.Errors.Count > 0)
            {
                throw new Xunit.Sdk.XunitException("errors in a valid file:\n" + string.Join('\n', result.Errors) + "\n" + config);
            }

            var loaded = result.Config!;
            var enabled = config.Devices.Where(d => d.Enabled != false).ToList();
            return loaded.Devices.Count == enabled.Count
                && loaded.Devices.Zip(enabled).All(p => p.First.Metrics.Count == Expected(p.Second))
                && loaded.Devices.Zip(enabled).All(p => p.Second.Kind is not ("tcp" or "rtu")
                    || p.First.Metrics.Select(m => m.Address).SequenceEqual(p.Second.Metrics.Select(m => m.Address)))
                && loaded.Devices.Where(d => d.Kind == DeviceKind.Modbus).SelectMany(d => d.Metrics).All(m => m.ToModbusPoint().Validate().Count == 0);
        });

    private static int Expected(GDevice device) => device.Kind switch
    {
        "tcp" or "rtu" => device.Metrics.Count,
        "gpio" => device.Lines.Count,
        _ => device.Registers.Count + (device.Bme280 ? 1 : 0),
    };

    [Property(MaxTest = 300)]
    public Property MisspelledKey_YieldsExactlyOneUnknownKeyError_AtTheKey() =>
        Prop.ForAll(ConfigGenerators.ConfigWithMutatedKey().ToArbitrary(), sample =>
        {
            var (config, key, mutated) = sample;
            var text = config.Render().Text.Split('\n');
            var line = text[key.Line - 1];
            Assert.Equal(key.Key + ":", line.Substring(key.Column - 1, key.Key.Length + 1));
            text[key.Line - 1] = line[..(key.Column - 1)] + mutated + line[(key.Column - 1 + key.Key.Length)..];

            var result = TempConfig.LoadText(string.Join('\n', text));

            var error = Assert.Single(result.Errors);
            Assert.Equal((key.Line, key.Column), (error.Line, error.Column));
            Assert.Contains($"unknown key '{mutated}'", error.Message, StringComparison.Ordinal);
            return true;
        });

    [Fact]
    public void Generator_WritesKeysWhereItSaysItDoes()
    {
        var config = ConfigGenerators.Config().Sample(1, 5).First();
        var w = config.Render();
        var lines = w.Text.Split('\n');
        Assert.All(w.Keys, k => Assert.Equal(k.Key + ":", lines[k.Line - 1].Substring(k.Column - 1, k.Key.Length + 1)));
    }

    public static TheoryData<string, string, string> TableTypeOrderCombinations()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var table in (string[])["coil", "discrete", "input", "holding"])
        {
            foreach (var type in (string[])["bool", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64", "string"])
            {
                foreach (var order in (string[])["", "ABCD", "CDAB", "BADC", "DCBA"])
                {
                    data.Add(table, type, order);
                }
            }
        }

        return data;
    }

    /// <summary>
    /// Every table × type × order: the loader accepts exactly the combinations the contract allows, reports the
    /// others at the field at fault, and whatever it accepts the Modbus library accepts too.
    /// </summary>
    [Theory]
    [MemberData(nameof(TableTypeOrderCombinations))]
    public void TableTypeAndOrder_AcceptedExactlyWhereTheContractAllows(string table, string type, string order)
    {
        var flow = $"{{ name: A, table: {table}, address: 10, type: {type}" + (type == "string" ? ", length: 4" : "") +
                   (order.Length > 0 ? $", order: {order}" : "") + " }";
        var result = MetricRuleTests.Metric(flow);

        var bitTable = table is "coil" or "discrete";
        var expected = new List<string>();
        if (bitTable && type != "bool")
        {
            expected.Add($"11:{MetricRuleTests.Col(flow, "type: ", 6)} type");
        }

        if (order.Length > 0 && type is "bool" or "int16" or "uint16")
        {
            expected.Add($"11:{MetricRuleTests.Col(flow, "order: ", 7)} order");
        }

        Assert.Equal(expected, result.Errors.Select(e => $"{e.Line}:{e.Column} {Regex.Match(e.Message, @"\.(\w+):").Groups[1].Value}"));
        if (expected.Count == 0)
        {
            var metric = ConfigAssert.Valid(result).Devices[0].Metrics[0];
            Assert.Equal(order.Length > 0 ? Enum.Parse<ByteOrderSetting>(order) : ByteOrderSetting.ABCD, metric.Order);
            Assert.Empty(metric.ToModbusPoint().Validate());
        }
    }
}
