using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Modbus;

/// <summary>
/// Modbus TCP: one connection per host:port shared by every unit behind it, MBAP transaction ids matching responses
/// to requests so that up to <see cref="ModbusLinkSettings.MaxInFlight"/> requests can be outstanding. A reader loop
/// (PipeReader over the socket) dispatches responses; a per-transaction timer times them out; a late response with a
/// stale id is dropped. A failed or silent connection is dropped and re-made on the next request, with an
/// exponential delay between failed connection attempts. A connection that ends before it delivered one well-framed
/// Modbus response (a peer that is not Modbus and answers garbage, one that accepts and closes at once, one that never
/// answers) counts as a failed attempt too, so such a peer is reconnected at the back-off's pace, not on every request;
/// the count restarts at the first good response.
/// </summary>
internal sealed class TcpTransport : IModbusTransport
{
    // Consecutive timeouts with nothing received in between after which the connection is presumed dead (a device
    // whose TCP stack still accepts but whose Modbus task hung, a NAT that dropped the flow).
    private const int DeadConnectionTimeouts = 3;

    private readonly string _host;
    private readonly int _port;
    private readonly ModbusLinkSettings _settings;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _inFlight;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Lock _pendingLock = new();
    private readonly ModbusTransaction?[] _pending;
    private readonly Action<ModbusTransaction> _onTimeout;
    private Connection? _connection;
    private int _nextTransactionId;
    private long _reconnectNotBefore;
    // Consecutive failed attempts: connects that failed and connections that ended without a valid response.
    private int _connectFailures;
    private string? _lastError;
    private volatile bool _disposed;

    public TcpTransport(ModbusLinkSettings settings, ILogger logger)
    {
        _settings = settings;
        _host = settings.Host!;
        _port = settings.Port;
        _logger = logger;
        MaxInFlight = settings.MaxInFlight;
        _inFlight = new SemaphoreSlim(MaxInFlight, MaxInFlight);
        _pending = new ModbusTransaction?[MaxInFlight];
        _onTimeout = OnTimeout;
        Name = $"tcp {_host}:{_port}";
    }

    public string Name { get; }

    public bool IsSerialized => false;

    public int MaxInFlight { get; }

    private long _connections;

    public long Connections => Interlocked.Read(ref _connections);

    public long DiscardedBytes => 0;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ModbusStatus> SendAsync(ModbusTransaction tx)
    {
        var completion = tx.Start();
        await _inFlight.WaitAsync().ConfigureAwait(false);
        try
        {
            await SendCoreAsync(tx).ConfigureAwait(false);
            return await completion.ConfigureAwait(false);
        }
        finally
        {
            _inFlight.Release();
        }
    }

    private async ValueTask SendCoreAsync(ModbusTransaction tx)
    {
        if (tx.CancelRequested)
        {
            tx.TryCompleteCancelled();
            return;
        }

        if (tx.Health is { } health && health.IsBackedOff(Stopwatch.GetTimestamp()))
        {
            tx.TryComplete(ModbusStatus.UnitBackedOff, health.LastError);
            return;
        }

        if (_disposed)
        {
            tx.TryComplete(ModbusStatus.CommunicationError, $"{Name} is closed");
            return;
        }

        var connection = await EnsureConnectedAsync().ConfigureAwait(false);
        if (connection is null)
        {
            tx.TryComplete(ModbusStatus.CommunicationError, _lastError);
            return;
        }

        var transactionId = (ushort)Interlocked.Increment(ref _nextTransactionId);
        tx.TransactionId = transactionId;
        MbapFraming.WriteHeader(tx.Adu, transactionId, tx.UnitId, tx.RequestLength);
        tx.RequestPdu.CopyTo(tx.Adu.AsSpan(MbapFraming.HeaderLength));
        var length = MbapFraming.HeaderLength + tx.RequestLength;
        if (!tx.IsBroadcast)
        {
            AddPending(tx);
            tx.TimeoutHandler = _onTimeout;
            tx.StartTimer(tx.Timeout);
        }

        if (_logger.IsEnabled(LogLevel.Trace))
        {
            Log.Tx(_logger, Name, length, Convert.ToHexString(tx.Adu, 0, length));
        }

        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await connection.Socket.SendAsync(tx.Adu.AsMemory(0, length), SocketFlags.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
        {
            Break(connection, $"sending failed: {ex.Message}");
            tx.TryComplete(ModbusStatus.CommunicationError, $"sending to {_host}:{_port} failed: {ex.Message}");
            return;
        }
        finally
        {
            _sendLock.Release();
        }

        if (tx.IsBroadcast)
        {
            // Unit 0 = broadcast: no response is expected (a device that answers anyway has its reply dropped as stale).
            tx.TryComplete(ModbusStatus.Ok);
        }
    }

    private async ValueTask<Connection?> EnsureConnectedAsync()
    {
        var connection = Volatile.Read(ref _connection);
        if (connection is not null)
        {
            return connection;
        }

        await _connectLock.WaitAsync().ConfigureAwait(false);
        try
        {
            connection = _connection;
            if (connection is not null)
            {
                return connection;
            }

            if (Stopwatch.GetTimestamp() < Volatile.Read(ref _reconnectNotBefore))
            {
                return null;
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
                using var cts = new CancellationTokenSource(_settings.ConnectTimeoutMs);
                await socket.ConnectAsync(_host, _port, cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                var reason = ex is OperationCanceledException
                    ? $"cannot connect to {_host}:{_port}: no answer within {_settings.ConnectTimeoutMs} ms"
                    : $"cannot connect to {_host}:{_port}: {ex.Message}";
                var delay = DelayNextAttempt();
                if (reason != _lastError)
                {
                    Log.LinkUnavailable(_logger, Name, reason, (long)delay.TotalMilliseconds);
                }

                _lastError = reason;
                return null;
            }

            // _connectFailures is not reset here: a peer that accepts but does not speak Modbus would reset it on
            // every attempt. The first valid response resets it (ReadLoopAsync).
            _lastError = null;
            connection = new Connection(socket);
            Interlocked.Increment(ref _connections);
            Volatile.Write(ref _connection, connection);
            Log.LinkReady(_logger, Name);
            _ = ReadLoopAsync(connection);
            return connection;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private async Task ReadLoopAsync(Connection connection)
    {
        var reader = connection.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(connection.Stop.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var framed = false;
                while (MbapFraming.TryDecode(buffer, out var header, out var pdu, out var consumed, out _))
                {
                    Dispatch(connection, header, pdu);
                    buffer = buffer.Slice(consumed);
                    framed = true;
                }

                if (framed && !connection.Answered)
                {
                    // The peer speaks Modbus: the link is good again, whatever happened to earlier connections.
                    connection.Answered = true;
                    Volatile.Write(ref _connectFailures, 0);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    Break(connection, "the device closed the connection");
                    return;
                }
            }
        }
        catch (ModbusProtocolViolationException ex)
        {
            Break(connection, ex.Message);
        }
        catch (OperationCanceledException)
        {
            // stopped by Break/Dispose
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            Break(connection, ex.Message);
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private void Dispatch(Connection connection, MbapHeader header, ReadOnlySequence<byte> pdu)
    {
        Volatile.Write(ref connection.ConsecutiveTimeouts, 0);
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            Log.Rx(_logger, Name, MbapFraming.HeaderLength + header.PduLength, $"tid {header.TransactionId} unit {header.UnitId} pdu {Convert.ToHexString(pdu.ToArray())}");
        }

        var tx = RemovePending(header.TransactionId);
        if (tx is null)
        {
            Log.StaleResponse(_logger, Name, header.TransactionId);
            return;
        }

        pdu.CopyTo(tx.Response);
        tx.ResponseLength = (int)pdu.Length;
        var status = ModbusPdu.Validate(tx.RequestPdu, tx.ResponsePdu, out var code, out var error);
        tx.ExceptionCode = code;
        if (status == ModbusStatus.Exception && code == ModbusExceptionCode.Acknowledge && tx.AcknowledgeCount < tx.MaxAcknowledgeWaits)
        {
            // §7 code 05: keep the id pending and wait another timeout for the real response.
            tx.AcknowledgeCount++;
            Log.Acknowledged(_logger, tx.UnitId, Name);
            AddPending(tx);
            tx.StartTimer(tx.Timeout);
            return;
        }

        tx.TryComplete(status, error);
    }

    private void OnTimeout(ModbusTransaction tx)
    {
        if (!RemovePending(tx))
        {
            return;
        }

        tx.TryComplete(ModbusStatus.Timeout, $"no response within {tx.Timeout.TotalMilliseconds:0} ms");
        var connection = Volatile.Read(ref _connection);
        if (connection is not null && Interlocked.Increment(ref connection.ConsecutiveTimeouts) >= DeadConnectionTimeouts)
        {
            Break(connection, $"{DeadConnectionTimeouts} requests in a row got no response; reconnecting");
        }
    }

    private void AddPending(ModbusTransaction tx)
    {
        lock (_pendingLock)
        {
            for (var i = 0; i < _pending.Length; i++)
            {
                if (_pending[i] is null)
                {
                    _pending[i] = tx;
                    return;
                }
            }
        }

        // The in-flight semaphore bounds pending requests to the table size.
        throw new InvalidOperationException("more pending Modbus TCP requests than MaxInFlight");
    }

    private ModbusTransaction? RemovePending(ushort transactionId)
    {
        lock (_pendingLock)
        {
            for (var i = 0; i < _pending.Length; i++)
            {
                if (_pending[i] is { } tx && tx.TransactionId == transactionId)
                {
                    _pending[i] = null;
                    return tx;
                }
            }
        }

        return null;
    }

    private bool RemovePending(ModbusTransaction tx)
    {
        lock (_pendingLock)
        {
            for (var i = 0; i < _pending.Length; i++)
            {
                if (ReferenceEquals(_pending[i], tx))
                {
                    _pending[i] = null;
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Marks the connection dead and fails every request waiting on it (npgsql Break / MQTTnet FailAll).</summary>
    private void Break(Connection connection, string reason)
    {
        if (Interlocked.CompareExchange(ref _connection, null, connection) != connection)
        {
            return;
        }

        if (!connection.Answered && !_disposed)
        {
            // Without this a peer that accepts and then answers garbage (or closes) is reconnected on every request.
            var delay = DelayNextAttempt();
            reason = $"{reason} (no valid Modbus response on this connection; next attempt in {(long)delay.TotalMilliseconds} ms)";
        }

        if (!_disposed)
        {
            Log.LinkLost(_logger, Name, reason);
        }

        connection.Dispose();
        _lastError = $"connection to {_host}:{_port} lost: {reason}";
        ModbusTransaction?[] failed;
        lock (_pendingLock)
        {
            failed = (ModbusTransaction?[])_pending.Clone();
            Array.Clear(_pending);
        }

        foreach (var tx in failed)
        {
            tx?.TryComplete(ModbusStatus.CommunicationError, _lastError);
        }
    }

    /// <summary>Counts a failed attempt and holds the next connect back by the delay it earns.</summary>
    private TimeSpan DelayNextAttempt()
    {
        var delay = ReconnectDelay(Interlocked.Increment(ref _connectFailures));
        Volatile.Write(ref _reconnectNotBefore, Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency));
        return delay;
    }

    private TimeSpan ReconnectDelay(int failures)
    {
        var ms = Math.Min(_settings.ReconnectDelayMaxMs, _settings.ReconnectDelayMs * Math.Pow(2, Math.Min(failures - 1, 20)));
        return TimeSpan.FromMilliseconds(ms);
    }

    public ValueTask DisposeAsync()
    {
        _disposed = true;
        if (Volatile.Read(ref _connection) is { } connection)
        {
            Break(connection, "closed");
        }

        Log.LinkClosed(_logger, Name);
        return ValueTask.CompletedTask;
    }

    private sealed class Connection : IDisposable
    {
        public readonly Socket Socket;
        public readonly PipeReader Reader;
        public readonly CancellationTokenSource Stop = new();
        public int ConsecutiveTimeouts;

        // Set by the read loop at the first well-framed response; read by Break on any thread.
        public volatile bool Answered;

        public Connection(Socket socket)
        {
            Socket = socket;
            Reader = PipeReader.Create(new NetworkStream(socket, ownsSocket: false),
                new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 512));
        }

        public void Dispose()
        {
            Stop.Cancel();
            Socket.Dispose();
        }
    }
}
