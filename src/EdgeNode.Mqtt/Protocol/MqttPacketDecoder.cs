using System.Buffers;
using EdgeNode.Mqtt.Packets;

namespace EdgeNode.Mqtt.Protocol;

/// <summary>
/// Pure MQTT decoder. <see cref="TryDecode(in ReadOnlySequence{byte}, int, out MqttFrame, out SequencePosition, out SequencePosition)"/> frames one packet out of a byte sequence (false on a partial packet,
/// nothing consumed); the <c>Decode…</c> methods turn a frame's body into a packet. Every rule the specification makes
/// about the bytes is enforced here with <see cref="MqttProtocolViolationException"/>; which packet types are allowed in
/// which direction and state is the client's business.
/// </summary>
internal static class MqttPacketDecoder
{
    /// <summary>
    /// Frames the first packet of <paramref name="buffer"/>. Returns false when more bytes are needed (consumed = start,
    /// examined = end). The packet size is checked against <paramref name="maxPacketSize"/> as soon as the fixed header
    /// is complete, so an oversized packet is refused before its body is buffered.
    /// </summary>
    public static bool TryDecode(in ReadOnlySequence<byte> buffer, int maxPacketSize, out MqttFrame frame,
        out SequencePosition consumed, out SequencePosition examined) =>
        TryDecode(buffer, maxPacketSize, skipOversizedPublish: false, out frame, out _, out consumed, out examined);

    /// <summary>
    /// As <see cref="TryDecode(in ReadOnlySequence{byte}, int, out MqttFrame, out SequencePosition, out SequencePosition)"/>,
    /// but with <paramref name="skipOversizedPublish"/> a PUBLISH larger than <paramref name="maxPacketSize"/> is no
    /// violation: once its head (fixed header, topic, packet identifier) is buffered, it returns true with
    /// <paramref name="oversized"/> describing it (<see cref="MqttOversizedPublish.Size"/> &gt; 0, no frame) and
    /// <paramref name="consumed"/> after the head; the caller discards <see cref="MqttOversizedPublish.Remaining"/> more
    /// bytes as they arrive, so the body is never buffered. Other oversized packets still throw.
    /// </summary>
    public static bool TryDecode(in ReadOnlySequence<byte> buffer, int maxPacketSize, bool skipOversizedPublish, out MqttFrame frame,
        out MqttOversizedPublish oversized, out SequencePosition consumed, out SequencePosition examined)
    {
        frame = default;
        oversized = default;
        consumed = buffer.Start;
        examined = buffer.End;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryRead(out var first))
        {
            return false;
        }

        var type = (MqttPacketType)(first >> 4);
        var flags = (byte)(first & 0x0F);
        ValidateFixedHeader(type, flags);

        var status = MqttVariableByteInteger.TryRead(ref reader, out var remaining, out var lengthSize);
        if (status == OperationStatus.NeedMoreData)
        {
            return false;
        }

        if (status != OperationStatus.Done)
        {
            throw MqttProtocolViolationException.Malformed("invalid remaining length (more than 4 bytes or not minimal)");
        }

        var total = 1L + lengthSize + remaining;
        if (total > maxPacketSize && skipOversizedPublish && type == MqttPacketType.Publish)
        {
            return TryDecodeOversizedHead(buffer, ref reader, flags, remaining, total, out oversized, out consumed);
        }

        if (total > maxPacketSize)
        {
            throw new MqttProtocolViolationException(
                $"{type} of {total} bytes exceeds the maximum packet size {maxPacketSize}", MqttDisconnectReasonCode.PacketTooLarge);
        }

        if (reader.Remaining < remaining)
        {
            return false;
        }

        var body = buffer.Slice(reader.Position, remaining);
        frame = new MqttFrame(type, flags, body, (int)total);
        consumed = examined = body.End;
        return true;
    }

    private static bool TryDecodeOversizedHead(in ReadOnlySequence<byte> buffer, ref SequenceReader<byte> reader, byte flags, int remaining,
        long total, out MqttOversizedPublish oversized, out SequencePosition consumed)
    {
        oversized = default;
        consumed = buffer.Start;
        var qos = (MqttQualityOfService)((flags >> 1) & 0x03);
        if (!reader.TryReadBigEndian(out short rawLength))
        {
            return false;
        }

        var head = 2 + (ushort)rawLength + (qos > MqttQualityOfService.AtMostOnce ? 2 : 0);
        if (head > remaining)
        {
            throw MqttProtocolViolationException.Malformed($"PUBLISH topic of {(ushort)rawLength} bytes runs past the packet");
        }

        reader.Rewind(2);
        if (reader.Remaining < head)
        {
            return false; // at most 65,539 bytes: the topic and the packet identifier
        }

        var r = new MqttBodyReader(buffer.Slice(reader.Position, head));
        var topic = r.ReadString();
        var packetId = qos > MqttQualityOfService.AtMostOnce ? ReadPacketId(ref r, "PUBLISH") : (ushort)0;
        oversized = new MqttOversizedPublish(topic, qos, (flags & 0x01) != 0, packetId, total, remaining - head);
        consumed = buffer.GetPosition(head, reader.Position);
        return true;
    }

    // [MQTT-2.2.2-1/2]: reserved flag bits must be as listed in Table 2.2; PUBLISH QoS 3 [MQTT-3.3.1-4] and DUP with
    // QoS 0 [MQTT-3.3.1-2] are malformed. Type 0 is reserved.
    private static void ValidateFixedHeader(MqttPacketType type, byte flags)
    {
        switch (type)
        {
            case 0:
                throw MqttProtocolViolationException.Malformed("reserved packet type 0");
            case MqttPacketType.Publish:
                var qos = (flags >> 1) & 0x03;
                if (qos == 3)
                {
                    throw MqttProtocolViolationException.Malformed("PUBLISH with QoS 3");
                }

                if (qos == 0 && (flags & 0x08) != 0)
                {
                    throw MqttProtocolViolationException.Malformed("PUBLISH with DUP set at QoS 0");
                }

                break;
            case MqttPacketType.PubRel or MqttPacketType.Subscribe or MqttPacketType.Unsubscribe:
                if (flags != 0x02)
                {
                    throw MqttProtocolViolationException.Malformed($"{type} with reserved flags {flags:X1} (must be 2)");
                }

                break;
            default:
                if (flags != 0)
                {
                    throw MqttProtocolViolationException.Malformed($"{type} with reserved flags {flags:X1} (must be 0)");
                }

                break;
        }
    }

    public static MqttConnAckPacket DecodeConnAck(in MqttFrame frame, MqttProtocolVersion version)
    {
        var r = new MqttBodyReader(frame.Body);
        var ackFlags = r.ReadByte();
        if ((ackFlags & 0xFE) != 0)
        {
            throw MqttProtocolViolationException.Malformed("CONNACK acknowledge flags has reserved bits set");
        }

        var raw = r.ReadByte();
        var code = version == MqttProtocolVersion.V500 ? MapConnAck5(raw) : MapConnAck311(raw);
        var sessionPresent = (ackFlags & 0x01) != 0;
        if (sessionPresent && code != MqttConnectResultCode.Success)
        {
            // [MQTT-3.2.2-4] / [MQTT-3.2.2-6]: Session Present must be 0 with a refusal.
            throw MqttProtocolViolationException.Protocol("CONNACK refuses the connection but sets Session Present");
        }

        var packet = new MqttConnAckPacket { SessionPresent = sessionPresent, ReasonCode = code, RawCode = raw };
        if (version == MqttProtocolVersion.V500)
        {
            var p = r.ReadPropertyBlock();
            ulong seen = 0;
            while (!p.End)
            {
                var id = ReadPropertyId(ref p);
                Once(ref seen, id, "CONNACK");
                switch (id)
                {
                    case MqttPropertyId.SessionExpiryInterval:
                        packet.SessionExpiryInterval = p.ReadUInt32();
                        break;
                    case MqttPropertyId.ReceiveMaximum:
                        packet.ReceiveMaximum = p.ReadUInt16();
                        if (packet.ReceiveMaximum == 0)
                        {
                            throw MqttProtocolViolationException.Protocol("CONNACK Receive Maximum 0");
                        }

                        break;
                    case MqttPropertyId.MaximumQoS:
                        var maxQos = p.ReadByte();
                        packet.MaximumQoS = maxQos <= 1
                            ? (MqttQualityOfService)maxQos
                            : throw MqttProtocolViolationException.Protocol($"CONNACK Maximum QoS {maxQos}");
                        break;
                    case MqttPropertyId.RetainAvailable:
                        packet.RetainAvailable = ReadBoolean(ref p, "Retain Available");
                        break;
                    case MqttPropertyId.MaximumPacketSize:
                        packet.MaximumPacketSize = p.ReadUInt32();
                        if (packet.MaximumPacketSize == 0)
                        {
                            throw MqttProtocolViolationException.Protocol("CONNACK Maximum Packet Size 0");
                        }

                        break;
                    case MqttPropertyId.AssignedClientIdentifier:
                        packet.AssignedClientIdentifier = p.ReadString();
                        break;
                    case MqttPropertyId.TopicAliasMaximum:
                        packet.TopicAliasMaximum = p.ReadUInt16();
                        break;
                    case MqttPropertyId.ReasonString:
                        packet.ReasonString = p.ReadString();
                        break;
                    case MqttPropertyId.UserProperty:
                        (packet.UserProperties ??= []).Add(new MqttUserProperty(p.ReadString(), p.ReadString()));
                        break;
                    case MqttPropertyId.WildcardSubscriptionAvailable:
                        packet.WildcardSubscriptionAvailable = ReadBoolean(ref p, "Wildcard Subscription Available");
                        break;
                    case MqttPropertyId.SubscriptionIdentifierAvailable:
                        packet.SubscriptionIdentifiersAvailable = ReadBoolean(ref p, "Subscription Identifier Available");
                        break;
                    case MqttPropertyId.SharedSubscriptionAvailable:
                        packet.SharedSubscriptionAvailable = ReadBoolean(ref p, "Shared Subscription Available");
                        break;
                    case MqttPropertyId.ServerKeepAlive:
                        packet.ServerKeepAlive = p.ReadUInt16();
                        break;
                    case MqttPropertyId.ResponseInformation:
                        packet.ResponseInformation = p.ReadString();
                        break;
                    case MqttPropertyId.ServerReference:
                        packet.ServerReference = p.ReadString();
                        break;
                    case MqttPropertyId.AuthenticationMethod:
                        packet.AuthenticationMethod = p.ReadString();
                        break;
                    case MqttPropertyId.AuthenticationData:
                        p.ReadBinary();
                        break;
                    default:
                        throw InvalidProperty(id, "CONNACK");
                }
            }
        }

        r.EnsureEnd("CONNACK");
        return packet;
    }

    public static MqttPublishPacket DecodePublish(in MqttFrame frame, MqttProtocolVersion version)
    {
        var r = new MqttBodyReader(frame.Body);
        var packet = new MqttPublishPacket
        {
            QoS = (MqttQualityOfService)((frame.Flags >> 1) & 0x03),
            Retain = (frame.Flags & 0x01) != 0,
            Duplicate = (frame.Flags & 0x08) != 0,
            Topic = r.ReadString(),
        };
        if (packet.Topic.AsSpan().IndexOfAny('+', '#') >= 0)
        {
            throw MqttProtocolViolationException.Protocol($"PUBLISH topic '{packet.Topic}' contains a wildcard"); // [MQTT-3.3.2-2]
        }

        if (packet.QoS > MqttQualityOfService.AtMostOnce)
        {
            packet.PacketId = ReadPacketId(ref r, "PUBLISH");
        }

        if (version == MqttProtocolVersion.V500)
        {
            var p = r.ReadPropertyBlock();
            ulong seen = 0;
            while (!p.End)
            {
                var id = ReadPropertyId(ref p);
                if (id != MqttPropertyId.SubscriptionIdentifier)
                {
                    Once(ref seen, id, "PUBLISH");
                }

                switch (id)
                {
                    case MqttPropertyId.PayloadFormatIndicator:
                        packet.PayloadFormatIndicator = ReadBoolean(ref p, "Payload Format Indicator") ? (byte)1 : (byte)0;
                        break;
                    case MqttPropertyId.MessageExpiryInterval:
                        packet.MessageExpiryInterval = p.ReadUInt32();
                        break;
                    case MqttPropertyId.TopicAlias:
                        packet.TopicAlias = p.ReadUInt16();
                        if (packet.TopicAlias == 0)
                        {
                            throw new MqttProtocolViolationException("PUBLISH Topic Alias 0", MqttDisconnectReasonCode.TopicAliasInvalid);
                        }

                        break;
                    case MqttPropertyId.ResponseTopic:
                        packet.ResponseTopic = p.ReadString();
                        break;
                    case MqttPropertyId.CorrelationData:
                        packet.CorrelationData = p.ReadBinary();
                        break;
                    case MqttPropertyId.UserProperty:
                        (packet.UserProperties ??= []).Add(new MqttUserProperty(p.ReadString(), p.ReadString()));
                        break;
                    case MqttPropertyId.SubscriptionIdentifier:
                        var subscriptionId = p.ReadVariableByteInteger();
                        if (subscriptionId == 0)
                        {
                            throw MqttProtocolViolationException.Protocol("PUBLISH Subscription Identifier 0");
                        }

                        (packet.SubscriptionIdentifiers ??= []).Add((uint)subscriptionId);
                        break;
                    case MqttPropertyId.ContentType:
                        packet.ContentType = p.ReadString();
                        break;
                    default:
                        throw InvalidProperty(id, "PUBLISH");
                }
            }
        }

        if (packet.Topic.Length == 0 && packet.TopicAlias == 0)
        {
            throw MqttProtocolViolationException.Protocol("PUBLISH with an empty topic name"); // [MQTT-4.7.3-1]
        }

        packet.Payload = r.ReadRest();
        return packet;
    }

    /// <summary>PUBACK, PUBREC, PUBREL or PUBCOMP; allocation-free unless a Reason String is present.</summary>
    public static MqttAckPacket DecodeAck(in MqttFrame frame, MqttProtocolVersion version)
    {
        var type = frame.Type;
        var r = new MqttBodyReader(frame.Body);
        var packetId = ReadPacketId(ref r, "acknowledgement");
        byte reason = 0;
        string? reasonString = null;
        if (version == MqttProtocolVersion.V500 && !r.End)
        {
            reason = r.ReadByte();
            if (!IsValidAckReason(type, reason))
            {
                throw MqttProtocolViolationException.Protocol($"{type} with invalid reason code 0x{reason:X2}");
            }

            if (!r.End)
            {
                var p = r.ReadPropertyBlock();
                ulong seen = 0;
                while (!p.End)
                {
                    var id = ReadPropertyId(ref p);
                    switch (id)
                    {
                        case MqttPropertyId.ReasonString:
                            Once(ref seen, id, type.ToString());
                            reasonString = p.ReadString();
                            break;
                        case MqttPropertyId.UserProperty:
                            p.ReadString();
                            p.ReadString();
                            break;
                        default:
                            throw InvalidProperty(id, type.ToString());
                    }
                }
            }
        }

        if (!r.End)
        {
            r.EnsureEnd(type.ToString()); // formats the name only on the error path (an enum's ToString allocates)
        }

        return new MqttAckPacket(type, packetId, reason, reasonString);
    }

    public static MqttSubAckPacket DecodeSubAck(in MqttFrame frame, MqttProtocolVersion version)
    {
        var r = new MqttBodyReader(frame.Body);
        var packetId = ReadPacketId(ref r, "SUBACK");
        string? reasonString = null;
        List<MqttUserProperty>? userProperties = null;
        if (version == MqttProtocolVersion.V500)
        {
            ReadReasonStringAndUserProperties(ref r, "SUBACK", out reasonString, out userProperties);
        }

        var codes = r.ReadRest();
        if (codes.Length == 0)
        {
            throw MqttProtocolViolationException.Protocol("SUBACK without reason codes");
        }

        foreach (var code in codes)
        {
            var valid = version == MqttProtocolVersion.V500
                ? Enum.IsDefined((MqttSubscribeReasonCode)code)
                : code is 0 or 1 or 2 or 0x80;
            if (!valid)
            {
                throw MqttProtocolViolationException.Protocol($"SUBACK with invalid return code 0x{code:X2}");
            }
        }

        return new MqttSubAckPacket { PacketId = packetId, ReasonCodes = codes, ReasonString = reasonString, UserProperties = userProperties };
    }

    public static MqttUnsubAckPacket DecodeUnsubAck(in MqttFrame frame, MqttProtocolVersion version)
    {
        var r = new MqttBodyReader(frame.Body);
        var packetId = ReadPacketId(ref r, "UNSUBACK");
        if (version != MqttProtocolVersion.V500)
        {
            r.EnsureEnd("UNSUBACK");
            return new MqttUnsubAckPacket { PacketId = packetId };
        }

        ReadReasonStringAndUserProperties(ref r, "UNSUBACK", out var reasonString, out var userProperties);
        var codes = r.ReadRest();
        foreach (var code in codes)
        {
            if (!Enum.IsDefined((MqttUnsubscribeReasonCode)code))
            {
                throw MqttProtocolViolationException.Protocol($"UNSUBACK with invalid reason code 0x{code:X2}");
            }
        }

        return new MqttUnsubAckPacket { PacketId = packetId, ReasonCodes = codes, ReasonString = reasonString, UserProperties = userProperties };
    }

    /// <summary>DISCONNECT: 3.1.1 has no body; 5.0 may carry a reason code and properties (absent = 0x00).</summary>
    public static MqttDisconnectPacket DecodeDisconnect(in MqttFrame frame, MqttProtocolVersion version)
    {
        var r = new MqttBodyReader(frame.Body);
        if (version != MqttProtocolVersion.V500 || r.End)
        {
            r.EnsureEnd("DISCONNECT");
            return new MqttDisconnectPacket { ReasonCode = MqttDisconnectReasonCode.NormalDisconnection };
        }

        var reason = r.ReadByte();
        if (!Enum.IsDefined((MqttDisconnectReasonCode)reason))
        {
            throw MqttProtocolViolationException.Protocol($"DISCONNECT with invalid reason code 0x{reason:X2}");
        }

        var packet = new MqttDisconnectPacket { ReasonCode = (MqttDisconnectReasonCode)reason };
        if (!r.End)
        {
            var p = r.ReadPropertyBlock();
            ulong seen = 0;
            while (!p.End)
            {
                var id = ReadPropertyId(ref p);
                Once(ref seen, id, "DISCONNECT");
                switch (id)
                {
                    case MqttPropertyId.SessionExpiryInterval:
                        packet.SessionExpiryInterval = p.ReadUInt32();
                        break;
                    case MqttPropertyId.ReasonString:
                        packet.ReasonString = p.ReadString();
                        break;
                    case MqttPropertyId.ServerReference:
                        packet.ServerReference = p.ReadString();
                        break;
                    case MqttPropertyId.UserProperty:
                        (packet.UserProperties ??= []).Add(new MqttUserProperty(p.ReadString(), p.ReadString()));
                        break;
                    default:
                        throw InvalidProperty(id, "DISCONNECT");
                }
            }
        }

        r.EnsureEnd("DISCONNECT");
        return packet;
    }

    public static MqttAuthPacket DecodeAuth(in MqttFrame frame, MqttProtocolVersion version)
    {
        if (version != MqttProtocolVersion.V500)
        {
            throw MqttProtocolViolationException.Malformed("AUTH is reserved in MQTT 3.1.1");
        }

        var r = new MqttBodyReader(frame.Body);
        if (r.End)
        {
            return new MqttAuthPacket();
        }

        var packet = new MqttAuthPacket { ReasonCode = r.ReadByte() };
        if (!r.End)
        {
            var p = r.ReadPropertyBlock();
            ulong seen = 0;
            while (!p.End)
            {
                var id = ReadPropertyId(ref p);
                if (id != MqttPropertyId.UserProperty)
                {
                    Once(ref seen, id, "AUTH");
                }

                switch (id)
                {
                    case MqttPropertyId.AuthenticationMethod:
                        packet.AuthenticationMethod = p.ReadString();
                        break;
                    case MqttPropertyId.AuthenticationData:
                        p.ReadBinary();
                        break;
                    case MqttPropertyId.ReasonString:
                        packet.ReasonString = p.ReadString();
                        break;
                    case MqttPropertyId.UserProperty:
                        p.ReadString();
                        p.ReadString();
                        break;
                    default:
                        throw InvalidProperty(id, "AUTH");
                }
            }
        }

        r.EnsureEnd("AUTH");
        return packet;
    }

    /// <summary>PINGREQ, PINGRESP (and 3.1.1 DISCONNECT): the remaining length must be 0.</summary>
    public static void DecodeEmpty(in MqttFrame frame)
    {
        if (frame.RemainingLength != 0)
        {
            throw MqttProtocolViolationException.Malformed($"{frame.Type} with remaining length {frame.RemainingLength} (must be 0)");
        }
    }

    // ---- Client-to-server packets: decoded by the scripted test server and by round-trip tests. ----

    public static MqttConnectPacket DecodeConnect(in MqttFrame frame)
    {
        var r = new MqttBodyReader(frame.Body);
        var name = r.ReadString();
        var level = r.ReadByte();
        if (name != "MQTT" || level is not (4 or 5))
        {
            throw MqttProtocolViolationException.Protocol($"unsupported protocol '{name}' level {level}");
        }

        var version = (MqttProtocolVersion)level;
        var flags = r.ReadByte();
        if ((flags & 0x01) != 0)
        {
            throw MqttProtocolViolationException.Malformed("CONNECT reserved flag set"); // [MQTT-3.1.2-3]
        }

        var hasWill = (flags & 0x04) != 0;
        var willQos = (flags >> 3) & 0x03;
        var willRetain = (flags & 0x20) != 0;
        if (willQos == 3 || (!hasWill && (willQos != 0 || willRetain)))
        {
            throw MqttProtocolViolationException.Malformed("CONNECT Will flags are inconsistent"); // [MQTT-3.1.2-11..15]
        }

        var keepAlive = r.ReadUInt16();
        uint sessionExpiry = 0;
        ushort receiveMaximum = ushort.MaxValue;
        uint maximumPacketSize = 0;
        ushort topicAliasMaximum = 0;
        var requestProblemInformation = true;
        List<MqttUserProperty>? userProperties = null;
        if (version == MqttProtocolVersion.V500)
        {
            var p = r.ReadPropertyBlock();
            ulong seen = 0;
            while (!p.End)
            {
                var id = ReadPropertyId(ref p);
                Once(ref seen, id, "CONNECT");
                switch (id)
                {
                    case MqttPropertyId.SessionExpiryInterval:
                        sessionExpiry = p.ReadUInt32();
                        break;
                    case MqttPropertyId.ReceiveMaximum:
                        receiveMaximum = p.ReadUInt16();
                        break;
                    case MqttPropertyId.MaximumPacketSize:
                        maximumPacketSize = p.ReadUInt32();
                        break;
                    case MqttPropertyId.TopicAliasMaximum:
                        topicAliasMaximum = p.ReadUInt16();
                        break;
                    case MqttPropertyId.RequestProblemInformation:
                        requestProblemInformation = ReadBoolean(ref p, "Request Problem Information");
                        break;
                    case MqttPropertyId.RequestResponseInformation:
                        ReadBoolean(ref p, "Request Response Information");
                        break;
                    case MqttPropertyId.UserProperty:
                        (userProperties ??= []).Add(new MqttUserProperty(p.ReadString(), p.ReadString()));
                        break;
                    case MqttPropertyId.AuthenticationMethod:
                        p.ReadString();
                        break;
                    case MqttPropertyId.AuthenticationData:
                        p.ReadBinary();
                        break;
                    default:
                        throw InvalidProperty(id, "CONNECT");
                }
            }
        }

        var clientId = r.ReadString();
        MqttWill? will = null;
        if (hasWill)
        {
            uint delay = 0;
            if (version == MqttProtocolVersion.V500)
            {
                var p = r.ReadPropertyBlock();
                while (!p.End)
                {
                    var id = ReadPropertyId(ref p);
                    switch (id)
                    {
                        case MqttPropertyId.WillDelayInterval:
                            delay = p.ReadUInt32();
                            break;
                        case MqttPropertyId.PayloadFormatIndicator:
                            p.ReadByte();
                            break;
                        case MqttPropertyId.MessageExpiryInterval:
                            p.ReadUInt32();
                            break;
                        case MqttPropertyId.ContentType or MqttPropertyId.ResponseTopic:
                            p.ReadString();
                            break;
                        case MqttPropertyId.CorrelationData:
                            p.ReadBinary();
                            break;
                        case MqttPropertyId.UserProperty:
                            p.ReadString();
                            p.ReadString();
                            break;
                        default:
                            throw InvalidProperty(id, "Will properties");
                    }
                }
            }

            var topic = r.ReadString();
            will = new MqttWill
            {
                Topic = topic,
                Payload = r.ReadBinary(),
                QoS = (MqttQualityOfService)willQos,
                Retain = willRetain,
                DelayInterval = delay,
            };
        }

        var username = (flags & 0x80) != 0 ? r.ReadString() : null;
        ReadOnlyMemory<byte>? password = (flags & 0x40) != 0 ? r.ReadBinary() : null;
        r.EnsureEnd("CONNECT");
        return new MqttConnectPacket
        {
            ProtocolVersion = version,
            ClientId = clientId,
            CleanSession = (flags & 0x02) != 0,
            KeepAliveSeconds = keepAlive,
            Username = username,
            Password = password,
            Will = will,
            SessionExpiryInterval = sessionExpiry,
            ReceiveMaximum = receiveMaximum,
            MaximumPacketSize = maximumPacketSize,
            TopicAliasMaximum = topicAliasMaximum,
            RequestProblemInformation = requestProblemInformation,
            UserProperties = userProperties,
        };
    }

    public static MqttSubscribePacket DecodeSubscribe(in MqttFrame frame, MqttProtocolVersion version)
    {
        var r = new MqttBodyReader(frame.Body);
        var packetId = ReadPacketId(ref r, "SUBSCRIBE");
        uint subscriptionId = 0;
        List<MqttUserProperty>? userProperties = null;
        if (version == MqttProtocolVersion.V500)
        {
            var p = r.ReadPropertyBlock();
            ulong seen = 0;
            while (!p.End)
            {
                var id = ReadPropertyId(ref p);
                switch (id)
                {
                    case MqttPropertyId.SubscriptionIdentifier:
                        Once(ref seen, id, "SUBSCRIBE");
                        subscriptionId = (uint)p.ReadVariableByteInteger();
                        break;
                    case MqttPropertyId.UserProperty:
                        (userProperties ??= []).Add(new MqttUserProperty(p.ReadString(), p.ReadString()));
                        break;
                    default:
                        throw InvalidProperty(id, "SUBSCRIBE");
                }
            }
        }

        var filters = new List<MqttTopicFilter>();
        while (!r.End)
        {
            var topic = r.ReadString();
            var options = r.ReadByte();
            var reservedMask = version == MqttProtocolVersion.V500 ? 0xC0 : 0xFC;
            if ((options & reservedMask) != 0 || (options & 0x03) == 3 || ((options >> 4) & 0x03) == 3)
            {
                throw MqttProtocolViolationException.Malformed($"SUBSCRIBE options 0x{options:X2} invalid"); // [MQTT-3.8.3-4/5]
            }

            filters.Add(new MqttTopicFilter(topic, (MqttQualityOfService)(options & 0x03))
            {
                NoLocal = (options & 0x04) != 0,
                RetainAsPublished = (options & 0x08) != 0,
                RetainHandling = (MqttRetainHandling)((options >> 4) & 0x03),
            });
        }

        if (filters.Count == 0)
        {
            throw MqttProtocolViolationException.Protocol("SUBSCRIBE without topic filters"); // [MQTT-3.8.3-3]
        }

        return new MqttSubscribePacket { PacketId = packetId, Filters = filters, SubscriptionIdentifier = subscriptionId, UserProperties = userProperties };
    }

    public static MqttUnsubscribePacket DecodeUnsubscribe(in MqttFrame frame, MqttProtocolVersion version)
    {
        var r = new MqttBodyReader(frame.Body);
        var packetId = ReadPacketId(ref r, "UNSUBSCRIBE");
        List<MqttUserProperty>? userProperties = null;
        if (version == MqttProtocolVersion.V500)
        {
            ReadReasonStringAndUserProperties(ref r, "UNSUBSCRIBE", out _, out userProperties, allowReasonString: false);
        }

        var filters = new List<string>();
        while (!r.End)
        {
            filters.Add(r.ReadString());
        }

        if (filters.Count == 0)
        {
            throw MqttProtocolViolationException.Protocol("UNSUBSCRIBE without topic filters"); // [MQTT-3.10.3-2]
        }

        return new MqttUnsubscribePacket { PacketId = packetId, Filters = filters, UserProperties = userProperties };
    }

    // ---- helpers ----

    private static MqttConnectResultCode MapConnAck311(byte code) => code switch
    {
        0 => MqttConnectResultCode.Success,
        1 => MqttConnectResultCode.UnsupportedProtocolVersion,
        2 => MqttConnectResultCode.ClientIdentifierNotValid,
        3 => MqttConnectResultCode.ServerUnavailable,
        4 => MqttConnectResultCode.BadUserNameOrPassword,
        5 => MqttConnectResultCode.NotAuthorized,
        _ => throw MqttProtocolViolationException.Protocol($"CONNACK with reserved return code {code}"), // 3.1.1 §3.2.2.3
    };

    private static MqttConnectResultCode MapConnAck5(byte code) =>
        Enum.IsDefined((MqttConnectResultCode)code)
            ? (MqttConnectResultCode)code
            : throw MqttProtocolViolationException.Protocol($"CONNACK with invalid reason code 0x{code:X2}"); // [MQTT-3.2.2-8]

    private static bool IsValidAckReason(MqttPacketType type, byte reason) => type switch
    {
        MqttPacketType.PubAck or MqttPacketType.PubRec => reason is 0x00 or 0x10 or 0x80 or 0x83 or 0x87 or 0x90 or 0x91 or 0x97 or 0x99,
        _ => reason is 0x00 or 0x92, // PUBREL, PUBCOMP
    };

    private static ushort ReadPacketId(ref MqttBodyReader r, string packet)
    {
        var id = r.ReadUInt16();
        return id != 0 ? id : throw MqttProtocolViolationException.Protocol($"{packet} with packet identifier 0"); // [MQTT-2.3.1-1]
    }

    private static byte ReadPropertyId(ref MqttBodyReader p)
    {
        // The identifier is a Variable Byte Integer (§2.2.2.2); all defined ones fit in one byte.
        var id = p.ReadVariableByteInteger();
        return id <= 0x7F ? (byte)id : throw MqttProtocolViolationException.Malformed($"unknown property identifier 0x{id:X}");
    }

    private static void Once(ref ulong seen, byte id, string packet)
    {
        if (id == MqttPropertyId.UserProperty)
        {
            return;
        }

        var bit = 1UL << (id & 0x3F);
        if ((seen & bit) != 0)
        {
            throw MqttProtocolViolationException.Protocol($"{packet} carries property 0x{id:X2} more than once"); // §2.2.2.2
        }

        seen |= bit;
    }

    private static bool ReadBoolean(ref MqttBodyReader p, string name)
    {
        var value = p.ReadByte();
        return value switch
        {
            0 => false,
            1 => true,
            _ => throw MqttProtocolViolationException.Protocol($"{name} has value {value} (must be 0 or 1)"),
        };
    }

    private static MqttProtocolViolationException InvalidProperty(byte id, string packet) =>
        MqttProtocolViolationException.Malformed($"property 0x{id:X2} is not valid in {packet}");

    private static void ReadReasonStringAndUserProperties(ref MqttBodyReader r, string packet, out string? reasonString,
        out List<MqttUserProperty>? userProperties, bool allowReasonString = true)
    {
        reasonString = null;
        userProperties = null;
        var p = r.ReadPropertyBlock();
        ulong seen = 0;
        while (!p.End)
        {
            var id = ReadPropertyId(ref p);
            switch (id)
            {
                case MqttPropertyId.ReasonString when allowReasonString:
                    Once(ref seen, id, packet);
                    reasonString = p.ReadString();
                    break;
                case MqttPropertyId.UserProperty:
                    (userProperties ??= []).Add(new MqttUserProperty(p.ReadString(), p.ReadString()));
                    break;
                default:
                    throw InvalidProperty(id, packet);
            }
        }
    }
}
