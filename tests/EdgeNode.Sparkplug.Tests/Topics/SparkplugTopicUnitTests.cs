using EdgeNode.Addressing;

namespace EdgeNode.Sparkplug.Tests.Topics;

public sealed class SparkplugTopicUnitTests
{
    [Theory]
    [InlineData(SparkplugMessageType.NBIRTH, "spBv1.0/WindFarm1/NBIRTH/Gateway01")]
    [InlineData(SparkplugMessageType.NDEATH, "spBv1.0/WindFarm1/NDEATH/Gateway01")]
    [InlineData(SparkplugMessageType.NDATA, "spBv1.0/WindFarm1/NDATA/Gateway01")]
    [InlineData(SparkplugMessageType.NCMD, "spBv1.0/WindFarm1/NCMD/Gateway01")]
    public void Node_BuildAndParse_RoundTrip(SparkplugMessageType type, string expected)
    {
        var topic = SparkplugTopic.Node("WindFarm1", type, "Gateway01");

        Assert.Equal(expected, topic.ToString());
        Assert.True(SparkplugTopic.TryParse(expected, out var parsed, out var error), error);
        Assert.Equal(topic, parsed);
        Assert.False(parsed.IsDeviceMessage);
        Assert.Null(parsed.DeviceId);
    }

    [Theory]
    [InlineData(SparkplugMessageType.DBIRTH)]
    [InlineData(SparkplugMessageType.DDEATH)]
    [InlineData(SparkplugMessageType.DDATA)]
    [InlineData(SparkplugMessageType.DCMD)]
    public void Device_BuildAndParse_RoundTrip(SparkplugMessageType type)
    {
        var topic = SparkplugTopic.Device("Sparkplug B Devices", type, "Raspberry Pi", "Pibrella");

        Assert.Equal($"spBv1.0/Sparkplug B Devices/{type}/Raspberry Pi/Pibrella", topic.ToString());
        Assert.True(SparkplugTopic.TryParse(topic.ToString(), out var parsed));
        Assert.Equal(topic, parsed);
        Assert.Equal("Pibrella", parsed.DeviceId);
        Assert.Equal(SparkplugNames.Namespace, parsed.Namespace);
    }

    [Fact]
    public void State_BuildAndParse_BothForms()
    {
        Assert.Equal("spBv1.0/STATE/ScadaHost1", SparkplugTopic.State("ScadaHost1").ToString());
        Assert.Equal("STATE/ScadaHost1", SparkplugTopic.LegacyState("ScadaHost1").ToString());
        Assert.True(SparkplugTopic.TryParse("spBv1.0/STATE/ScadaHost1", out var state));
        Assert.Equal(SparkplugMessageType.STATE, state.MessageType);
        Assert.Equal("ScadaHost1", state.HostId);
        Assert.False(state.IsLegacyState);
        Assert.True(SparkplugTopic.TryParse("STATE/ScadaHost1", out var legacy));
        Assert.True(legacy.IsLegacyState);
    }

    [Fact]
    public void WithMessageTypeAndForDevice_DeriveTopics()
    {
        var nbirth = SparkplugTopic.Node("g", SparkplugMessageType.NBIRTH, "e");

        Assert.Equal("spBv1.0/g/NDATA/e", nbirth.WithMessageType(SparkplugMessageType.NDATA).ToString());
        Assert.Equal("spBv1.0/g/DDATA/e/d", nbirth.ForDevice("d", SparkplugMessageType.DDATA).ToString());
        Assert.Throws<ArgumentException>(() => nbirth.WithMessageType(SparkplugMessageType.DDATA));
        Assert.Equal("spBv1.0/g/DCMD/e/+", SparkplugTopic.DeviceCommandFilter("g", "e"));
    }

    [Theory]
    [InlineData("", "the topic is empty")]
    [InlineData("spAv1.0/g/NBIRTH/e", "the namespace is 'spAv1.0', not 'spBv1.0'")]
    [InlineData("spBv1.0/g/NBIRTH", "fewer than 4 levels")]
    [InlineData("spBv1.0/g/DDATA/e/d/x", "more than 5 levels")]
    [InlineData("spBv1.0/g/NBIRTH/e/d", "a NBIRTH topic has no device_id level")]
    [InlineData("spBv1.0/g/DBIRTH/e", "a DBIRTH topic needs a device_id")]
    [InlineData("spBv1.0/g/nbirth/e", "'nbirth' is not a Sparkplug message type")]
    [InlineData("spBv1.0/g/STATE/e", "'STATE' is not a Sparkplug message type")]
    [InlineData("spBv1.0/+/NBIRTH/e", "group_id '+' contains '+' at position 1 (the MQTT single-level wildcard)")]
    [InlineData("spBv1.0//NBIRTH/e", "group_id '' is empty")]
    [InlineData("spBv1.0/g/DDATA/e/#", "device_id '#' contains '#'")]
    [InlineData("spBv1.0/STATE/", "host_id '' is empty")]
    public void TryParse_Invalid_ExplainsWhy(string topic, string reason)
    {
        Assert.False(SparkplugTopic.TryParse(topic, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Factories_InvalidId_ThrowWithReason()
    {
        var ex = Assert.Throws<ArgumentException>(() => SparkplugTopic.Node("a/b", SparkplugMessageType.NDATA, "e"));
        Assert.Contains("Invalid group_id 'a/b': contains '/' at position 2 (the MQTT topic level separator).", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SparkplugTopic.Node("g", SparkplugMessageType.DDATA, "e"));
        Assert.Throws<ArgumentException>(() => SparkplugTopic.Device("g", SparkplugMessageType.DDATA, "e", ""));
    }
}

public sealed class SparkplugIdUnitTests
{
    [Theory]
    [InlineData("Gateway01")]
    [InlineData("Sparkplug B Devices")]
    [InlineData("名前-😀")]
    [InlineData("a.b_c:d")]
    public void IsValid_Ordinary_True(string id)
    {
        Assert.True(SparkplugId.IsValid(id, out var reason));
        Assert.Null(reason);
    }

    [Theory]
    [InlineData(null, "is missing")]
    [InlineData("", "is empty")]
    [InlineData("a+b", "contains '+' at position 2 (the MQTT single-level wildcard)")]
    [InlineData("#", "contains '#' at position 1 (the MQTT multi-level wildcard)")]
    [InlineData("x/y", "contains '/' at position 2 (the MQTT topic level separator)")]
    [InlineData("a\0", "contains U+0000 at position 2 (forbidden in MQTT topics)")]
    public void IsValid_Invalid_Reason(string? id, string expected)
    {
        Assert.False(SparkplugId.IsValid(id, out var reason));
        Assert.Equal(expected, reason);
    }

    [Fact]
    public void IsValid_LoneSurrogate_False()
    {
        // Built in code: attribute arguments cannot carry a lone surrogate intact.
        var id = "a" + (char)0xD800 + "b";

        Assert.False(SparkplugId.IsValid(id, out var reason));
        Assert.Equal("contains an unpaired surrogate at position 2 (not valid UTF-8)", reason);
    }

    [Fact]
    public void IsValid_TooLong_False()
    {
        Assert.False(SparkplugId.IsValid(new string('a', SparkplugId.MaxUtf8Length + 1), out var reason));
        Assert.Contains("longer than", reason, StringComparison.Ordinal);
    }
}
