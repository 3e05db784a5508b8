using System.Text;
using EdgeNode.Addressing;
using EdgeNode.Mqtt.Tests.TestSupport;
using EdgeNode.Testing;
using Xunit.Abstractions;

namespace EdgeNode.Mqtt.Tests.Supervision;

/// <summary>The supervisor against real brokers that go down, come back, and are swapped.</summary>
public sealed class MqttConnectionSupervisorIntegrationTests(ITestOutputHelper output)
{
    private static readonly MqttSupervisorOptions FastBackoff = new()
    {
        InitialReconnectDelay = TimeSpan.FromMilliseconds(50),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(400),
    };

    private readonly RecordingLogger _logger = new(output);

    private static Func<MqttServerEndpoint, MqttClientOptions> Factory(string clientId, MqttProtocolVersion version = MqttProtocolVersion.V311,
        Action<MqttClientOptions>? configure = null) => endpoint =>
    {
        var options = new MqttClientOptions
        {
            ClientId = clientId,
            ProtocolVersion = version,
            KeepAliveSeconds = 2,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        }.WithEndpoint(endpoint);
        configure?.Invoke(options);
        return options;
    };

    private MqttConnectionSupervisor Create(IEnumerable<string> urls, Func<MqttServerEndpoint, MqttClientOptions> factory) =>
        new([.. urls.Select(MqttServerEndpoint.Parse)], factory, FastBackoff, _logger);

    [Fact]
    public async Task Start_FirstServerDown_ConnectsToTheSecond()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var deadUrl = $"mqtt://127.0.0.1:{FreePort.Next()}";
        await using var supervisor = Create([deadUrl, broker.Url], Factory(Clients.NewClientId()));
        var probe = new SupervisorProbe(supervisor);
        supervisor.Start();

        var connected = await probe.WaitConnectedAsync(1);
        Assert.Equal(broker.Port, connected.Server.Port);
        Assert.Equal(MqttConnectionState.Connected, supervisor.State);
        Assert.Same(connected.Client, supervisor.Client);
        var attempts = probe.Attempts;
        Assert.Equal(MqttConnectAttemptOutcome.TransportFailed, attempts[0].Outcome);
        Assert.False(attempts[0].ConnectSent); // a bdSeq in that Will was never seen by a broker
        Assert.Equal(MqttConnectAttemptOutcome.Connected, attempts[1].Outcome);
        Assert.Contains(probe.States, s => s.State == MqttConnectionState.WaitingToReconnect && s.Server!.Port == broker.Port);
    }

    [Fact]
    public async Task Session_LostConnection_MovesToTheNextServerAndWraps()
    {
        await using var a = await MosquittoBroker.StartAsync();
        await using var b = await MosquittoBroker.StartAsync();
        await using var supervisor = Create([a.Url, b.Url], Factory(Clients.NewClientId()));
        var probe = new SupervisorProbe(supervisor);
        supervisor.Start();
        Assert.Equal(a.Port, (await probe.WaitConnectedAsync(1)).Server.Port);

        await a.StopAsync();
        Assert.Equal(b.Port, (await probe.WaitConnectedAsync(2)).Server.Port);
        var lost = await probe.WaitLostAsync(1);
        Assert.True(lost.WasEstablished);
        Assert.Contains(lost.Reason.Kind, new[] { MqttDisconnectKind.ServerClosedConnection, MqttDisconnectKind.ConnectionError });

        await a.StartAsync();
        await b.StopAsync();
        Assert.Equal(a.Port, (await probe.WaitConnectedAsync(3)).Server.Port); // wrapped around
    }

    [Fact]
    public async Task Session_BrokerRestartMidStream_Qos1InFlightIsConfirmedOrFailedNeverDropped()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var supervisor = Create([broker.Url], Factory(Clients.NewClientId()));
        var probe = new SupervisorProbe(supervisor);
        supervisor.Start();
        await probe.WaitConnectedAsync(1);

        var outcomes = new List<Task<MqttPublishResult>>();
        using var stop = new CancellationTokenSource();
        var publisher = Task.Run(async () =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                var client = supervisor.Client;
                if (client is null || !client.IsConnected)
                {
                    await Task.Delay(10);
                    continue;
                }

                Task<MqttPublishResult> task;
                try
                {
                    task = client.PublishAsync("restart/data", BitConverter.GetBytes(i++), MqttQualityOfService.AtLeastOnce).AsTask();
                }
                catch (MqttCommunicationException)
                {
                    continue;
                }

                lock (outcomes)
                {
                    outcomes.Add(task);
                }

                if (outcomes.Count % 20 == 0)
                {
                    await Task.Delay(1);
                }
            }
        });

        await Eventually.TrueAsync(() => outcomes.Count > 500, "publishing started");
        await broker.RestartAsync();
        await probe.WaitConnectedAsync(2);
        await Eventually.TrueAsync(() => outcomes.Count > 1500, "publishing resumed after the restart");
        await stop.CancelAsync();
        await publisher.Within();

        Task<MqttPublishResult>[] all;
        lock (outcomes)
        {
            all = [.. outcomes];
        }

        // Every publish ends: acknowledged by the broker, or failed with the connection — none stays pending.
        // The aggregate is awaited (not just raced with a delay): left faulted and unobserved, the finalizer rethrows it
        // as an UnobservedTaskException into whatever test of the assembly is watching that process-wide event.
        try
        {
            await Task.WhenAll(all).WaitAsync(Eventually.Timeout);
        }
        catch (Exception ex) when (ex is MqttCommunicationException or TimeoutException)
        {
            // expected failures are inspected one by one below; a timeout is reported by the completeness check
        }

        Assert.All(all, t => Assert.True(t.IsCompleted, "a QoS 1 publish neither completed nor failed"));
        var failed = all.Where(t => t.IsFaulted).ToList();
        Assert.All(failed, t => Assert.IsType<MqttCommunicationException>(t.Exception!.InnerException));
        Assert.All(all.Where(t => t.IsCompletedSuccessfully), t => Assert.True(t.Result.IsSuccess));
        output.WriteLine($"{all.Length} publishes: {all.Length - failed.Count} acknowledged, {failed.Count} reported failed at the restart");
        Assert.True(failed.Count > 0, "the restart should have caught some publishes in flight");
    }

    [Fact]
    public async Task RequestReconnect_NextServerWithWillReason_DisconnectsMovesAndTheWillIsPublished()
    {
        await using var a = await MosquittoBroker.StartAsync();
        await using var b = await MosquittoBroker.StartAsync();
        var willTopic = Clients.NewTopic("will");
        var collector = new MessageCollector();
        await using var watcher = await Clients.ConnectAsync(a, MqttProtocolVersion.V500, collector: collector);
        await watcher.SubscribeAsync(willTopic, MqttQualityOfService.AtLeastOnce);

        var bdSeq = 0;
        await using var supervisor = Create([a.Url, b.Url], Factory(Clients.NewClientId(), MqttProtocolVersion.V500, o => o.Will = new MqttWill
        {
            Topic = willTopic,
            Payload = Encoding.UTF8.GetBytes($"bdSeq={bdSeq++}"),
            QoS = MqttQualityOfService.AtLeastOnce,
        }));
        var probe = new SupervisorProbe(supervisor);
        supervisor.Start();
        Assert.Equal(a.Port, (await probe.WaitConnectedAsync(1)).Server.Port);

        supervisor.RequestReconnect(moveToNextServer: true, MqttDisconnectReasonCode.DisconnectWithWillMessage);
        Assert.Equal(b.Port, (await probe.WaitConnectedAsync(2)).Server.Port);
        var will = Assert.Single(await collector.WaitForAsync(1));
        Assert.Equal("bdSeq=0", Encoding.UTF8.GetString(will.Payload.Span));
        Assert.Equal(2, bdSeq); // the factory ran once per attempt
        Assert.Equal(MqttDisconnectKind.ClientDisconnected, (await probe.WaitLostAsync(1)).Reason.Kind);
    }

    [Fact]
    public async Task RequestReconnect_SameServer_ReconnectsThere()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var other = await MosquittoBroker.StartAsync();
        await using var supervisor = Create([broker.Url, other.Url], Factory(Clients.NewClientId()));
        var probe = new SupervisorProbe(supervisor);
        supervisor.Start();
        var first = await probe.WaitConnectedAsync(1);
        supervisor.RequestReconnect(moveToNextServer: false);
        var second = await probe.WaitConnectedAsync(2);
        Assert.Equal(broker.Port, second.Server.Port);
        Assert.NotSame(first.Client, second.Client);
        Assert.False(first.Client.IsConnected);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311, MqttDisconnectReasonCode.NormalDisconnection, false)]
    [InlineData(MqttProtocolVersion.V500, MqttDisconnectReasonCode.DisconnectWithWillMessage, true)]
    public async Task Stop_SendsDisconnectWithTheReason(MqttProtocolVersion version, MqttDisconnectReasonCode reason, bool expectWill)
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var willTopic = Clients.NewTopic("will");
        var collector = new MessageCollector();
        await using var watcher = await Clients.ConnectAsync(broker, version, collector: collector);
        await watcher.SubscribeAsync(willTopic, MqttQualityOfService.AtLeastOnce);
        var supervisor = Create([broker.Url], Factory(Clients.NewClientId(), version, o => o.Will = new MqttWill
        {
            Topic = willTopic,
            Payload = "NDEATH"u8.ToArray(),
            QoS = MqttQualityOfService.AtLeastOnce,
        }));
        var probe = new SupervisorProbe(supervisor);
        supervisor.Start();
        var session = await probe.WaitConnectedAsync(1);
        await session.Client.PublishAsync(willTopic, "last data"u8.ToArray(), MqttQualityOfService.AtLeastOnce);

        await supervisor.StopAsync(reason).Within();
        Assert.Equal(MqttConnectionState.Stopped, supervisor.State);
        Assert.Null(supervisor.Client);
        var lost = await probe.WaitLostAsync(1);
        Assert.Equal(MqttDisconnectKind.ClientDisconnected, lost.Reason.Kind);

        await watcher.PublishAsync(willTopic, "marker"u8.ToArray(), MqttQualityOfService.AtLeastOnce);
        var payloads = (await collector.WaitForAsync(expectWill ? 3 : 2)).Select(m => Encoding.UTF8.GetString(m.Payload.Span));
        Assert.Equal(expectWill ? ["last data", "NDEATH", "marker"] : ["last data", "marker"], payloads);
        await supervisor.DisposeAsync();
        Assert.Single(probe.Connected);
    }

    [Fact]
    public async Task ConnectedCallback_Throws_DropsTheConnectionAndRetries()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var calls = 0;
        await using var supervisor = Create([broker.Url], Factory(Clients.NewClientId()));
        var probe = new SupervisorProbe(supervisor, _ =>
            Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("births failed") : Task.CompletedTask);
        supervisor.Start();
        await probe.WaitConnectedAsync(1);
        Assert.Equal(2, calls);
        var lost = await probe.WaitLostAsync(1);
        Assert.False(lost.WasEstablished);
        Assert.True(_logger.Contains(3033, "dropping the connection"));
    }

    [Fact]
    public async Task ApplicationDisconnect_SupervisorWaitsForAReconnectRequest()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var supervisor = Create([broker.Url], Factory(Clients.NewClientId()));
        var probe = new SupervisorProbe(supervisor);
        supervisor.Start();
        var session = await probe.WaitConnectedAsync(1);

        await session.Client.DisconnectAsync();
        await Eventually.TrueAsync(() => supervisor.State == MqttConnectionState.Idle, "idle after the application disconnected");
        await Task.Delay(500);
        Assert.Single(probe.Connected); // no reconnect of its own accord (e.g. a stop in progress)

        supervisor.RequestReconnect(moveToNextServer: false);
        await probe.WaitConnectedAsync(2);
    }

    [Fact]
    public async Task Refused_ReportsOutcomeAndKeepsTryingWithCappedBackoff()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoOptions { AllowAnonymous = false });
        await using var supervisor = Create([broker.Url], Factory(Clients.NewClientId()));
        var probe = new SupervisorProbe(supervisor);
        supervisor.Start();
        await Eventually.TrueAsync(() => probe.Attempts.Count >= 4, "several refused attempts");
        Assert.All(probe.Attempts, a =>
        {
            Assert.Equal(MqttConnectAttemptOutcome.Refused, a.Outcome);
            Assert.True(a.ConnectSent);
            Assert.Equal(MqttConnectResultCode.NotAuthorized, a.Result!.ResultCode);
        });
        Assert.All(probe.States.Where(s => s.Delay is not null), s => Assert.True(s.Delay <= FastBackoff.MaxReconnectDelay));
        Assert.Empty(probe.Connected);
    }

    [Fact]
    public async Task BrokerBack_AfterOutage_SessionUpWithinTheBackoffCap()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await broker.StopAsync();
        await using var supervisor = new MqttConnectionSupervisor([MqttServerEndpoint.Parse(broker.Url)], Factory(Clients.NewClientId()),
            new MqttSupervisorOptions { InitialReconnectDelay = TimeSpan.FromMilliseconds(100), MaxReconnectDelay = TimeSpan.FromSeconds(1) }, _logger);
        var probe = new SupervisorProbe(supervisor);
        supervisor.Start();
        await Eventually.TrueAsync(() => probe.Attempts.Count >= 5, "attempts while the broker is down");

        var back = DateTime.UtcNow;
        await broker.StartAsync();
        await probe.WaitConnectedAsync(1);
        var took = DateTime.UtcNow - back;
        output.WriteLine($"session up {took.TotalMilliseconds:0} ms after the broker returned");
        Assert.True(took < TimeSpan.FromSeconds(1 + 3), $"took {took}"); // cap 1 s + connect + slack
    }

    [Fact]
    public async Task ApplicationMessages_ReachTheSupervisorHandlerAcrossReconnects()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var collector = new MessageCollector();
        var topic = Clients.NewTopic("cmd");
        await using var supervisor = Create([broker.Url], Factory(Clients.NewClientId()));
        supervisor.ApplicationMessageReceivedAsync = collector.HandleAsync;
        var probe = new SupervisorProbe(supervisor, c => c.Client.SubscribeAsync(topic, MqttQualityOfService.AtLeastOnce, c.SessionToken));
        supervisor.Start();
        await probe.WaitConnectedAsync(1);
        await using var sender = await Clients.ConnectAsync(broker);
        await sender.PublishAsync(topic, "1"u8.ToArray(), MqttQualityOfService.AtLeastOnce);
        await collector.WaitForAsync(1);

        supervisor.RequestReconnect(false);
        await probe.WaitConnectedAsync(2);
        await sender.PublishAsync(topic, "2"u8.ToArray(), MqttQualityOfService.AtLeastOnce);
        Assert.Equal(["1", "2"], (await collector.WaitForAsync(2)).Select(m => Encoding.UTF8.GetString(m.Payload.Span)));
    }
}
