using System.Net.Http.Headers;
using System.Text;
using EdgeNode.Configuration;
using EdgeNode.Testing;

namespace EdgeNode.Web.Tests;

/// <summary>
/// A real node with its console: Mosquitto, a pymodbus slave (unit 1: holding 0 = Setpoint, holding 1 = Speed,
/// input 0 = Level) and <c>edgenode run</c> on a free loopback port, with one user (alice / <see cref="Password"/>).
/// </summary>
public sealed class WebNode : IAsyncDisposable
{
    public const string User = "alice";
    public const string Password = "correct horse battery";

    // Hashing at 600 000 iterations for every fixture would cost seconds on a loaded machine: one hash per test run.
    private static readonly Lazy<string> s_hash = new(() => PasswordHash.Hash(Password));

    private WebNode(MosquittoBroker broker, PyModbusSlave slave, NodeUnderTest node, int port, bool tls, string? primaryHostId)
    {
        PrimaryHostId = primaryHostId;
        Broker = broker;
        Slave = slave;
        Node = node;
        Port = port;
        Tls = tls;
        BaseAddress = new Uri($"{(tls ? "https" : "http")}://127.0.0.1:{port}/");
        Handler = new HttpClientHandler { UseCookies = false };
        if (tls)
        {
            // Trust exactly the test CA that signed the console's certificate (MosquittoCertificates: CN/SAN 127.0.0.1).
            var ca = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(MosquittoCertificates.Shared.CaFile);
            Handler.ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
                chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                return certificate is not null && chain.Build(certificate);
            };
        }

        Http = new HttpClient(Handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public bool Tls { get; }

    /// <summary>node.primaryHostId (null: none).</summary>
    public string? PrimaryHostId { get; }

    public HttpClientHandler Handler { get; }

    public MosquittoBroker Broker { get; }

    public PyModbusSlave Slave { get; }

    public NodeUnderTest Node { get; }

    public int Port { get; }

    public Uri BaseAddress { get; }

    /// <summary>A client without credentials.</summary>
    public HttpClient Http { get; }

    public static string Hash => s_hash.Value;

    /// <summary>The configuration of the node (its devices and web section); <paramref name="extraDevices"/> is appended YAML.</summary>
    public string Yaml(string extraDevices = "") => $$"""
        node: { groupId: WebTest, edgeNodeId: Gw{{Port}}, scanMs: 200{{(PrimaryHostId is null ? "" : $", primaryHostId: {PrimaryHostId}")}} }
        mqtt: { servers: [ "{{Broker.Url}}" ], reconnectMaxMs: 500 }
        web:
          listen: "127.0.0.1:{{Port}}"
          {{(Tls ? $"tls: {{ certFile: \"{MosquittoCertificates.Shared.ServerCertFile}\", keyFile: \"{MosquittoCertificates.Shared.ServerKeyFile}\" }}" : "")}}
          users:
            - { name: {{User}}, passwordHash: "{{Hash}}" }
        devices:
          - id: Valve
            modbus: { tcp: { host: 127.0.0.1, port: {{Slave.Port}} }, unitId: 1, timeoutMs: 500 }
            metrics:
              - { name: Setpoint, table: holding, address: 0, type: uint16, writable: true, units: rpm }
              - { name: Speed, table: holding, address: 1, type: uint16 }
              - { name: Level, table: input, address: 0, type: uint16, units: cm }
        {{extraDevices}}
        """;

    public static async Task<WebNode> StartAsync(bool tls = false, string? primaryHostId = null)
    {
        var broker = await MosquittoBroker.StartAsync(new MosquittoOptions { Quiet = true });
        var slave = await PyModbusSlave.StartTcpAsync(new PyModbusSlaveOptions
        {
            Map = new PyModbusRegisterMap().Holding(1, 0, 100, 7).Input(1, 0, 55),
        });
        var port = FreePort.Next();
        var web = new WebNode(broker, slave, NodeUnderTest.Create(""), port, tls, primaryHostId);
        web.Node.WriteConfig(web.Yaml());
        web.Node.Start();
        await FreePort.WaitListeningAsync(port, TimeSpan.FromSeconds(60), () => web.Node.IsRunning);
        var session = primaryHostId is null ? "online" : "waiting for primary host";
        await web.WaitAsync(async () => (await web.Http.GetStringAsync("api/status")).Contains($"\"session\":\"{session}\"", StringComparison.Ordinal),
            $"session {session}");
        return web;
    }

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    public HttpRequestMessage Request(HttpMethod method, string path, string? body = null, bool signedIn = false, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        if (signedIn)
        {
            request.Headers.Authorization = Basic(User, Password);
        }

        return request;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds (30 s: a loaded 2-core machine).</summary>
    public async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        Exception? last = null;
        while (DateTime.UtcNow < until)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException ex)
            {
                last = ex;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"timed out waiting for {what} ({last?.Message})\n{Node.OutputTail(80)}");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Handler.Dispose();
        await Node.DisposeAsync();
        await Slave.DisposeAsync();
        await Broker.DisposeAsync();
    }
}

/// <summary>One node for the API tests of a class (xunit runs a class's tests one after another).</summary>
public sealed class WebNodeFixture : IAsyncLifetime
{
    public WebNode Web { get; private set; } = null!;

    public async Task InitializeAsync() => Web = await WebNode.StartAsync();

    public async Task DisposeAsync() => await Web.DisposeAsync();
}
