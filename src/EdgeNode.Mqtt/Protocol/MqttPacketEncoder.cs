using System.Buffers;
using System.Text;
using EdgeNode.Mqtt.Packets;

namespace EdgeNode.Mqtt.Protocol;

/// <summary>
/// Pure MQTT encoder: every method computes the exact packet length first, takes one span of that size from the
/// <see cref="IBufferWriter{T}"/> and fills it (no intermediate copies). Both directions are encoded so the same codec
/// drives round-trip tests and the scripted test server. Callers validate topics and strings beforehand (lengths fit
/// in 16 bits, no U+0000); the encoder trusts them.
/// </summary>
internal static class MqttPacketEncoder
{
    private static ReadOnlySpan<byte> ProtocolName => "\0\u0004MQTT"u8;

    /// <summary>Size of a whole packet whose remaining length is <paramref name="remainingLength"/>.</summary>
    public static int PacketSize(int remainingLength) => 1 + MqttVariableByteInteger.Size(remainingLength) + remainingLength;

    /// <summary>Total size of a PUBLISH with these parts, or -1 when it exceeds the protocol maximum.</summary>
    public static long GetPublishSize(MqttProtocolVersion version, int topicLength, int payloadLength, MqttQualityOfService qos)
    {
        var remaining = 2L + topicLength + (qos > MqttQualityOfService.AtMostOnce ? 2 : 0) +
                        (version == MqttProtocolVersion.V500 ? 1 : 0) + payloadLength;
        return remaining > MqttVariableByteInteger.MaxValue ? -1 : PacketSize((int)remaining);
    }

    /// <summary>PUBLISH from primitives (the hot path). 5.0: an empty property block.</summary>
    public static int EncodePublish(IBufferWriter<byte> output, MqttProtocolVersion version, ReadOnlySpan<byte> topicUtf8,
        ReadOnlySpan<byte> payload, MqttQualityOfService qos, bool retain, bool duplicate, ushort packetId)
    {
        var remaining = 2 + topicUtf8.Length + (qos > MqttQualityOfService.AtMostOnce ? 2 : 0) +
                        (version == MqttProtocolVersion.V500 ? 1 : 0) + payload.Length;
        var total = PacketSize(remaining);
        var w = new MqttSpanWriter(output.GetSpan(total));
        w.WriteByte((byte)(((byte)MqttPacketType.Publish << 4) | (duplicate ? 0x08 : 0) | ((byte)qos << 1) | (retain ? 1 : 0)));
        w.WriteVariableByteInteger(remaining);
        w.WriteBinary(topicUtf8);
        if (qos > MqttQualityOfService.AtMostOnce)
        {
            w.WriteUInt16(packetId);
        }

        if (version == MqttProtocolVersion.V500)
        {
            w.WriteByte(0);
        }

        w.Write(payload);
        output.Advance(total);
        return total;
    }

    /// <summary>PUBACK/PUBREC/PUBREL/PUBCOMP. 5.0 uses the 2-byte short form for success without properties (§3.4.2.1).</summary>
    public static int EncodeAck(IBufferWriter<byte> output, MqttProtocolVersion version, MqttPacketType type, ushort packetId,
        byte reasonCode = 0, string? reasonString = null)
    {
        var longForm = version == MqttProtocolVersion.V500 && (reasonCode != 0 || reasonString is not null);
        var properties = longForm && reasonString is not null ? 1 + StringSize(reasonString) : 0;
        var remaining = 2 + (longForm ? 1 + MqttVariableByteInteger.Size(properties) + properties : 0);
        var total = PacketSize(remaining);
        var w = new MqttSpanWriter(output.GetSpan(total));
        w.WriteByte((byte)(((byte)type << 4) | (type == MqttPacketType.PubRel ? 0x02 : 0)));
        w.WriteVariableByteInteger(remaining);
        w.WriteUInt16(packetId);
        if (longForm)
        {
            w.WriteByte(reasonCode);
            w.WriteVariableByteInteger(properties);
            if (reasonString is not null)
            {
                w.WriteByte(MqttPropertyId.ReasonString);
                w.WriteString(reasonString);
            }
        }

        output.Advance(total);
        return total;
    }

    public static int EncodePingReq(IBufferWriter<byte> output) => EncodeEmpty(output, MqttPacketType.PingReq);

    public static int EncodePingResp(IBufferWriter<byte> output) => EncodeEmpty(output, MqttPacketType.PingResp);

    public static int EncodeConnect(IBufferWriter<byte> output, MqttConnectPacket packet)
    {
        var v5 = packet.ProtocolVersion == MqttProtocolVersion.V500;
        var will = packet.Will;
        var properties = 0;
        var willProperties = 0;
        if (v5)
        {
            properties += packet.SessionExpiryInterval != 0 ? 5 : 0;
            properties += packet.ReceiveMaximum != ushort.MaxValue ? 3 : 0;
            properties += packet.MaximumPacketSize != 0 ? 5 : 0;
            properties += packet.TopicAliasMaximum != 0 ? 3 : 0;
            properties += packet.RequestProblemInformation ? 0 : 2;
            properties += UserPropertiesSize(packet.UserProperties);
            willProperties = will is not null && will.DelayInterval != 0 ? 5 : 0;
        }

        var remaining = 10 + (v5 ? MqttVariableByteInteger.Size(properties) + properties : 0) + StringSize(packet.ClientId);
        if (will is not null)
        {
            remaining += (v5 ? MqttVariableByteInteger.Size(willProperties) + willProperties : 0) +
                         StringSize(will.Topic) + 2 + will.Payload.Length;
        }

        if (packet.Username is not null)
        {
            remaining += StringSize(packet.Username);
        }

        if (packet.Password is { } password)
        {
            remaining += 2 + password.Length;
        }

        var total = PacketSize(remaining);
        var w = new MqttSpanWriter(output.GetSpan(total));
        w.WriteByte((byte)MqttPacketType.Connect << 4);
        w.WriteVariableByteInteger(remaining);
        w.Write(ProtocolName);
        w.WriteByte((byte)packet.ProtocolVersion);
        var flags = (packet.CleanSession ? 0x02 : 0) |
                    (will is not null ? 0x04 | ((byte)will.QoS << 3) | (will.Retain ? 0x20 : 0) : 0) |
                    (packet.Password is not null ? 0x40 : 0) |
                    (packet.Username is not null ? 0x80 : 0);
        w.WriteByte((byte)flags);
        w.WriteUInt16(packet.KeepAliveSeconds);
        if (v5)
        {
            w.WriteVariableByteInteger(properties);
            if (packet.SessionExpiryInterval != 0)
            {
                w.WriteByte(MqttPropertyId.SessionExpiryInterval);
                w.WriteUInt32(packet.SessionExpiryInterval);
            }

            if (packet.ReceiveMaximum != ushort.MaxValue)
            {
                w.WriteByte(MqttPropertyId.ReceiveMaximum);
                w.WriteUInt16(packet.ReceiveMaximum);
            }

            if (packet.MaximumPacketSize != 0)
            {
                w.WriteByte(MqttPropertyId.MaximumPacketSize);
                w.WriteUInt32(packet.MaximumPacketSize);
            }

            if (packet.TopicAliasMaximum != 0)
            {
                w.WriteByte(MqttPropertyId.TopicAliasMaximum);
                w.WriteUInt16(packet.TopicAliasMaximum);
            }

            if (!packet.RequestProblemInformation)
            {
                w.WriteByte(MqttPropertyId.RequestProblemInformation);
                w.WriteByte(0);
            }

            w.WriteUserProperties(packet.UserProperties);
        }

        w.WriteString(packet.ClientId);
        if (will is not null)
        {
            if (v5)
            {
                w.WriteVariableByteInteger(willProperties);
                if (will.DelayInterval != 0)
                {
                    w.WriteByte(MqttPropertyId.WillDelayInterval);
                    w.WriteUInt32(will.DelayInterval);
                }
            }

            w.WriteString(will.Topic);
            w.WriteBinary(will.Payload.Span);
        }

        if (packet.Username is not null)
        {
            w.WriteString(packet.Username);
        }

        if (packet.Password is { } pw)
        {
            w.WriteBinary(pw.Span);
        }

        output.Advance(total);
        return total;
    }

    public static int EncodeConnAck(IBufferWriter<byte> output, MqttProtocolVersion version, MqttConnAckPacket packet)
    {
        var v5 = version == MqttProtocolVersion.V500;
        var properties = 0;
        if (v5)
        {
            properties += packet.SessionExpiryInterval is not null ? 5 : 0;
            properties += packet.ReceiveMaximum != ushort.MaxValue ? 3 : 0;
            properties += packet.MaximumQoS != MqttQualityOfService.ExactlyOnce ? 2 : 0;
            properties += packet.RetainAvailable ? 0 : 2;
            properties += packet.MaximumPacketSize is not null ? 5 : 0;
            properties += packet.AssignedClientIdentifier is { } id ? 1 + StringSize(id) : 0;
            properties += packet.TopicAliasMaximum != 0 ? 3 : 0;
            properties += packet.ReasonString is { } rs ? 1 + StringSize(rs) : 0;
            properties += packet.ServerKeepAlive is not null ? 3 : 0;
            properties += packet.ServerReference is { } sr ? 1 + StringSize(sr) : 0;
            properties += UserPropertiesSize(packet.UserProperties);
        }

        var remaining = 2 + (v5 ? MqttVariableByteInteger.Size(properties) + properties : 0);
        var total = PacketSize(remaining);
        var w = new MqttSpanWriter(output.GetSpan(total));
        w.WriteByte((byte)MqttPacketType.ConnAck << 4);
        w.WriteVariableByteInteger(remaining);
        w.WriteByte(packet.SessionPresent ? (byte)1 : (byte)0);
        w.WriteByte(packet.RawCode);
        if (v5)
        {
            w.WriteVariableByteInteger(properties);
            if (packet.SessionExpiryInterval is { } sei)
            {
                w.WriteByte(MqttPropertyId.SessionExpiryInterval);
                w.WriteUInt32(sei);
            }

            if (packet.ReceiveMaximum != ushort.MaxValue)
            {
                w.WriteByte(MqttPropertyId.ReceiveMaximum);
                w.WriteUInt16(packet.ReceiveMaximum);
            }

            if (packet.MaximumQoS != MqttQualityOfService.ExactlyOnce)
            {
                w.WriteByte(MqttPropertyId.MaximumQoS);
                w.WriteByte((byte)packet.MaximumQoS);
            }

            if (!packet.RetainAvailable)
            {
                w.WriteByte(MqttPropertyId.RetainAvailable);
                w.WriteByte(0);
            }

            if (packet.MaximumPacketSize is { } mps)
            {
                w.WriteByte(MqttPropertyId.MaximumPacketSize);
                w.WriteUInt32(mps);
            }

            if (packet.AssignedClientIdentifier is { } aci)
            {
                w.WriteByte(MqttPropertyId.AssignedClientIdentifier);
                w.WriteString(aci);
            }

            if (packet.TopicAliasMaximum != 0)
            {
                w.WriteByte(MqttPropertyId.TopicAliasMaximum);
                w.WriteUInt16(packet.TopicAliasMaximum);
            }

            if (packet.ReasonString is { } reason)
            {
                w.WriteByte(MqttPropertyId.ReasonString);
                w.WriteString(reason);
            }

            if (packet.ServerKeepAlive is { } ska)
            {
                w.WriteByte(MqttPropertyId.ServerKeepAlive);
                w.WriteUInt16(ska);
            }

            if (packet.ServerReference is { } reference)
            {
                w.WriteByte(MqttPropertyId.ServerReference);
                w.WriteString(reference);
            }

            w.WriteUserProperties(packet.UserProperties);
        }

        output.Advance(total);
        return total;
    }

    public static int EncodeSubscribe(IBufferWriter<byte> output, MqttProtocolVersion version, MqttSubscribePacket packet)
    {
        var v5 = version == MqttProtocolVersion.V500;
        var properties = 0;
        if (v5)
        {
            properties += packet.SubscriptionIdentifier != 0
                ? 1 + MqttVariableByteInteger.Size((int)packet.SubscriptionIdentifier)
                : 0;
            properties += UserPropertiesSize(packet.UserProperties);
        }

        var remaining = 2 + (v5 ? MqttVariableByteInteger.Size(properties) + properties : 0);
        foreach (var filter in packet.Filters)
        {
            remaining += StringSize(filter.Topic) + 1;
        }

        var total = PacketSize(remaining);
        var w = new MqttSpanWriter(output.GetSpan(total));
        w.WriteByte(((byte)MqttPacketType.Subscribe << 4) | 0x02); // [MQTT-3.8.1-1] reserved flags 0010
        w.WriteVariableByteInteger(remaining);
        w.WriteUInt16(packet.PacketId);
        if (v5)
        {
            w.WriteVariableByteInteger(properties);
            if (packet.SubscriptionIdentifier != 0)
            {
                w.WriteByte(MqttPropertyId.SubscriptionIdentifier);
                w.WriteVariableByteInteger((int)packet.SubscriptionIdentifier);
            }

            w.WriteUserProperties(packet.UserProperties);
        }

        foreach (var filter in packet.Filters)
        {
            w.WriteString(filter.Topic);
            var options = (byte)filter.QoS;
            if (v5)
            {
                options |= (byte)((filter.NoLocal ? 0x04 : 0) | (filter.RetainAsPublished ? 0x08 : 0) | ((byte)filter.RetainHandling << 4));
            }

            w.WriteByte(options);
        }

        output.Advance(total);
        return total;
    }

    public static int EncodeSubAck(IBufferWriter<byte> output, MqttProtocolVersion version, ushort packetId,
        ReadOnlySpan<byte> reasonCodes, string? reasonString = null)
    {
        var v5 = version == MqttProtocolVersion.V500;
        var properties = v5 && reasonString is not null ? 1 + StringSize(reasonString) : 0;
        var remaining = 2 + (v5 ? MqttVariableByteInteger.Size(properties) + properties : 0) + reasonCodes.Length;
        var total = PacketSize(remaining);
        var w = new MqttSpanWriter(output.GetSpan(total));
        w.WriteByte((byte)MqttPacketType.SubAck << 4);
        w.WriteVariableByteInteger(remaining);
        w.WriteUInt16(packetId);
        if (v5)
        {
            w.WriteVariableByteInteger(properties);
            if (reasonString is not null)
            {
                w.WriteByte(MqttPropertyId.ReasonString);
                w.WriteString(reasonString);
            }
        }

        w.Write(reasonCodes);
        output.Advance(total);
        return total;
    }

    public static int EncodeUnsubscribe(IBufferWriter<byte> output, MqttProtocolVersion version, MqttUnsubscribePacket packet)
    {
        var v5 = version == MqttProtocolVersion.V500;
        var properties = v5 ? UserPropertiesSize(packet.UserProperties) : 0;
        var remaining = 2 + (v5 ? MqttVariableByteInteger.Size(properties) + properties : 0);
        foreach (var filter in packet.Filters)
        {
            remaining += StringSize(filter);
        }

        var total = PacketSize(remaining);
        var w = new MqttSpanWriter(output.GetSpan(total));
        w.WriteByte(((byte)MqttPacketType.Unsubscribe << 4) | 0x02); // [MQTT-3.10.1-1] reserved flags 0010
        w.WriteVariableByteInteger(remaining);
        w.WriteUInt16(packet.PacketId);
        if (v5)
        {
            w.WriteVariableByteInteger(properties);
            w.WriteUserProperties(packet.UserProperties);
        }

        foreach (var filter in packet.Filters)
        {
            w.WriteString(filter);
        }

        output.Advance(total);
        return total;
    }

    /// <summary>UNSUBACK; 3.1.1 carries only the packet id (reason codes are ignored).</summary>
    public static int EncodeUnsubAck(IBufferWriter<byte> output, MqttProtocolVersion version, ushort packetId, ReadOnlySpan<byte> reasonCodes)
    {
        var v5 = version == MqttProtocolVersion.V500;
        var remaining = 2 + (v5 ? 1 + reasonCodes.Length : 0);
        var total = PacketSize(remaining);
        var w = new MqttSpanWriter(output.GetSpan(total));
        w.WriteByte((byte)MqttPacketType.UnsubAck << 4);
        w.WriteVariableByteInteger(remaining);
        w.WriteUInt16(packetId);
        if (v5)
        {
            w.WriteByte(0);
            w.Write(reasonCodes);
        }

        output.Advance(total);
        return total;
    }

    /// <summary>DISCONNECT. 3.1.1: two bytes. 5.0: reason code and optional reason string/server reference.</summary>
    public static int EncodeDisconnect(IBufferWriter<byte> output, MqttProtocolVersion version,
        MqttDisconnectReasonCode reasonCode = MqttDisconnectReasonCode.NormalDisconnection, string? reasonString = null,
        string? serverReference = null)
    {
        var v5 = version == MqttProtocolVersion.V500;
        var properties = v5
            ? (reasonString is not null ? 1 + StringSize(reasonString) : 0) +
              (serverReference is not null ? 1 + StringSize(serverReference) : 0)
            : 0;
        var remaining = !v5 ? 0
            : properties > 0 ? 1 + MqttVariableByteInteger.Size(properties) + properties
            : reasonCode != MqttDisconnectReasonCode.NormalDisconnection ? 1
            : 0;
        var total = PacketSize(remaining);
        var w = new MqttSpanWriter(output.GetSpan(total));
        w.WriteByte((byte)MqttPacketType.Disconnect << 4);
        w.WriteVariableByteInteger(remaining);
        if (remaining > 0)
        {
            w.WriteByte((byte)reasonCode);
        }

        if (properties > 0)
        {
            w.WriteVariableByteInteger(properties);
            if (reasonString is not null)
            {
                w.WriteByte(MqttPropertyId.ReasonString);
                w.WriteString(reasonString);
            }

            if (serverReference is not null)
            {
                w.WriteByte(MqttPropertyId.ServerReference);
                w.WriteString(serverReference);
            }
        }

        output.Advance(total);
        return total;
    }

    public static int StringSize(string value) => 2 + Encoding.UTF8.GetByteCount(value);

    private static int UserPropertiesSize(IReadOnlyList<MqttUserProperty>? properties)
    {
        var size = 0;
        if (properties is not null)
        {
            foreach (var p in properties)
            {
                size += 1 + StringSize(p.Name) + StringSize(p.Value);
            }
        }

        return size;
    }

    private static int EncodeEmpty(IBufferWriter<byte> output, MqttPacketType type)
    {
        var span = output.GetSpan(2);
        span[0] = (byte)((byte)type << 4);
        span[1] = 0;
        output.Advance(2);
        return 2;
    }
}
