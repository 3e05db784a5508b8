using EdgeNode.Configuration;
using EdgeNode.Mqtt;
using EdgeNode.Sparkplug;
using EdgeNode.Storage;

namespace EdgeNode.Engine;

public sealed partial class EdgeNodeEngine
{
    private const ulong AliasBdSeq = 1, AliasReboot = 2, AliasNextServer = 3, AliasScanRate = 4, AliasVersion = 5, AliasHostName = 6,
        AliasUptime = 7, AliasMake = 8, AliasModel = 9, AliasOs = 10, AliasOsVersion = 11, AliasPending = 12, AliasBytes = 13, AliasDropped = 14;

    private const string NodeInfoVersion = "Node Info/Version", NodeInfoHostName = "Node Info/Host Name", NodeInfoUptime = "Node Info/Uptime",
        HardwareMake = "Properties/Hardware Make", HardwareModel = "Properties/Hardware Model", PropertiesOs = "Properties/OS",
        PropertiesOsVersion = "Properties/OS Version", StorePending = "Store/Pending", StoreBytes = "Store/Bytes", StoreDropped = "Store/Dropped";

    private bool UseAliases => _config.Node.Aliases;

    private byte NextSeq() => _seq++;

    private static byte[] DeathPayload(int bdSeq)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(32);
        var writer = new SparkplugPayloadWriter(buffer);
        writer.WriteTimestamp((ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        writer.WriteMetric(SparkplugMetricData.BdSeq(bdSeq));
        return buffer.WrittenSpan.ToArray();
    }

    private async Task PublishBirthsAsync()
    {
        _seq = 0;
        _lastBirthMs = NowMs();
        var ts = (ulong)NowMs();
        _nodeAliasNames.Clear();
        _buffer.Clear();
        var w = new SparkplugPayloadWriter(_buffer, _encoding);
        w.WriteTimestamp(ts);
        var count = 0;
        void Metric(ref SparkplugPayloadWriter writer, string name, ulong? alias, SparkplugValue value, SparkplugPropertySet? properties = null)
        {
            if (alias is { } a)
            {
                _nodeAliasNames[a] = name;
            }

            writer.WriteMetric(SparkplugMetricData.Birth(name, UseAliases ? alias : null, ts, value, properties));
            count++;
        }

        w.WriteMetric(SparkplugMetricData.BdSeq(_bdSeq, ts) with { Alias = UseAliases ? AliasBdSeq : null });
        count++;
        w.WriteMetric(SparkplugMetricData.NodeControlRebirth(ts));
        count++;
        Metric(ref w, SparkplugNames.NodeControlReboot, AliasReboot, SparkplugValue.FromBoolean(false));
        Metric(ref w, SparkplugNames.NodeControlNextServer, AliasNextServer, SparkplugValue.FromBoolean(false));
        Metric(ref w, SparkplugNames.NodeControlScanRate, AliasScanRate, SparkplugValue.FromInt64(_scanMs));
        Metric(ref w, NodeInfoVersion, AliasVersion, SparkplugValue.FromString(_options.Version));
        Metric(ref w, NodeInfoHostName, AliasHostName, SparkplugValue.FromString(_info.HostName));
        Metric(ref w, NodeInfoUptime, AliasUptime, SparkplugValue.FromInt64(UptimeSeconds()), Units("s"));
        Metric(ref w, HardwareMake, AliasMake, SparkplugValue.FromString(_info.HardwareMake));
        Metric(ref w, HardwareModel, AliasModel, SparkplugValue.FromString(_info.HardwareModel));
        Metric(ref w, PropertiesOs, AliasOs, SparkplugValue.FromString(_info.Os));
        Metric(ref w, PropertiesOsVersion, AliasOsVersion, SparkplugValue.FromString(_info.OsVersion));
        var counters = _store?.Counters ?? default;
        Metric(ref w, StorePending, AliasPending, SparkplugValue.FromInt64(counters.Pending));
        Metric(ref w, StoreBytes, AliasBytes, SparkplugValue.FromInt64(counters.Bytes), Units("B"));
        Metric(ref w, StoreDropped, AliasDropped, SparkplugValue.FromInt64(counters.Dropped));
        _lastStorePending = counters.Pending;
        _lastStoreBytes = counters.Bytes;
        _lastStoreDropped = counters.Dropped;
        _lastUptimeReportMs = NowMs();
        var typeAlias = _firstTypeAlias;
        foreach (var type in _typesInUse)
        {
            Metric(ref w, type.Name, typeAlias++, SparkplugValue.FromTemplate(TemplateDefinition(type)));
        }

        w.WriteSeq(NextSeq());
        await PublishAsync(_nbirthTopic, _buffer.WrittenSpan.ToArray()).ConfigureAwait(false);

        var born = 0;
        foreach (var device in _devices)
        {
            device.Born = false;
            if (device.Answering)
            {
                await PublishDeviceBirthAsync(device).ConfigureAwait(false);
                born++;
            }
        }

        Log.Born(_logger, _bdSeq, count, born);
    }

    private long UptimeSeconds() => (NowMs() - _startedMs) / 1000;

    private static SparkplugPropertySet? Units(string units)
    {
        var set = new SparkplugPropertySet(1);
        set.Add(SparkplugNames.EngUnit, SparkplugValue.FromString(units));
        return set;
    }

    private static SparkplugPropertySet? MetricProperties(MetricConfig metric)
    {
        if (metric.Units is null && metric.EngLow is null && metric.EngHigh is null && metric.Description is null)
        {
            return null;
        }

        var set = new SparkplugPropertySet(4);
        if (metric.Units is { } units)
        {
            set.Add(SparkplugNames.EngUnit, SparkplugValue.FromString(units));
        }

        if (metric.EngLow is { } low)
        {
            set.Add(SparkplugNames.EngLow, SparkplugValue.FromDouble(low));
        }

        if (metric.EngHigh is { } high)
        {
            set.Add(SparkplugNames.EngHigh, SparkplugValue.FromDouble(high));
        }

        if (metric.Description is { } description)
        {
            set.Add(SparkplugNames.Description, SparkplugValue.FromString(description));
        }

        return set;
    }

    private static SparkplugTemplate TemplateDefinition(DeviceTypeConfig type)
    {
        var template = SparkplugTemplate.Definition(type.Version);
        foreach (var member in type.Metrics)
        {
            template.Metrics.Add(new SparkplugMetric(member.Name, SparkplugValue.Null(Devices.MetricTypes.ToSparkplug(member)))
            {
                Properties = MetricProperties(member),
            });
        }

        foreach (var parameter in type.Parameters)
        {
            template.Parameters.Add(new SparkplugTemplateParameter(parameter.Name, Devices.MetricTypes.ParameterValue(parameter)));
        }

        return template;
    }

    private async Task PublishDeviceBirthAsync(DeviceRuntime device)
    {
        var now = NowMs();
        _buffer.Clear();
        var w = new SparkplugPayloadWriter(_buffer, _encoding);
        var payloadTs = now;
        for (var i = 0; i < device.Names.Length; i++)
        {
            if (device.CurrentGood[i] && device.CurrentTs[i] > 0)
            {
                payloadTs = Math.Max(payloadTs, device.CurrentTs[i]);
            }
        }

        w.WriteTimestamp((ulong)payloadTs);
        if (device.IsTemplateInstance)
        {
            var type = device.Config.Type!;
            var instance = SparkplugTemplate.Instance(type.Name, type.Version);
            for (var i = 0; i < device.Names.Length; i++)
            {
                instance.Metrics.Add(new SparkplugMetric(device.Names[i], device.CurrentGood[i] ? device.Current[i] : SparkplugValue.Null(device.DataTypes[i]))
                {
                    Timestamp = (ulong)(device.CurrentTs[i] > 0 ? device.CurrentTs[i] : now),
                    Properties = MetricProperties(device.Config.Metrics[i]),
                });
            }

            foreach (var parameter in device.Config.Parameters)
            {
                instance.Parameters.Add(new SparkplugTemplateParameter(parameter.Name, Devices.MetricTypes.ParameterValue(parameter)));
            }

            w.WriteMetric(SparkplugMetricData.Birth(device.Id, UseAliases ? device.InstanceAlias : null, (ulong)payloadTs,
                SparkplugValue.FromTemplate(instance)));
        }
        else
        {
            for (var i = 0; i < device.Names.Length; i++)
            {
                var value = device.CurrentGood[i] ? device.Current[i] : SparkplugValue.Null(device.DataTypes[i]);
                w.WriteMetric(SparkplugMetricData.Birth(device.Names[i], UseAliases ? device.Aliases[i] : null,
                    (ulong)(device.CurrentTs[i] > 0 ? device.CurrentTs[i] : now), value, MetricProperties(device.Config.Metrics[i])));
            }
        }

        w.WriteSeq(NextSeq());
        var topic = DeviceTopic(SparkplugMessageType.DBIRTH, device);
        await PublishAsync(topic, _buffer.WrittenSpan.ToArray()).ConfigureAwait(false);
        device.Born = true;
        for (var i = 0; i < device.Names.Length; i++)
        {
            device.ForceReport[i] = false;
            if (device.CurrentGood[i])
            {
                device.Reported[i] = device.Current[i];
                device.HasReported[i] = true;
                device.ReportedAtMs[i] = now;
            }
        }
    }

    private async Task PublishDeviceDeathAsync(DeviceRuntime device)
    {
        _buffer.Clear();
        var w = new SparkplugPayloadWriter(_buffer, _encoding);
        w.WriteTimestamp((ulong)NowMs());
        w.WriteSeq(NextSeq());
        device.Born = false;
        await PublishAsync(DeviceTopic(SparkplugMessageType.DDEATH, device), _buffer.WrittenSpan.ToArray()).ConfigureAwait(false);
    }

    /// <summary>Publishes NDEATH at QoS 1; its PUBACK proves everything sent before it arrived, so the data kept for
    /// the detection gap up to it is released.</summary>
    private async Task PublishNodeDeathAsync(CancellationToken cancellationToken)
    {
        var client = _client;
        if (client is null)
        {
            return;
        }

        try
        {
            var result = await client.PublishAsync(_ndeathTopic, DeathPayload(_bdSeq), MqttQualityOfService.AtLeastOnce, false, cancellationToken)
                .ConfigureAwait(false);
            if (result.IsSuccess)
            {
                _options.Telemetry?.RecordPublished(_ndeathTopic);
                TrimUnconfirmed(result.Sequence);
            }
        }
        catch (Exception ex) when (ex is MqttCommunicationException or ObjectDisposedException or InvalidOperationException)
        {
            Log.PublishFailed(_logger, _ndeathTopic, ex.Message);
        }
    }

    /// <summary>Publishes a BIRTH/DATA/DEATH at QoS 0, not retained; returns the packet's delivery-proof sequence, or -1.</summary>
    private async Task<long> PublishAsync(string topic, ReadOnlyMemory<byte> payload)
    {
        var client = _client;
        if (client is null)
        {
            return -1;
        }

        try
        {
            var result = await client.PublishAsync(topic, payload, MqttQualityOfService.AtMostOnce, false).ConfigureAwait(false);
            if (result.IsSuccess)
            {
                _options.Telemetry?.RecordPublished(topic);
            }

            return result.IsSuccess ? result.Sequence : -1;
        }
        catch (Exception ex) when (ex is MqttCommunicationException or ObjectDisposedException or InvalidOperationException)
        {
            Log.PublishFailed(_logger, topic, ex.Message);
            return -1;
        }
    }

    private string DeviceTopic(SparkplugMessageType type, DeviceRuntime device) =>
        SparkplugTopic.Device(_config.Node.GroupId, type, _config.Node.EdgeNodeId, device.Id).ToString();

    private async Task PublishNodeDataAsync(bool force)
    {
        var now = NowMs();
        var counters = _store?.Counters ?? default;
        var uptimeDue = now - _lastUptimeReportMs >= 60_000;
        var changed = force || counters.Pending != _lastStorePending || counters.Bytes != _lastStoreBytes
            || counters.Dropped != _lastStoreDropped || uptimeDue;
        if (!changed)
        {
            return;
        }

        _buffer.Clear();
        var w = new SparkplugPayloadWriter(_buffer, _encoding);
        w.WriteTimestamp((ulong)now);
        if (force)
        {
            WriteNodeData(ref w, SparkplugNames.NodeControlScanRate, AliasScanRate, (ulong)now, SparkplugValue.FromInt64(_scanMs));
        }

        if (counters.Pending != _lastStorePending)
        {
            WriteNodeData(ref w, StorePending, AliasPending, (ulong)now, SparkplugValue.FromInt64(counters.Pending));
        }

        if (counters.Bytes != _lastStoreBytes)
        {
            WriteNodeData(ref w, StoreBytes, AliasBytes, (ulong)now, SparkplugValue.FromInt64(counters.Bytes));
        }

        if (counters.Dropped != _lastStoreDropped)
        {
            WriteNodeData(ref w, StoreDropped, AliasDropped, (ulong)now, SparkplugValue.FromInt64(counters.Dropped));
        }

        if (uptimeDue)
        {
            WriteNodeData(ref w, NodeInfoUptime, AliasUptime, (ulong)now, SparkplugValue.FromInt64(UptimeSeconds()));
            _lastUptimeReportMs = now;
        }

        _lastStorePending = counters.Pending;
        _lastStoreBytes = counters.Bytes;
        _lastStoreDropped = counters.Dropped;
        w.WriteSeq(NextSeq());
        await PublishAsync(_ndataTopic, _buffer.WrittenSpan.ToArray()).ConfigureAwait(false);
    }

    private void WriteNodeData(ref SparkplugPayloadWriter w, string name, ulong alias, ulong ts, SparkplugValue value) =>
        w.WriteMetric(DataMetric(name, alias, ts, value, historical: false));

    /// <summary>A DATA metric by alias (or by name when aliases are off); the datatype is kept because Tahu's decoder
    /// (and hosts built on it) cannot read a value without it.</summary>
    private SparkplugMetricData DataMetric(string name, ulong alias, ulong ts, SparkplugValue value, bool historical) =>
        UseAliases
            ? SparkplugMetricData.Data(alias, ts, value, historical) with { OmitDataType = false }
            : SparkplugMetricData.DataByName(name, ts, value, historical, includeDataType: true);

    internal static StoredValue ToStored(SparkplugValue value)
    {
        if (value.IsNull)
        {
            return StoredValue.Null;
        }

        return value.DataType switch
        {
            SparkplugDataType.Boolean => StoredValue.FromBoolean(value.AsBoolean()),
            SparkplugDataType.Float => StoredValue.FromFloat(value.AsFloat()),
            SparkplugDataType.Double => StoredValue.FromDouble(value.AsDouble()),
            SparkplugDataType.String or SparkplugDataType.Text or SparkplugDataType.Uuid => StoredValue.FromString(value.AsString()),
            SparkplugDataType.UInt8 or SparkplugDataType.UInt16 or SparkplugDataType.UInt32 or SparkplugDataType.UInt64 =>
                StoredValue.FromUInt64(value.TryGetUInt64(out var u) ? u : 0),
            _ => StoredValue.FromInt64(value.TryGetInt64(out var l) ? l : 0),
        };
    }

    internal static SparkplugValue FromStored(StoredValue value, SparkplugDataType type)
    {
        if (value.IsNull)
        {
            return SparkplugValue.Null(type);
        }

        return type switch
        {
            SparkplugDataType.Boolean => SparkplugValue.FromBoolean(value.AsBoolean()),
            SparkplugDataType.Float => SparkplugValue.FromFloat(value.Kind == StoredValueKind.Float ? value.AsFloat() : (float)value.AsDouble()),
            SparkplugDataType.Double => SparkplugValue.FromDouble(value.Kind == StoredValueKind.Double ? value.AsDouble() : value.AsFloat()),
            SparkplugDataType.String => SparkplugValue.FromString(value.AsString()),
            SparkplugDataType.Text => SparkplugValue.FromText(value.AsString()),
            SparkplugDataType.Int8 => SparkplugValue.FromInt8((sbyte)value.AsInt64()),
            SparkplugDataType.Int16 => SparkplugValue.FromInt16((short)value.AsInt64()),
            SparkplugDataType.Int32 => SparkplugValue.FromInt32((int)value.AsInt64()),
            SparkplugDataType.Int64 => SparkplugValue.FromInt64(value.AsInt64()),
            SparkplugDataType.UInt8 => SparkplugValue.FromUInt8((byte)value.AsUInt64()),
            SparkplugDataType.UInt16 => SparkplugValue.FromUInt16((ushort)value.AsUInt64()),
            SparkplugDataType.UInt32 => SparkplugValue.FromUInt32((uint)value.AsUInt64()),
            SparkplugDataType.UInt64 => SparkplugValue.FromUInt64(value.AsUInt64()),
            _ => SparkplugValue.Null(type),
        };
    }
}
