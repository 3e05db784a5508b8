using System.Security.Authentication;
using EdgeNode.Addressing;
using EdgeNode.Mqtt.Tests.TestSupport;
using EdgeNode.Testing;
using Xunit.Abstractions;

namespace EdgeNode.Mqtt.Tests.Client;

/// <summary>A broker with a TLS listener (test CA), a password listener and an ACL on the plain listener.</summary>
public sealed class SecureMosquittoFixture : MosquittoFixture
{
    protected override MosquittoOptions CreateOptions() => new()
    {
        Tls = true,
        Users = new Dictionary<string, string> { ["edge"] = "s3cret", ["other"] = "pw" },
        AclRules = "topic readwrite allowed/#",
    };
}

/// <summary>Credentials, TLS trust and name checks, mutual TLS and authorization reason codes against Mosquitto.</summary>
public sealed class MqttClientSecurityIntegrationTests(SecureMosquittoFixture fixture, ITestOutputHelper output) : IClassFixture<SecureMosquittoFixture>
{
    private MosquittoBroker Broker => fixture.Broker;

    private MqttClientOptions AuthOptions(MqttProtocolVersion version, string? user, string? password)
    {
        var options = Clients.Options(Broker, version);
        options.Port = Broker.AuthPort!.Value;
        options.Username = user;
        options.Password = password;
        return options;
    }

    private MqttClientOptions TlsOptions(MqttProtocolVersion version = MqttProtocolVersion.V311, string? caFile = null)
    {
        var options = Clients.Options(Broker, version).WithEndpoint(MqttServerEndpoint.Parse(Broker.TlsUrl));
        options.Tls.CaFile = caFile ?? Broker.Certificates.CaFile;
        return options;
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Password_Correct_Connects(MqttProtocolVersion version)
    {
        await using var client = new MqttClient(new RecordingLogger(output));
        var result = await client.ConnectAsync(AuthOptions(version, "edge", "s3cret")).Within();
        Assert.True(result.IsSuccess, result.ToString());
        Assert.True((await client.PublishAsync("any/topic", "x"u8.ToArray(), MqttQualityOfService.AtLeastOnce)).IsSuccess);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311, "edge", "wrong", MqttConnectResultCode.NotAuthorized)]
    [InlineData(MqttProtocolVersion.V311, null, null, MqttConnectResultCode.NotAuthorized)]
    [InlineData(MqttProtocolVersion.V500, "edge", "wrong", MqttConnectResultCode.NotAuthorized)]
    [InlineData(MqttProtocolVersion.V500, "nobody", "pw", MqttConnectResultCode.NotAuthorized)]
    [InlineData(MqttProtocolVersion.V500, null, null, MqttConnectResultCode.NotAuthorized)]
    public async Task Password_WrongOrMissing_RefusedAsResult(MqttProtocolVersion version, string? user, string? password, MqttConnectResultCode expected)
    {
        await using var client = new MqttClient(new RecordingLogger(output));
        var result = await client.ConnectAsync(AuthOptions(version, user, password)).Within();
        Assert.False(result.IsSuccess);
        Assert.Equal(expected, result.ResultCode);
        Assert.False(client.IsConnected);
        Assert.Equal(MqttDisconnectKind.ConnectRefused, (await client.Completion.Within()).Kind);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311, SslProtocols.Tls12 | SslProtocols.Tls13, SslProtocols.Tls13)]
    [InlineData(MqttProtocolVersion.V500, SslProtocols.Tls12, SslProtocols.Tls12)]
    [InlineData(MqttProtocolVersion.V311, SslProtocols.Tls13, SslProtocols.Tls13)]
    public async Task Tls_TrustedCa_ConnectsAndRoundTrips(MqttProtocolVersion version, SslProtocols allowed, SslProtocols expected)
    {
        var logger = new RecordingLogger(output);
        var options = TlsOptions(version);
        options.Tls.Protocols = allowed;
        var collector = new MessageCollector();
        await using var client = new MqttClient(logger) { ApplicationMessageReceivedAsync = collector.HandleAsync };
        Assert.True((await client.ConnectAsync(options).Within()).IsSuccess);
        var topic = Clients.NewTopic("tls");
        await client.SubscribeAsync(topic, MqttQualityOfService.AtLeastOnce);
        await client.PublishAsync(topic, "secret"u8.ToArray(), MqttQualityOfService.AtLeastOnce);
        Assert.Single(await collector.WaitForAsync(1));
        Assert.True(logger.Contains(3001, expected.ToString()));
    }

    [Fact]
    public async Task Tls_WrongCa_RejectedAsCommunicationException()
    {
        await using var client = new MqttClient(new RecordingLogger(output));
        var ex = await Assert.ThrowsAsync<MqttCommunicationException>(() => client.ConnectAsync(TlsOptions(caFile: Broker.Certificates.OtherCaFile)).Within());
        output.WriteLine(ex.Message);
        Assert.Contains("RemoteCertificateChainErrors", ex.Message, StringComparison.Ordinal);
        Assert.False(client.ConnectSent);
    }

    [Fact]
    public async Task Tls_NoCaFile_SystemTrustRejectsTestCa()
    {
        var options = TlsOptions();
        options.Tls.CaFile = null;
        await using var client = new MqttClient(new RecordingLogger(output));
        var ex = await Assert.ThrowsAsync<MqttCommunicationException>(() => client.ConnectAsync(options).Within());
        Assert.Contains("certificate", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Tls_ServerNameMismatch_Rejected()
    {
        var options = TlsOptions();
        options.Tls.ServerName = "broker.example.com";
        await using var client = new MqttClient(new RecordingLogger(output));
        var ex = await Assert.ThrowsAsync<MqttCommunicationException>(() => client.ConnectAsync(options).Within());
        Assert.Contains("RemoteCertificateNameMismatch", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_ServerNameOverride_MatchesCertificate()
    {
        var options = TlsOptions();
        options.Tls.ServerName = "localhost"; // connect to 127.0.0.1, check the name "localhost"
        await using var client = new MqttClient(new RecordingLogger(output));
        Assert.True((await client.ConnectAsync(options).Within()).IsSuccess);
    }

    [Fact]
    public async Task Tls_MissingCaFile_FailsWithClearMessage()
    {
        var options = TlsOptions(caFile: "/nonexistent/ca.pem");
        Assert.Contains(MqttClientOptionsValidator.Validate(options), e => e.Contains("/nonexistent/ca.pem", StringComparison.Ordinal));
        await using var client = new MqttClient(new RecordingLogger(output));
        var ex = await Assert.ThrowsAsync<MqttCommunicationException>(() => client.ConnectAsync(options).Within());
        Assert.Contains("cannot load certificates", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MutualTls_ClientCertificateRequired_ConnectsOnlyWithCertificate()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoOptions { Tls = true, RequireClientCertificate = true });
        var options = Clients.Options(broker).WithEndpoint(MqttServerEndpoint.Parse(broker.TlsUrl));
        options.Tls.CaFile = broker.Certificates.CaFile;

        await using (var anonymous = new MqttClient(new RecordingLogger(output)))
        {
            // TLS 1.3 reports a missing client certificate only after the handshake: a failed connect either way.
            await Assert.ThrowsAsync<MqttCommunicationException>(() => anonymous.ConnectAsync(options).Within());
        }

        options.Tls.CertFile = broker.Certificates.ClientCertFile;
        options.Tls.KeyFile = broker.Certificates.ClientKeyFile;
        await using var client = new MqttClient(new RecordingLogger(output));
        Assert.True((await client.ConnectAsync(options).Within()).IsSuccess);
        Assert.True((await client.PublishAsync("m/tls", "x"u8.ToArray(), MqttQualityOfService.AtLeastOnce)).IsSuccess);
    }

    [Fact]
    public async Task Acl_DeniedPublishV500_SurfacesNotAuthorized()
    {
        await using var client = await Clients.ConnectAsync(Broker, MqttProtocolVersion.V500, new RecordingLogger(output));
        var result = await client.PublishAsync("denied/x", "x"u8.ToArray(), MqttQualityOfService.AtLeastOnce);
        Assert.False(result.IsSuccess);
        Assert.Equal(MqttPublishReasonCode.NotAuthorized, result.ReasonCode);
        Assert.True(client.IsConnected);
    }
}
