using EdgeNode.Addressing;

namespace EdgeNode.Mqtt;

/// <summary>Settings of a <see cref="MqttConnectionSupervisor"/>.</summary>
public sealed class MqttSupervisorOptions
{
    /// <summary>Back-off before the first retry (before jitter).</summary>
    public TimeSpan InitialReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Back-off cap: 5 s by default, so births follow within a few seconds after the broker returns.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Randomised fraction of each delay (0–1).</summary>
    public double ReconnectJitter { get; set; } = 0.5;

    /// <summary>Random source for the jitter (tests pass a seeded one).</summary>
    public Random? Random { get; set; }
}

/// <summary>Where the supervisor is.</summary>
public enum MqttConnectionState
{
    /// <summary>Not started, or stopped.</summary>
    Stopped,

    /// <summary>Connecting to <see cref="MqttConnectionStateChangedEventArgs.Server"/>.</summary>
    Connecting,

    /// <summary>CONNACK received; the ConnectedAsync callback (subscribe, births) is running.</summary>
    Establishing,

    /// <summary>Session up: ConnectedAsync completed.</summary>
    Connected,

    /// <summary>Waiting (back-off) before the next attempt; the reason is in the event.</summary>
    WaitingToReconnect,

    /// <summary>The application closed the connection itself; waiting for RequestReconnect or StopAsync.</summary>
    Idle,

    /// <summary>StopAsync is closing the session.</summary>
    Stopping,
}

/// <summary>What one connection attempt achieved (Sparkplug bdSeq bookkeeping needs to know if CONNECT went out).</summary>
public enum MqttConnectAttemptOutcome
{
    /// <summary>DNS, TCP or TLS failed: no CONNECT reached the broker.</summary>
    TransportFailed,

    /// <summary>CONNECT was written but no valid CONNACK came back (timeout, closed, protocol violation).</summary>
    NoConnAck,

    /// <summary>The broker answered with a refusal (bad credentials, not authorized, …).</summary>
    Refused,

    /// <summary>The broker accepted the connection.</summary>
    Connected,
}

/// <summary>The outcome of one connection attempt.</summary>
public sealed class MqttConnectAttemptEventArgs : EventArgs
{
    internal MqttConnectAttemptEventArgs(MqttServerEndpoint server, int attempt, MqttConnectAttemptOutcome outcome,
        MqttConnectResult? result, Exception? exception)
    {
        Server = server;
        Attempt = attempt;
        Outcome = outcome;
        Result = result;
        Exception = exception;
    }

    /// <summary>The server tried.</summary>
    public MqttServerEndpoint Server { get; }

    /// <summary>Failed attempts before this one since the last established session (0 = first).</summary>
    public int Attempt { get; }

    /// <summary>What happened.</summary>
    public MqttConnectAttemptOutcome Outcome { get; }

    /// <summary>The CONNACK outcome (Refused, Connected).</summary>
    public MqttConnectResult? Result { get; }

    /// <summary>The failure (TransportFailed, NoConnAck).</summary>
    public Exception? Exception { get; }

    /// <summary>True when a CONNECT packet was written to the broker (its Will, e.g. a bdSeq, counts as used).</summary>
    public bool ConnectSent => Outcome != MqttConnectAttemptOutcome.TransportFailed;
}

/// <summary>Arguments of <see cref="MqttConnectionSupervisor.ConnectedAsync"/>.</summary>
public sealed class MqttConnectedEventArgs : EventArgs
{
    internal MqttConnectedEventArgs(MqttClient client, MqttServerEndpoint server, MqttConnectResult result, CancellationToken sessionToken)
    {
        Client = client;
        Server = server;
        Result = result;
        SessionToken = sessionToken;
    }

    /// <summary>The connected client (subscribe and publish births through it).</summary>
    public MqttClient Client { get; }

    /// <summary>The server it is connected to.</summary>
    public MqttServerEndpoint Server { get; }

    /// <summary>The CONNACK outcome (session present, server limits).</summary>
    public MqttConnectResult Result { get; }

    /// <summary>Cancelled when this connection ends or the supervisor stops.</summary>
    public CancellationToken SessionToken { get; }
}

/// <summary>Arguments of <see cref="MqttConnectionSupervisor.ConnectionLostAsync"/>.</summary>
public sealed class MqttConnectionLostEventArgs : EventArgs
{
    internal MqttConnectionLostEventArgs(MqttClient client, MqttServerEndpoint server, MqttDisconnectInfo reason, bool wasEstablished)
    {
        Client = client;
        Server = server;
        Reason = reason;
        WasEstablished = wasEstablished;
    }

    /// <summary>The client whose connection ended (its sequences and ConfirmedSequence are final).</summary>
    public MqttClient Client { get; }

    /// <summary>The server it was connected to.</summary>
    public MqttServerEndpoint Server { get; }

    /// <summary>Why it ended.</summary>
    public MqttDisconnectInfo Reason { get; }

    /// <summary>True when ConnectedAsync had completed (the session was up).</summary>
    public bool WasEstablished { get; }
}

/// <summary>A state transition of the supervisor.</summary>
public sealed class MqttConnectionStateChangedEventArgs : EventArgs
{
    internal MqttConnectionStateChangedEventArgs(MqttConnectionState previous, MqttConnectionState state, MqttServerEndpoint? server,
        MqttDisconnectInfo? reason, MqttConnectAttemptEventArgs? attempt, TimeSpan? delay)
    {
        PreviousState = previous;
        State = state;
        Server = server;
        Reason = reason;
        Attempt = attempt;
        Delay = delay;
    }

    /// <summary>State before.</summary>
    public MqttConnectionState PreviousState { get; }

    /// <summary>State now.</summary>
    public MqttConnectionState State { get; }

    /// <summary>Connecting/connected: that server; waiting: the next server to try.</summary>
    public MqttServerEndpoint? Server { get; }

    /// <summary>Why the last session ended (when this change follows a loss).</summary>
    public MqttDisconnectInfo? Reason { get; }

    /// <summary>The failed attempt that led to waiting, if any.</summary>
    public MqttConnectAttemptEventArgs? Attempt { get; }

    /// <summary>Back-off delay before the next attempt (WaitingToReconnect).</summary>
    public TimeSpan? Delay { get; }

    /// <summary>When it happened (UTC).</summary>
    public DateTimeOffset Timestamp { get; } = DateTimeOffset.UtcNow;

    /// <inheritdoc />
    public override string ToString() =>
        $"{PreviousState} -> {State}{(Server is null ? "" : $" ({Server})")}{(Reason is null ? "" : $": {Reason}")}{(Delay is { } d ? $" in {d.TotalMilliseconds:0} ms" : "")}";
}
