using System.Globalization;
using System.Text;
using EdgeNode.Kafka;
using EdgeNode.Mqtt;
using EdgeNode.Mqtt.Packets;
using EdgeNode.Sparkplug;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Bridging;

/// <summary>
/// The running bridge: one MQTT session (persistent, fixed client id, QoS 1 subscriptions) feeding the
/// <see cref="BridgeProcessor"/>, whose records go to an <see cref="IRecordSink"/> in MQTT order. A QoS 1 message is
/// acknowledged to the broker (the MQTT client sends the PUBACK when the handler returns) once its records are fsynced
/// in the journal, or without a journal only after the sink confirmed all of them (the handler waits). With a host id, it is a Sparkplug host application: STATE is
/// published after the SUBACK, online only while the sink takes records; the Will says offline.
/// </summary>
public sealed class BridgeService
{
    private readonly BridgeOptions _options;
    private readonly BridgeMqttSettings _mqtt;
    private readonly IRecordSink _sink;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly BridgeProcessor _processor;
    private readonly SemaphoreSlim _processing = new(1, 1);
    private readonly string? _stateTopic;
    private MqttConnectionSupervisor? _supervisor;
    private long _sessionTimestamp;
    private volatile bool _saidOnline;
    private volatile bool _stopping;
    private CancellationToken _stopToken;

    /// <summary>Creates the bridge; <see cref="RunAsync"/> runs it.</summary>
    public BridgeService(BridgeOptions options, BridgeMqttSettings mqtt, IRecordSink sink, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(mqtt);
        ArgumentNullException.ThrowIfNull(sink);
        _options = options;
        _mqtt = mqtt;
        _sink = sink;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger("EdgeNode.Bridging");
        _processor = new BridgeProcessor(options);
        _stateTopic = options.HostId is { } host ? "spBv1.0/STATE/" + host : null;
    }

    /// <summary>Counters for /metrics.</summary>
    public BridgeCounters Counters { get; } = new();

    /// <summary>True while connected to the MQTT broker.</summary>
    public bool MqttConnected => _supervisor?.State == MqttConnectionState.Connected;

    /// <summary>Called with a one-line status when it changes (for systemd's STATUS=).</summary>
    public Action<string>? StatusChanged { get; init; }

    /// <summary>Called once when the first MQTT connection attempt completed (for systemd's READY=1).</summary>
    public Action? FirstConnectAttempted { get; init; }

    /// <summary>Called about once a second while the bridge's loop runs (for the watchdog).</summary>
    public Action? LoopBeat { get; init; }

    /// <summary>
    /// The journal of read-but-unconfirmed records (null: none). Its segments left by an earlier run are replayed
    /// before the MQTT session starts. The caller disposes it after <see cref="RunAsync"/> returned.
    /// </summary>
    public RecordJournal? Journal { get; init; }

    /// <summary>Runs until <paramref name="stopToken"/> is cancelled, then stops cleanly (STATE offline, deaths, flush).</summary>
    public async Task RunAsync(CancellationToken stopToken)
    {
        _stopToken = stopToken;
        var servers = _mqtt.Servers.Select(MqttServerEndpoint.Parse).ToList();
        var firstAttempt = 0;
        await using var supervisor = new MqttConnectionSupervisor(servers, CreateClientOptions,
            new MqttSupervisorOptions { MaxReconnectDelay = TimeSpan.FromMilliseconds(Math.Max(250, _mqtt.ReconnectMaxMs)) },
            _loggerFactory.CreateLogger("EdgeNode.Mqtt"));
        _supervisor = supervisor;
        supervisor.ApplicationMessageReceivedAsync = OnMessageAsync;
        supervisor.ConnectedAsync = OnConnectedAsync;
        supervisor.AttemptCompletedAsync = _ =>
        {
            if (Interlocked.Exchange(ref firstAttempt, 1) == 0)
            {
                FirstConnectAttempted?.Invoke();
            }

            return Task.CompletedTask;
        };
        supervisor.StateChanged += (_, e) => StatusChanged?.Invoke($"MQTT {e.State}; Kafka {(_sink.IsAvailable ? "up" : "down")}");
        _sink.AvailabilityChanged += OnSinkAvailabilityChanged;
        if (Journal is { } journal)
        {
            await journal.ReplayAsync(_sink, _options.DataTopic, _options.StateTopic, stopToken).ConfigureAwait(false);
        }

        supervisor.Start();
        try
        {
            while (!stopToken.IsCancellationRequested)
            {
                LoopBeat?.Invoke();
                Journal?.Flush(); // rotates an idle segment, so confirmed ones get deleted
                try
                {
                    await Task.Delay(1000, stopToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            await StopCleanlyAsync(supervisor).ConfigureAwait(false);
        }
        finally
        {
            _sink.AvailabilityChanged -= OnSinkAvailabilityChanged;
        }
    }

    private async Task StopCleanlyAsync(MqttConnectionSupervisor supervisor)
    {
        _stopping = true;
        if (_stateTopic is not null && supervisor.Client is { IsConnected: true } client)
        {
            // Offline first, so nodes with this primary host store and forward while the bridge is away (a clean
            // DISCONNECT does not fire the Will).
            await PublishStateAsync(client, online: false, NowMs()).ConfigureAwait(false);
            var deadline = Environment.TickCount64 + _options.ShutdownGraceMs;
            while (Environment.TickCount64 < deadline && _processor.OnlineNodes.Any())
            {
                await Task.Delay(50, CancellationToken.None).ConfigureAwait(false);
            }
        }

        var pending = _sink.Pending;
        if (pending > 0)
        {
            Log.Flushing(_logger, pending, 30);
        }

        // Flush before the DISCONNECT: QoS 1 handlers still waiting for Kafka then complete and are acknowledged.
        var left = await Task.Run(() => _sink.Flush(TimeSpan.FromSeconds(30))).ConfigureAwait(false);
        await supervisor.StopAsync().ConfigureAwait(false);
        if (left > 0)
        {
            Log.Unflushed(_logger, left);
        }
    }

    private MqttClientOptions CreateClientOptions(MqttServerEndpoint endpoint)
    {
        // The Will's timestamp is this session's: the online STATE of the session carries the same one, so edge nodes
        // take the Will as valid (offline timestamp ≥ online timestamp).
        var timestamp = NowMs();
        Interlocked.Exchange(ref _sessionTimestamp, timestamp);
        var options = new MqttClientOptions
        {
            ClientId = _mqtt.ClientId,
            Username = _mqtt.Username,
            Password = _mqtt.Password,
            KeepAliveSeconds = _mqtt.KeepAliveSeconds,
            ProtocolVersion = _mqtt.UseMqtt5 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311,
            // A persistent session: QoS 1 messages (births, deaths) published while the bridge is away wait at the broker.
            CleanSession = false,
            SessionExpiryInterval = uint.MaxValue,
            ConnectTimeout = TimeSpan.FromMilliseconds(_mqtt.ConnectTimeoutMs),
            ReceiveQueueCapacity = 4096,
            Will = _stateTopic is null ? null : new MqttWill
            {
                Topic = _stateTopic,
                Payload = StatePayload(false, timestamp),
                QoS = MqttQualityOfService.AtLeastOnce,
                Retain = true,
            },
        }.WithEndpoint(endpoint);
        if (_mqtt.CaFile is not null || _mqtt.CertFile is not null || _mqtt.ServerName is not null)
        {
            options.Tls.CaFile = _mqtt.CaFile;
            options.Tls.CertFile = _mqtt.CertFile;
            options.Tls.KeyFile = _mqtt.KeyFile;
            if (_mqtt.ServerName is not null)
            {
                options.Tls.ServerName = _mqtt.ServerName;
            }
        }

        return options;
    }

    private async Task OnConnectedAsync(MqttConnectedEventArgs args)
    {
        var filters = _options.Groups.Count == 0
            ? [new MqttTopicFilter("spBv1.0/#", MqttQualityOfService.AtLeastOnce)]
            : _options.Groups.Select(g => new MqttTopicFilter($"spBv1.0/{g}/#", MqttQualityOfService.AtLeastOnce)).ToList();
        var result = await args.Client.SubscribeAsync(filters, args.SessionToken).ConfigureAwait(false);
        foreach (var item in result.Items.Where(i => !i.IsSuccess))
        {
            Log.SubscribeRefused(_logger, item.ToString(), result.ReasonString ?? "refused");
        }

        Log.Subscribed(_logger, string.Join(", ", filters.Select(f => f.Topic)), args.Result.IsSessionPresent);
        if (_stateTopic is not null && !_stopping)
        {
            // Only now: with the subscriptions acknowledged, no birth that our online STATE triggers can slip past.
            await PublishStateAsync(args.Client, _sink.IsAvailable, Interlocked.Read(ref _sessionTimestamp)).ConfigureAwait(false);
        }
    }

    private void OnSinkAvailabilityChanged(bool available)
    {
        StatusChanged?.Invoke($"MQTT {_supervisor?.State}; Kafka {(available ? "up" : "down")}");
        if (_stateTopic is null || _stopping || _supervisor is not { } supervisor)
        {
            return;
        }

        if (!available && _saidOnline && supervisor.Client is { IsConnected: true } client)
        {
            _ = PublishStateAsync(client, online: false, NowMs());
        }
        else if (available && !_saidOnline)
        {
            // A new connection gives a new Will timestamp, so the online STATE that follows is newer than the offline
            // one just published, and the Will stays valid against it.
            supervisor.RequestReconnect(moveToNextServer: false);
        }
    }

    private async Task PublishStateAsync(MqttClient client, bool online, long timestamp)
    {
        try
        {
            var result = await client.PublishAsync(_stateTopic!, StatePayload(online, timestamp), MqttQualityOfService.AtLeastOnce, retain: true,
                _stopToken.IsCancellationRequested ? CancellationToken.None : _stopToken).ConfigureAwait(false);
            _saidOnline = online;
            Log.HostState(_logger, _options.HostId!, online ? "online" : "offline");
            _ = result;
        }
        catch (Exception ex) when (ex is MqttCommunicationException or OperationCanceledException)
        {
            Log.PublishFailed(_logger, ex.Message);
        }
    }

    internal static byte[] StatePayload(bool online, long timestamp) =>
        Encoding.UTF8.GetBytes($"{{\"online\":{(online ? "true" : "false")},\"timestamp\":{timestamp.ToString(CultureInfo.InvariantCulture)}}}");

    private async Task OnMessageAsync(MqttApplicationMessage message)
    {
        DeliveryBatch? batch = null;
        var batchJournaled = false;
        string? rebirthGroup = null;
        string? rebirthNode = null;
        await _processing.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            var outcome = _processor.Process(message.Topic, message.Payload.Span, NowMs());
            Counters.Count(outcome);
            Log.MessageRead(_logger, message.Topic, (int)message.QoS, message.Payload.Length, outcome.Records.Count);
            if (outcome.LogProblem && outcome.ProblemDetail is { } detail)
            {
                Log.BadInput(_logger, outcome.Problem.ToString(), detail);
            }

            if (outcome.Records.Count > 0)
            {
                batch = message.QoS == MqttQualityOfService.AtMostOnce ? null : new DeliveryBatch();
                DeliveryBatch? segment = null;
                if (Journal is { } journal)
                {
                    // On disk (in the kernel) before Kafka gets them: a kill from here on loses nothing.
                    foreach (var record in outcome.Records)
                    {
                        segment = journal.Append(record.IsState, record.Key, record.Value);
                    }

                    // A QoS 1 message is acknowledged once its records are on disk, not when Kafka confirms them: holding
                    // the dispatcher for Kafka would leave the QoS 0 DATA behind it in the client's receive queue, where a
                    // kill -9 loses it (seen with Kafka down right after births).
                    journal.Flush(durable: batch is not null);
                    batchJournaled = batch is not null;
                }

                foreach (var record in outcome.Records)
                {
                    await _sink.ProduceAsync(record.IsState ? _options.StateTopic : _options.DataTopic, record.Key, record.Value, batch,
                        segment, CancellationToken.None).ConfigureAwait(false);
                }
            }

            if (outcome.RebirthGroup is not null)
            {
                rebirthGroup = outcome.RebirthGroup;
                rebirthNode = outcome.RebirthEdgeNode;
                Log.RebirthRequested(_logger, rebirthGroup, rebirthNode!, outcome.RebirthReason ?? "");
            }
        }
        finally
        {
            _processing.Release();
        }

        if (rebirthGroup is not null && _supervisor?.Client is { IsConnected: true } client)
        {
            Counters.CountRebirth();
            try
            {
                await client.PublishAsync($"spBv1.0/{rebirthGroup}/NCMD/{rebirthNode}", RebirthPayload()).ConfigureAwait(false);
            }
            catch (MqttCommunicationException ex)
            {
                Log.PublishFailed(_logger, ex.Message);
            }
        }

        if (batch is not null && batchJournaled)
        {
            batch.Seal();
            var topic = message.Topic;
            _ = batch.Completion.ContinueWith(t =>
            {
                if (!t.Result)
                {
                    Log.BatchFailed(_logger, topic);
                }
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously | TaskContinuationOptions.OnlyOnRanToCompletion,
                TaskScheduler.Default);
        }
        else if (batch is not null)
        {
            batch.Seal();
            // The PUBACK goes out when this returns: only after Kafka confirmed every record of the message.
            if (!await batch.Completion.ConfigureAwait(false))
            {
                Log.BatchFailed(_logger, message.Topic);
            }
        }
    }

    private static byte[] RebirthPayload()
    {
        var payload = new SparkplugPayload { Timestamp = (ulong)NowMs() };
        payload.Metrics.Add(new SparkplugMetric("Node Control/Rebirth", SparkplugValue.FromBoolean(true)));
        return payload.ToByteArray();
    }

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
