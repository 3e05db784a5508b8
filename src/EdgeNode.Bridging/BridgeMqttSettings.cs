namespace EdgeNode.Bridging;

/// <summary>The bridge's MQTT connection (the <c>mqtt:</c> section of its file).</summary>
public sealed class BridgeMqttSettings
{
    /// <summary>Broker URLs, tried in order.</summary>
    public required IReadOnlyList<string> Servers { get; init; }

    /// <summary>Fixed client id: the persistent session is found again by it.</summary>
    public string ClientId { get; init; } = "edgenode-bridge";

    /// <summary>User name, if any.</summary>
    public string? Username { get; init; }

    /// <summary>Password, if any.</summary>
    public string? Password { get; init; }

    /// <summary>Keep-alive in seconds.</summary>
    public int KeepAliveSeconds { get; init; } = 30;

    /// <summary>MQTT 5.0 instead of 3.1.1.</summary>
    public bool UseMqtt5 { get; init; }

    /// <summary>Reconnect back-off cap.</summary>
    public int ReconnectMaxMs { get; init; } = 5000;

    /// <summary>Connect timeout.</summary>
    public int ConnectTimeoutMs { get; init; } = 10_000;

    /// <summary>PEM CA file for mqtts://.</summary>
    public string? CaFile { get; init; }

    /// <summary>PEM client certificate.</summary>
    public string? CertFile { get; init; }

    /// <summary>PEM client key.</summary>
    public string? KeyFile { get; init; }

    /// <summary>Name expected in the broker's certificate.</summary>
    public string? ServerName { get; init; }
}
