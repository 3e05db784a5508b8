using EdgeNode.EndToEnd.Tests.Infrastructure;
using EdgeNode.Testing;
using Xunit.Abstractions;

namespace EdgeNode.EndToEnd.Tests;

/// <summary>
/// The node through a broker listener that demands both a client certificate signed by the site CA and a user name
/// with password (a common plant set-up): the node connects with `mqtt.tls.certFile/keyFile/caFile` plus
/// `mqtt.username/password`, and a wrong password is refused without a session.
/// </summary>
public sealed class TlsClientCertificateTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private static readonly Dictionary<string, string> s_users = new() { ["gateway"] = "Turbine-Yard-7" };

    private NodeConfig SecureConfig(MosquittoBroker broker, string password, PyModbusSlave slave)
    {
        var pki = broker.Certificates;
        var config = new NodeConfig
        {
            GroupId = GroupId,
            EdgeNodeId = EdgeNodeId,
            Servers = [broker.TlsUrl],
            MqttExtras =
            [
                "username: gateway",
                $"password: {password}",
                "tls:",
                $"  caFile: {pki.CaFile}",
                $"  certFile: {pki.ClientCertFile}",
                $"  keyFile: {pki.ClientKeyFile}",
            ],
        };
        config.Devices.Add(new DeviceYaml { Id = "Meter", Port = slave.Port, Metrics = ["{ name: Power, table: holding, address: 0, type: uint16 }"] });
        return config;
    }

    [Fact]
    public async Task Node_WithClientCertificateAndPassword_ConnectsOverTlsAndPublishesItsSession()
    {
        var broker = await StartSecureBrokerAsync(requireClientCertificate: true, s_users, tlsRequiresPassword: true);
        var slave = await StartSlaveAsync(new PyModbusRegisterMap().Holding(1, 0, 1234));
        var observer = await ObserveAsync(broker);
        var node = StartNode(SecureConfig(broker, s_users["gateway"], slave).ToYaml());

        var nbirth = await WaitNBirthAsync(observer);
        var dbirth = await WaitDBirthAsync(observer, "Meter", nbirth.Index);
        Assert.Equal(1234, dbirth.Metric("Power")!.AsLong());

        // The session really went through the TLS listener, authenticated as the configured user.
        var connected = await WaitBrokerLogAsync(broker, $"as {GroupId}-{EdgeNodeId} ", StepTimeout);
        Assert.Contains("u'gateway'", connected, StringComparison.Ordinal);

        await slave.SetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, 4321);
        await WaitDataAsync(observer, "Meter", "Power", m => m.AsLong() == 4321, "= 4321", dbirth.Index);
        Assert.True(node.IsRunning);
    }

    [Fact]
    public async Task Node_WithClientCertificateAndWrongPassword_IsRefusedAndPublishesNothing()
    {
        var broker = await StartSecureBrokerAsync(requireClientCertificate: true, s_users, tlsRequiresPassword: true);
        var slave = await StartSlaveAsync(new PyModbusRegisterMap().Holding(1, 0, 1));
        var observer = await ObserveAsync(broker);
        var node = StartNode(SecureConfig(broker, "not-the-password", slave).ToYaml());

        // The certificate passes the handshake; the broker then refuses the CONNECT for the credentials.
        await WaitBrokerLogAsync(broker, "not authorised", StartTimeout);
        await node.Process!.WaitForLineAsync("refused", StepTimeout);
        Assert.True(node.IsRunning, "the node must keep retrying, not exit");
        Assert.DoesNotContain(observer.Messages, m => m.EdgeNodeId == EdgeNodeId);
    }
}
