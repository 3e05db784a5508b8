namespace EdgeNode.Configuration;

/// <summary>The <c>web:</c> section: the node's web console (absent: no console).</summary>
public sealed record WebSection
{
    /// <summary>The host part of <c>listen</c> as written (an IP address or <c>localhost</c>).</summary>
    public required string Host { get; init; }

    /// <summary>The TCP port of <c>listen</c>.</summary>
    public required int Port { get; init; }

    /// <summary>True when <see cref="Host"/> is a loopback address (reachable only from the gateway itself or an SSH tunnel).</summary>
    public bool IsLoopback { get; init; }

    /// <summary>Users who may sign in; none: the console is read-only.</summary>
    public IReadOnlyList<WebUser> Users { get; init; } = [];

    /// <summary>HTTPS with this PEM certificate and key (null: plain HTTP).</summary>
    public WebTlsSection? Tls { get; init; }
}

/// <summary>One console user: a name and a hash made by <c>edgenode passwd</c> (<see cref="PasswordHash"/>).</summary>
public sealed record WebUser(string Name, string PasswordHash);

/// <summary>The <c>web.tls:</c> section; paths are resolved against the configuration file's folder.</summary>
public sealed record WebTlsSection(string CertFile, string KeyFile);
