using EdgeNode.Mqtt.Client;
using EdgeNode.Mqtt.Packets;
using EdgeNode.Mqtt.Protocol;

namespace EdgeNode.Mqtt;

public sealed partial class MqttClient
{
    /// <summary>Subscribes to one topic filter. See <see cref="SubscribeAsync(IReadOnlyList{MqttTopicFilter}, CancellationToken)"/>.</summary>
    public Task<MqttSubscribeResult> SubscribeAsync(string topicFilter, MqttQualityOfService qos = MqttQualityOfService.AtLeastOnce,
        CancellationToken cancellationToken = default) =>
        SubscribeAsync([new MqttTopicFilter(topicFilter, qos)], cancellationToken);

    /// <summary>
    /// Sends one SUBSCRIBE with all <paramref name="filters"/> and returns the SUBACK: per filter the granted QoS or the
    /// refusal code (refusals are results). Written in call order with publishes. Cancellation stops waiting; the
    /// subscription may still be made by the broker.
    /// </summary>
    public async Task<MqttSubscribeResult> SubscribeAsync(IReadOnlyList<MqttTopicFilter> filters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filters);
        if (filters.Count == 0)
        {
            throw new ArgumentException("at least one topic filter is required", nameof(filters)); // [MQTT-3.8.3-3]
        }

        foreach (var filter in filters)
        {
            ArgumentNullException.ThrowIfNull(filter, nameof(filters));
            if (MqttTopicValidator.ValidateTopicFilter(filter.Topic) is { } error)
            {
                throw new ArgumentException(error, nameof(filters));
            }

            if ((byte)filter.QoS > 2 || (byte)filter.RetainHandling > 2)
            {
                throw new ArgumentException($"topic filter '{filter.Topic}': QoS or retain handling out of range", nameof(filters));
            }
        }

        var request = await EnqueueRequestAsync(filters.Count, true,
            id => MqttPacketEncoder.EncodeSubscribe(_out, _version, new MqttSubscribePacket { PacketId = id, Filters = filters }),
            cancellationToken).ConfigureAwait(false);
        var suback = (MqttSubAckPacket)await request.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        var items = new MqttSubscribeResultItem[filters.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = new MqttSubscribeResultItem(filters[i], (MqttSubscribeReasonCode)suback.ReasonCodes[i]);
        }

        return new MqttSubscribeResult(items, suback.ReasonString, request.Sequence);
    }

    /// <summary>Sends one UNSUBSCRIBE and returns the UNSUBACK (3.1.1 carries no per-filter codes: all Success).</summary>
    public async Task<MqttUnsubscribeResult> UnsubscribeAsync(IReadOnlyList<string> topicFilters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topicFilters);
        if (topicFilters.Count == 0)
        {
            throw new ArgumentException("at least one topic filter is required", nameof(topicFilters)); // [MQTT-3.10.3-2]
        }

        foreach (var filter in topicFilters)
        {
            if (MqttTopicValidator.ValidateTopicFilter(filter) is { } error)
            {
                throw new ArgumentException(error, nameof(topicFilters));
            }
        }

        var request = await EnqueueRequestAsync(topicFilters.Count, false,
            id => MqttPacketEncoder.EncodeUnsubscribe(_out, _version, new MqttUnsubscribePacket { PacketId = id, Filters = topicFilters }),
            cancellationToken).ConfigureAwait(false);
        var unsuback = (MqttUnsubAckPacket)await request.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        var items = new MqttUnsubscribeResultItem[topicFilters.Count];
        for (var i = 0; i < items.Length; i++)
        {
            var code = unsuback.ReasonCodes.Length == 0 ? MqttUnsubscribeReasonCode.Success : (MqttUnsubscribeReasonCode)unsuback.ReasonCodes[i];
            items[i] = new MqttUnsubscribeResultItem(topicFilters[i], code);
        }

        return new MqttUnsubscribeResult(items, unsuback.ReasonString, request.Sequence);
    }

    /// <summary>Unsubscribes from one topic filter.</summary>
    public Task<MqttUnsubscribeResult> UnsubscribeAsync(string topicFilter, CancellationToken cancellationToken = default) =>
        UnsubscribeAsync([topicFilter], cancellationToken);

    private async Task<PendingRequest> EnqueueRequestAsync(int filterCount, bool subscribe, Action<ushort> encode,
        CancellationToken cancellationToken)
    {
        var state = Volatile.Read(ref _state);
        if (state != StateConnected)
        {
            throw NotConnected(state);
        }

        await _orderLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        PendingRequest request;
        try
        {
            await WaitForSpaceAsync(MqttQualityOfService.AtMostOnce, cancellationToken).ConfigureAwait(false);
            lock (_writeLock)
            {
                if (_state != StateConnected)
                {
                    throw NotConnected(_state);
                }

                request = new PendingRequest(++_sequence, filterCount, subscribe);
                encode(AllocatePacketId(request));
            }
        }
        finally
        {
            _orderLock.Release();
        }

        _writeSignal.Set();
        return request;
    }
}
