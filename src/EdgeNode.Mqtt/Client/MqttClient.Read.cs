using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using EdgeNode.Mqtt.Transport;
using EdgeNode.Mqtt.Client;
using EdgeNode.Mqtt.Packets;
using EdgeNode.Mqtt.Protocol;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Mqtt;

public sealed partial class MqttClient
{
    /// <summary>
    /// The one reader: frames packets out of the pipe with the pure decoder and handles them in arrival order. Packet
    /// sizes are checked before bodies are buffered, so memory stays bounded by the maximum packet size. Any protocol
    /// violation closes the connection with a logged reason; nothing escapes as an unhandled exception.
    /// </summary>
    private async Task ReadLoopAsync()
    {
        var reader = _channel!.Reader;
        var token = _lifetime.Token;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(token).ConfigureAwait(false);
                Volatile.Write(ref _lastReceived, Stopwatch.GetTimestamp());
                var buffer = Discard(result.Buffer);
                MqttPublishPacket? blocked = null;
                while (_discarding == 0
                    && MqttPacketDecoder.TryDecode(buffer, _maxIncomingPacketSize, skipOversizedPublish: true, out var frame, out var oversized,
                        out var consumed, out _))
                {
                    blocked = oversized.Size > 0 ? OnOversizedPublish(oversized) : HandleFrame(frame);
                    buffer = buffer.Slice(consumed);
                    if (oversized.Size > 0)
                    {
                        _discarding = oversized.Remaining;
                        buffer = Discard(buffer);
                    }

                    if (blocked is not null || Volatile.Read(ref _state) == StateClosed)
                    {
                        break;
                    }
                }

                if (blocked is not null)
                {
                    // The handler queue is full: stop reading (TCP pushes back on the broker) until it has room.
                    reader.AdvanceTo(buffer.Start);
                    _readerPaused = true;
                    try
                    {
                        await _inbound!.Writer.WriteAsync(blocked, token).ConfigureAwait(false);
                    }
                    finally
                    {
                        Volatile.Write(ref _lastReceived, Stopwatch.GetTimestamp());
                        _readerPaused = false;
                    }

                    continue;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (Volatile.Read(ref _state) == StateClosed)
                {
                    return;
                }

                if (result.IsCompleted)
                {
                    Break(new MqttDisconnectInfo(MqttDisconnectKind.ServerClosedConnection, buffer.IsEmpty
                        ? "the server closed the connection"
                        : $"the server closed the connection inside a packet ({buffer.Length} bytes unread)"));
                    return;
                }
            }
        }
        catch (MqttProtocolViolationException ex)
        {
            await OnProtocolViolationAsync(ex).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Break cancelled the read
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            var wrapped = MqttChannelAdapter.Wrap(ex, $"read from {_endpoint} failed");
            Break(new MqttDisconnectInfo(MqttDisconnectKind.ConnectionError, wrapped.Message, wrapped));
        }
#pragma warning disable CA1031 // the loop must end in Break, never as an unobserved exception
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.LoopFault(_logger, _endpoint, "reader", ex);
            Break(new MqttDisconnectInfo(MqttDisconnectKind.ConnectionError, $"reader failed: {ex.Message}", ex));
        }
    }

    /// <summary>Drops what is left of an oversized PUBLISH from the front of <paramref name="buffer"/>.</summary>
    private ReadOnlySequence<byte> Discard(ReadOnlySequence<byte> buffer)
    {
        if (_discarding == 0)
        {
            return buffer;
        }

        var n = Math.Min(_discarding, buffer.Length);
        _discarding -= n;
        return buffer.Slice(n);
    }

    /// <summary>
    /// A PUBLISH larger than our maximum packet size (a 3.1.1 broker does not know our limit; a 5.0 one should not send
    /// it): it is skipped, not treated as a violation, because the broker would send the same message again at every
    /// connect (a retained one) or redeliver it (QoS 1/2) and keep the client off the air. QoS 1/2 are still
    /// acknowledged, in order, so the broker is done with it.
    /// </summary>
    private MqttPublishPacket? OnOversizedPublish(in MqttOversizedPublish oversized)
    {
        var count = Interlocked.Increment(ref _oversizedDiscarded);
        Log.OversizedPublishDiscarded(_logger, _endpoint, oversized.Topic, oversized.Size, _maxIncomingPacketSize,
            (int)oversized.QoS, oversized.Retain, count);
        if (oversized.QoS == MqttQualityOfService.AtMostOnce)
        {
            return null;
        }

        return AcceptPublish(new MqttPublishPacket
        {
            Topic = oversized.Topic,
            QoS = oversized.QoS,
            Retain = oversized.Retain,
            PacketId = oversized.PacketId,
            Discarded = true,
        });
    }

    /// <summary>5.0 §4.13: tell the server why (DISCONNECT with the reason code), then close.</summary>
    private async Task OnProtocolViolationAsync(MqttProtocolViolationException ex)
    {
        Log.ProtocolViolation(_logger, _endpoint, ex.Message);
        var sent = false;
        lock (_writeLock)
        {
            if (_version == MqttProtocolVersion.V500 && _state is StateConnected or StateDisconnecting or StateConnecting)
            {
                ++_sequence;
                MqttPacketEncoder.EncodeDisconnect(_out, _version, ex.ReasonCode, ex.Message.Length <= 200 ? ex.Message : null);
                _flushTarget = _out.TotalEnqueued;
                sent = true;
            }
        }

        if (sent)
        {
            _writeSignal.Set();
            await Task.WhenAny(_flushed.Task, Task.Delay(500)).ConfigureAwait(false);
        }

        Break(new MqttDisconnectInfo(MqttDisconnectKind.ProtocolViolation, ex.Message, ex, ex.ReasonCode));
    }

    /// <summary>Handles one packet; returns a PUBLISH that could not be queued for the handler (reader must wait).</summary>
    private MqttPublishPacket? HandleFrame(in MqttFrame frame)
    {
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            Log.Rx(_logger, _endpoint, frame.Type.ToString(), frame.Length, Hex(frame.Body.Length > 64 ? frame.Body.Slice(0, 64).ToArray() : frame.Body.ToArray()));
        }

        var state = Volatile.Read(ref _state);
        // A persistent session's queued messages follow the CONNACK at once, often in the same read, before the
        // connecting caller has moved the state on: they are the session's, not a violation.
        if (state == StateConnecting && !_connAckSeen && frame.Type != MqttPacketType.ConnAck &&
            !(frame.Type == MqttPacketType.Disconnect && _version == MqttProtocolVersion.V500))
        {
            throw MqttProtocolViolationException.Protocol($"{frame.Type} before CONNACK"); // [MQTT-3.2.0-1]
        }

        switch (frame.Type)
        {
            case MqttPacketType.ConnAck:
                OnConnAck(frame, state);
                return null;
            case MqttPacketType.Publish:
                return OnPublish(frame);
            case MqttPacketType.PubAck:
                OnPubAck(MqttPacketDecoder.DecodeAck(frame, _version));
                return null;
            case MqttPacketType.PubRec:
                OnPubRec(MqttPacketDecoder.DecodeAck(frame, _version));
                return null;
            case MqttPacketType.PubRel:
                OnPubRel(MqttPacketDecoder.DecodeAck(frame, _version));
                return null;
            case MqttPacketType.PubComp:
                OnPubComp(MqttPacketDecoder.DecodeAck(frame, _version));
                return null;
            case MqttPacketType.SubAck:
                var suback = MqttPacketDecoder.DecodeSubAck(frame, _version);
                OnRequestAck(suback.PacketId, true, suback.ReasonCodes.Length, suback);
                return null;
            case MqttPacketType.UnsubAck:
                var unsuback = MqttPacketDecoder.DecodeUnsubAck(frame, _version);
                OnRequestAck(unsuback.PacketId, false, _version == MqttProtocolVersion.V500 ? unsuback.ReasonCodes.Length : -1, unsuback);
                return null;
            case MqttPacketType.PingResp:
                MqttPacketDecoder.DecodeEmpty(frame);
                OnPingResp();
                return null;
            case MqttPacketType.Disconnect:
                OnDisconnect(frame);
                return null;
            case MqttPacketType.Auth:
                MqttPacketDecoder.DecodeAuth(frame, _version);
                throw MqttProtocolViolationException.Protocol("AUTH although no authentication method was sent"); // [MQTT-4.12.0-6]
            default:
                throw MqttProtocolViolationException.Protocol($"{frame.Type} is a client-to-server packet");
        }
    }

    private void OnConnAck(in MqttFrame frame, int state)
    {
        if (state != StateConnecting || _connAckSeen)
        {
            throw MqttProtocolViolationException.Protocol("second CONNACK"); // [MQTT-3.2.0-2]
        }

        _connAckSeen = true;

        var connAck = MqttPacketDecoder.DecodeConnAck(frame, _version);
        Confirm(_connectSequence);
        _connAck.TrySetResult(connAck);
        if (connAck.ReasonCode != MqttConnectResultCode.Success)
        {
            // Record the refusal now: the server closes the socket right after, and that must not read as a failure.
            Break(new MqttDisconnectInfo(MqttDisconnectKind.ConnectRefused,
                $"connection refused: {connAck.ReasonCode}{(connAck.ReasonString is null ? "" : ": " + connAck.ReasonString)}"));
        }
    }

    private MqttPublishPacket? OnPublish(in MqttFrame frame)
    {
        var packet = MqttPacketDecoder.DecodePublish(frame, _version);
        if (packet.TopicAlias != 0)
        {
            // We announce no Topic Alias Maximum, so the server must not use aliases ([MQTT-3.3.2-9]).
            throw new MqttProtocolViolationException($"PUBLISH uses topic alias {packet.TopicAlias} although none are allowed",
                MqttDisconnectReasonCode.TopicAliasInvalid);
        }

        return AcceptPublish(packet);
    }

    /// <summary>Receive Maximum, QoS 2 duplicates, then the handler queue; returns the packet when the queue is full.</summary>
    private MqttPublishPacket? AcceptPublish(MqttPublishPacket packet)
    {
        if (packet.QoS > MqttQualityOfService.AtMostOnce)
        {
            if (_version == MqttProtocolVersion.V500 && Interlocked.Increment(ref _inboundUnacked) > _receiveMaximum)
            {
                throw new MqttProtocolViolationException($"more than {_receiveMaximum} unacknowledged QoS 1/2 publishes",
                    MqttDisconnectReasonCode.ReceiveMaximumExceeded); // [MQTT-3.3.4-9]
            }

            if (packet.QoS == MqttQualityOfService.ExactlyOnce && !_qos2Received.Add(packet.PacketId))
            {
                // A retransmission of a QoS 2 message we already took: acknowledge again, deliver once (4.3.3 method B).
                Log.DuplicateQos2(_logger, _endpoint, packet.PacketId);
                DecrementInboundUnacked();
                EnqueueAck(MqttPacketType.PubRec, packet.PacketId);
                return null;
            }
        }

        return _inbound!.Writer.TryWrite(packet) ? null : packet;
    }

    private void OnPubAck(in MqttAckPacket ack)
    {
        PendingPublish? entry = null;
        var reopened = false;
        lock (_writeLock)
        {
            if (_pendingById.TryGetValue(ack.PacketId, out var owner))
            {
                entry = owner as PendingPublish;
                if (entry is null || entry.State != PendingPublishState.AwaitingPubAck)
                {
                    throw MqttProtocolViolationException.Protocol($"PUBACK for packet {ack.PacketId}, which does not await one");
                }

                _pendingById.Remove(ack.PacketId);
                _inflight--;
                reopened = WindowReopened();
            }
        }

        if (entry is null)
        {
            Log.UnknownPacketId(_logger, "PUBACK", ack.PacketId, _endpoint);
            return;
        }

        Confirm(entry.Sequence);
        if (reopened)
        {
            _spaceSignal.Set();
        }

        entry.Complete(new MqttPublishResult(entry.Sequence, (MqttPublishReasonCode)ack.ReasonCode, ack.PacketId, ack.ReasonString));
    }

    private void OnPubRec(in MqttAckPacket ack)
    {
        PendingPublish? entry = null;
        var failed = false;
        var reopened = false;
        lock (_writeLock)
        {
            if (_pendingById.TryGetValue(ack.PacketId, out var owner))
            {
                entry = owner as PendingPublish;
                if (entry is null || entry.State != PendingPublishState.AwaitingPubRec)
                {
                    throw MqttProtocolViolationException.Protocol($"PUBREC for packet {ack.PacketId}, which does not await one");
                }

                if (ack.ReasonCode >= 0x80)
                {
                    // A failed PUBREC ends the exchange: no PUBREL ([MQTT-4.3.3-4] 5.0).
                    _pendingById.Remove(ack.PacketId);
                    _inflight--;
                    failed = true;
                    reopened = WindowReopened();
                }
                else if (_state is StateConnected or StateDisconnecting)
                {
                    entry.ReleaseSequence = ++_sequence;
                    entry.State = PendingPublishState.AwaitingPubComp;
                    MqttPacketEncoder.EncodeAck(_out, _version, MqttPacketType.PubRel, ack.PacketId);
                }
            }
            else if (_state is StateConnected or StateDisconnecting)
            {
                // Unknown id: answer anyway so the server can finish its side (5.0: Packet Identifier not found).
                ++_sequence;
                MqttPacketEncoder.EncodeAck(_out, _version, MqttPacketType.PubRel, ack.PacketId,
                    _version == MqttProtocolVersion.V500 ? (byte)MqttPublishReasonCode.PacketIdentifierNotFound : (byte)0);
            }
        }

        _writeSignal.Set();
        if (entry is null)
        {
            Log.UnknownPacketId(_logger, "PUBREC", ack.PacketId, _endpoint);
            return;
        }

        Confirm(entry.Sequence);
        if (failed)
        {
            if (reopened)
            {
                _spaceSignal.Set();
            }

            entry.Complete(new MqttPublishResult(entry.Sequence, (MqttPublishReasonCode)ack.ReasonCode, ack.PacketId, ack.ReasonString));
        }
    }

    private void OnPubComp(in MqttAckPacket ack)
    {
        PendingPublish? entry = null;
        var reopened = false;
        lock (_writeLock)
        {
            if (_pendingById.TryGetValue(ack.PacketId, out var owner))
            {
                entry = owner as PendingPublish;
                if (entry is null || entry.State != PendingPublishState.AwaitingPubComp)
                {
                    throw MqttProtocolViolationException.Protocol($"PUBCOMP for packet {ack.PacketId}, which does not await one");
                }

                _pendingById.Remove(ack.PacketId);
                _inflight--;
                reopened = WindowReopened();
            }
        }

        if (entry is null)
        {
            Log.UnknownPacketId(_logger, "PUBCOMP", ack.PacketId, _endpoint);
            return;
        }

        Confirm(entry.ReleaseSequence);
        if (reopened)
        {
            _spaceSignal.Set();
        }

        entry.Complete(new MqttPublishResult(entry.Sequence, (MqttPublishReasonCode)ack.ReasonCode, ack.PacketId, ack.ReasonString));
    }

    /// <summary>
    /// True when an acknowledgement has freed enough of the in-flight window to wake a publisher waiting for it: an
    /// eighth of the window (at least one slot), not every slot. Waking the waiter per PUBACK cost a thread-pool hop,
    /// one PUBLISH and one socket write per acknowledgement whenever the broker was the bottleneck; with the margin
    /// the waiter enqueues a burst that the writer sends in one write. Under the write lock.
    /// </summary>
    private bool WindowReopened() => _inflight <= _window - Math.Max(1, _window / 8);

    private void OnPubRel(in MqttAckPacket ack)
    {
        // Incoming QoS 2, step 3: release the id and complete with PUBCOMP ([MQTT-4.3.3-11]).
        var known = _qos2Received.Remove(ack.PacketId);
        if (known)
        {
            DecrementInboundUnacked();
        }

        EnqueueAck(MqttPacketType.PubComp, ack.PacketId, known ? (byte)0 : (byte)MqttPublishReasonCode.PacketIdentifierNotFound);
    }

    private void OnRequestAck(ushort packetId, bool subscribe, int codeCount, object packet)
    {
        PendingRequest? request = null;
        lock (_writeLock)
        {
            if (_pendingById.TryGetValue(packetId, out var owner))
            {
                request = owner as PendingRequest;
                if (request is null || request.IsSubscribe != subscribe)
                {
                    throw MqttProtocolViolationException.Protocol($"{(subscribe ? "SUBACK" : "UNSUBACK")} for packet {packetId}, which does not await one");
                }

                if (codeCount >= 0 && codeCount != request.FilterCount)
                {
                    // [MQTT-3.9.3-1] / [MQTT-3.11.3-1]: one reason code per topic filter.
                    throw MqttProtocolViolationException.Protocol(
                        $"{(subscribe ? "SUBACK" : "UNSUBACK")} has {codeCount} reason codes for {request.FilterCount} topic filters");
                }

                _pendingById.Remove(packetId);
            }
        }

        if (request is null)
        {
            Log.UnknownPacketId(_logger, subscribe ? "SUBACK" : "UNSUBACK", packetId, _endpoint);
            return;
        }

        Confirm(request.Sequence);
        request.Completion.TrySetResult(packet);
    }

    private void OnPingResp()
    {
        PendingPing ping;
        lock (_writeLock)
        {
            if (!_pings.TryDequeue(out ping))
            {
                throw MqttProtocolViolationException.Protocol("PINGRESP without a PINGREQ");
            }
        }

        Confirm(ping.Sequence);
        ping.Waiter?.TrySetResult(ping.Sequence);
    }

    private void OnDisconnect(in MqttFrame frame)
    {
        if (_version != MqttProtocolVersion.V500)
        {
            throw MqttProtocolViolationException.Protocol("DISCONNECT from the server (MQTT 3.1.1 servers never send it)");
        }

        var packet = MqttPacketDecoder.DecodeDisconnect(frame, _version);
        var message = $"server sent DISCONNECT {packet.ReasonCode} (0x{(byte)packet.ReasonCode:X2})" +
                      (packet.ReasonString is null ? "" : $": {packet.ReasonString}") +
                      (packet.ServerReference is null ? "" : $"; use server {packet.ServerReference}");
        Break(new MqttDisconnectInfo(MqttDisconnectKind.ServerDisconnected, message, null, packet.ReasonCode, packet.ServerReference));
    }

    /// <summary>Delivers received messages to the handler one at a time, then acknowledges QoS 1/2 in arrival order.</summary>
    private async Task DispatchLoopAsync()
    {
        var reader = _inbound!.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var packet))
                {
                    // The link is gone but this message was read from it. A QoS 0 one (Sparkplug DATA) now exists nowhere
                    // else, so it still reaches the handler; a QoS 1/2 one cannot be acknowledged any more, and the broker
                    // sends it again to a persistent session.
                    if (Volatile.Read(ref _state) == StateClosed && packet.QoS != MqttQualityOfService.AtMostOnce)
                    {
                        continue;
                    }

                    if (!packet.Discarded && ApplicationMessageReceivedAsync is { } handler)
                    {
                        try
                        {
                            await handler(new MqttApplicationMessage(packet)).ConfigureAwait(false);
                        }
#pragma warning disable CA1031 // an application handler may throw anything; the message is still acknowledged
                        catch (Exception ex)
#pragma warning restore CA1031
                        {
                            Log.HandlerFailed(_logger, packet.Topic, ex);
                        }
                    }

                    if (Volatile.Read(ref _state) == StateClosed)
                    {
                        continue;
                    }

                    if (packet.QoS == MqttQualityOfService.AtLeastOnce)
                    {
                        DecrementInboundUnacked();
                        EnqueueAck(MqttPacketType.PubAck, packet.PacketId); // [MQTT-4.6.0-2] in arrival order
                    }
                    else if (packet.QoS == MqttQualityOfService.ExactlyOnce)
                    {
                        EnqueueAck(MqttPacketType.PubRec, packet.PacketId);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // connection ended
        }
    }

    private void DecrementInboundUnacked()
    {
        if (_version == MqttProtocolVersion.V500)
        {
            Interlocked.Decrement(ref _inboundUnacked);
        }
    }

    private int _inboundUnacked;

    // Set by the reader only (it alone handles frames), so no synchronisation is needed.
    private bool _connAckSeen;
    private long _discarding;
    private long _oversizedDiscarded;

    /// <summary>Incoming PUBLISH packets skipped because they exceeded <see cref="MqttClientOptions.MaxPacketSize"/>.</summary>
    public long OversizedPublishesDiscarded => Interlocked.Read(ref _oversizedDiscarded);
    private readonly HashSet<ushort> _qos2Received = [];
}
