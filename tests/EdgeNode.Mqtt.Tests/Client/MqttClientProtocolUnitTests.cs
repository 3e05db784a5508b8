using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using EdgeNode.Mqtt.Packets;
using EdgeNode.Mqtt.Protocol;
using EdgeNode.Mqtt.Tests.TestSupport;
using Xunit.Abstractions;

namespace EdgeNode.Mqtt.Tests.Client;

/// <summary>
/// Client behaviour against a scripted server: bad bytes and protocol violations close the connection with a logged
/// reason (never an unhandled exception), acknowledgements flow correctly, refusals are results.
/// </summary>
public sealed partial class MqttClientProtocolUnitTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly ScriptedMqttServer _server = new();
    private readonly RecordingLogger _logger = new(output, Microsoft.Extensions.Logging.LogLevel.Trace);
    private readonly List<Exception> _unobserved = [];

    public Task InitializeAsync()
    {
        TaskScheduler.UnobservedTaskException += OnUnobserved;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        var own = $"127.0.0.1:{_server.Port}";
        await _server.DisposeAsync();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        TaskScheduler.UnobservedTaskException -= OnUnobserved;

        // The event is process-wide: other test classes run in parallel (Mosquitto restarts, other scripted servers) and
        // this GC.Collect may finalize their garbage. An exception naming another endpoint is provably not this test's;
        // it is written to the output (its own test must catch it) instead of failing this one.
        Exception[] unobserved;
        lock (_unobserved)
        {
            unobserved = [.. _unobserved];
        }

        var foreign = unobserved.Where(e => NamesOtherEndpoint(e.ToString(), own)).ToList();
        foreach (var e in foreign)
        {
            output.WriteLine($"unobserved exception of another test (ignored here): {e.GetType().Name}: {e.Message}");
        }

        Assert.DoesNotContain(unobserved.Except(foreign), e => e.ToString().Contains("EdgeNode.Mqtt", StringComparison.Ordinal));
    }

    private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
    {
        lock (_unobserved)
        {
            _unobserved.Add(e.Exception);
        }
    }

    private static bool NamesOtherEndpoint(string text, string own)
    {
        var endpoints = EndpointPattern().Matches(text);
        return endpoints.Count > 0 && endpoints.All(m => !string.Equals(m.Value, own, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"127\.0\.0\.1:\d+")]
    private static partial Regex EndpointPattern();

    public static TheoryData<string, string, MqttProtocolVersion> Violations() => new()
    {
        { "five byte remaining length", "30FFFFFFFF01", MqttProtocolVersion.V311 },
        { "reserved packet type 0", "0000", MqttProtocolVersion.V311 },
        { "PUBLISH QoS 3", "36070003612F626869", MqttProtocolVersion.V311 },
        { "SUBSCRIBE from the server", "82080001000361" + "2F2301", MqttProtocolVersion.V311 },
        { "CONNECT from the server", "101000044D5154540402001E0004" + "74657374", MqttProtocolVersion.V311 },
        { "PINGREQ from the server", "C000", MqttProtocolVersion.V311 },
        { "second CONNACK", "20020000", MqttProtocolVersion.V311 },
        { "PINGRESP without PINGREQ", "D000", MqttProtocolVersion.V311 },
        { "DISCONNECT in 3.1.1", "E000", MqttProtocolVersion.V311 },
        { "invalid UTF-8 topic", "30060002C3286869", MqttProtocolVersion.V311 },
        { "wildcard in received topic", "30050001" + "23" + "6869", MqttProtocolVersion.V311 },
        { "AUTH without authentication", "F000", MqttProtocolVersion.V500 },
        { "topic alias although none allowed", "30090001610323000168" + "69", MqttProtocolVersion.V500 },
        { "unknown property", "300600016102" + "7F00", MqttProtocolVersion.V500 },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task Receive_ProtocolViolation_ClosesWithLoggedReason(string what, string hex, MqttProtocolVersion version)
    {
        await using var client = new MqttClient(_logger);
        var (connection, result) = await _server.ConnectAsync(client, _server.Options(version));
        Assert.True(result.IsSuccess);

        await connection.SendAsync(Sequences.Hex(hex));
        var info = await client.Completion.Within();

        Assert.Equal(MqttDisconnectKind.ProtocolViolation, info.Kind);
        Assert.IsType<MqttProtocolViolationException>(info.Exception);
        Assert.False(client.IsConnected);
        Assert.True(_logger.Contains(3006, ""), $"no protocol violation logged for {what}");
        Assert.True(await connection.WaitClosedAsync(), "the client did not close the socket");
    }

    [Fact]
    public async Task Receive_V500Violation_SendsDisconnectWithReasonCodeBeforeClosing()
    {
        await using var client = new MqttClient(_logger);
        var (connection, _) = await _server.ConnectAsync(client, _server.Options(MqttProtocolVersion.V500));

        await connection.SendAsync(Sequences.Hex("36070003612F626869")); // QoS 3: malformed
        var disconnect = await connection.ExpectAsync(MqttPacketType.Disconnect);
        Assert.Equal(MqttDisconnectReasonCode.MalformedPacket, disconnect.AsDisconnect(MqttProtocolVersion.V500).ReasonCode);
        Assert.Equal(MqttDisconnectKind.ProtocolViolation, (await client.Completion.Within()).Kind);
    }

    [Fact]
    public async Task Receive_OversizedNonPublish_ClosesBeforeTheBodyArrives()
    {
        var options = _server.Options(MqttProtocolVersion.V500);
        options.MaxPacketSize = 1024;
        await using var client = new MqttClient(_logger);
        var (connection, _) = await _server.ConnectAsync(client, options);
        Assert.Equal(1024u, connection.Connect!.MaximumPacketSize); // announced to 5.0 servers

        // Only the fixed header of a 2 MB SUBACK: the client must not wait for (or buffer) the body.
        await connection.SendAsync(Sequences.Hex("9080808001"));
        var info = await client.Completion.Within();
        Assert.Equal(MqttDisconnectKind.ProtocolViolation, info.Kind);
        Assert.Equal(MqttDisconnectReasonCode.PacketTooLarge, info.ReasonCode);
        var disconnect = await connection.ExpectAsync(MqttPacketType.Disconnect);
        Assert.Equal(MqttDisconnectReasonCode.PacketTooLarge, disconnect.AsDisconnect(MqttProtocolVersion.V500).ReasonCode);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311, MqttQualityOfService.AtMostOnce)]
    [InlineData(MqttProtocolVersion.V311, MqttQualityOfService.AtLeastOnce)]
    [InlineData(MqttProtocolVersion.V500, MqttQualityOfService.AtLeastOnce)]
    [InlineData(MqttProtocolVersion.V311, MqttQualityOfService.ExactlyOnce)]
    public async Task Receive_OversizedPublish_DiscardedAndAcknowledged_ConnectionStaysUp(MqttProtocolVersion version, MqttQualityOfService qos)
    {
        // Issue 17: a retained 2 MiB message on a subscribed topic made the client reconnect forever ("exceeds the
        // maximum packet size"). It is now read past in pieces, acknowledged in order, and the next message arrives.
        var options = _server.Options(version);
        options.MaxPacketSize = 1024;
        await using var client = new MqttClient(_logger);
        var collector = new MessageCollector();
        client.ApplicationMessageReceivedAsync = collector.HandleAsync;
        var (connection, _) = await _server.ConnectAsync(client, options);

        var big = new byte[2 * 1024 * 1024];
        big.AsSpan().Fill(0x5A);
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        MqttPacketEncoder.EncodePublish(writer, version, "spBv1.0/G1/DCMD/E1/zz"u8.ToArray(), big, qos, true, false, 7);
        var bytes = writer.WrittenMemory;
        for (var offset = 0; offset < bytes.Length; offset += 100_000)
        {
            await connection.SendAsync(bytes[offset..Math.Min(bytes.Length, offset + 100_000)]);
        }

        // Under QoS 2 the next message follows the PUBREL: sent before it, its PUBACK may rightly overtake the PUBCOMP.
        if (qos != MqttQualityOfService.ExactlyOnce)
        {
            await connection.SendPublishAsync("after", "ok"u8.ToArray(), MqttQualityOfService.AtLeastOnce, 8);
        }

        if (qos == MqttQualityOfService.AtLeastOnce)
        {
            Assert.Equal(7, (await connection.ExpectAsync(MqttPacketType.PubAck)).AsAck(version).PacketId);
        }
        else if (qos == MqttQualityOfService.ExactlyOnce)
        {
            Assert.Equal(7, (await connection.ExpectAsync(MqttPacketType.PubRec)).AsAck(version).PacketId);
            await connection.SendAckAsync(MqttPacketType.PubRel, 7);
            Assert.Equal(7, (await connection.ExpectAsync(MqttPacketType.PubComp)).AsAck(version).PacketId);
            await connection.SendPublishAsync("after", "ok"u8.ToArray(), MqttQualityOfService.AtLeastOnce, 8);
        }

        Assert.Equal(8, (await connection.ExpectAsync(MqttPacketType.PubAck)).AsAck(version).PacketId);
        var received = await collector.WaitForAsync(1);
        Assert.Equal("after", Assert.Single(received).Topic);
        Assert.True(client.IsConnected);
        Assert.Equal(1, client.OversizedPublishesDiscarded);
        Assert.True(_logger.Contains(3039, "spBv1.0/G1/DCMD/E1/zz"), "the discarded PUBLISH was not logged");
    }

    [Fact]
    public async Task Receive_OversizedPublishTopicPastTheBody_IsMalformed()
    {
        var options = _server.Options();
        options.MaxPacketSize = 64;
        await using var client = new MqttClient(_logger);
        var (connection, _) = await _server.ConnectAsync(client, options);

        // remaining length 100, but a topic length of 200
        await connection.SendAsync(Sequences.Hex("306400C8" + string.Concat(Enumerable.Repeat("61", 98))));
        var info = await client.Completion.Within();
        Assert.Equal(MqttDisconnectKind.ProtocolViolation, info.Kind);
    }

    [Fact]
    public async Task Connect_PacketBeforeConnAck_FailsAsCommunicationException()
    {
        await using var client = new MqttClient(_logger);
        var connecting = client.ConnectAsync(_server.Options());
        var connection = await _server.AcceptAsync();
        await connection.ExpectAsync(MqttPacketType.Connect);
        await connection.SendAsync(Sequences.Hex("D000"));
        var ex = await Assert.ThrowsAsync<MqttCommunicationException>(() => connecting.Within());
        Assert.IsType<MqttProtocolViolationException>(ex.InnerException);
    }

    [Fact]
    public async Task Connect_NoConnAck_TimesOutAsCommunicationException()
    {
        var options = _server.Options();
        options.ConnectTimeout = TimeSpan.FromMilliseconds(500);
        await using var client = new MqttClient(_logger);
        var connecting = client.ConnectAsync(options);
        var connection = await _server.AcceptAsync();
        await connection.ExpectAsync(MqttPacketType.Connect);
        var ex = await Assert.ThrowsAsync<MqttCommunicationException>(() => connecting.Within());
        Assert.True(ex.IsTimeout);
        Assert.True(client.ConnectSent);
    }

    [Fact]
    public async Task Connect_ServerClosesWithoutConnAck_FailsAsCommunicationException()
    {
        await using var client = new MqttClient(_logger);
        var connecting = client.ConnectAsync(_server.Options());
        var connection = await _server.AcceptAsync();
        await connection.ExpectAsync(MqttPacketType.Connect);
        connection.Abort();
        await Assert.ThrowsAsync<MqttCommunicationException>(() => connecting.Within());
    }

    [Fact]
    public async Task Connect_NothingListening_FailsAsCommunicationExceptionWithoutConnectSent()
    {
        var options = _server.Options();
        options.Port = EdgeNode.Testing.FreePort.Next();
        await using var client = new MqttClient(_logger);
        var ex = await Assert.ThrowsAsync<MqttCommunicationException>(() => client.ConnectAsync(options).Within());
        Assert.Contains("ConnectionRefused", ex.Message, StringComparison.Ordinal);
        Assert.False(client.ConnectSent);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311, 5, MqttConnectResultCode.NotAuthorized)]
    [InlineData(MqttProtocolVersion.V500, 0x86, MqttConnectResultCode.BadUserNameOrPassword)]
    [InlineData(MqttProtocolVersion.V500, 0x9C, MqttConnectResultCode.UseAnotherServer)]
    public async Task Connect_Refused_IsAResultNotAnException(MqttProtocolVersion version, int code, MqttConnectResultCode expected)
    {
        await using var client = new MqttClient(_logger);
        var connAck = new MqttConnAckPacket { RawCode = (byte)code, ReasonCode = expected, ReasonString = version == MqttProtocolVersion.V500 ? "go away" : null };
        var (_, result) = await _server.ConnectAsync(client, _server.Options(version), connAck);
        Assert.False(result.IsSuccess);
        Assert.Equal(expected, result.ResultCode);
        Assert.Equal(version == MqttProtocolVersion.V500 ? "go away" : null, result.ReasonString);
        Assert.Equal(MqttDisconnectKind.ConnectRefused, (await client.Completion.Within()).Kind);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task Connect_Twice_Throws()
    {
        await using var client = new MqttClient(_logger);
        await _server.ConnectAsync(client, _server.Options());
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.ConnectAsync(_server.Options()));
    }

    [Fact]
    public async Task Connect_InvalidOptions_ThrowsArgumentException()
    {
        await using var client = new MqttClient(_logger);
        var options = _server.Options();
        options.Password = "p"; // without a username in 3.1.1 [MQTT-3.1.2-22]
        await Assert.ThrowsAsync<ArgumentException>(() => client.ConnectAsync(options));
    }

    [Fact]
    public async Task Publish_BeforeConnect_ThrowsInvalidOperation()
    {
        await using var client = new MqttClient(_logger);
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.PublishAsync("a", new byte[1]).AsTask());
    }

    [Fact]
    public async Task Connect_SessionPresentWithPublishInTheSameSegment_DeliversItInsteadOfAViolation()
    {
        await using var client = new MqttClient(_logger);
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ApplicationMessageReceivedAsync = m =>
        {
            received.TrySetResult(Encoding.UTF8.GetString(m.Payload.Span));
            return Task.CompletedTask;
        };
        var connecting = client.ConnectAsync(_server.Options());
        var connection = await _server.AcceptAsync();
        await connection.ExpectAsync(MqttPacketType.Connect);
        // CONNACK (session present) and a queued QoS 1 PUBLISH "a" = "1" (packet id 7) in one write, as a broker
        // with a persistent session sends them.
        await connection.SendAsync(Sequences.Hex("20020100" + "3206" + "000161" + "0007" + "31"));
        var result = await connecting.Within();
        Assert.True(result.IsSuccess);
        Assert.Equal("1", await received.Task.Within());
        Assert.Equal(7, (await connection.ExpectAsync(MqttPacketType.PubAck)).AsAck(MqttProtocolVersion.V311).PacketId);
    }

    [Fact]
    public async Task ReceiveQos1_Handler_AckedAfterHandlerInArrivalOrder()
    {
        await using var client = new MqttClient(_logger);
        var handled = new List<string>();
        var release = new TaskCompletionSource();
        client.ApplicationMessageReceivedAsync = async m =>
        {
            handled.Add(Encoding.UTF8.GetString(m.Payload.Span));
            if (handled.Count == 1)
            {
                await release.Task;
            }
        };
        var (connection, _) = await _server.ConnectAsync(client, _server.Options());
        await connection.SendPublishAsync("a", "1"u8.ToArray(), MqttQualityOfService.AtLeastOnce, 5);
        await connection.SendPublishAsync("a", "2"u8.ToArray(), MqttQualityOfService.AtLeastOnce, 6);

        // The first handler has not returned: no PUBACK yet.
        Assert.Null(await ReadOrNullAsync(connection, TimeSpan.FromMilliseconds(300)));
        release.SetResult();
        Assert.Equal(5, (await connection.ExpectAsync(MqttPacketType.PubAck)).AsAck(MqttProtocolVersion.V311).PacketId);
        Assert.Equal(6, (await connection.ExpectAsync(MqttPacketType.PubAck)).AsAck(MqttProtocolVersion.V311).PacketId);
        Assert.Equal(["1", "2"], handled);
    }

    [Fact]
    public async Task ReceiveQos2_DuplicateBeforePubRel_DeliveredOnceAndCompleted()
    {
        await using var client = new MqttClient(_logger);
        var collector = new MessageCollector();
        client.ApplicationMessageReceivedAsync = collector.HandleAsync;
        var (connection, _) = await _server.ConnectAsync(client, _server.Options(MqttProtocolVersion.V500));

        await connection.SendPublishAsync("q2", "x"u8.ToArray(), MqttQualityOfService.ExactlyOnce, 9);
        Assert.Equal(9, (await connection.ExpectAsync(MqttPacketType.PubRec)).AsAck(MqttProtocolVersion.V500).PacketId);
        await connection.SendPublishAsync("q2", "x"u8.ToArray(), MqttQualityOfService.ExactlyOnce, 9, duplicate: true);
        Assert.Equal(9, (await connection.ExpectAsync(MqttPacketType.PubRec)).AsAck(MqttProtocolVersion.V500).PacketId);
        await connection.SendAckAsync(MqttPacketType.PubRel, 9);
        var pubcomp = (await connection.ExpectAsync(MqttPacketType.PubComp)).AsAck(MqttProtocolVersion.V500);
        Assert.Equal(0, pubcomp.ReasonCode);
        await connection.SendAckAsync(MqttPacketType.PubRel, 10); // unknown: PUBCOMP "Packet Identifier not found"
        Assert.Equal(0x92, (await connection.ExpectAsync(MqttPacketType.PubComp)).AsAck(MqttProtocolVersion.V500).ReasonCode);

        await Task.Delay(200);
        Assert.Single(collector.Messages);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task PublishQos2_FullHandshake_CompletesOnPubComp()
    {
        await using var client = new MqttClient(_logger);
        var (connection, _) = await _server.ConnectAsync(client, _server.Options());
        var publish = client.PublishAsync("q2", "x"u8.ToArray(), MqttQualityOfService.ExactlyOnce).AsTask();
        var packet = (await connection.ExpectAsync(MqttPacketType.Publish)).AsPublish(MqttProtocolVersion.V311);
        Assert.Equal(MqttQualityOfService.ExactlyOnce, packet.QoS);
        await connection.SendAckAsync(MqttPacketType.PubRec, packet.PacketId);
        var pubrel = await connection.ExpectAsync(MqttPacketType.PubRel);
        Assert.Equal(packet.PacketId, pubrel.AsAck(MqttProtocolVersion.V311).PacketId);
        Assert.False(publish.IsCompleted);
        await connection.SendAckAsync(MqttPacketType.PubComp, packet.PacketId);
        var result = await publish.Within();
        Assert.True(result.IsSuccess);
        Assert.Equal(client.LastSequence, client.ConfirmedSequence); // PUBCOMP confirms the PUBREL, the last packet
    }

    [Fact]
    public async Task PublishQos1_V500Refusal_IsAResultWithReason()
    {
        await using var client = new MqttClient(_logger);
        var (connection, _) = await _server.ConnectAsync(client, _server.Options(MqttProtocolVersion.V500));
        var publish = client.PublishAsync("denied", "x"u8.ToArray(), MqttQualityOfService.AtLeastOnce).AsTask();
        var packet = (await connection.ExpectAsync(MqttPacketType.Publish)).AsPublish(MqttProtocolVersion.V500);
        await connection.SendAsync(w => MqttPacketEncoder.EncodeAck(w, MqttProtocolVersion.V500, MqttPacketType.PubAck, packet.PacketId, 0x87, "no"));
        var result = await publish.Within();
        Assert.False(result.IsSuccess);
        Assert.Equal(MqttPublishReasonCode.NotAuthorized, result.ReasonCode);
        Assert.Equal("no", result.ReasonString);
    }

    [Fact]
    public async Task PublishQos1_ServerReceiveMaximum_LimitsInflightWindowInCallOrder()
    {
        await using var client = new MqttClient(_logger);
        var (connection, _) = await _server.ConnectAsync(client, _server.Options(MqttProtocolVersion.V500),
            new MqttConnAckPacket { ReceiveMaximum = 2 });

        var publishes = Enumerable.Range(0, 5).Select(i => client.PublishAsync("w", new[] { (byte)i }, MqttQualityOfService.AtLeastOnce).AsTask()).ToList();
        var qos0 = client.PublishAsync("w", new byte[] { 99 }).AsTask(); // must queue behind the blocked QoS 1 publishes
        var first = (await connection.ExpectAsync(MqttPacketType.Publish)).AsPublish(MqttProtocolVersion.V500);
        var second = (await connection.ExpectAsync(MqttPacketType.Publish)).AsPublish(MqttProtocolVersion.V500);
        Assert.Null(await ReadOrNullAsync(connection, TimeSpan.FromMilliseconds(300)));
        Assert.Equal(2, client.InflightCount);

        var seen = new List<byte> { first.Payload.Span[0], second.Payload.Span[0] };
        await connection.SendAckAsync(MqttPacketType.PubAck, first.PacketId);
        await connection.SendAckAsync(MqttPacketType.PubAck, second.PacketId);
        for (var i = 0; i < 4; i++)
        {
            var p = (await connection.ExpectAsync(MqttPacketType.Publish)).AsPublish(MqttProtocolVersion.V500);
            seen.Add(p.Payload.Span[0]);
            if (p.QoS > 0)
            {
                await connection.SendAckAsync(MqttPacketType.PubAck, p.PacketId);
            }
        }

        Assert.Equal(new byte[] { 0, 1, 2, 3, 4, 99 }, seen);
        await Task.WhenAll(publishes).Within();
        await qos0.Within();
    }

    [Fact]
    public async Task Publish_OverServerLimits_RefusedLocallyWithoutSending()
    {
        await using var client = new MqttClient(_logger);
        var (connection, _) = await _server.ConnectAsync(client, _server.Options(MqttProtocolVersion.V500),
            new MqttConnAckPacket { MaximumQoS = MqttQualityOfService.AtMostOnce, RetainAvailable = false, MaximumPacketSize = 100 });

        Assert.Equal(MqttPublishReasonCode.QoSNotSupported, (await client.PublishAsync("a", new byte[1], MqttQualityOfService.AtLeastOnce)).ReasonCode);
        Assert.Equal(MqttPublishReasonCode.RetainNotSupported, (await client.PublishAsync("a", new byte[1], retain: true)).ReasonCode);
        Assert.Equal(MqttPublishReasonCode.PacketTooLarge, (await client.PublishAsync("a", new byte[200])).ReasonCode);
        Assert.Null(await ReadOrNullAsync(connection, TimeSpan.FromMilliseconds(200)));
        Assert.True(client.IsConnected);
    }

    // Mosquitto's acl_file grants every SUBSCRIBE (read access is checked at delivery), so refusals are scripted.
    [Theory]
    [InlineData(MqttProtocolVersion.V311, 0x80, MqttSubscribeReasonCode.UnspecifiedError)]
    [InlineData(MqttProtocolVersion.V500, 0x87, MqttSubscribeReasonCode.NotAuthorized)]
    [InlineData(MqttProtocolVersion.V500, 0xA2, MqttSubscribeReasonCode.WildcardSubscriptionsNotSupported)]
    public async Task Subscribe_Refused_IsAResultPerFilter(MqttProtocolVersion version, int code, MqttSubscribeReasonCode expected)
    {
        await using var client = new MqttClient(_logger);
        var (connection, _) = await _server.ConnectAsync(client, _server.Options(version));
        var subscribing = client.SubscribeAsync([new MqttTopicFilter("ok", MqttQualityOfService.AtLeastOnce), new MqttTopicFilter("no/#", MqttQualityOfService.AtLeastOnce)]);
        var subscribe = (await connection.ExpectAsync(MqttPacketType.Subscribe)).AsSubscribe(version);
        await connection.SendAsync(w => MqttPacketEncoder.EncodeSubAck(w, version, subscribe.PacketId, [1, (byte)code],
            version == MqttProtocolVersion.V500 ? "denied by policy" : null));
        var result = await subscribing.Within();
        Assert.Equal([MqttSubscribeReasonCode.GrantedQoS1, expected], result.Items.Select(i => i.ReasonCode));
        Assert.Equal([true, false], result.Items.Select(i => i.IsSuccess));
        Assert.Equal(version == MqttProtocolVersion.V500 ? "denied by policy" : null, result.ReasonString);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Unsubscribe_V500Codes_AreResults()
    {
        await using var client = new MqttClient(_logger);
        var (connection, _) = await _server.ConnectAsync(client, _server.Options(MqttProtocolVersion.V500));
        var unsubscribing = client.UnsubscribeAsync(["a", "b"]);
        var packet = await connection.ExpectAsync(MqttPacketType.Unsubscribe);
        var id = Mqtt.Protocol.MqttPacketDecoder.DecodeUnsubscribe(packet.Frame, MqttProtocolVersion.V500).PacketId;
        await connection.SendAsync(w => MqttPacketEncoder.EncodeUnsubAck(w, MqttProtocolVersion.V500, id, [0x00, 0x11]));
        var result = await unsubscribing.Within();
        Assert.Equal([MqttUnsubscribeReasonCode.Success, MqttUnsubscribeReasonCode.NoSubscriptionExisted], result.Items.Select(i => i.ReasonCode));
    }

    [Fact]
    public async Task Subscribe_SubAckCountMismatch_IsProtocolViolation()
    {
        await using var client = new MqttClient(_logger);
        var (connection, _) = await _server.ConnectAsync(client, _server.Options());
        var subscribing = client.SubscribeAsync([new MqttTopicFilter("a", MqttQualityOfService.AtLeastOnce), new MqttTopicFilter("b", MqttQualityOfService.AtLeastOnce)]);
        var subscribe = (await connection.ExpectAsync(MqttPacketType.Subscribe)).AsSubscribe(MqttProtocolVersion.V311);
        await connection.SendAsync(w => MqttPacketEncoder.EncodeSubAck(w, MqttProtocolVersion.V311, subscribe.PacketId, [1]));
        await Assert.ThrowsAsync<MqttCommunicationException>(() => subscribing.Within());
        Assert.Equal(MqttDisconnectKind.ProtocolViolation, (await client.Completion.Within()).Kind);
    }

    [Fact]
    public async Task Receive_V500ServerDisconnect_SurfacesReasonCode()
    {
        await using var client = new MqttClient(_logger);
        var disconnected = new TaskCompletionSource<MqttDisconnectInfo>();
        client.DisconnectedAsync = info =>
        {
            disconnected.TrySetResult(info);
            return Task.CompletedTask;
        };
        var (connection, _) = await _server.ConnectAsync(client, _server.Options(MqttProtocolVersion.V500));
        await connection.SendAsync(w => MqttPacketEncoder.EncodeDisconnect(w, MqttProtocolVersion.V500, MqttDisconnectReasonCode.ServerShuttingDown, "maintenance"));
        var info = await disconnected.Task.Within();
        Assert.Equal(MqttDisconnectKind.ServerDisconnected, info.Kind);
        Assert.Equal(MqttDisconnectReasonCode.ServerShuttingDown, info.ReasonCode);
        Assert.Contains("maintenance", info.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_V500ServerKeepAlive_OverridesOurs()
    {
        await using var client = new MqttClient(_logger);
        var (_, result) = await _server.ConnectAsync(client, _server.Options(MqttProtocolVersion.V500, keepAlive: 60),
            new MqttConnAckPacket { ServerKeepAlive = 7 });
        Assert.Equal((ushort)7, result.ServerKeepAlive);
        Assert.Equal(7, client.KeepAliveSeconds);
    }

    [Fact]
    public async Task KeepAlive_ServerSilent_DetectedWithinOneAndAHalfKeepAlives()
    {
        await using var client = new MqttClient(_logger);
        var (connection, _) = await _server.ConnectAsync(client, _server.Options(keepAlive: 1));
        var watch = Stopwatch.StartNew();

        // The client pings after half a keep-alive; the server never answers.
        await connection.ExpectAsync(MqttPacketType.PingReq);
        var info = await client.Completion.Within();
        output.WriteLine($"detected after {watch.Elapsed.TotalSeconds:0.00} s: {info}");
        Assert.Equal(MqttDisconnectKind.KeepAliveTimeout, info.Kind);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1.5 + 2), $"took {watch.Elapsed}"); // 1.5 × keep-alive + scheduling slack
    }

    [Fact]
    public async Task KeepAlive_ServerAnswers_ConnectionStaysUp()
    {
        await using var client = new MqttClient(_logger);
        var (connection, _) = await _server.ConnectAsync(client, _server.Options(keepAlive: 2));
        for (var i = 0; i < 3; i++)
        {
            await connection.ExpectAsync(MqttPacketType.PingReq);
            await connection.SendAsync(Sequences.Hex("D000"));
        }

        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Disconnect_V500WithWillReason_SendsReasonThenCloses()
    {
        await using var client = new MqttClient(_logger);
        var (connection, _) = await _server.ConnectAsync(client, _server.Options(MqttProtocolVersion.V500));
        await client.PublishAsync("last", "x"u8.ToArray());
        var disconnecting = client.DisconnectAsync(MqttDisconnectReasonCode.DisconnectWithWillMessage);
        Assert.Equal(MqttPacketType.Publish, (await connection.ExpectAsync(MqttPacketType.Publish)).Type);
        var disconnect = await connection.ExpectAsync(MqttPacketType.Disconnect);
        Assert.Equal(MqttDisconnectReasonCode.DisconnectWithWillMessage, disconnect.AsDisconnect(MqttProtocolVersion.V500).ReasonCode);
        Assert.True(await connection.WaitClosedAsync()); // the client half-closed after DISCONNECT
        connection.Abort();
        await disconnecting.Within();
        var info = await client.Completion.Within();
        Assert.Equal(MqttDisconnectKind.ClientDisconnected, info.Kind);
        Assert.Equal(MqttDisconnectReasonCode.DisconnectWithWillMessage, info.ReasonCode);
    }

    [Fact]
    public async Task Disconnect_PendingQos1_FailsInsteadOfHanging()
    {
        await using var client = new MqttClient(_logger);
        var (connection, _) = await _server.ConnectAsync(client, _server.Options());
        var publish = client.PublishAsync("a", "x"u8.ToArray(), MqttQualityOfService.AtLeastOnce).AsTask();
        await connection.ExpectAsync(MqttPacketType.Publish);
        connection.Abort();
        var ex = await Assert.ThrowsAsync<MqttCommunicationException>(() => publish.Within());
        Assert.Contains("ended", ex.Message, StringComparison.Ordinal);
    }

    private static async Task<ReceivedPacket?> ReadOrNullAsync(ScriptedConnection connection, TimeSpan wait)
    {
        try
        {
            return await connection.ReadAsync(wait);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
