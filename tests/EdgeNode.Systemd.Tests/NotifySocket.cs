using System.Net.Sockets;
using System.Text;

namespace EdgeNode.Systemd.Tests;

/// <summary>
/// The service manager's side of sd_notify for tests: a Unix datagram socket bound to a temp path or to an abstract
/// name, as systemd binds /run/systemd/notify.
/// </summary>
internal sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket;
    private readonly string? _directory;

    private NotifySocket(Socket socket, string address, string? directory)
    {
        _socket = socket;
        Address = address;
        _directory = directory;
    }

    /// <summary>The value for $NOTIFY_SOCKET (a path, or @name).</summary>
    public string Address { get; }

    public static NotifySocket BindPath()
    {
        var directory = Directory.CreateTempSubdirectory("edgenode-notify-").FullName;
        var path = Path.Combine(directory, "notify");
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        return new NotifySocket(socket, path, directory);
    }

    public static NotifySocket BindAbstract()
    {
        var name = $"edgenode-test-{Environment.ProcessId}-{Guid.NewGuid():N}";
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint("\0" + name));
        return new NotifySocket(socket, "@" + name, null);
    }

    /// <summary>The next datagram, waiting up to 30 s (generous: the machine may be loaded).</summary>
    public async Task<string> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        var buffer = new byte[4096];
        var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    /// <summary>Whether a datagram arrives within <paramref name="wait"/> (for asserting that none was sent).</summary>
    public async Task<string?> TryReceiveAsync(TimeSpan wait)
    {
        try
        {
            return await ReceiveAsync(wait);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Everything queued right now, without waiting.</summary>
    public List<string> Drain()
    {
        var all = new List<string>();
        var buffer = new byte[4096];
        while (_socket.Available > 0)
        {
            var n = _socket.Receive(buffer);
            all.Add(Encoding.UTF8.GetString(buffer, 0, n));
        }

        return all;
    }

    public void Dispose()
    {
        _socket.Dispose();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
