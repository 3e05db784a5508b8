using System.Globalization;
using System.Text;
using Xunit;

namespace EdgeNode.Testing;

/// <summary>How a <see cref="MosquittoBroker"/> is configured. Every listener binds 127.0.0.1 on a free port.</summary>
public sealed class MosquittoOptions
{
    /// <summary>Anonymous clients on the plain (and TLS) listener.</summary>
    public bool AllowAnonymous { get; init; } = true;

    /// <summary>Adds a TLS listener (<see cref="MosquittoBroker.TlsPort"/>) with the shared test PKI.</summary>
    public bool Tls { get; init; }

    /// <summary>The TLS listener demands a client certificate signed by the test CA.</summary>
    public bool RequireClientCertificate { get; init; }

    /// <summary>Adds a listener that requires these user names and passwords (<see cref="MosquittoBroker.AuthPort"/>).</summary>
    public IReadOnlyDictionary<string, string>? Users { get; init; }

    /// <summary>The TLS listener also requires one of <see cref="Users"/> (a client certificate and a password).</summary>
    public bool TlsRequiresPassword { get; init; }

    /// <summary>
    /// ACL file content for the plain listener (mosquitto's acl_file syntax; lines before any <c>user</c> line apply to
    /// anonymous clients), e.g. <c>"topic readwrite allowed/#"</c>. Null = everything allowed.
    /// </summary>
    public string? AclRules { get; init; }

    /// <summary>mosquitto's max_queued_messages (default 1000; 0 = unlimited).</summary>
    public int? MaxQueuedMessages { get; init; }

    /// <summary>mosquitto's max_inflight_messages (server-to-client window; also its v5 Receive Maximum).</summary>
    public int? MaxInflightMessages { get; init; }

    /// <summary>mosquitto's max_packet_size.</summary>
    public int? MaxPacketSize { get; init; }

    /// <summary>Log every packet (log_type all) — verbose; for debugging a test.</summary>
    public bool LogAll { get; init; }

    /// <summary>Only errors and warnings in the log (for benchmarks).</summary>
    public bool Quiet { get; init; }

    /// <summary>More global configuration lines, appended before the listeners.</summary>
    public string? ExtraConfig { get; init; }
}

/// <summary>
/// A real Mosquitto broker (Debian's /usr/sbin/mosquitto) for a test class: generated config on free loopback ports —
/// a plain listener, optionally a TLS listener (test CA made with openssl) and a password-protected listener — with
/// Start, Stop (SIGKILL), Restart on the SAME ports, Freeze (SIGSTOP) and Thaw. Runs as root here, so the config
/// says <c>user root</c> (mosquitto would otherwise drop to user mosquitto and lose access to the generated files).
/// Cheap enough to start per test class (<see cref="MosquittoFixture"/>).
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _configFile;
    private readonly StringBuilder _previousLogs = new();
    private ExternalProcess? _process;

    private MosquittoBroker(MosquittoOptions options, string directory)
    {
        Options = options;
        _directory = directory;
        _configFile = Path.Combine(directory, "mosquitto.conf");
        Port = FreePort.Next();
        TlsPort = options.Tls ? FreePort.Next() : null;
        AuthPort = options.Users is not null ? FreePort.Next() : null;
    }

    /// <summary>Path of the broker binary.</summary>
    public static string Executable => Peers.RequireDebian("/usr/sbin/mosquitto", "mosquitto");

    /// <summary>The configuration used.</summary>
    public MosquittoOptions Options { get; }

    /// <summary>Always 127.0.0.1.</summary>
    public string Host => "127.0.0.1";

    /// <summary>The plain listener's port.</summary>
    public int Port { get; }

    /// <summary>The TLS listener's port (when <see cref="MosquittoOptions.Tls"/>).</summary>
    public int? TlsPort { get; }

    /// <summary>The password listener's port (when <see cref="MosquittoOptions.Users"/>).</summary>
    public int? AuthPort { get; }

    /// <summary><c>mqtt://127.0.0.1:port</c> of the plain listener.</summary>
    public string Url => $"mqtt://127.0.0.1:{Port}";

    /// <summary><c>mqtts://127.0.0.1:port</c> of the TLS listener.</summary>
    public string TlsUrl => $"mqtts://127.0.0.1:{TlsPort ?? throw new InvalidOperationException("no TLS listener configured")}";

    /// <summary><c>mqtt://127.0.0.1:port</c> of the password listener.</summary>
    public string AuthUrl => $"mqtt://127.0.0.1:{AuthPort ?? throw new InvalidOperationException("no password listener configured")}";

    /// <summary>The PKI behind the TLS listener.</summary>
    public MosquittoCertificates Certificates => MosquittoCertificates.Shared;

    /// <summary>True while the broker process runs (frozen counts as running).</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Process id of the running broker.</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("not running");

    /// <summary>The broker's log so far (all runs).</summary>
    public string Log => _previousLogs + (_process?.Output ?? "");

    /// <summary>Writes the configuration and starts a broker; retries on other ports if one was taken meanwhile.</summary>
    public static async Task<MosquittoBroker> StartAsync(MosquittoOptions? options = null)
    {
        options ??= new MosquittoOptions();
        for (var attempt = 1; ; attempt++)
        {
            var directory = Path.Combine(Path.GetTempPath(), $"edgenode-mosquitto-{Guid.NewGuid():N}");
            Directory.CreateDirectory(directory);
            var broker = new MosquittoBroker(options, directory);
            try
            {
                broker.WriteConfig();
                await broker.StartAsync().ConfigureAwait(false);
                return broker;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // a port went to someone else between FreePort and bind; pick new ones
                await broker.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Starts the broker (again) on the same ports and waits until every listener accepts connections.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("mosquitto is already running");
        }

        if (_process is not null)
        {
            _previousLogs.AppendLine(_process.Output);
            await _process.DisposeAsync().ConfigureAwait(false);
        }

        var process = ExternalProcess.Start(Executable, ["-c", _configFile], _directory);
        _process = process;
        try
        {
            foreach (var port in new[] { Port, TlsPort, AuthPort }.OfType<int>())
            {
                await FreePort.WaitListeningAsync(port, TimeSpan.FromSeconds(20), () => !process.HasExited).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            var output = process.Output;
            await process.DisposeAsync().ConfigureAwait(false);
            _process = null;
            throw new InvalidOperationException($"mosquitto did not start:\n{output}", ex);
        }
    }

    /// <summary>Kills the broker (SIGKILL): connections drop without DISCONNECT, as on a crash or power loss.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            process.Kill();
            await process.WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
    }

    /// <summary>Stops gracefully (SIGTERM): mosquitto closes its connections and exits.</summary>
    public async Task TerminateAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Thaw();
            process.Signal(Signals.SIGTERM);
            await process.WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
    }

    /// <summary>Kill, then start on the same ports.</summary>
    public async Task RestartAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await StartAsync().ConfigureAwait(false);
    }

    /// <summary>SIGSTOP: sockets stay open but nothing is read or answered (a hung broker or a dead link).</summary>
    public void Freeze() => (_process ?? throw new InvalidOperationException("not running")).Freeze();

    /// <summary>SIGCONT after <see cref="Freeze"/>.</summary>
    public void Thaw() => _process?.Thaw();

    /// <summary>Waits until the current broker logged a line containing <paramref name="fragment"/>.</summary>
    public Task<string> WaitForLogAsync(string fragment, TimeSpan timeout) =>
        (_process ?? throw new InvalidOperationException("not running")).WaitForLineAsync(fragment, timeout);

    /// <summary>Kills the broker and deletes its files.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync().ConfigureAwait(false);
            _process = null;
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }

    private void WriteConfig()
    {
        var o = Options;
        var config = new StringBuilder();
        config.AppendLine("# generated by EdgeNode.Testing.MosquittoBroker");
        config.AppendLine("per_listener_settings true");
        if (Environment.UserName == "root")
        {
            // Started as root, mosquitto drops privileges to user 'mosquitto' unless told otherwise, and then cannot
            // read our generated keys and password file; stay root (test brokers only listen on loopback).
            config.AppendLine("user root");
        }

        config.AppendLine("persistence false");
        config.AppendLine("log_dest stdout");
        if (o.LogAll)
        {
            config.AppendLine("log_type all");
        }
        else
        {
            config.AppendLine("log_type error");
            config.AppendLine("log_type warning");
            if (!o.Quiet)
            {
                config.AppendLine("log_type notice");
                config.AppendLine("log_type information");
            }
        }

        config.AppendLine(CultureInfo.InvariantCulture, $"connection_messages {(o.Quiet ? "false" : "true")}");
        if (o.MaxQueuedMessages is { } queued)
        {
            config.AppendLine(CultureInfo.InvariantCulture, $"max_queued_messages {queued}");
        }

        if (o.MaxInflightMessages is { } inflight)
        {
            config.AppendLine(CultureInfo.InvariantCulture, $"max_inflight_messages {inflight}");
        }

        if (o.MaxPacketSize is { } maxPacket)
        {
            config.AppendLine(CultureInfo.InvariantCulture, $"max_packet_size {maxPacket}");
        }

        if (o.ExtraConfig is not null)
        {
            config.AppendLine(o.ExtraConfig);
        }

        config.AppendLine(CultureInfo.InvariantCulture, $"listener {Port} 127.0.0.1");
        config.AppendLine(CultureInfo.InvariantCulture, $"allow_anonymous {(o.AllowAnonymous ? "true" : "false")}");
        if (o.AclRules is not null)
        {
            var aclFile = Path.Combine(_directory, "acl");
            File.WriteAllText(aclFile, o.AclRules + "\n");
            config.AppendLine(CultureInfo.InvariantCulture, $"acl_file {aclFile}");
        }

        var passwordFile = Path.Combine(_directory, "passwd");
        if (TlsPort is { } tlsPort)
        {
            var pki = Certificates;
            config.AppendLine(CultureInfo.InvariantCulture, $"listener {tlsPort} 127.0.0.1");
            config.AppendLine(CultureInfo.InvariantCulture, $"allow_anonymous {(o.AllowAnonymous && !o.TlsRequiresPassword ? "true" : "false")}");
            if (o.TlsRequiresPassword)
            {
                config.AppendLine(CultureInfo.InvariantCulture, $"password_file {passwordFile}");
            }

            config.AppendLine(CultureInfo.InvariantCulture, $"cafile {pki.CaFile}");
            config.AppendLine(CultureInfo.InvariantCulture, $"certfile {pki.ServerCertFile}");
            config.AppendLine(CultureInfo.InvariantCulture, $"keyfile {pki.ServerKeyFile}");
            config.AppendLine(CultureInfo.InvariantCulture, $"require_certificate {(o.RequireClientCertificate ? "true" : "false")}");
        }

        if (AuthPort is { } authPort)
        {
            var passwd = Peers.RequireDebian("mosquitto_passwd", "mosquitto");
            var first = true;
            foreach (var (user, password) in o.Users!)
            {
                Peers.Run(passwd, first ? ["-c", "-b", passwordFile, user, password] : ["-b", passwordFile, user, password],
                    TimeSpan.FromSeconds(30));
                first = false;
            }

            if (first)
            {
                File.WriteAllText(passwordFile, "");
            }

            config.AppendLine(CultureInfo.InvariantCulture, $"listener {authPort} 127.0.0.1");
            config.AppendLine("allow_anonymous false");
            config.AppendLine(CultureInfo.InvariantCulture, $"password_file {passwordFile}");
        }

        File.WriteAllText(_configFile, config.ToString());
    }
}

/// <summary>
/// xunit class fixture owning one <see cref="MosquittoBroker"/> per test class
/// (<c>IClassFixture&lt;MosquittoFixture&gt;</c>). Derive and override <see cref="CreateOptions"/> for TLS, users or limits.
/// </summary>
public class MosquittoFixture : IAsyncLifetime
{
    private MosquittoBroker? _broker;

    /// <summary>The broker (started by xunit before the first test of the class).</summary>
    public MosquittoBroker Broker => _broker ?? throw new InvalidOperationException("the fixture is not initialised");

    /// <summary>Options of the broker; override in a derived fixture.</summary>
    protected virtual MosquittoOptions CreateOptions() => new();

    /// <inheritdoc />
    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync(CreateOptions()).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Makes sure the broker runs and is not frozen (after a test stopped or froze it).</summary>
    public async Task EnsureRunningAsync()
    {
        Broker.Thaw();
        if (!Broker.IsRunning)
        {
            await Broker.StartAsync().ConfigureAwait(false);
        }
    }
}
