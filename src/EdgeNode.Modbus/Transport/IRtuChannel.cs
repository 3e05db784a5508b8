using System.Diagnostics;
using System.Net.Sockets;
using EdgeNode.Serial;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Modbus;

/// <summary>The byte pipe under an RTU bus: a serial port, or a TCP socket to a serial device server (RTU over TCP).</summary>
internal interface IRtuChannel : IDisposable
{
    string Name { get; }

    bool IsOpen { get; }

    /// <summary>Opens (or connects); failures throw <see cref="ModbusCommunicationException"/> with an operator-readable message.</summary>
    void Open();

    void Close();

    void Write(ReadOnlySpan<byte> data);

    /// <summary>Reads what has arrived, waiting until <paramref name="deadline"/> (Stopwatch ticks) for the first byte; 0 on timeout.</summary>
    int Read(Span<byte> buffer, long deadline);
}

/// <summary>RTU over a local serial port.</summary>
internal sealed class SerialRtuChannel(SerialPortSettings settings, ILogger logger) : IRtuChannel
{
    private SerialPort? _port;

    public string Name => settings.PortName;

    public bool IsOpen => _port is { IsOpen: true };

    public void Open()
    {
        try
        {
            _port = SerialPort.Open(settings, logger);
        }
        catch (SerialPortException ex)
        {
            throw new ModbusCommunicationException(ex.Message, ex);
        }
    }

    public void Close()
    {
        _port?.Dispose();
        _port = null;
    }

    public void Write(ReadOnlySpan<byte> data) => (_port ?? throw Closed()).Write(data);

    public int Read(Span<byte> buffer, long deadline) => (_port ?? throw Closed()).ReadUntil(buffer, deadline);

    public void Dispose() => Close();

    private ModbusCommunicationException Closed() => new($"serial port {settings.PortName} is not open");
}

/// <summary>
/// RTU frames over TCP (a serial device server in raw/transparent mode). Used from the bus thread, so it is
/// synchronous: Socket.Poll with bounded slices, then Receive.
/// </summary>
internal sealed class TcpRtuChannel(string host, int port, TimeSpan connectTimeout) : IRtuChannel
{
    private static readonly long s_sliceTicks = Stopwatch.Frequency / 10;
    private Socket? _socket;

    public string Name => $"{host}:{port}";

    public bool IsOpen => _socket is not null;

    public void Open()
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            using var cts = new CancellationTokenSource(connectTimeout);
            socket.ConnectAsync(host, port, cts.Token).AsTask().GetAwaiter().GetResult();
            _socket = socket;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            var reason = ex is OperationCanceledException ? $"no answer within {connectTimeout.TotalMilliseconds:0} ms" : ex.Message;
            throw new ModbusCommunicationException($"cannot connect to {host}:{port}: {reason}", ex);
        }
    }

    public void Close()
    {
        _socket?.Dispose();
        _socket = null;
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        var socket = _socket ?? throw new ModbusCommunicationException($"{Name} is not connected");
        try
        {
            while (!data.IsEmpty)
            {
                data = data[socket.Send(data)..];
            }
        }
        catch (SocketException ex)
        {
            throw new ModbusCommunicationException($"sending to {Name} failed: {ex.Message}", ex);
        }
    }

    public int Read(Span<byte> buffer, long deadline)
    {
        var socket = _socket ?? throw new ModbusCommunicationException($"{Name} is not connected");
        try
        {
            while (true)
            {
                if (socket.Available == 0)
                {
                    var remaining = deadline - Stopwatch.GetTimestamp();
                    if (remaining <= 0)
                    {
                        return 0;
                    }

                    // Bounded slices so that Dispose (which closes the socket) is noticed.
                    var micros = (int)(Math.Min(remaining, s_sliceTicks) * 1_000_000 / Stopwatch.Frequency);
                    if (!socket.Poll(micros, SelectMode.SelectRead))
                    {
                        continue;
                    }
                }

                var n = socket.Receive(buffer);
                if (n == 0)
                {
                    throw new ModbusCommunicationException($"{Name} closed the connection");
                }

                return n;
            }
        }
        catch (SocketException ex)
        {
            throw new ModbusCommunicationException($"receiving from {Name} failed: {ex.Message}", ex);
        }
        catch (ObjectDisposedException ex)
        {
            throw new ModbusCommunicationException($"{Name} was closed", ex);
        }
    }

    public void Dispose() => Close();
}
