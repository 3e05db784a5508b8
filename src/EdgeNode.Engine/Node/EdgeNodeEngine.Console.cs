using EdgeNode.Sparkplug;

namespace EdgeNode.Engine;

/// <summary>The web console's two doors into the engine: a snapshot taken by the event loop, and a write posted as a DCMD.</summary>
public sealed partial class EdgeNodeEngine
{
    /// <summary>
    /// Asks the event loop for a copy of its state. The loop answers between two events, so the copy is consistent and
    /// the scan path never waits for a reader; a loop busy longer than the caller's patience cancels the wait only.
    /// </summary>
    public Task<EngineSnapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        var request = new SnapshotRequested(new TaskCompletionSource<EngineSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!TryPost(request))
        {
            return Task.FromCanceled<EngineSnapshot>(new CancellationToken(canceled: true));
        }

        return request.Reply.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Writes <paramref name="value"/> to <paramref name="deviceId"/>/<paramref name="metric"/> exactly as a DCMD from
    /// the host would be: the command is encoded as a DCMD payload and enters the event loop where MQTT messages do, so
    /// every check of the command path (writable, type, range, device answering) applies and is logged the same way.
    /// </summary>
    public void WriteAsCommand(string deviceId, string metric, SparkplugValue value)
    {
        ArgumentNullException.ThrowIfNull(deviceId);
        ArgumentNullException.ThrowIfNull(metric);
        var payload = new SparkplugPayload { Timestamp = (ulong)NowMs() };
        payload.Metrics.Add(new SparkplugMetric(metric, value) { Timestamp = (ulong)NowMs() });
        var topic = SparkplugTopic.Device(_config.Node.GroupId, SparkplugMessageType.DCMD, _config.Node.EdgeNodeId, deviceId).ToString();
        Post(new MessageReceived(topic, payload.ToByteArray(_encoding), Retained: false));
    }

    private EngineSnapshot TakeSnapshot()
    {
        var devices = new DeviceSnapshot[_devices.Count];
        for (var d = 0; d < devices.Length; d++)
        {
            var device = _devices[d];
            var metrics = new MetricSnapshot[device.Names.Length];
            for (var i = 0; i < metrics.Length; i++)
            {
                var config = device.Config.Metrics[i];
                metrics[i] = new MetricSnapshot(device.Names[i], device.DataTypes[i], config.Units, config.Writable, device.CurrentGood[i],
                    device.Current[i], device.CurrentTs[i], device.HasReported[i] ? device.ReportedAtMs[i] : 0);
            }

            devices[d] = new DeviceSnapshot
            {
                Id = device.Id,
                Kind = device.Config.Kind switch { Configuration.DeviceKind.Gpio => "gpio", Configuration.DeviceKind.I2c => "i2c", _ => "modbus" },
                TypeName = device.Config.Type?.Name,
                Online = device.Answering,
                Born = device.Born,
                LastError = device.LastError,
                ScanMs = device.Config.ScanMs ?? _scanMs,
                Metrics = metrics,
            };
        }

        var counters = _store?.Counters ?? default;
        return new EngineSnapshot
        {
            TakenMs = NowMs(),
            Generation = _generation,
            Session = SessionText(),
            Broker = _server,
            BdSeq = _client is null ? _attemptBdSeq : _bdSeq,
            PrimaryHostId = _config.Node.PrimaryHostId,
            PrimaryHostOnline = _host.Online,
            StoreEnabled = _store is not null,
            StorePending = counters.Pending,
            StoreBytes = counters.Bytes,
            StoreDropped = counters.Dropped,
            ScanMs = _scanMs,
            Devices = devices,
        };
    }

    /// <summary>What a technician asks first: is the node publishing, and if not, where is the data going.</summary>
    private string SessionText()
    {
        if (_live)
        {
            return "online";
        }

        if (_client is not null && _subscribed && _config.Node.PrimaryHostId is not null && !_host.Online)
        {
            return "waiting for primary host";
        }

        // Not publishing: with changes already buffered on disk the node is storing, otherwise still connecting.
        return _store is { Pending: > 0 } ? "storing" : "connecting";
    }

    private sealed record SnapshotRequested(TaskCompletionSource<EngineSnapshot> Reply) : EngineEvent;
}
