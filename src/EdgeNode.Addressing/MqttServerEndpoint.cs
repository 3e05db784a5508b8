using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace EdgeNode.Addressing;

/// <summary>
/// One broker from the configuration's server list, parsed from a URL: <c>mqtt://host[:1883]</c>,
/// <c>mqtts://host[:8883]</c>, with <c>tcp://</c> as an alias of mqtt and <c>ssl://</c>/<c>tls://</c> of mqtts; IPv6
/// literals in brackets (<c>mqtt://[::1]:1883</c>). The configuration judges <c>mqtt.servers</c> with it and the MQTT
/// client connects to what it parsed, so a URL the validator accepts is one the client reaches, and a refusal reads the
/// same from <c>edgenode validate</c>, the node and <c>edgenode monitor</c>.
/// </summary>
/// <param name="Host">Host name or IP address (IPv6 without brackets).</param>
/// <param name="Port">TCP port.</param>
/// <param name="UseTls">True for mqtts/ssl/tls.</param>
public sealed record MqttServerEndpoint(string Host, int Port, bool UseTls)
{
    /// <summary>Default plain MQTT port.</summary>
    public const int DefaultPort = 1883;

    /// <summary>Default MQTT over TLS port.</summary>
    public const int DefaultTlsPort = 8883;

    /// <summary>Parses a server URL; <paramref name="error"/> says what is wrong in words a config file editor understands.</summary>
    public static bool TryParse(string? url, [NotNullWhen(true)] out MqttServerEndpoint? endpoint, [NotNullWhen(false)] out string? error)
    {
        endpoint = null;
        error = Parse(url?.Trim(), out endpoint);
        return error is null;
    }

    /// <summary>Parses a server URL or throws <see cref="FormatException"/>.</summary>
    public static MqttServerEndpoint Parse(string url) =>
        TryParse(url, out var endpoint, out var error) ? endpoint : throw new FormatException(error);

    private static string? Parse(string? url, out MqttServerEndpoint? endpoint)
    {
        endpoint = null;
        if (string.IsNullOrEmpty(url))
        {
            return "server URL is empty; use mqtt://host[:port] or mqtts://host[:port]";
        }

        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            return $"server URL '{url}' has no scheme; use mqtt://host[:port] or mqtts://host[:port]";
        }

        var scheme = url[..schemeEnd].ToLowerInvariant();
        bool tls;
        switch (scheme)
        {
            case "mqtt" or "tcp":
                tls = false;
                break;
            case "mqtts" or "ssl" or "tls":
                tls = true;
                break;
            case "ws" or "wss":
                return $"server URL '{url}': MQTT over WebSocket is not supported; use mqtt:// or mqtts://";
            default:
                return $"server URL '{url}': unknown scheme '{scheme}'; use mqtt:// (or tcp://) or mqtts:// (or ssl://, tls://)";
        }

        var rest = url[(schemeEnd + 3)..];
        var authorityEnd = rest.IndexOfAny(['/', '?', '#']);
        var authority = authorityEnd < 0 ? rest : rest[..authorityEnd];
        if (authorityEnd >= 0 && rest[authorityEnd..] != "/")
        {
            return $"server URL '{url}': a path, query or fragment is not allowed (only scheme://host:port)";
        }

        if (authority.Contains('@', StringComparison.Ordinal))
        {
            return $"server URL '{url}': credentials in the URL are not supported; set username and password instead";
        }

        string host;
        string? portText = null;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return $"server URL '{url}': missing ']' after the IPv6 address";
            }

            host = authority[1..close];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return $"server URL '{url}': '{host}' is not an IPv6 address";
            }

            var after = authority[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':')
                {
                    return $"server URL '{url}': unexpected '{after}' after the IPv6 address";
                }

                portText = after[1..];
            }
        }
        else
        {
            var colon = authority.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0 && authority.IndexOf(':', colon + 1) >= 0)
            {
                return $"server URL '{url}': an IPv6 address must be in brackets, e.g. {scheme}://[::1]:{(tls ? DefaultTlsPort : DefaultPort)}";
            }

            host = colon < 0 ? authority : authority[..colon];
            portText = colon < 0 ? null : authority[(colon + 1)..];
            if (host.Length == 0)
            {
                return $"server URL '{url}': the host is missing";
            }

            if (Uri.CheckHostName(host) is not (UriHostNameType.Dns or UriHostNameType.IPv4))
            {
                return $"server URL '{url}': '{host}' is not a valid host name or IPv4 address";
            }
        }

        var port = tls ? DefaultTlsPort : DefaultPort;
        if (portText is not null)
        {
            if (portText.Length == 0)
            {
                return $"server URL '{url}': the port is missing after ':'";
            }

            if (!portText.All(char.IsAsciiDigit) ||
                !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                return $"server URL '{url}': port '{portText}' is not a number from 1 to 65535";
            }
        }

        endpoint = new MqttServerEndpoint(host, port, tls);
        return null;
    }

    /// <summary>The canonical URL (mqtt:// or mqtts://, explicit port, IPv6 in brackets).</summary>
    public override string ToString() =>
        $"{(UseTls ? "mqtts" : "mqtt")}://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}";
}
