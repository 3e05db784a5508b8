namespace EdgeNode.Mqtt.Tests.Client;

public sealed class MqttClientOptionsValidatorUnitTests
{
    private static MqttClientOptions Valid() => new() { Host = "h", ClientId = "c" };

    [Fact]
    public void Validate_Defaults_AreValid() => Assert.Empty(MqttClientOptionsValidator.Validate(Valid()));

    [Theory]
    [InlineData("host", "host is empty")]
    [InlineData("port", "port 0")]
    [InlineData("keepalive", "keepAliveSeconds 70000")]
    [InlineData("password-without-user", "password needs a username")]
    [InlineData("empty-id-persistent", "empty client id needs a clean session")]
    [InlineData("will-topic", "will: topic name 'a/+' contains a wildcard")]
    [InlineData("inflight", "maxInflight 0")]
    [InlineData("packet", "maxPacketSize 10")]
    [InlineData("timeout", "connect timeout")]
    [InlineData("tls-protocol", "only Tls12 and Tls13")]
    [InlineData("tls-key-only", "keyFile is set without certFile")]
    [InlineData("nul", "client id contains U+0000")]
    public void Validate_Problems_AreNamed(string what, string fragment)
    {
        var o = Valid();
        switch (what)
        {
            case "host": o.Host = " "; break;
            case "port": o.Port = 0; break;
            case "keepalive": o.KeepAliveSeconds = 70000; break;
            case "password-without-user": o.Password = "p"; break;
            case "empty-id-persistent": o.ClientId = ""; o.CleanSession = false; break;
            case "will-topic": o.Will = new MqttWill { Topic = "a/+" }; break;
            case "inflight": o.MaxInflight = 0; break;
            case "packet": o.MaxPacketSize = 10; break;
            case "timeout": o.ConnectTimeout = TimeSpan.Zero; break;
            case "tls-protocol": o.UseTls = true; o.Tls.Protocols = (System.Security.Authentication.SslProtocols)0x300; break; // TLS 1.1
            case "tls-key-only": o.UseTls = true; o.Tls.KeyFile = "k.pem"; break;
            case "nul": o.ClientId = "a\0b"; break;
        }

        Assert.Contains(MqttClientOptionsValidator.Validate(o, checkFiles: false), e => e.Contains(fragment, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_V500PasswordWithoutUser_IsAllowed()
    {
        var o = Valid();
        o.ProtocolVersion = MqttProtocolVersion.V500;
        o.Password = "token";
        Assert.Empty(MqttClientOptionsValidator.Validate(o));
    }

    [Fact]
    public void MqttTopic_Create_ValidatesOnce()
    {
        var topic = MqttTopic.Create("spBv1.0/G/NDATA/E");
        Assert.Equal("spBv1.0/G/NDATA/E"u8.ToArray(), topic.Utf8.ToArray());
        Assert.False(MqttTopic.TryCreate("a/#", out _, out var error));
        Assert.Contains("wildcard", error, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => MqttTopic.Create(""));
        Assert.False(MqttTopic.TryCreate(new string('x', 70000), out _, out _));
        Assert.False(MqttTopic.TryCreate("a\uD800", out _, out _)); // unpaired surrogate
    }
}
