using System.Security.Authentication;
using EdgeNode.Addressing;

namespace EdgeNode.Mqtt;

/// <summary>Everything one <see cref="MqttClient"/> connection needs. Checked by <see cref="MqttClientOptionsValidator"/>.</summary>
public sealed class MqttClientOptions
{
    /// <summary>Default <see cref="MaxPacketSize"/>: 1 MiB, ample for Sparkplug commands and STATE messages.</summary>
    public const int DefaultMaxPacketSize = 1024 * 1024;

    /// <summary>Largest packet MQTT can frame: 1 type byte + 4 length bytes + 268,435,455.</summary>
    public const int ProtocolMaxPacketSize = 268_435_460;

    /// <summary>Broker host name or IP address (IPv6 with or without brackets).</summary>
    public string Host { get; set; } = "";

    /// <summary>Broker TCP port (1883 plain, 8883 TLS by convention).</summary>
    public int Port { get; set; } = 1883;

    /// <summary>Wrap the connection in TLS (<see cref="Tls"/> holds the details).</summary>
    public bool UseTls { get; set; }

    /// <summary>TLS settings, used when <see cref="UseTls"/> is true.</summary>
    public MqttTlsOptions Tls { get; set; } = new();

    /// <summary>Client identifier. Empty lets the server assign one (requires a clean session in 3.1.1).</summary>
    public string ClientId { get; set; } = "";

    /// <summary>User name, or null for none.</summary>
    public string? Username { get; set; }

    /// <summary>Password, or null for none (3.1.1 requires a user name with it).</summary>
    public string? Password { get; set; }

    /// <summary>
    /// Keep-alive in seconds (0 disables it). The client pings when the link has been quiet for half of it and declares
    /// the connection dead when nothing arrived for a whole keep-alive (so within 1.5×). A 5.0 Server Keep Alive wins.
    /// </summary>
    public int KeepAliveSeconds { get; set; } = 30;

    /// <summary>Protocol version: 3.1.1 (Sparkplug's baseline) or 5.0.</summary>
    public MqttProtocolVersion ProtocolVersion { get; set; } = MqttProtocolVersion.V311;

    /// <summary>Clean Session (3.1.1) / Clean Start (5.0). Sparkplug requires true.</summary>
    public bool CleanSession { get; set; } = true;

    /// <summary>MQTT 5.0 Session Expiry Interval in seconds; Sparkplug requires 0 (session ends with the connection).</summary>
    public uint SessionExpiryInterval { get; set; }

    /// <summary>The Will (Sparkplug NDEATH), or null.</summary>
    public MqttWill? Will { get; set; }

    /// <summary>Limit for TCP connect + TLS handshake + CONNACK together.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Outgoing QoS 1/2 publishes awaiting their acknowledgement at once; further publishes wait (in call order). In
    /// 5.0 the server's Receive Maximum lowers it.
    /// </summary>
    public int MaxInflight { get; set; } = 100;

    /// <summary>
    /// Largest packet accepted from the server, in bytes; a larger one closes the connection as a protocol violation
    /// before it is buffered. Announced to 5.0 servers as Maximum Packet Size.
    /// </summary>
    public int MaxPacketSize { get; set; } = DefaultMaxPacketSize;

    /// <summary>MQTT 5.0 Receive Maximum announced to the server (unacknowledged QoS 1/2 publishes it may send us).</summary>
    public int ReceiveMaximum { get; set; } = ushort.MaxValue;

    /// <summary>
    /// Encoded bytes that may wait for the socket before publishes wait for the writer (back-pressure instead of
    /// unbounded memory when the link is slower than the producer).
    /// </summary>
    public int WriteBufferLimit { get; set; } = 1024 * 1024;

    /// <summary>Received messages queued for the handler before the reader stops reading (back-pressure to the broker).</summary>
    public int ReceiveQueueCapacity { get; set; } = 1024;

    /// <summary>MQTT 5.0 user properties sent in CONNECT.</summary>
    public IReadOnlyList<MqttUserProperty>? UserProperties { get; set; }

    /// <summary>Sets <see cref="Host"/>, <see cref="Port"/> and <see cref="UseTls"/> from a parsed server URL.</summary>
    public MqttClientOptions WithEndpoint(MqttServerEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Host = endpoint.Host;
        Port = endpoint.Port;
        UseTls = endpoint.UseTls;
        return this;
    }

    internal string EndpointText => $"{(Host.Contains(':', StringComparison.Ordinal) && !Host.StartsWith('[') ? $"[{Host}]" : Host)}:{Port}";
}

/// <summary>TLS settings of a connection (SslStream).</summary>
public sealed class MqttTlsOptions
{
    /// <summary>PEM file with the CA certificate(s) to trust; null = the system trust store.</summary>
    public string? CaFile { get; set; }

    /// <summary>PEM file with the client certificate (and optionally its chain and key) for mutual TLS.</summary>
    public string? CertFile { get; set; }

    /// <summary>PEM file with the client's private key (PKCS#8, PKCS#1 or SEC1); null = in <see cref="CertFile"/>.</summary>
    public string? KeyFile { get; set; }

    /// <summary>Password of an encrypted private key.</summary>
    public string? KeyPassword { get; set; }

    /// <summary>Name the server certificate must match (and SNI); null = the host being connected to.</summary>
    public string? ServerName { get; set; }

    /// <summary>Allowed protocol versions (TLS 1.2 and 1.3 by default).</summary>
    public SslProtocols Protocols { get; set; } = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>Check certificate revocation online (off by default: field networks rarely reach CRL/OCSP servers).</summary>
    public bool CheckCertificateRevocation { get; set; }
}
