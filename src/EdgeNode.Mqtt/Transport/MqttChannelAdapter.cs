using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeNode.Mqtt.Transport;

/// <summary>
/// The one place that touches the network: TCP connect (DNS, IPv4/IPv6), the TLS handshake (custom CA, client
/// certificate from PEM, server name check, TLS 1.2/1.3), a <see cref="PipeReader"/> over the stream for the reader
/// loop, raw writes for the writer loop, and the graceful half-close. Every failure leaves as
/// <see cref="MqttCommunicationException"/> (<see cref="Wrap"/>), the single wrapping boundary.
/// </summary>
internal sealed class MqttChannelAdapter : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly SslStream? _ssl;
    private int _disposed;

    private MqttChannelAdapter(Socket socket, Stream stream, SslStream? ssl, string endpoint)
    {
        _socket = socket;
        _stream = stream;
        _ssl = ssl;
        Endpoint = endpoint;
        Reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 2048, leaveOpen: true));
    }

    public PipeReader Reader { get; }

    /// <summary>host:port (and "tls") for log lines.</summary>
    public string Endpoint { get; }

    /// <summary>True when bytes wait in the socket that the reader has not taken yet (the link is alive).</summary>
    public bool HasUnreadInput
    {
        get
        {
            try
            {
                return _socket.Available > 0;
            }
            catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
            {
                return false;
            }
        }
    }

    /// <summary>Negotiated TLS protocol, or null on plain TCP.</summary>
    public SslProtocols? TlsProtocol => _ssl?.SslProtocol;

    public static async Task<MqttChannelAdapter> ConnectAsync(MqttClientOptions options, CancellationToken cancellationToken)
    {
        var endpointText = $"{FormatHost(options.Host)}:{options.Port}{(options.UseTls ? " (tls)" : "")}";
        Socket? socket = null;
        Stream? stream = null;
        try
        {
            socket = await ConnectSocketAsync(options.Host.Trim('[', ']'), options.Port, cancellationToken).ConfigureAwait(false);
            socket.NoDelay = true; // small control packets (PINGREQ, PUBACK) must not wait for Nagle
            stream = new NetworkStream(socket, ownsSocket: true);
            SslStream? ssl = null;
            if (options.UseTls)
            {
                ssl = await AuthenticateAsync(stream, options, cancellationToken).ConfigureAwait(false);
                stream = ssl;
            }

            return new MqttChannelAdapter(socket, stream, ssl, endpointText);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ex is not MqttCommunicationException)
        {
            await CloseAsync(stream, socket).ConfigureAwait(false);
            throw Wrap(ex, $"cannot connect to {endpointText}");
        }
        catch
        {
            await CloseAsync(stream, socket).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Resolves the host and tries its addresses in the resolver's order, each with a socket of its own family (no
    /// dual-mode socket: gateways with IPv6 disabled cannot create one). The last failure is reported.
    /// </summary>
    private static async Task<Socket> ConnectSocketAsync(string host, int port, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    }

    private static async ValueTask CloseAsync(Stream? stream, Socket? socket)
    {
        if (stream is not null)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }

        socket?.Dispose();
    }

    private static async Task<SslStream> AuthenticateAsync(Stream inner, MqttClientOptions options, CancellationToken cancellationToken)
    {
        var tls = options.Tls;
        var validation = "";
        var sslOptions = new SslClientAuthenticationOptions
        {
            TargetHost = string.IsNullOrEmpty(tls.ServerName) ? options.Host.Trim('[', ']') : tls.ServerName,
            EnabledSslProtocols = tls.Protocols,
            CertificateRevocationCheckMode = tls.CheckCertificateRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck,
            // Keeps the default rule (accept only SslPolicyErrors.None) but remembers why a certificate was refused so
            // the log says "name mismatch" or "untrusted root" instead of a bare handshake failure.
            RemoteCertificateValidationCallback = (_, _, chain, errors) =>
            {
                if (errors == SslPolicyErrors.None)
                {
                    return true;
                }

                var status = chain?.ChainStatus.Select(s => s.Status.ToString()).Distinct() ?? [];
                validation = $"server certificate refused: {errors} ({string.Join(", ", status)})";
                return false;
            },
        };

        try
        {
            if (!string.IsNullOrEmpty(tls.CaFile))
            {
                var roots = new X509Certificate2Collection();
                roots.ImportFromPemFile(tls.CaFile);
                if (roots.Count == 0)
                {
                    throw new MqttCommunicationException($"TLS: no certificate in CA file {tls.CaFile}");
                }

                // Trust exactly the configured CA(s), not the system store: a broker with a private CA is the norm.
                var policy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    RevocationMode = sslOptions.CertificateRevocationCheckMode,
                };
                policy.CustomTrustStore.AddRange(roots);
                sslOptions.CertificateChainPolicy = policy;
            }

            if (!string.IsNullOrEmpty(tls.CertFile))
            {
                var keyFile = string.IsNullOrEmpty(tls.KeyFile) ? tls.CertFile : tls.KeyFile;
                var certificate = string.IsNullOrEmpty(tls.KeyPassword)
                    ? X509Certificate2.CreateFromPemFile(tls.CertFile, keyFile)
                    : X509Certificate2.CreateFromEncryptedPemFile(tls.CertFile, tls.KeyPassword, keyFile);
                var chain = new X509Certificate2Collection();
                chain.ImportFromPemFile(tls.CertFile);
                var intermediates = new X509Certificate2Collection();
                foreach (var c in chain)
                {
                    if (c.Thumbprint != certificate.Thumbprint)
                    {
                        intermediates.Add(c);
                    }
                }

                sslOptions.ClientCertificateContext = SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
            }
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new MqttCommunicationException($"TLS: cannot load certificates ({ex.Message})", ex);
        }

        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(sslOptions, cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch (AuthenticationException ex)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new MqttCommunicationException(
                $"TLS handshake with {sslOptions.TargetHost} failed: {(validation.Length > 0 ? validation : ex.Message)}", ex);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Writes one batch of encoded packets.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            await _stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            if (_ssl is not null)
            {
                await _ssl.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw Wrap(ex, $"write to {Endpoint} failed");
        }
    }

    /// <summary>
    /// Half-closes after the final DISCONNECT so the broker reads it before it sees the end of the stream (closing with
    /// unread input would send RST and could discard the DISCONNECT). TLS first sends close_notify.
    /// </summary>
    public async ValueTask ShutdownSendAsync()
    {
        try
        {
            if (_ssl is not null)
            {
                await _ssl.ShutdownAsync().ConfigureAwait(false);
            }

            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The connection is going away anyway; the caller closes it next.
        }
    }

    /// <summary>Wraps a transport failure once, at this boundary (style.md §9).</summary>
    public static MqttCommunicationException Wrap(Exception ex, string context) => ex switch
    {
        MqttCommunicationException communication => communication,
        SocketException socket => new MqttCommunicationException($"{context}: {socket.SocketErrorCode} ({socket.Message})", socket),
        IOException { InnerException: SocketException socket } io => new MqttCommunicationException(
            $"{context}: {socket.SocketErrorCode} ({socket.Message})", io),
        _ => new MqttCommunicationException($"{context}: {ex.Message}", ex),
    };

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await Reader.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // reader already faulted with the connection
        }

        try
        {
            // Abortive close is fine here: graceful shutdown, when wanted, happened in ShutdownSendAsync.
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
            // closing a broken TLS stream may fail to send close_notify
        }

        _socket.Dispose();
    }

    /// <summary>Closes the socket at once, making pending reads and writes fail (used by the break path).</summary>
    public void Abort()
    {
        try
        {
            _socket.Close(0);
        }
        catch (ObjectDisposedException)
        {
            // already closed
        }
    }

    private static string FormatHost(string host) => host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
}
