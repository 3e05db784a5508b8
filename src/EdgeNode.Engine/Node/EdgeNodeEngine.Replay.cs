using EdgeNode.Sparkplug;
using EdgeNode.Storage;

namespace EdgeNode.Engine;

public sealed partial class EdgeNodeEngine
{
    private const long FirstScanWaitMs = 30_000;
    private long _liveSinceMs;

    private async Task StartReplayAsync()
    {
        if (_store is null || _replayActive || !_live || _store.Pending == 0)
        {
            return;
        }

        // History goes out after the births it belongs to: a device whose first scan of this session has not ended yet
        // (neither answering nor given up on) would get its DBIRTH after its own historical DDATA. The tick starts the
        // replay once every device has a first result, or after FirstScanWaitMs whatever a stuck device does.
        if (NowMs() - _liveSinceMs < FirstScanWaitMs && _devices.Exists(d => !d.Answering && d.LastError is null))
        {
            return;
        }

        _replayActive = true;
        Log.ReplayStarted(_logger, _store.Pending);
        await ReplayNextAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Sends the next stored batch as historical DATA (oldest first, one message per device run so the order of changes
    /// is kept), then proves it delivered with a PINGREQ before it is deleted: DATA travels at QoS 0 as Sparkplug
    /// requires, and a PINGRESP means the broker has read everything written before it.
    /// </summary>
    private async Task ReplayNextAsync()
    {
        var store = _store;
        var client = _client;
        if (store is null || client is null || !_live || _replayInFlight is not null)
        {
            return;
        }

        var batch = await store.ReadBatchAsync(_options.ReplayBatchSize).ConfigureAwait(false);
        if (batch.IsEmpty)
        {
            _replayActive = false;
            Log.ReplayDone(_logger);
            await PublishNodeDataAsync(force: false).ConfigureAwait(false);
            return;
        }

        var changes = batch.Changes;
        var start = 0;
        while (start < changes.Count)
        {
            var deviceId = changes[start].Metric.DeviceId;
            var end = start + 1;
            while (end < changes.Count && changes[end].Metric.DeviceId == deviceId && end - start < 200)
            {
                end++;
            }

            await PublishHistoryAsync(deviceId, changes, start, end).ConfigureAwait(false);
            start = end;
        }

        _replayInFlight = batch;
        _ = Task.Run(async () =>
        {
            try
            {
                await client.PingAsync().ConfigureAwait(false);
                Post(new ReplayProven(client, batch));
            }
            catch (Exception)
            {
                // the connection died: its loss event rewinds the store, and the batch is read again next session
            }
        });
    }

    private async Task PublishHistoryAsync(string? deviceId, IReadOnlyList<StoredChange> changes, int start, int end)
    {
        _buffer.Clear();
        var w = new SparkplugPayloadWriter(_buffer, _encoding);
        w.WriteTimestamp((ulong)NowMs());
        DeviceRuntime? device = null;
        if (deviceId is not null)
        {
            _devicesById.TryGetValue(deviceId, out device);
        }

        for (var k = start; k < end; k++)
        {
            var change = changes[k];
            var type = (SparkplugDataType)change.Metric.DataType;
            var value = FromStored(change.Value, type);
            var ts = (ulong)change.TimestampMs;
            var index = device is null ? -1 : Array.IndexOf(device.Names, change.Metric.Name);
            if (device is not null && index >= 0 && device.DataTypes[index] == type)
            {
                if (device.IsTemplateInstance)
                {
                    var template = device.Config.Type!;
                    var instance = SparkplugTemplate.Instance(template.Name, template.Version);
                    instance.Metrics.Add(new SparkplugMetric(change.Metric.Name, value) { Timestamp = ts, IsHistorical = true });
                    w.WriteMetric(DataMetric(device.Id, device.InstanceAlias, ts, SparkplugValue.FromTemplate(instance), historical: true));
                }
                else
                {
                    w.WriteMetric(DataMetric(change.Metric.Name, device.Aliases[index], ts, value, historical: true));
                }
            }
            else if (deviceId is null && NodeAlias(change.Metric.Name) is { } alias)
            {
                w.WriteMetric(DataMetric(change.Metric.Name, alias, ts, value, historical: true));
            }
            else
            {
                // The metric is no longer in the map (the configuration changed while it waited): by name, with its type.
                w.WriteMetric(SparkplugMetricData.DataByName(change.Metric.Name, ts, value, isHistorical: true, includeDataType: true));
            }
        }

        w.WriteSeq(NextSeq());
        var topic = deviceId is null
            ? _ndataTopic
            : SparkplugTopic.Device(_config.Node.GroupId, SparkplugMessageType.DDATA, _config.Node.EdgeNodeId, deviceId).ToString();
        await PublishAsync(topic, _buffer.WrittenSpan.ToArray()).ConfigureAwait(false);
    }

    private ulong? NodeAlias(string name)
    {
        foreach (var (alias, n) in _nodeAliasNames)
        {
            if (n == name)
            {
                return alias;
            }
        }

        return null;
    }
}
