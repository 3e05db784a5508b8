using System.Globalization;
using System.Net;
using EdgeNode.Configuration.Yaml;

namespace EdgeNode.Configuration.Loading;

/// <summary>The <c>web:</c> section (the node's web console).</summary>
internal sealed partial class ConfigReader
{
    internal static readonly string[] WebKeys = ["listen", "users", "tls"];
    internal static readonly string[] WebUserKeys = ["name", "passwordHash"];
    internal static readonly string[] WebTlsKeys = ["certFile", "keyFile"];

    // The main file's text when it is validated before being written (the console's editor); null: read the file.
    private string? _mainText;

    public static ConfigLoadResult LoadText(string path, string text)
    {
        var reader = new ConfigReader(path, Path.GetFullPath(path)) { _mainText = text };
        var config = reader.Read();
        var errors = reader._sink.Sorted();
        return new ConfigLoadResult(errors.Count == 0 ? config : null, errors);
    }

    private static YNode? ParseText(ConfigFile file, string text)
    {
        var problems = new List<YamlTreeReader.Problem>();
        var root = YamlTreeReader.Read(text, problems);
        foreach (var problem in problems)
        {
            file.Error(problem.Position, "", problem.Message);
        }

        if (problems.Count > 0)
        {
            return null;
        }

        if (root is null)
        {
            file.Error(new YPos(1, 1), "", "the file is empty");
        }

        return root;
    }

    private static WebSection? ReadWeb(MapView root)
    {
        var web = root.Sub("web", WebKeys);
        if (web is null)
        {
            return null;
        }

        var listenNode = web.Required("listen");
        string? host = null;
        var port = 0;
        var loopback = false;
        if (listenNode is not null && web.File.TryText(listenNode, web.At("listen"), out var listen))
        {
            if (!TryParseListen(listen.Trim(), out host, out port, out loopback, out var error))
            {
                web.File.Error(listenNode, web.At("listen"), error);
                host = null;
            }
        }

        var users = ReadWebUsers(web);
        var tls = ReadWebTls(web);
        if (host is not null && !loopback && (users.Count == 0 || tls is null) && !web.AnyMisspelled("users", "tls"))
        {
            var missing = users.Count == 0 && tls is null ? "web.users and web.tls" : users.Count == 0 ? "web.users" : "web.tls";
            web.File.Error(listenNode!, web.At("listen"),
                $"'{host}' is not a loopback address: a console reachable from the network needs {missing} " +
                "(or listen on 127.0.0.1 and reach it through an SSH tunnel)");
        }

        return host is null ? null : new WebSection { Host = host, Port = port, IsLoopback = loopback, Users = users, Tls = tls };
    }

    /// <summary><c>host:port</c>, <c>[v6]:port</c>; the host is an IP address or <c>localhost</c>.</summary>
    internal static bool TryParseListen(string text, out string host, out int port, out bool loopback, out string error)
    {
        host = "";
        port = 0;
        loopback = false;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            error = $"'{text}' is not host:port (e.g. \"127.0.0.1:8080\")";
            return false;
        }

        host = text[..colon];
        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            error = $"'{text[(colon + 1)..]}' is not a TCP port (1-65535)";
            return false;
        }

        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (string.Equals(bare, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            loopback = true;
            error = "";
            return true;
        }

        if (!IPAddress.TryParse(bare, out var address) || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && bare == host))
        {
            error = $"'{host}' is not an IP address or localhost (IPv6 in brackets: \"[::1]:8080\")";
            return false;
        }

        loopback = IPAddress.IsLoopback(address);
        error = "";
        return true;
    }

    private static List<WebUser> ReadWebUsers(MapView web)
    {
        var users = new List<WebUser>();
        if (web.List("users") is not { } list)
        {
            return users;
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < list.Items.Count; i++)
        {
            var at = $"{web.At("users")}[{i}]";
            var user = MapView.Open(web.File, list.Items[i], at, WebUserKeys);
            if (user is null)
            {
                continue;
            }

            var name = user.Name("name", required: true);
            var hash = user.Name("passwordHash", required: true);
            if (name is not null)
            {
                if (name.Contains(':', StringComparison.Ordinal) || name.Any(char.IsControl))
                {
                    web.File.Error(user.Node("name")!, user.At("name"), "a user name cannot contain ':' or control characters (HTTP Basic sign-in)");
                    name = null;
                }
                else if (seen.TryGetValue(name, out var line))
                {
                    web.File.Error(user.Node("name")!, user.At("name"), $"duplicate user '{name}' (first at line {line})");
                    name = null;
                }
                else
                {
                    seen[name] = user.Node("name")!.Start.Line;
                }
            }

            if (hash is not null && !PasswordHash.IsValid(hash, out var reason))
            {
                web.File.Error(user.Node("passwordHash")!, user.At("passwordHash"), reason);
                hash = null;
            }

            if (name is not null && hash is not null)
            {
                users.Add(new WebUser(name, hash));
            }
        }

        return users;
    }

    private static WebTlsSection? ReadWebTls(MapView web)
    {
        var tls = web.Sub("tls", WebTlsKeys);
        if (tls is null)
        {
            return null;
        }

        var cert = tls.Value("certFile") is null ? null : ReadableFile(tls, "certFile");
        var key = tls.Value("keyFile") is null ? null : ReadableFile(tls, "keyFile");
        if (tls.Value("certFile") is null)
        {
            tls.ReportMissing("certFile", "missing required key 'certFile' (PEM certificate of the console)");
        }

        if (tls.Value("keyFile") is null)
        {
            tls.ReportMissing("keyFile", "missing required key 'keyFile' (PEM private key of the certificate)");
        }

        return cert is not null && key is not null ? new WebTlsSection(cert, key) : null;
    }
}
