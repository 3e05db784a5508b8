namespace EdgeNode.Configuration.Tests;

/// <summary>Each rule of a Modbus metric, one error at the key or value at fault (line 11 holds the metric).</summary>
public class MetricRuleTests
{
    internal const string Head = """
        node:
          groupId: G
          edgeNodeId: E
        mqtt:
          servers: [ "mqtt://broker" ]
        devices:
          - id: D
            modbus:
              tcp: { host: plc }
            metrics:

        """;

    /// <summary>Loads a device whose only metric is the flow mapping <paramref name="flow"/>, at line 11 column 9.</summary>
    internal static ConfigLoadResult Metric(string flow) => TempConfig.LoadText(Head + "      - " + flow + "\n");

    /// <summary>Column of <paramref name="fragment"/> in the metric line (plus <paramref name="skip"/> characters).</summary>
    internal static int Col(string flow, string fragment, int skip = 0)
    {
        var index = flow.IndexOf(fragment, StringComparison.Ordinal);
        Assert.True(index >= 0, $"'{fragment}' not in {flow}");
        return 9 + index + skip;
    }

    private static void One(string flow, string at, int skip, params string[] fragments) =>
        ConfigAssert.Single(Metric(flow), 11, Col(flow, at, skip), fragments);

    [Fact]
    public void ValidMetric_HasNoError() =>
        ConfigAssert.Valid(Metric("{ name: A, table: holding, address: 0, type: uint16 }"));

    [Fact]
    public void UnknownType_ListsTheTypes() =>
        One("{ name: A, table: holding, address: 0, type: flaot32 }", "flaot32", 0,
            "devices[0].metrics[0].type: unknown type 'flaot32' (expected bool, int16, uint16, int32, uint32, int64, uint64, float32, float64, string)");

    [Fact]
    public void UnknownTable_ListsTheTables() =>
        One("{ name: A, table: holdings, address: 0, type: uint16 }", "holdings", 0,
            "devices[0].metrics[0].table: unknown table 'holdings' (expected coil, discrete, input, holding)");

    [Fact]
    public void UnknownOrder_ListsTheOrders() =>
        One("{ name: A, table: holding, address: 0, type: int32, order: ABDC }", "ABDC", 0, ".order: unknown byte order 'ABDC' (expected ABCD, CDAB, BADC, DCBA)");

    [Fact]
    public void UnknownKey_SuggestsTheClosestKey() =>
        One("{ name: A, table: holding, address: 0, type: uint16, deadbnad: 1 }", "deadbnad", 0,
            "devices[0].metrics[0]: unknown key 'deadbnad' (did you mean 'deadband'?)");

    [Fact]
    public void MisspelledRequiredKey_IsOneErrorNotAlsoMissing() =>
        One("{ name: A, table: holding, adress: 0, type: uint16 }", "adress", 0, "unknown key 'adress' (did you mean 'address'?)");

    [Fact]
    public void UnknownKeyFarFromAll_ListsTheKeys() =>
        One("{ name: A, table: holding, address: 0, type: uint16, colour: red }", "colour", 0, "unknown key 'colour' (expected one of name, table, address");

    [Theory]
    [InlineData("{ table: holding, address: 0, type: uint16 }", "name")]
    [InlineData("{ name: A, address: 0, type: uint16 }", "table")]
    [InlineData("{ name: A, table: holding, type: uint16 }", "address")]
    [InlineData("{ name: A, table: holding, address: 0 }", "type")]
    [InlineData("{ name: A, table: holding, address: 0, type: string }", "length")]
    public void MissingRequiredKey_IsReportedAtTheMetric(string flow, string key) =>
        ConfigAssert.Single(Metric(flow), 11, 9, $"devices[0].metrics[0]: missing required key '{key}'");

    [Fact]
    public void EmptyValueOfRequiredKey_IsReportedAtTheKey() =>
        One("{ name: A, table: holding, address: , type: uint16 }", "address", 0, "devices[0].metrics[0].address: a value is required");

    [Theory]
    [InlineData("address: 65536", "65536 is outside 0..65535")]
    [InlineData("address: -1", "-1 is outside 0..65535")]
    public void AddressOutOfRange(string fragment, string message)
    {
        var flow = $"{{ name: A, table: holding, {fragment}, type: uint16 }}";
        One(flow, fragment, "address: ".Length, ".address: " + message);
    }

    [Theory]
    [InlineData("float32", 65535, "65535 + 2 registers runs past 65535")]
    [InlineData("float64", 65533, "65533 + 4 registers runs past 65535")]
    [InlineData("uint64", 65534, "65534 + 4 registers runs past 65535")]
    public void AddressPlusRegisterCount_MustFit(string type, int address, string message)
    {
        var flow = $"{{ name: A, table: holding, address: {address}, type: {type} }}";
        One(flow, $"{address}", 0, ".address: " + message);
    }

    [Fact]
    public void StringRegisters_MustFit() =>
        One("{ name: A, table: holding, address: 65530, type: string, length: 8 }", "65530", 0, "65530 + 8 registers runs past 65535");

    [Fact]
    public void LastRegisters_AreAddressable() =>
        ConfigAssert.Valid(Metric("{ name: A, table: holding, address: 65532, type: float64 }"));

    [Theory]
    [InlineData(16, "16 is outside 0..15")]
    [InlineData(-1, "-1 is outside 0..15")]
    public void BitOutOfRange(int bit, string message)
    {
        var flow = $"{{ name: A, table: holding, address: 0, type: bool, bit: {bit} }}";
        One(flow, "bit:", 5, ".bit: " + message);
    }

    [Fact]
    public void Bit_OnlyWithBool() =>
        One("{ name: A, table: holding, address: 0, type: uint16, bit: 3 }", "3 }", 0, ".bit: only for type bool on the input or holding table (this metric is uint16)");

    [Fact]
    public void Bit_NotOnBitTables() =>
        One("{ name: A, table: coil, address: 0, type: bool, bit: 3 }", "3 }", 0, ".bit: only for type bool on the input or holding table (the coil table is already bits)");

    [Theory]
    [InlineData("coil")]
    [InlineData("discrete")]
    public void BitTables_HoldOnlyBool(string table) =>
        One($"{{ name: A, table: {table}, address: 0, type: uint16 }}", "uint16", 0, $".type: the {table} table holds bits; use type bool");

    [Theory]
    [InlineData(0)]
    [InlineData(126)]
    public void StringLength_OutOfRange(int length) =>
        One($"{{ name: A, table: holding, address: 0, type: string, length: {length} }}", $"length: {length}", 8, $".length: {length} is outside 1..125");

    [Fact]
    public void Length_OnlyForStrings() =>
        One("{ name: A, table: holding, address: 0, type: int32, length: 2 }", "2 }", 0, ".length: only for type string (this metric is int32)");

    [Theory]
    [InlineData("int16")]
    [InlineData("uint16")]
    [InlineData("bool")]
    public void Order_OnlyForMultiRegisterTypesAndStrings(string type) =>
        One($"{{ name: A, table: holding, address: 0, type: {type}, order: CDAB }}", "CDAB", 0, $".order: only for 32- and 64-bit types and strings (this metric is {type})");

    [Theory]
    [InlineData("bool", "scale: 2")]
    [InlineData("string", "offset: 1")]
    public void ScaleAndOffset_OnlyForNumericTypes(string type, string fragment)
    {
        var length = type == "string" ? ", length: 2" : "";
        var flow = $"{{ name: A, table: holding, address: 0, type: {type}{length}, {fragment} }}";
        One(flow, fragment, fragment.IndexOf(':') + 2, $".{fragment[..fragment.IndexOf(':')]}: only for numeric types (this metric is {type})");
    }

    [Fact]
    public void ScaleZero_IsRefused() =>
        One("{ name: A, table: holding, address: 0, type: int16, scale: 0 }", "0 }", 0, ".scale: must not be 0");

    [Theory]
    [InlineData("input")]
    [InlineData("discrete")]
    public void Writable_OnlyOnCoilAndHolding(string table)
    {
        var type = table == "discrete" ? "bool" : "uint16";
        One($"{{ name: A, table: {table}, address: 0, type: {type}, writable: true }}", "true", 0,
            $".writable: the {table} table is read-only; only coil and holding can be written");
    }

    [Fact]
    public void Writable_OnAReadOnlyTable_IsReportedBesideAWrongType()
    {
        const string flow = "{ name: A, table: input, address: 0, type: flaot32, writable: true }";
        var result = Metric(flow);

        Assert.Equal(2, result.Errors.Count);
        ConfigAssert.Has(result, 11, Col(flow, "flaot32"), ".type: unknown type 'flaot32'");
        ConfigAssert.Has(result, 11, Col(flow, "true"), ".writable: the input table is read-only");
    }

    [Fact]
    public void NegativeDeadband_IsRefused() =>
        One("{ name: A, table: holding, address: 0, type: float32, deadband: -0.5 }", "-0.5", 0, ".deadband: -0.5 must be at least 0");

    [Fact]
    public void Deadband_NotForBool() =>
        One("{ name: A, table: coil, address: 0, type: bool, deadband: 1 }", "1 }", 0, ".deadband: not for type bool");

    [Fact]
    public void EngHighBelowEngLow_IsRefused() =>
        One("{ name: A, table: holding, address: 0, type: float32, engLow: 10, engHigh: 5 }", "5 }", 0, ".engHigh: engHigh 5 is below engLow 10");

    [Fact]
    public void MaxIntervalMs_HasAFloor() =>
        One("{ name: A, table: holding, address: 0, type: float32, maxIntervalMs: 5 }", "5 }", 0, ".maxIntervalMs: 5 is outside 10..86400000");

    [Theory]
    [InlineData("address: ten", "ten", "expected an integer, got 'ten'")]
    [InlineData("address: 1.5", "1.5", "expected an integer, got 1.5")]
    [InlineData("address: \"3\"", "\"3\"", "expected an integer, got the quoted text \"3\" (remove the quotes)")]
    [InlineData("address: [1]", "[1]", "expected an integer, got a list")]
    public void WrongScalarType_ForAnInteger(string fragment, string value, string message)
    {
        var flow = $"{{ name: A, table: holding, {fragment}, type: uint16 }}";
        One(flow, value, 0, ".address: " + message);
    }

    [Fact]
    public void WrongScalarType_ForABool() =>
        One("{ name: A, table: holding, address: 0, type: uint16, writable: yes }", "yes", 0, ".writable: expected true or false, got 'yes'");

    [Fact]
    public void WrongScalarType_ForANumber() =>
        One("{ name: A, table: holding, address: 0, type: float32, deadband: small }", "small", 0, ".deadband: expected a number, got 'small'");

    [Fact]
    public void NonFiniteNumber_IsRefused() =>
        One("{ name: A, table: holding, address: 0, type: float32, scale: .inf }", ".inf", 0, ".scale: .inf is not a finite number");

    [Theory]
    [InlineData("Node Control/Rebirth", "starts with 'Node Control/', which the node reserves")]
    [InlineData("Device Control/Rebirth", "starts with 'Device Control/'")]
    [InlineData("bdSeq", "is reserved by Sparkplug")]
    [InlineData("/Rotor", "has an empty folder level")]
    [InlineData("Rotor//Speed", "has an empty folder level")]
    [InlineData("Rotor/", "has an empty folder level")]
    public void MetricName_Rules(string name, string message) =>
        One($"{{ name: \"{name}\", table: holding, address: 0, type: uint16 }}", $"\"{name}\"", 0, ".name: '" + name + "' " + message);

    [Fact]
    public void EmptyMetricName_IsRefused() =>
        One("{ name: \"\", table: holding, address: 0, type: uint16 }", "\"\"", 0, ".name: must not be empty");

    [Fact]
    public void DuplicateMetricNames_PointAtTheSecond()
    {
        var result = TempConfig.LoadText(Head + """
                  - { name: A, table: holding, address: 0, type: uint16 }
                  - { name: A, table: holding, address: 1, type: uint16 }

            """);

        ConfigAssert.Single(result, 12, 17, "devices[0].metrics[1].name: duplicate metric name 'A' (also devices[0].metrics[0], line 11)");
    }

    [Fact]
    public void DeviceWithoutMetrics_IsRefused()
    {
        var result = TempConfig.LoadText(Head.TrimEnd() + " []\n");

        ConfigAssert.Single(result, 10, 14, "devices[0].metrics: a device needs at least one metric");
    }
}
