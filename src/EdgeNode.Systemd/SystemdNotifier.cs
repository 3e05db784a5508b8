using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Systemd;

/// <summary>
/// sd_notify(3) written in-house: one unconnected Unix datagram socket, each notification one <c>sendto()</c> to
/// <c>$NOTIFY_SOCKET</c> (a path, or <c>@name</c> for an abstract socket). Thread-safe; never throws for I/O faults.
/// </summary>
public sealed class SystemdNotifier : ISystemdNotifier, IDisposable
{
    /// <summary>The environment variable systemd sets for <c>Type=notify</c> services (systemd.exec(5)).</summary>
    public const string NotifySocketVariable = "NOTIFY_SOCKET";

    // The status is a single line in systemctl status; a runaway string must not become a huge datagram.
    private const int MaxStatusLength = 1024;

    private static readonly TimeSpan s_sendTimeout = TimeSpan.FromSeconds(2);

    private readonly UnixDomainSocketEndPoint? _endPoint;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private Socket? _socket;
    private bool _failureLogged;
    private bool _disposed;

    /// <summary>A notifier for <c>$NOTIFY_SOCKET</c> (read once, here); a no-op when it is unset.</summary>
    public SystemdNotifier(ILogger<SystemdNotifier>? logger = null)
        : this(Environment.GetEnvironmentVariable(NotifySocketVariable), logger)
    {
    }

    /// <summary>
    /// A notifier for an explicit socket: an absolute path, or <c>@name</c> for a Linux abstract socket; null or empty
    /// makes a no-op notifier. For tests and for callers that obtained the address otherwise.
    /// </summary>
    public SystemdNotifier(string? socketPath, ILogger? logger = null)
    {
        _logger = logger ?? NullLogger.Instance;
        SocketPath = string.IsNullOrEmpty(socketPath) ? null : socketPath;
        if (SocketPath is null)
        {
            return;
        }

        if (SocketPath[0] is '/' or '@')
        {
            // sd_notify(3): "If the first character of $NOTIFY_SOCKET is "@", the string is understood as Linux abstract
            // namespace socket"; on the wire the name starts with a NUL byte, which is how .NET spells abstract.
            _endPoint = new UnixDomainSocketEndPoint(SocketPath[0] == '@' ? "\0" + SocketPath[1..] : SocketPath);
        }
        else
        {
            // systemd ≥ 254 may hand out "vsock:CID:PORT" (VM guests); a gateway's systemd never does.
            Log.NotifySocketUnsupported(_logger, SocketPath);
        }
    }

    /// <summary>The socket address as given (<c>@</c> for abstract sockets), or null.</summary>
    public string? SocketPath { get; }

    /// <inheritdoc />
    public bool IsEnabled => _endPoint is not null;

    /// <inheritdoc />
    public bool Ready() => Notify("READY=1");

    /// <inheritdoc />
    public bool Stopping() => Notify("STOPPING=1");

    /// <inheritdoc />
    public bool Watchdog() => Notify("WATCHDOG=1");

    /// <inheritdoc />
    public bool Status(string status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return Notify("STATUS=" + OneLine(status));
    }

    /// <inheritdoc />
    public bool ExtendTimeout(TimeSpan extension)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(extension, TimeSpan.Zero);
        var usec = (ulong)(extension.Ticks / (TimeSpan.TicksPerMillisecond / 1000));
        return Notify("EXTEND_TIMEOUT_USEC=" + usec.ToString(CultureInfo.InvariantCulture));
    }

    /// <inheritdoc />
    public bool Notify(string state)
    {
        ArgumentException.ThrowIfNullOrEmpty(state);
        if (_endPoint is null)
        {
            return false;
        }

        var bytes = Encoding.UTF8.GetBytes(state);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                // Unconnected: each sendto() resolves the address again, so a re-executed systemd (daemon-reexec
                // re-creates the socket) is reached without reconnecting.
                _socket ??= new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified)
                {
                    // A Unix datagram send blocks while the receiver's queue is full (net.unix.max_dgram_qlen: 10 by
                    // default, 512 with systemd's sysctl.d); a busy systemd drains it quickly, so wait — but bounded,
                    // so a wedged manager cannot stall the caller's loop for long.
                    SendTimeout = (int)s_sendTimeout.TotalMilliseconds,
                };
                _socket.SendTo(bytes, SocketFlags.None, _endPoint);
                Log.Notified(_logger, state);
                return true;
            }
            catch (SocketException ex)
            {
                _socket?.Dispose();
                _socket = null;
                if (_failureLogged)
                {
                    Log.NotifyFailedAgain(_logger, FirstLine(state), SocketPath!, ex.SocketErrorCode);
                }
                else
                {
                    _failureLogged = true;
                    Log.NotifyFailed(_logger, FirstLine(state), SocketPath!, ex.SocketErrorCode, ex.Message);
                }

                return false;
            }
        }
    }

    /// <summary>Closes the socket; later notifications throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _socket?.Dispose();
            _socket = null;
        }
    }

    /// <summary>STATUS= is one line: newlines end the assignment in the datagram (sd_notify(3)).</summary>
    internal static string OneLine(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, MaxStatusLength));
        var lastWasSpace = false;
        foreach (var c in text)
        {
            if (builder.Length >= MaxStatusLength)
            {
                break;
            }

            var space = c is '\n' or '\r' or '\t' || char.IsControl(c);
            if (space)
            {
                if (!lastWasSpace && builder.Length > 0)
                {
                    builder.Append(' ');
                }

                lastWasSpace = true;
                continue;
            }

            builder.Append(c);
            lastWasSpace = false;
        }

        return builder.ToString().TrimEnd();
    }

    private static string FirstLine(string state)
    {
        var newline = state.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? state : state[..newline];
    }
}
