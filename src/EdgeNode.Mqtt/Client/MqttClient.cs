using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using EdgeNode.Mqtt.Transport;
using EdgeNode.Mqtt.Client;
using EdgeNode.Mqtt.Packets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Mqtt;

/// <summary>
/// One MQTT 3.1.1/5.0 connection: connect once, publish/subscribe, disconnect; create a new client for the next
/// connection (the <see cref="MqttConnectionSupervisor"/> does). One reader loop, one writer loop, one keep-alive loop
/// and one dispatcher for received messages; packets are encoded straight into a pooled outbound buffer under a short
/// lock, in call order.
/// <para>
/// <b>Delivery proof.</b> Every packet written gets a sequence number (1 = CONNECT), assigned when it is queued, in the
/// order it goes on the wire. When the broker answers a packet (CONNACK, PUBACK, PUBREC, PUBCOMP, SUBACK, UNSUBACK,
/// PINGRESP), that packet and every packet before it provably reached the broker, because TCP keeps order and a broker
/// handles one connection's packets in order: <see cref="ConfirmedSequence"/> moves up to it. A QoS 0 publish is
/// therefore confirmed by the next answered packet; <see cref="PingAsync"/> asks for such an answer on demand. A frozen
/// or dead broker never advances it.
/// </para>
/// </summary>
public sealed partial class MqttClient : IAsyncDisposable
{
    private const int StateNew = 0;
    private const int StateConnecting = 1;
    private const int StateConnected = 2;
    private const int StateDisconnecting = 3;
    private const int StateClosed = 4;

    private readonly ILogger _logger;
    private readonly Lock _writeLock = new();
    private readonly OutboundBuffer _out = new();
    private readonly AsyncAutoResetSignal _writeSignal = new();

    // Woken when the outbound buffer drained or an in-flight slot freed; only the order-lock holder waits on it.
    private readonly AsyncAutoResetSignal _spaceSignal = new();

    // Serialises application operations (publish/subscribe/unsubscribe) so they are written in call order even when
    // one has to wait for window space.
    private readonly SemaphoreSlim _orderLock = new(1, 1);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource<MqttDisconnectInfo> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<MqttConnAckPacket> _connAck = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _flushed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<ushort, object> _pendingById = [];
    private readonly Queue<PendingPing> _pings = new();
    private readonly ConcurrentQueue<PendingPublish> _pool = new();
    private readonly Action<PendingPublish> _returnToPool;
    private readonly TopicCache _topics = new();

    private MqttChannelAdapter? _channel;
    private Channel<MqttPublishPacket>? _inbound;
    private MqttClientOptions? _options;
    private MqttProtocolVersion _version = MqttProtocolVersion.V311;
    private string _endpoint = "(not connected)";
    private int _state;
    private long _sequence;
    private long _confirmed;
    private long _connectSequence;
    private long _lastReceived;
    private long _lastSent;
    private long _bytesWritten;
    private long _flushTarget = long.MaxValue;
    private ushort _nextPacketId = 1;
    private int _inflight;
    private int _window = 1;
    private int _writeBufferLimit = 1024 * 1024;
    private int _maxIncomingPacketSize = MqttClientOptions.DefaultMaxPacketSize;
    private int _receiveMaximum = ushort.MaxValue;
    private long _serverMaximumPacketSize = MqttClientOptions.ProtocolMaxPacketSize;
    private MqttQualityOfService _serverMaximumQoS = MqttQualityOfService.ExactlyOnce;
    private bool _retainAvailable = true;
    private int _keepAliveSeconds;
    private volatile bool _readerPaused;
    private MqttDisconnectInfo? _requestedDisconnect;
    private MqttDisconnectInfo? _disconnectInfo;
    private MqttConnectResult? _connectResult;
    private Task _readerTask = Task.CompletedTask;
    private Task _writerTask = Task.CompletedTask;
    private Task _keepAliveTask = Task.CompletedTask;
    private Task _dispatchTask = Task.CompletedTask;
    private Task? _cleanupTask;

    /// <summary>Creates a client; it connects with <see cref="ConnectAsync"/>.</summary>
    /// <param name="logger">Logger (connection events; frames at Trace); null for none.</param>
    public MqttClient(ILogger? logger = null)
    {
        _logger = logger ?? NullLogger.Instance;
        _returnToPool = ReturnPending;
    }

    /// <summary>
    /// Invoked for every received application message, one at a time in arrival order, on the dispatcher (never on the
    /// reader loop). QoS 1/2 messages are acknowledged after the handler returns (also when it throws, which is logged).
    /// Set it before subscribing.
    /// </summary>
    public Func<MqttApplicationMessage, Task>? ApplicationMessageReceivedAsync { get; set; }

    /// <summary>Invoked once when an established connection ends, with the reason (not for failed connects).</summary>
    public Func<MqttDisconnectInfo, Task>? DisconnectedAsync { get; set; }

    /// <summary>True between a successful CONNACK and the end of the connection (or <see cref="DisconnectAsync"/>).</summary>
    public bool IsConnected => Volatile.Read(ref _state) == StateConnected;

    /// <summary>Highest packet sequence the broker provably received (see the type's remarks). Never decreases.</summary>
    public long ConfirmedSequence => Volatile.Read(ref _confirmed);

    /// <summary>Highest packet sequence assigned so far (queued or written).</summary>
    public long LastSequence
    {
        get
        {
            lock (_writeLock)
            {
                return _sequence;
            }
        }
    }

    /// <summary>Completes with the reason when the connection ends (also after a failed or refused connect).</summary>
    public Task<MqttDisconnectInfo> Completion => _completion.Task;

    /// <summary>The reason the connection ended, or null while it has not.</summary>
    public MqttDisconnectInfo? DisconnectInfo => Volatile.Read(ref _disconnectInfo);

    /// <summary>The CONNACK outcome, or null before it arrived.</summary>
    public MqttConnectResult? ConnectResult => _connectResult;

    /// <summary>The options this client connected with, or null before <see cref="ConnectAsync"/>.</summary>
    public MqttClientOptions? Options => _options;

    /// <summary>The keep-alive in force (ours or the 5.0 Server Keep Alive), in seconds.</summary>
    public int KeepAliveSeconds => _keepAliveSeconds;

    /// <summary>True once the first bytes (the CONNECT) were written to the broker.</summary>
    internal bool ConnectSent => Interlocked.Read(ref _bytesWritten) > 0;

    /// <summary>QoS 1/2 publishes currently awaiting their acknowledgement.</summary>
    public int InflightCount => Volatile.Read(ref _inflight);

    /// <summary>Closes the connection abruptly if still open (no DISCONNECT: the broker publishes the Will).</summary>
    public async ValueTask DisposeAsync()
    {
        Break(new MqttDisconnectInfo(MqttDisconnectKind.Disposed, "client disposed without DISCONNECT"));
        if (_cleanupTask is { } cleanup)
        {
            await cleanup.ConfigureAwait(false);
        }

        // _orderLock is not disposed: a publisher still unwinding may release it, and it holds no wait handle.
        _lifetime.Dispose();
    }

    /// <summary>
    /// The single break path (npgsql's Break): marks the connection dead once, records why, fails every pending
    /// awaiter (MQTTnet's FailAll), closes the socket and notifies. Safe from any thread; later calls are no-ops.
    /// </summary>
    private bool Break(MqttDisconnectInfo info)
    {
        int previous;
        object[] pending;
        PendingPing[] pings;
        lock (_writeLock)
        {
            previous = _state;
            if (previous == StateClosed)
            {
                return false;
            }

            _state = StateClosed;
            info = _requestedDisconnect ?? info;
            info.ConfirmedSequence = Volatile.Read(ref _confirmed);
            info.LastSequence = _sequence;
            Volatile.Write(ref _disconnectInfo, info);
            pending = [.. _pendingById.Values];
            _pendingById.Clear();
            pings = [.. _pings];
            _pings.Clear();
            _inflight = 0;
        }

        try
        {
            _lifetime.Cancel();
        }
        catch (AggregateException)
        {
            // registrations of our own loops do not throw; nothing else to do here
        }

        _channel?.Abort();
        _writeSignal.Close();
        _spaceSignal.Close();
        _inbound?.Writer.TryComplete();
        _flushed.TrySetResult();

        var failure = new MqttCommunicationException($"MQTT connection to {_endpoint} ended: {info}", info.Exception);
        FailObserved(_connAck, failure);
        foreach (var item in pending)
        {
            switch (item)
            {
                case PendingPublish publish:
                    publish.Fail(failure);
                    break;
                case PendingRequest request:
                    FailObserved(request.Completion, failure);
                    break;
            }
        }

        foreach (var ping in pings)
        {
            if (ping.Waiter is { } waiter)
            {
                FailObserved(waiter, failure);
            }
        }

        if (previous is StateConnected or StateDisconnecting)
        {
            if (info.Kind == MqttDisconnectKind.ClientDisconnected)
            {
                Log.Closed(_logger, _endpoint, info.ToString(), info.ConfirmedSequence, info.LastSequence);
            }
            else
            {
                Log.Lost(_logger, _endpoint, info.ToString(), info.ConfirmedSequence, info.LastSequence);
            }
        }

        _cleanupTask = CleanupAsync();
        _completion.TrySetResult(info);
        if (previous is StateConnected or StateDisconnecting && DisconnectedAsync is { } handler)
        {
            _ = InvokeDisconnectedAsync(handler, info);
        }

        return true;
    }

    /// <summary>
    /// Fails a completion that nobody may be awaiting any more (a cancelled caller, a connect that never got that far)
    /// without leaving an unobserved task exception behind; awaiters still see the exception.
    /// </summary>
    private static void FailObserved<T>(TaskCompletionSource<T> completion, Exception exception)
    {
        if (completion.TrySetException(exception))
        {
            _ = completion.Task.Exception;
        }
    }

    private async Task CleanupAsync()
    {
        try
        {
            await Task.WhenAll(_readerTask, _writerTask, _keepAliveTask, _dispatchTask).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or MqttCommunicationException)
        {
            // every loop handles its own failures; this only waits for them to stop
        }

        if (_channel is { } channel)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task InvokeDisconnectedAsync(Func<MqttDisconnectInfo, Task> handler, MqttDisconnectInfo info)
    {
        await Task.Yield();
        try
        {
            await handler(info).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // an application callback may throw anything; it must not kill the client
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.DisconnectedHandlerFailed(_logger, ex);
        }
    }

    private Exception NotConnected(int state) => state switch
    {
        StateNew => new InvalidOperationException("the MQTT client is not connected; call ConnectAsync first"),
        StateConnecting => new InvalidOperationException("the MQTT client is still connecting"),
        _ => new MqttCommunicationException(
            $"the MQTT connection to {_endpoint} is closed: {Volatile.Read(ref _disconnectInfo)?.ToString() ?? "disconnecting"}",
            Volatile.Read(ref _disconnectInfo)?.Exception),
    };

    /// <summary>Moves the proof forward; only the reader loop calls it, in arrival order.</summary>
    private void Confirm(long sequence)
    {
        if (sequence > _confirmed)
        {
            Volatile.Write(ref _confirmed, sequence);
        }
    }

    private static double ElapsedSeconds(long since) => (Stopwatch.GetTimestamp() - since) / (double)Stopwatch.Frequency;
}
