using EdgeNode.Addressing;

namespace EdgeNode.Mqtt.Tests.Supervision;

public sealed class MqttServerEndpointUnitTests
{
    [Theory]
    [InlineData("mqtt://127.0.0.1", "127.0.0.1", 1883, false)]
    [InlineData("mqtt://127.0.0.1:1884", "127.0.0.1", 1884, false)]
    [InlineData("tcp://broker.local:1883", "broker.local", 1883, false)]
    [InlineData("mqtts://broker.example.com", "broker.example.com", 8883, true)]
    [InlineData("ssl://broker:9000", "broker", 9000, true)]
    [InlineData("tls://broker", "broker", 8883, true)]
    [InlineData("MQTTS://Broker", "Broker", 8883, true)]
    [InlineData("mqtt://[::1]", "::1", 1883, false)]
    [InlineData("mqtts://[fe80::1]:8884", "fe80::1", 8884, true)]
    [InlineData("mqtt://host/", "host", 1883, false)]
    [InlineData("  mqtt://host:1  ", "host", 1, false)]
    [InlineData("mqtt://localhost:65535", "localhost", 65535, false)]
    public void TryParse_ValidUrls_Parse(string url, string host, int port, bool tls)
    {
        Assert.True(MqttServerEndpoint.TryParse(url, out var endpoint, out var error), error);
        Assert.Equal(new MqttServerEndpoint(host, port, tls), endpoint);
    }

    [Theory]
    [InlineData(null, "empty")]
    [InlineData("", "empty")]
    [InlineData("127.0.0.1:1883", "no scheme")]
    [InlineData("http://host", "unknown scheme 'http'")]
    [InlineData("ws://host", "WebSocket")]
    [InlineData("mqtt://", "host is missing")]
    [InlineData("mqtt://:1883", "host is missing")]
    [InlineData("mqtt://host:", "port is missing")]
    [InlineData("mqtt://host:0", "port '0'")]
    [InlineData("mqtt://host:65536", "port '65536'")]
    [InlineData("mqtt://host:12ab", "port '12ab'")]
    [InlineData("mqtt://host:-1", "port '-1'")]
    [InlineData("mqtt://::1:1883", "brackets")]
    [InlineData("mqtt://[::1", "missing ']'")]
    [InlineData("mqtt://[127.0.0.1]:1883", "not an IPv6 address")]
    [InlineData("mqtt://[::1]x", "unexpected")]
    [InlineData("mqtt://user:pw@host", "credentials")]
    [InlineData("mqtt://host/path", "path")]
    [InlineData("mqtt://host?x=1", "query")]
    [InlineData("mqtt://bad host", "not a valid host name")]
    [InlineData("mqtt://bad_host!", "not a valid host name")]
    public void TryParse_BadUrls_ExplainTheProblem(string? url, string fragment)
    {
        Assert.False(MqttServerEndpoint.TryParse(url, out var endpoint, out var error));
        Assert.Null(endpoint);
        Assert.Contains(fragment, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadUrl_ThrowsFormatException() => Assert.Throws<FormatException>(() => MqttServerEndpoint.Parse("nope"));

    [Theory]
    [InlineData("tcp://h", "mqtt://h:1883")]
    [InlineData("ssl://h:1", "mqtts://h:1")]
    [InlineData("mqtt://[::1]", "mqtt://[::1]:1883")]
    public void ToString_IsCanonicalAndParsesBack(string url, string canonical)
    {
        var endpoint = MqttServerEndpoint.Parse(url);
        Assert.Equal(canonical, endpoint.ToString());
        Assert.Equal(endpoint, MqttServerEndpoint.Parse(endpoint.ToString()));
    }

    [Fact]
    public void WithEndpoint_SetsHostPortAndTls()
    {
        var options = new MqttClientOptions().WithEndpoint(MqttServerEndpoint.Parse("mqtts://[::1]:8884"));
        Assert.Equal(("::1", 8884, true), (options.Host, options.Port, options.UseTls));
    }
}
