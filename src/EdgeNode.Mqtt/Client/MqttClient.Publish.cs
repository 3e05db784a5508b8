using System.Runtime.CompilerServices;
using EdgeNode.Mqtt.Client;
using EdgeNode.Mqtt.Protocol;

namespace EdgeNode.Mqtt;

public sealed partial class MqttClient
{
    /// <summary>
    /// Publishes a message. Messages are written in call order. QoS 0 completes as soon as the packet is queued for
    /// writing (allocation-free); QoS 1 completes on PUBACK and QoS 2 on PUBCOMP, with the reason code (a 5.0 refusal is
    /// a result, not an exception). The result's <see cref="MqttPublishResult.Sequence"/> is the packet's delivery-proof
    /// sequence. Waits (asynchronously) while <see cref="MqttClientOptions.MaxInflight"/> QoS 1/2 publishes are unacknowledged or
    /// the outbound buffer is full. <paramref name="cancellationToken"/> cancels only that wait: once queued, a QoS 1/2
    /// publish completes on its acknowledgement or fails with <see cref="MqttCommunicationException"/> when the
    /// connection ends first (never silently dropped). A message over the server's limits (5.0 Maximum QoS, Retain
    /// Available, Maximum Packet Size) is not sent and reported as such.
    /// </summary>
    /// <remarks>The returned <see cref="ValueTask{TResult}"/> is pooled: await it exactly once.</remarks>
    public ValueTask<MqttPublishResult> PublishAsync(string topic, ReadOnlyMemory<byte> payload,
        MqttQualityOfService qos = MqttQualityOfService.AtMostOnce, bool retain = false, CancellationToken cancellationToken = default) =>
        PublishAsync(_topics.Get(topic), payload, qos, retain, cancellationToken);

    /// <summary>Publishes with a pre-validated, pre-encoded topic (the cheapest form). See the string overload.</summary>
    public ValueTask<MqttPublishResult> PublishAsync(MqttTopic topic, ReadOnlyMemory<byte> payload,
        MqttQualityOfService qos = MqttQualityOfService.AtMostOnce, bool retain = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if ((byte)qos > 2)
        {
            throw new ArgumentOutOfRangeException(nameof(qos), qos, "QoS must be 0, 1 or 2");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<MqttPublishResult>(cancellationToken);
        }

        var state = Volatile.Read(ref _state);
        if (state != StateConnected)
        {
            return ValueTask.FromException<MqttPublishResult>(NotConnected(state));
        }

        if (CheckServerLimits(topic, payload.Length, qos, retain) is { } refused)
        {
            return new ValueTask<MqttPublishResult>(new MqttPublishResult(0, refused, 0));
        }

        if (!_orderLock.Wait(0))
        {
            return PublishSlowAsync(topic, payload, qos, retain, lockHeld: false, cancellationToken);
        }

        if (!HasSpace(qos))
        {
            return PublishSlowAsync(topic, payload, qos, retain, lockHeld: true, cancellationToken);
        }

        ValueTask<MqttPublishResult> result;
        try
        {
            result = Enqueue(topic, payload.Span, qos, retain);
        }
        catch (MqttCommunicationException ex)
        {
            return ValueTask.FromException<MqttPublishResult>(ex);
        }
        finally
        {
            _orderLock.Release();
        }

        // No lock is held here: an idle writer writes the packet on this thread (a QoS 0 DATA costs one socket write,
        // not a hand-off to a pool thread and a write there); a busy writer takes it with the rest of its batch.
        _writeSignal.Set(runWaiterInline: true);
        return result;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<MqttPublishResult> PublishSlowAsync(MqttTopic topic, ReadOnlyMemory<byte> payload,
        MqttQualityOfService qos, bool retain, bool lockHeld, CancellationToken cancellationToken)
    {
        if (!lockHeld)
        {
            await _orderLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        ValueTask<MqttPublishResult> pending;
        try
        {
            await WaitForSpaceAsync(qos, cancellationToken).ConfigureAwait(false);
            pending = Enqueue(topic, payload.Span, qos, retain);
        }
        finally
        {
            _orderLock.Release();
        }

        _writeSignal.Set();
        return await pending.ConfigureAwait(false);
    }

    /// <summary>Called by the order-lock holder only (the single waiter of <see cref="_spaceSignal"/>).</summary>
    private async ValueTask WaitForSpaceAsync(MqttQualityOfService qos, CancellationToken cancellationToken)
    {
        while (!HasSpace(qos))
        {
            var state = Volatile.Read(ref _state);
            if (state != StateConnected)
            {
                throw NotConnected(state);
            }

            await _spaceSignal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private bool HasSpace(MqttQualityOfService qos) =>
        _out.PendingBytes < _writeBufferLimit && (qos == MqttQualityOfService.AtMostOnce || Volatile.Read(ref _inflight) < _window);

    private MqttPublishReasonCode? CheckServerLimits(MqttTopic topic, int payloadLength, MqttQualityOfService qos, bool retain)
    {
        if (qos > _serverMaximumQoS)
        {
            return MqttPublishReasonCode.QoSNotSupported; // [MQTT-3.2.2-11]
        }

        if (retain && !_retainAvailable)
        {
            return MqttPublishReasonCode.RetainNotSupported; // [MQTT-3.2.2-14]
        }

        var size = MqttPacketEncoder.GetPublishSize(_version, topic.Bytes.Length, payloadLength, qos);
        return size < 0 || size > _serverMaximumPacketSize ? MqttPublishReasonCode.PacketTooLarge : null; // [MQTT-3.1.2-24]
    }

    /// <summary>Encodes the PUBLISH under the write lock, assigning its sequence (and packet id) in write order.</summary>
    private ValueTask<MqttPublishResult> Enqueue(MqttTopic topic, ReadOnlySpan<byte> payload, MqttQualityOfService qos, bool retain)
    {
        if (qos == MqttQualityOfService.AtMostOnce)
        {
            long sequence;
            lock (_writeLock)
            {
                if (_state != StateConnected)
                {
                    throw NotConnected(_state);
                }

                sequence = ++_sequence;
                MqttPacketEncoder.EncodePublish(_out, _version, topic.Bytes, payload, qos, retain, duplicate: false, packetId: 0);
            }

            return new ValueTask<MqttPublishResult>(new MqttPublishResult(sequence, MqttPublishReasonCode.Success, 0));
        }

        var entry = _pool.TryDequeue(out var pooled) ? pooled : new PendingPublish(_returnToPool);
        lock (_writeLock)
        {
            if (_state != StateConnected)
            {
                _pool.Enqueue(entry);
                throw NotConnected(_state);
            }

            var packetId = AllocatePacketId(entry);
            var task = entry.Prepare(packetId, ++_sequence, qos);
            _inflight++;
            MqttPacketEncoder.EncodePublish(_out, _version, topic.Bytes, payload, qos, retain, duplicate: false, packetId);
            return task;
        }
    }

    private void ReturnPending(PendingPublish entry)
    {
        if (_pool.Count < 1024)
        {
            _pool.Enqueue(entry);
        }
    }
}
