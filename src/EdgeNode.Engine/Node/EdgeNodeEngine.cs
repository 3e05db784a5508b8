using System.Buffers;
using System.Threading.Channels;
using EdgeNode.Addressing;
using EdgeNode.Configuration;
using EdgeNode.Engine.Devices;
using EdgeNode.Engine.Devices.Modbus;
using EdgeNode.Engine.Session;
using EdgeNode.Modbus;
using EdgeNode.Mqtt;
using EdgeNode.Sparkplug;
using EdgeNode.Storage;
using EdgeNode.Systemd;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Engine;

/// <summary>How <see cref="EdgeNodeEngine.RunAsync"/> ended.</summary>
public enum EngineExit
{
    /// <summary>Stopped on request (SIGTERM/SIGINT): DDEATHs, NDEATH and DISCONNECT were sent.</summary>
    Stopped,

    /// <summary>Stopped cleanly because a restart was asked for (NCMD Reboot, configuration reload).</summary>
    RestartRequested,
}

/// <summary>
/// The Sparkplug B edge node: one MQTT session over the configured servers, one scan loop per device, and one event loop
/// that owns every piece of session state (seq, births, report by exception, commands, store-and-forward). Nothing but
/// the loop publishes, so the order on the wire is the order of decisions.
/// </summary>
public sealed partial class EdgeNodeEngine
{
    private const int NodeMetricCount = 14;

    private EdgeNodeConfig _config;
    private readonly EngineOptions _options;
    private readonly ILogger _logger;
    // Synchronous continuations: a device's scan that finds the loop idle is handled on the scan's own thread (the diff,
    // the DDATA encode and its socket write), not handed to another pool thread; every other poster still hands off
    // (see Post and the loop). That thread switch per scan was a large part of the node's CPU against a single-threaded
    // poller.
    private readonly Channel<EngineEvent> _events = Channel.CreateUnbounded<EngineEvent>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });

    // Set while this thread writes an event: the loop, woken inline by that write, knows it runs on the poster's thread.
    [ThreadStatic]
    private static int t_posting;

    // Events written and not yet taken by the loop (the single-reader channel cannot count them).
    private int _queued;
    private readonly List<DeviceRuntime> _devices = [];
    private readonly Dictionary<string, DeviceRuntime> _devicesById = new(StringComparer.Ordinal);
    private readonly PrimaryHostTracker _host = new();
    private SparkplugEncodingOptions _encoding;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly List<Unconfirmed> _unconfirmed = [];
    private readonly Dictionary<ulong, string> _nodeAliasNames = [];
    private readonly string _nbirthTopic, _ndataTopic, _ndeathTopic, _ncmdTopic, _dcmdFilter, _dcmdPrefix;

    // Received messages posted to the loop and not yet handled. The MQTT handler waits for a slot, so a flood stops the
    // client's dispatcher, then its reader, and TCP flow control pushes back on the broker: nothing is dropped and
    // memory stays bounded (this many messages here, ReceiveQueueCapacity in the client, each ≤ its MaxPacketSize).
    internal const int MaxMessagesInLoop = 4;
    internal const int ClientReceiveQueueCapacity = 4;
    private readonly SemaphoreSlim _messageSlots = new(MaxMessagesInLoop, MaxMessagesInLoop);
    private readonly long _startedMs;
    private readonly NodeInformation _info;
    private IReadOnlyList<DeviceTypeConfig> _typesInUse;
    private int _generation;
    private CancellationToken _loopToken;
    private readonly ulong _firstTypeAlias;

    private BdSeqStore _bdSeqStore = null!;
    private ForwardStore? _store;
    private MqttConnectionSupervisor? _supervisor;
    private ModbusLinkPool? _modbusPool;
    private volatile int _scanMs;
    private volatile int _attemptBdSeq;
    private int _firstAttemptSignalled;

    // Session state: touched by the event loop only.
    private MqttClient? _client;
    private string? _server;
    private int _bdSeq;
    private bool _subscribed;
    private bool _live;
    private byte _seq;
    private bool _pingOutstanding;
    private bool _replayActive;
    private StoreBatch? _replayInFlight;
    private bool _restart;
    private long _lastStorePending = -1, _lastStoreBytes = -1, _lastStoreDropped = -1, _lastUptimeReportMs;
    private string _lastStatus = "";

    /// <summary>Creates the engine; <see cref="RunAsync"/> starts it.</summary>
    public EdgeNodeEngine(EdgeNodeConfig config, EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        _config = config;
        _options = options;
        _logger = options.LoggerFactory.CreateLogger("EdgeNode.Engine");
        _encoding = config.Node.UInt32Encoding == UInt32EncodingSetting.LongValue
            ? SparkplugEncodingOptions.TahuCompatible
            : SparkplugEncodingOptions.Default;
        _scanMs = config.Node.ScanMs;
        var group = config.Node.GroupId;
        var edge = config.Node.EdgeNodeId;
        _nbirthTopic = SparkplugTopic.Node(group, SparkplugMessageType.NBIRTH, edge).ToString();
        _ndataTopic = SparkplugTopic.Node(group, SparkplugMessageType.NDATA, edge).ToString();
        _ndeathTopic = SparkplugTopic.Node(group, SparkplugMessageType.NDEATH, edge).ToString();
        _ncmdTopic = SparkplugTopic.Node(group, SparkplugMessageType.NCMD, edge).ToString();
        _dcmdFilter = SparkplugTopic.DeviceCommandFilter(group, edge);
        _dcmdPrefix = _dcmdFilter.TrimEnd('+', '#');
        _startedMs = NowMs();
        _info = NodeInformation.Detect();
        _typesInUse = TypesInUse(config);
        _firstTypeAlias = NodeMetricCount + 1;
    }

    private static IReadOnlyList<DeviceTypeConfig> TypesInUse(EdgeNodeConfig config) =>
        config.Node.Templates
            ? [.. config.Types.Where(t => config.Devices.Any(d => ReferenceEquals(d.Type, t) || d.Type?.Name == t.Name))]
            : [];

    /// <summary>
    /// True when <paramref name="next"/> can replace <paramref name="current"/> inside the running MQTT session (same
    /// identity, primary host, broker settings and store): the node then rebirths with the new map and the same bdSeq.
    /// Anything else needs a new session (<see cref="RequestRestart"/>).
    /// </summary>
    public static bool CanReconfigureInSession(EdgeNodeConfig current, EdgeNodeConfig next)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(next);
        return current.Node.GroupId == next.Node.GroupId
            && current.Node.EdgeNodeId == next.Node.EdgeNodeId
            && current.Node.PrimaryHostId == next.Node.PrimaryHostId
            && current.Node.LegacyState == next.Node.LegacyState
            && current.Mqtt.Servers.SequenceEqual(next.Mqtt.Servers)
            && current.Mqtt with { Servers = next.Mqtt.Servers } == next.Mqtt
            && current.StoreForward == next.StoreForward;
    }

    /// <summary>Replaces the device map inside the running session (see <see cref="CanReconfigureInSession"/>): the old
    /// devices stop, removed ones get a DDEATH, and the node rebirths (NBIRTH, then a DBIRTH per device as it answers).</summary>
    public void Reconfigure(EdgeNodeConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Post(new ConfigReplaced(config));
    }

    /// <summary>The current one-line state (also sent to <see cref="EngineOptions.StatusChanged"/>).</summary>
    public string Status => _lastStatus;

    /// <summary>Asks the running engine to stop cleanly and return <see cref="EngineExit.RestartRequested"/>.</summary>
    public void RequestRestart() => Post(new RestartRequested());

    /// <summary>Runs until <paramref name="stoppingToken"/> fires or a restart is requested; then stops cleanly.</summary>
    public async Task<EngineExit> RunAsync(CancellationToken stoppingToken)
    {
        Directory.CreateDirectory(_options.StateDirectory);
        _bdSeqStore = new BdSeqStore(_options.StateDirectory);
        if (_bdSeqStore.LoadProblem is { } problem)
        {
            Log.BdSeqProblem(_logger, problem);
        }

        _options.StartupPhase?.Invoke("state read");
        OpenStore();
        _options.StartupPhase?.Invoke("store opened");
        using var loopCts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        _modbusPool = new ModbusLinkPool(_options.LoggerFactory);
        _loopToken = loopCts.Token;
        CreateDevices();
        _options.StartupPhase?.Invoke("devices created");
        Log.Starting(_logger, _config.Node.GroupId, _config.Node.EdgeNodeId, _devices.Count, string.Join(", ", _config.Mqtt.Servers));
        UpdateStatus();

        _supervisor = CreateSupervisor();
        _supervisor.Start();
        _options.StartupPhase?.Invoke("connecting");
        using var ticker = new PeriodicTimer(TimeSpan.FromSeconds(1), _options.Time);
        var tickTask = TickAsync(ticker, loopCts.Token);

        try
        {
            await foreach (var e in _events.Reader.ReadAllAsync(loopCts.Token).ConfigureAwait(false))
            {
                if (MustLeavePoster(e))
                {
                    await Task.Yield();
                }

                _options.LoopBeat?.Invoke();
                try
                {
                    await HandleAsync(e).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.LoopError(_logger, ex, e.GetType().Name);
                }

                if (_restart)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // The channel's synchronous continuations may have ended the loop on the thread that cancelled it (a signal
        // handler, the host): stop on the pool, as before.
        await Task.Yield();
        await StopCleanlyAsync().ConfigureAwait(false);
        await loopCts.CancelAsync().ConfigureAwait(false);
        foreach (var device in _devices)
        {
            await device.StopAsync().ConfigureAwait(false);
        }

        try
        {
            await tickTask.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await _modbusPool.DisposeAsync().ConfigureAwait(false);
        if (_store is not null)
        {
            await _store.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            await _store.DisposeAsync().ConfigureAwait(false);
        }

        return _restart ? EngineExit.RestartRequested : EngineExit.Stopped;
    }

    private void Post(EngineEvent e) => TryPost(e);

    private bool TryPost(EngineEvent e)
    {
        t_posting++;
        try
        {
            Interlocked.Increment(ref _queued);
            if (_events.Writer.TryWrite(e))
            {
                return true;
            }

            Interlocked.Decrement(ref _queued);
            return false;
        }
        finally
        {
            t_posting--;
        }
    }

    /// <summary>
    /// Whether the loop, about to handle <paramref name="e"/>, must first leave the thread that posted it: only a
    /// device's own events (its scan loop's thread can afford the short report) are handled there, one at a time, so
    /// an MQTT callback, a timer or a caller of the public API never runs the loop's other work, and a backlog never
    /// runs on a device's thread.
    /// </summary>
    private bool MustLeavePoster(EngineEvent e)
    {
        var backlog = Interlocked.Decrement(ref _queued) > 0;
        return t_posting > 0 && (backlog || e is not (ScanCompleted or DeviceValueEvent or WriteCompleted));
    }

    private long NowMs() => _options.Time.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task TickAsync(PeriodicTimer ticker, CancellationToken cancellationToken)
    {
        while (await ticker.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            Post(new Tick());
        }
    }

    private void OpenStore()
    {
        var section = _config.StoreForward;
        if (!section.Enabled)
        {
            return;
        }

        var path = section.Path ?? ForwardStoreOptions.DefaultPath(_options.StateDirectory);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var storeOptions = ForwardStoreOptions.FromConfiguration(path, section.MaxMegabytes);
            storeOptions.CommitInterval = TimeSpan.FromMilliseconds(section.CommitIntervalMs);
            _store = ForwardStore.Open(storeOptions, _options.LoggerFactory.CreateLogger("EdgeNode.Storage"));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The buffer must never keep the node from running (the store moves corrupt files aside itself; this is
            // for what it cannot fix, such as a lock held by another process or an unwritable directory).
            Log.StoreUnavailable(_logger, path, ex.Message);
            _store = null;
        }
    }

    private void CreateDevices()
    {
        var cancellationToken = _loopToken;
        var factories = new List<IDeviceDriverFactory>(_options.DriverFactories) { new ModbusDeviceDriverFactory(_modbusPool!) };
        var alias = _firstTypeAlias + (ulong)_typesInUse.Count;
        foreach (var config in _config.Devices)
        {
            var factory = factories.FirstOrDefault(f => f.Supports(config.Kind));
            Func<DeviceConfig, IDeviceDriver> create = factory is null
                ? c => throw new InvalidOperationException($"no driver for {c.Kind} devices in this build")
                : factory.Create;
            var device = new DeviceRuntime(config, _devices.Count, alias, create, _options.LoggerFactory.CreateLogger("EdgeNode.Device"))
            {
                IsTemplateInstance = _config.Node.Templates && config.Type is not null,
            };
            alias += (ulong)device.AliasCount;
            _devices.Add(device);
            _devicesById[config.Id] = device;
        }

        foreach (var device in _devices)
        {
            device.Start(_generation, () => _scanMs, Post, _options.PollBeat, _options.Time, cancellationToken);
        }
    }

    private MqttConnectionSupervisor CreateSupervisor()
    {
        var mqtt = _config.Mqtt;
        var servers = mqtt.Servers.Select(MqttServerEndpoint.Parse).ToList();
        var supervisor = new MqttConnectionSupervisor(servers, endpoint =>
        {
            var bdSeq = _bdSeqStore.Next;
            _attemptBdSeq = bdSeq;
            var options = new MqttClientOptions
            {
                ClientId = mqtt.ClientId,
                Username = mqtt.Username,
                Password = mqtt.Password,
                KeepAliveSeconds = mqtt.KeepAliveSeconds,
                ProtocolVersion = mqtt.ProtocolVersion == MqttProtocolSetting.V500 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311,
                CleanSession = true,
                ConnectTimeout = TimeSpan.FromMilliseconds(mqtt.ConnectTimeoutMs),
                ReceiveQueueCapacity = ClientReceiveQueueCapacity,
                Will = new MqttWill
                {
                    Topic = _ndeathTopic,
                    Payload = DeathPayload(bdSeq),
                    QoS = MqttQualityOfService.AtLeastOnce,
                    Retain = false,
                },
            }.WithEndpoint(endpoint);
            if (mqtt.Tls is { } tls)
            {
                options.Tls.CaFile = tls.CaFile;
                options.Tls.CertFile = tls.CertFile;
                options.Tls.KeyFile = tls.KeyFile;
                if (tls.ServerName is not null)
                {
                    options.Tls.ServerName = tls.ServerName;
                }
            }

            return options;
        }, new MqttSupervisorOptions { MaxReconnectDelay = TimeSpan.FromMilliseconds(Math.Max(250, mqtt.ReconnectMaxMs)) },
        _options.LoggerFactory.CreateLogger("EdgeNode.Mqtt"));

        supervisor.AttemptCompletedAsync = args =>
        {
            if (args.Outcome == MqttConnectAttemptOutcome.Connected)
            {
                // Only a connection the broker accepted consumes a bdSeq (sparkplug #421).
                _bdSeqStore.MarkUsed(_attemptBdSeq);
            }

            if (Interlocked.Exchange(ref _firstAttemptSignalled, 1) == 0)
            {
                _options.FirstConnectAttempted?.Invoke();
            }

            return Task.CompletedTask;
        };
        supervisor.ConnectedAsync = async args =>
        {
            var client = args.Client;
            Post(new MqttConnected(client, _attemptBdSeq, args.Server.ToString()));
            // Commands (and the primary host's STATE) are subscribed before NBIRTH [tck-id-topics-nbirth-mqtt... ncmd-subscribe].
            // MQTT 5.0 Retain As Published keeps the retain flag of a retained command published while we are
            // subscribed, so it is dropped too (3.1.1 clears the flag on live delivery [MQTT-3.3.1-9]).
            await client.SubscribeAsync([new MqttTopicFilter(_ncmdTopic, MqttQualityOfService.AtLeastOnce) { RetainAsPublished = true }],
                args.SessionToken).ConfigureAwait(false);
            await client.SubscribeAsync([new MqttTopicFilter(_dcmdFilter, MqttQualityOfService.AtLeastOnce) { RetainAsPublished = true }],
                args.SessionToken).ConfigureAwait(false);
            if (_config.Node.PrimaryHostId is { } hostId)
            {
                await client.SubscribeAsync(SparkplugTopic.State(hostId).ToString(), MqttQualityOfService.AtLeastOnce, args.SessionToken)
                    .ConfigureAwait(false);
                if (_config.Node.LegacyState)
                {
                    await client.SubscribeAsync(SparkplugTopic.LegacyState(hostId).ToString(), MqttQualityOfService.AtLeastOnce, args.SessionToken)
                        .ConfigureAwait(false);
                }
            }

            Post(new MqttSubscribed(client));
        };
        supervisor.ConnectionLostAsync = args =>
        {
            Post(new MqttLost(args.Client, args.Reason.Message));
            return Task.CompletedTask;
        };
        supervisor.ApplicationMessageReceivedAsync = async message =>
        {
            if (IsRetainedCommand(message))
            {
                Log.RetainedCommandDropped(_logger, message.Topic, message.Payload.Length);
                return;
            }

            try
            {
                await _messageSlots.WaitAsync(_loopToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return; // stopping
            }

            // the payload is the message's own copy: no second one (1 MB commands are large-object-heap garbage)
            Post(new MessageReceived(message.Topic, message.Payload, message.Retain));
        };
        return supervisor;
    }

    private async Task HandleAsync(EngineEvent e)
    {
        switch (e)
        {
            case ScanCompleted scan:
                await OnScanAsync(scan).ConfigureAwait(false);
                scan.Device.ReturnSnapshot(scan.Snapshot);
                break;
            case DeviceValueEvent value:
                await OnDeviceValueAsync(value).ConfigureAwait(false);
                break;
            case WriteCompleted write:
                OnWriteCompleted(write);
                break;
            case MqttConnected connected:
                OnConnected(connected);
                break;
            case MqttSubscribed subscribed:
                if (ReferenceEquals(subscribed.Client, _client))
                {
                    _subscribed = true;
                    await TryGoLiveAsync().ConfigureAwait(false);
                }

                break;
            case MqttLost lost:
                if (ReferenceEquals(lost.Client, _client))
                {
                    Log.ConnectionLost(_logger, lost.Reason);
                    GoOffline();
                    _client = null;
                    _server = null;
                    UpdateStatus();
                }

                break;
            case MessageReceived message:
                try
                {
                    await OnMessageAsync(message).ConfigureAwait(false);
                }
                finally
                {
                    _messageSlots.Release();
                }

                break;
            case RebirthDue:
                await OnRebirthDueAsync().ConfigureAwait(false);
                break;
            case StateConfirmExpired expired:
                await OnStateConfirmExpiredAsync(expired).ConfigureAwait(false);
                break;
            case Tick:
                await OnTickAsync().ConfigureAwait(false);
                break;
            case DeliveryProven proven:
                _pingOutstanding = false;
                if (ReferenceEquals(proven.Client, _client) && proven.Sequence >= 0)
                {
                    TrimUnconfirmed(proven.Sequence);
                }

                break;
            case ReplayProven replay:
                if (ReferenceEquals(replay.Client, _client) && ReferenceEquals(replay.Batch, _replayInFlight) && _store is not null)
                {
                    _replayInFlight = null;
                    await _store.AcknowledgeAsync(replay.Batch).ConfigureAwait(false);
                    await ReplayNextAsync().ConfigureAwait(false);
                }

                break;
            case RestartRequested:
                _restart = true;
                break;
            case ConfigReplaced replaced:
                await OnConfigReplacedAsync(replaced.Config).ConfigureAwait(false);
                break;
            case SnapshotRequested request:
                request.Reply.TrySetResult(TakeSnapshot());
                break;
        }
    }

    private async Task OnConfigReplacedAsync(EdgeNodeConfig config)
    {
        _generation++;
        var old = _devices.ToList();
        foreach (var device in old)
        {
            device.Cancel();
        }

        foreach (var device in old)
        {
            await device.StopAsync().ConfigureAwait(false);
        }

        if (_live)
        {
            foreach (var device in old.Where(d => d.Born && !config.Devices.Any(n => n.Id == d.Id)))
            {
                await PublishDeviceDeathAsync(device).ConfigureAwait(false);
            }
        }

        _config = config;
        _typesInUse = TypesInUse(config);
        _encoding = config.Node.UInt32Encoding == UInt32EncodingSetting.LongValue
            ? SparkplugEncodingOptions.TahuCompatible
            : SparkplugEncodingOptions.Default;
        _scanMs = config.Node.ScanMs;
        _devices.Clear();
        _devicesById.Clear();
        CreateDevices();
        Log.Reconfigured(_logger, _devices.Count);
        if (_live)
        {
            await PublishBirthsAsync().ConfigureAwait(false);
        }

        UpdateStatus();
    }

    private void OnConnected(MqttConnected e)
    {
        _client = e.Client;
        _server = e.Server;
        _bdSeq = e.BdSeq;
        _subscribed = false;
        _live = false;
        _host.ResetForNewSession();
        _stateToConfirm = null;
        _stateCheck++;
        Log.Connected(_logger, e.Server, e.BdSeq);
        UpdateStatus();
    }

    private async Task TryGoLiveAsync()
    {
        if (_client is null || !_subscribed || _live)
        {
            return;
        }

        if (_config.Node.PrimaryHostId is not null && !_host.Online)
        {
            UpdateStatus();
            return;
        }

        _live = true;
        _liveSinceMs = NowMs();
        await PublishBirthsAsync().ConfigureAwait(false);
        UpdateStatus();
        await StartReplayAsync().ConfigureAwait(false);
    }

    /// <summary>The session is over (connection lost, host offline, next server): nothing is born any more, and data not
    /// proven delivered goes to the store so the next session replays it.</summary>
    private void GoOffline()
    {
        _live = false;
        _subscribed = false;
        foreach (var device in _devices)
        {
            device.Born = false;
        }

        if (_unconfirmed.Count > 0)
        {
            if (_store is not null)
            {
                foreach (var u in _unconfirmed)
                {
                    _store.Append(u.Metric, u.TimestampMs, u.Value);
                }

                Log.UnconfirmedKept(_logger, _unconfirmed.Count);
            }

            _unconfirmed.Clear();
        }

        _pingOutstanding = false;
        if (_replayInFlight is not null)
        {
            _store?.RewindDrain();
            _replayInFlight = null;
        }

        _replayActive = false;
    }

    private async Task OnTickAsync()
    {
        UpdateStatus();
        var now = NowMs();
        if (_devices.TrueForAll(d => d.IsProgressing(now, _scanMs)))
        {
            _options.PollBeat?.Invoke(); // every scan loop is alive (nothing to poll is not a hung poll loop)
        }

        if (_client is null)
        {
            return;
        }

        if (_unconfirmed.Count > 0)
        {
            TrimUnconfirmed(_client.ConfirmedSequence);
            if (_unconfirmed.Count > 0 && !_pingOutstanding)
            {
                _pingOutstanding = true;
                var client = _client;
                _ = Task.Run(async () =>
                {
                    long sequence;
                    try
                    {
                        sequence = await client.PingAsync().ConfigureAwait(false);
                    }
                    catch (Exception)
                    {
                        sequence = -1;
                    }

                    Post(new DeliveryProven(client, sequence));
                });
            }
        }

        if (_live)
        {
            await PublishNodeDataAsync(force: false).ConfigureAwait(false);
            if (!_replayActive && _store is { Pending: > 0 })
            {
                await StartReplayAsync().ConfigureAwait(false);
            }
        }
    }

    private void TrimUnconfirmed(long confirmed)
    {
        var n = 0;
        while (n < _unconfirmed.Count && _unconfirmed[n].Sequence <= confirmed)
        {
            n++;
        }

        if (n > 0)
        {
            _unconfirmed.RemoveRange(0, n);
        }
    }

    private void UpdateStatus()
    {
        var up = _devices.Count(d => d.Answering);
        var state = _client is null ? "connecting" : _live ? "online" : _config.Node.PrimaryHostId is not null ? "waiting for primary host" : "connected";
        var status = new ServiceStatus
        {
            State = state,
            Broker = _server,
            DevicesUp = up,
            DevicesDown = _devices.Count - up,
            PendingChanges = _store?.Pending ?? 0,
        }.ToString();
        if (status != _lastStatus)
        {
            _lastStatus = status;
            _options.StatusChanged?.Invoke(status);
        }
    }

    private async Task StopCleanlyAsync()
    {
        var supervisor = _supervisor;
        if (supervisor is null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(_options.StopTimeout);
        try
        {
            if (_client is not null && _live)
            {
                foreach (var device in _devices.Where(d => d.Born))
                {
                    await PublishDeviceDeathAsync(device).ConfigureAwait(false);
                }

                // An explicit NDEATH: a clean DISCONNECT suppresses the Will (sparkplug #291).
                await PublishNodeDeathAsync(timeout.Token).ConfigureAwait(false);

                Log.Stopping(_logger);
            }

            GoOffline();
            await supervisor.StopAsync(EndOfSessionReason, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            GoOffline();
        }
        catch (Exception ex)
        {
            Log.LoopError(_logger, ex, "stop");
            GoOffline();
        }
    }

    /// <summary>
    /// MQTT 5.0: DISCONNECT with reason 0x04 "Disconnect with Will Message" after the explicit NDEATH
    /// [tck-id-payloads-ndeath-will-message-publisher-disconnect-mqtt50]; 3.1.1 has no such code (the NDEATH was
    /// published first, as it requires).
    /// </summary>
    private MqttDisconnectReasonCode EndOfSessionReason => _config.Mqtt.ProtocolVersion == MqttProtocolSetting.V500
        ? MqttDisconnectReasonCode.DisconnectWithWillMessage
        : MqttDisconnectReasonCode.NormalDisconnection;

    private sealed record RestartRequested : EngineEvent;

    private sealed record ConfigReplaced(EdgeNodeConfig Config) : EngineEvent;

    private readonly record struct Unconfirmed(StoreMetric Metric, long TimestampMs, StoredValue Value, long Sequence);
}
