using EdgeNode.Configuration;

namespace EdgeNode.Web.Tests;

/// <summary>The <c>web:</c> section's rules (contract: a non-loopback listen needs users and tls; hashes, never passwords).</summary>
public sealed class WebConfigTests
{
    private static readonly string Hash = WebNode.Hash;

    private static ConfigLoadResult Load(string web) => EdgeNodeConfigLoader.LoadText(Path.Combine(Path.GetTempPath(), "web-config-test.yaml"), $"""
        node: {"{"} groupId: G, edgeNodeId: E {"}"}
        mqtt: {"{"} servers: [ "mqtt://127.0.0.1:1883" ] {"}"}
        {web}
        """);

    [Fact]
    public void Web_Absent_NoConsole()
    {
        var result = Load("");
        Assert.True(result.IsValid);
        Assert.Null(result.Config!.Web);
    }

    [Theory]
    [InlineData("127.0.0.1:8080", "127.0.0.1", 8080)]
    [InlineData("localhost:9000", "localhost", 9000)]
    [InlineData("[::1]:8080", "[::1]", 8080)]
    public void Listen_Loopback_ValidWithoutUsersOrTls(string listen, string host, int port)
    {
        var result = Load($"web:\n  listen: \"{listen}\"");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(host, result.Config!.Web!.Host);
        Assert.Equal(port, result.Config.Web.Port);
        Assert.True(result.Config.Web.IsLoopback);
        Assert.Empty(result.Config.Web.Users);
    }

    [Theory]
    [InlineData("config/edgenode.example.yaml")]
    [InlineData("packaging/debian/edgenode.yaml")]
    public void ShippedConfiguration_ConsoleOnLoopback8080(string file)
    {
        // issue 14: the shipped and example configurations switch the console on, reachable through an SSH tunnel only
        var result = EdgeNodeConfigLoader.LoadText(Path.Combine(EdgeNode.Testing.RepoPaths.Root, file),
            File.ReadAllText(Path.Combine(EdgeNode.Testing.RepoPaths.Root, file)));
        Assert.NotNull(result.Config);
        Assert.Equal("127.0.0.1", result.Config.Web!.Host);
        Assert.Equal(8080, result.Config.Web.Port);
        Assert.True(result.Config.Web.IsLoopback);
    }

    [Fact]
    public void Listen_NonLoopbackWithoutUsersAndTls_ErrorAtTheListenValue()
    {
        var result = Load("web:\n  listen: \"0.0.0.0:8080\"");
        var error = Assert.Single(result.Errors);
        Assert.Equal(4, error.Line);
        Assert.Equal(11, error.Column);
        Assert.Contains("web.listen: '0.0.0.0' is not a loopback address", error.Message, StringComparison.Ordinal);
        Assert.Contains("web.users and web.tls", error.Message, StringComparison.Ordinal);
        Assert.Matches(@"^.*web-config-test\.yaml:4:11: web\.listen: ", error.ToString());
    }

    [Fact]
    public void Listen_NonLoopbackWithUsersButNoTls_NamesTheMissingTls()
    {
        var result = Load($"web:\n  listen: \"192.168.1.10:8443\"\n  users:\n    - {{ name: alice, passwordHash: \"{Hash}\" }}");
        var error = Assert.Single(result.Errors);
        Assert.Contains("needs web.tls", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Listen_NonLoopbackWithUsersAndTls_Valid()
    {
        var dir = Directory.CreateTempSubdirectory("edgenode-web-tls").FullName;
        File.WriteAllText(Path.Combine(dir, "c.pem"), "x");
        File.WriteAllText(Path.Combine(dir, "k.pem"), "x");
        var result = EdgeNodeConfigLoader.LoadText(Path.Combine(dir, "edgenode.yaml"), $"""
            node: {"{"} groupId: G, edgeNodeId: E {"}"}
            mqtt: {"{"} servers: [ "mqtt://127.0.0.1:1883" ] {"}"}
            web:
              listen: "0.0.0.0:8443"
              users: [ {"{"} name: alice, passwordHash: "{Hash}" {"}"} ]
              tls: {"{"} certFile: c.pem, keyFile: k.pem {"}"}
            """);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(Path.Combine(dir, "c.pem"), result.Config!.Web!.Tls!.CertFile);
        Assert.False(result.Config.Web.IsLoopback);
    }

    [Theory]
    [InlineData("\"secret\"", "is not a password hash made by `edgenode passwd`")]
    [InlineData("\"pbkdf2-sha256$1000$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==\"", "iterations")]
    [InlineData("\"pbkdf2-sha256$600000$***$***\"", "not base64")]
    public void PasswordHash_NotAHash_ErrorAtTheValue(string value, string expected)
    {
        var result = Load($"web:\n  listen: \"127.0.0.1:8080\"\n  users:\n    - {{ name: alice, passwordHash: {value} }}");
        var error = Assert.Single(result.Errors);
        Assert.Equal(6, error.Line);
        Assert.Contains("web.users[0].passwordHash", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Users_DuplicateName_Error()
    {
        var result = Load($"web:\n  listen: \"127.0.0.1:8080\"\n  users:\n    - {{ name: bob, passwordHash: \"{Hash}\" }}\n    - {{ name: bob, passwordHash: \"{Hash}\" }}");
        var error = Assert.Single(result.Errors);
        Assert.Contains("duplicate user 'bob' (first at line 6)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"8080\"", "is not host:port")]
    [InlineData("\"127.0.0.1:99999\"", "is not a TCP port")]
    [InlineData("\"gateway.local:8080\"", "is not an IP address or localhost")]
    public void Listen_Malformed_Error(string listen, string expected)
    {
        var error = Assert.Single(Load($"web:\n  listen: {listen}").Errors);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tls_KeyWithoutCert_Error()
    {
        var error = Assert.Single(Load("web:\n  listen: \"127.0.0.1:8080\"\n  tls: { keyFile: /etc/hostname }").Errors);
        Assert.Contains("certFile", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Web_Misspelled_SuggestsTheKey()
    {
        var error = Assert.Single(Load("web:\n  lisen: \"127.0.0.1:8080\"").Errors);
        Assert.Contains("did you mean 'listen'", error.Message, StringComparison.Ordinal);
    }
}
