using EdgeNode.Addressing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Mqtt;

/// <summary>
/// Keeps one MQTT session up over a list of servers (Sparkplug's multi-server rules): tries the servers in order, one
/// connection at a time, with capped randomised back-off between failed attempts; after an established session ends it
/// goes to the NEXT server (wrapping). Each attempt builds its options through the factory (the engine puts the Will
/// with the current bdSeq there) and reports its outcome; <see cref="ConnectedAsync"/> runs after CONNACK and is
/// awaited before the session counts as up (subscribe, then births); <see cref="ConnectionLostAsync"/> runs once per
/// ended session. <see cref="RequestReconnect"/> serves Sparkplug's Next Server command and a primary host going
/// offline; <see cref="StopAsync"/> ends it all with a DISCONNECT.
/// <para>
/// If the application calls <see cref="MqttClient.DisconnectAsync"/> on the current client itself, the supervisor does
/// not reconnect on its own (that was intent): it waits (<see cref="MqttConnectionState.Idle"/>) for
/// <see cref="RequestReconnect"/> or <see cref="StopAsync"/>.
/// </para>
/// </summary>
public sealed class MqttConnectionSupervisor : IAsyncDisposable
{
    private readonly IReadOnlyList<MqttServerEndpoint> _servers;
    private readonly Func<MqttServerEndpoint, MqttClientOptions> _optionsFactory;
    private readonly ReconnectBackoff _backoff;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource<ReconnectRequest> _request = NewRequest();
    private Task? _run;
    private volatile MqttClient? _client;
    private volatile MqttServerEndpoint? _currentServer;
    private MqttConnectionState _state;
    private MqttDisconnectReasonCode _stopReason;

    /// <summary>Creates the supervisor; <see cref="Start"/> begins connecting.</summary>
    /// <param name="servers">Servers in order of preference (at least one).</param>
    /// <param name="optionsFactory">Builds the client options for each attempt (called once per attempt).</param>
    /// <param name="options">Back-off settings; null for defaults (250 ms initial, 5 s cap, 50 % jitter).</param>
    /// <param name="logger">Logger for the supervisor and its clients.</param>
    public MqttConnectionSupervisor(IReadOnlyList<MqttServerEndpoint> servers, Func<MqttServerEndpoint, MqttClientOptions> optionsFactory,
        MqttSupervisorOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(servers);
        ArgumentNullException.ThrowIfNull(optionsFactory);
        if (servers.Count == 0)
        {
            throw new ArgumentException("at least one MQTT server is required", nameof(servers));
        }

        options ??= new MqttSupervisorOptions();
        _servers = [.. servers];
        _optionsFactory = optionsFactory;
        _backoff = new ReconnectBackoff(options.InitialReconnectDelay, options.MaxReconnectDelay, options.ReconnectJitter, options.Random);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Awaited after each successful CONNACK, before the session counts as up. Throwing drops the connection.</summary>
    public Func<MqttConnectedEventArgs, Task>? ConnectedAsync { get; set; }

    /// <summary>Awaited once whenever a connected session ends (loss, reconnect request, stop, application disconnect).</summary>
    public Func<MqttConnectionLostEventArgs, Task>? ConnectionLostAsync { get; set; }

    /// <summary>Awaited after every connection attempt with its outcome.</summary>
    public Func<MqttConnectAttemptEventArgs, Task>? AttemptCompletedAsync { get; set; }

    /// <summary>Handler for received messages, wired into every client the supervisor creates.</summary>
    public Func<MqttApplicationMessage, Task>? ApplicationMessageReceivedAsync { get; set; }

    /// <summary>Raised synchronously on every state change (keep handlers short).</summary>
    public event EventHandler<MqttConnectionStateChangedEventArgs>? StateChanged;

    /// <summary>The current state.</summary>
    public MqttConnectionState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>The client of the current session (from CONNACK until the session ends), else null.</summary>
    public MqttClient? Client => _client;

    /// <summary>The server of the current session or attempt.</summary>
    public MqttServerEndpoint? CurrentServer => _currentServer;

    /// <summary>The configured servers.</summary>
    public IReadOnlyList<MqttServerEndpoint> Servers => _servers;

    /// <summary>Starts the connection loop (once).</summary>
    public void Start()
    {
        lock (_lock)
        {
            if (_run is not null)
            {
                throw new InvalidOperationException("the supervisor was already started");
            }

            _run = Task.Run(RunAsync);
        }
    }

    /// <summary>
    /// Ends the current session (DISCONNECT with <paramref name="reasonCode"/>; 5.0 0x04 makes the broker publish the
    /// Will) and connects again: to the next server in the list when <paramref name="moveToNextServer"/>, else to the same
    /// one. While waiting to reconnect it cuts the wait short; while connecting it applies to the session being set up.
    /// </summary>
    public void RequestReconnect(bool moveToNextServer, MqttDisconnectReasonCode reasonCode = MqttDisconnectReasonCode.NormalDisconnection)
    {
        Log.ReconnectRequested(_logger, _currentServer?.ToString() ?? "(none)", moveToNextServer);
        TaskCompletionSource<ReconnectRequest> request;
        lock (_lock)
        {
            request = _request;
        }

        request.TrySetResult(new ReconnectRequest(moveToNextServer, reasonCode));
    }

    /// <summary>
    /// Stops: a connected session is closed with DISCONNECT (<paramref name="reasonCode"/>) after everything queued was
    /// written, <see cref="ConnectionLostAsync"/> runs, and no further attempt is made. Publish last messages (DDEATH,
    /// NDEATH) before calling this, or disconnect the client yourself first.
    /// </summary>
    public async Task StopAsync(MqttDisconnectReasonCode reasonCode = MqttDisconnectReasonCode.NormalDisconnection,
        CancellationToken cancellationToken = default)
    {
        Task? run;
        lock (_lock)
        {
            run = _run;
            if (!_stop.IsCancellationRequested)
            {
                _stopReason = reasonCode;
            }
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (run is not null)
        {
            await run.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops (normal DISCONNECT) if still running.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var stopToken = _stop.Token;
        var index = 0;
        try
        {
            while (!stopToken.IsCancellationRequested)
            {
                var server = _servers[index];
                _currentServer = server;
                SetState(MqttConnectionState.Connecting, server);
                var attemptNumber = _backoff.Attempt;
                var (client, attempt) = await AttemptAsync(server, attemptNumber, stopToken).ConfigureAwait(false);
                if (client is null)
                {
                    break; // stopped while connecting
                }

                await InvokeAsync(AttemptCompletedAsync, attempt, "attempt completed").ConfigureAwait(false);
                if (attempt.Outcome != MqttConnectAttemptOutcome.Connected)
                {
                    await client.DisposeAsync().ConfigureAwait(false);
                    index = (index + 1) % _servers.Count;
                    var delay = _backoff.NextDelay();
                    Log.AttemptFailed(_logger, server.ToString(), attempt.Outcome.ToString(),
                        attempt.Exception?.Message ?? attempt.Result?.ToString() ?? "", _servers[index].ToString(), (long)delay.TotalMilliseconds);
                    SetState(MqttConnectionState.WaitingToReconnect, _servers[index], attempt: attempt, delay: delay);
                    await WaitAsync(delay, stopToken).ConfigureAwait(false);
                    continue;
                }

                var (nextIndex, reason, stay) = await RunSessionAsync(client, server, attempt.Result!, index, stopToken).ConfigureAwait(false);
                if (stopToken.IsCancellationRequested)
                {
                    break;
                }

                index = nextIndex;
                if (stay)
                {
                    // The application closed the connection itself: wait for its decision.
                    Log.SessionClosedByApplication(_logger, server.ToString());
                    SetState(MqttConnectionState.Idle, server, reason);
                    var request = await WaitForRequestAsync(stopToken).ConfigureAwait(false);
                    if (request is null)
                    {
                        break;
                    }

                    index = request.Value.MoveToNextServer ? (index + 1) % _servers.Count : index;
                    continue;
                }

                var wait = _backoff.NextDelay();
                Log.SessionLost(_logger, server.ToString(), reason?.ToString() ?? "reconnect requested", _servers[index].ToString(), (long)wait.TotalMilliseconds);
                SetState(MqttConnectionState.WaitingToReconnect, _servers[index], reason, delay: wait);
                await WaitAsync(wait, stopToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopToken.IsCancellationRequested)
        {
            // stopped
        }
#pragma warning disable CA1031 // the loop must never die silently; it logs and stops
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.SupervisorFault(_logger, ex);
        }
        finally
        {
            _client = null;
            SetState(MqttConnectionState.Stopped, null);
            Log.SupervisorStopped(_logger);
        }
    }

    private async Task<(MqttClient? Client, MqttConnectAttemptEventArgs Attempt)> AttemptAsync(MqttServerEndpoint server, int attemptNumber,
        CancellationToken stopToken)
    {
        var client = new MqttClient(_logger);
        client.ApplicationMessageReceivedAsync = message => ApplicationMessageReceivedAsync?.Invoke(message) ?? Task.CompletedTask;
        try
        {
            var options = _optionsFactory(server);
            var result = await client.ConnectAsync(options, stopToken).ConfigureAwait(false);
            var outcome = result.IsSuccess ? MqttConnectAttemptOutcome.Connected : MqttConnectAttemptOutcome.Refused;
            return (client, new MqttConnectAttemptEventArgs(server, attemptNumber, outcome, result, null));
        }
        catch (OperationCanceledException) when (stopToken.IsCancellationRequested)
        {
            await client.DisposeAsync().ConfigureAwait(false);
            return (null, null!);
        }
        catch (MqttCommunicationException ex)
        {
            var outcome = client.ConnectSent ? MqttConnectAttemptOutcome.NoConnAck : MqttConnectAttemptOutcome.TransportFailed;
            return (client, new MqttConnectAttemptEventArgs(server, attemptNumber, outcome, null, ex));
        }
#pragma warning disable CA1031 // a failing options factory or invalid options must not kill the loop: log, back off, retry
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.CallbackFailed(_logger, "options factory / connect", ex);
            return (client, new MqttConnectAttemptEventArgs(server, attemptNumber, MqttConnectAttemptOutcome.TransportFailed, null, ex));
        }
    }

    /// <summary>Runs one connected session to its end; returns the next server index and why it ended.</summary>
    private async Task<(int NextIndex, MqttDisconnectInfo? Reason, bool Stay)> RunSessionAsync(MqttClient client, MqttServerEndpoint server,
        MqttConnectResult result, int index, CancellationToken stopToken)
    {
        _client = client;
        using var session = CancellationTokenSource.CreateLinkedTokenSource(stopToken);
        CancelOnCompletion(client, session);
        SetState(MqttConnectionState.Establishing, server);
        var established = false;
        try
        {
            if (ConnectedAsync is { } connected)
            {
                await connected(new MqttConnectedEventArgs(client, server, result, session.Token)).ConfigureAwait(false);
            }

            established = client.IsConnected;
        }
        catch (Exception ex) when (!client.IsConnected || stopToken.IsCancellationRequested)
        {
            // The connection ended (or stop began) while births were being sent: handled as the end of the session.
            _ = ex;
        }
#pragma warning disable CA1031 // application callback: any failure drops this connection and retries
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.ConnectedCallbackFailed(_logger, server.ToString(), ex);
            await client.DisposeAsync().ConfigureAwait(false); // abrupt: the broker publishes the Will (NDEATH)
        }

        var next = (index + 1) % _servers.Count;
        var stay = false;
        if (established)
        {
            _backoff.Reset();
            Log.SessionUp(_logger, server.ToString());
            SetState(MqttConnectionState.Connected, server);
        }

        Task<ReconnectRequest> requestTask;
        lock (_lock)
        {
            requestTask = _request.Task;
        }

        var stopTask = Task.Delay(Timeout.Infinite, stopToken);
        var ended = await Task.WhenAny(client.Completion, requestTask, stopTask).ConfigureAwait(false);
        if (ended == stopTask || stopToken.IsCancellationRequested)
        {
            SetState(MqttConnectionState.Stopping, server);
            await client.DisconnectAsync(_stopReason, CancellationToken.None).ConfigureAwait(false);
        }
        else if (ended == requestTask && client.IsConnected)
        {
            var request = ConsumeRequest();
            await client.DisconnectAsync(request.ReasonCode, CancellationToken.None).ConfigureAwait(false);
            next = request.MoveToNextServer ? next : index;
        }
        else
        {
            var info = await client.Completion.ConfigureAwait(false);
            if (info.Kind == MqttDisconnectKind.ClientDisconnected)
            {
                stay = true;
                next = index;
            }
        }

        var reason = await client.Completion.ConfigureAwait(false);
        _client = null;
        await InvokeAsync(ConnectionLostAsync, new MqttConnectionLostEventArgs(client, server, reason, established), "connection lost")
            .ConfigureAwait(false);
        await client.DisposeAsync().ConfigureAwait(false);
        return (next, reason, stay);
    }

    private static void CancelOnCompletion(MqttClient client, CancellationTokenSource session)
    {
        // Cancel the session token as soon as the connection ends, so ConnectedAsync work stops early.
        _ = client.Completion.ContinueWith(static (_, s) =>
        {
            try
            {
                ((CancellationTokenSource)s!).Cancel();
            }
            catch (ObjectDisposedException)
            {
                // session already over
            }
        }, session, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private ReconnectRequest ConsumeRequest()
    {
        lock (_lock)
        {
            var request = _request.Task.IsCompletedSuccessfully ? _request.Task.Result : default;
            _request = NewRequest();
            return request;
        }
    }

    private async Task<ReconnectRequest?> WaitForRequestAsync(CancellationToken stopToken)
    {
        Task<ReconnectRequest> requestTask;
        lock (_lock)
        {
            requestTask = _request.Task;
        }

        try
        {
            await requestTask.WaitAsync(stopToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopToken.IsCancellationRequested)
        {
            return null;
        }

        return ConsumeRequest();
    }

    /// <summary>Back-off wait, cut short by a reconnect request (which is then consumed).</summary>
    private async Task WaitAsync(TimeSpan delay, CancellationToken stopToken)
    {
        Task<ReconnectRequest> requestTask;
        lock (_lock)
        {
            requestTask = _request.Task;
        }

        var done = await Task.WhenAny(Task.Delay(delay, stopToken), requestTask).ConfigureAwait(false);
        if (done == requestTask)
        {
            ConsumeRequest();
        }

        stopToken.ThrowIfCancellationRequested();
    }

    private void SetState(MqttConnectionState state, MqttServerEndpoint? server, MqttDisconnectInfo? reason = null,
        MqttConnectAttemptEventArgs? attempt = null, TimeSpan? delay = null)
    {
        MqttConnectionState previous;
        lock (_lock)
        {
            previous = _state;
            _state = state;
        }

        if (StateChanged is { } handler)
        {
            try
            {
                handler(this, new MqttConnectionStateChangedEventArgs(previous, state, server, reason, attempt, delay));
            }
#pragma warning disable CA1031 // an application event handler must not break the supervisor
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.CallbackFailed(_logger, "StateChanged", ex);
            }
        }
    }

    private async Task InvokeAsync<T>(Func<T, Task>? callback, T args, string name)
    {
        if (callback is null)
        {
            return;
        }

        try
        {
            await callback(args).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // application callbacks must not break the supervisor
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.CallbackFailed(_logger, name, ex);
        }
    }

    private static TaskCompletionSource<ReconnectRequest> NewRequest() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly record struct ReconnectRequest(bool MoveToNextServer, MqttDisconnectReasonCode ReasonCode);
}
