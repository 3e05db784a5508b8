using EdgeNode.Engine.Devices;
using EdgeNode.Sparkplug;
using EdgeNode.Storage;

namespace EdgeNode.Engine;

public sealed partial class EdgeNodeEngine
{
    private readonly List<int> _changes = [];

    private async Task OnScanAsync(ScanCompleted e)
    {
        var device = e.Device;
        if (e.Generation != _generation)
        {
            return;
        }

        _options.Telemetry?.RecordScan(device.Id, e.Result.Responded, NowMs(), device.LastScanTicks);
        if (!e.Result.Responded)
        {
            // A device that answered dies only after deadAfterFailedScans failed scans in a row, so an intermittently
            // noisy line does not make it flap DDEATH/DBIRTH (each DBIRTH resending every metric). Until then nothing is
            // published: the last good values stand.
            var threshold = device.Config.DeadAfterFailedScans ?? _config.Node.DeadAfterFailedScans;
            if (!e.Result.NotPolled && device.Answering)
            {
                device.FailedScans++;
            }

            if (device.Answering && device.FailedScans < threshold)
            {
                if (!e.Result.NotPolled)
                {
                    Log.ScanFailed(_logger, device.Id, device.FailedScans, threshold, e.Result.Error ?? "no answer");
                }

                return;
            }

            if (device.Answering || device.LastError is null)
            {
                Log.DeviceDead(_logger, device.Id, e.Result.Error ?? "no answer");
            }

            device.Answering = false;
            device.LastError = e.Result.Error ?? "no answer";
            if (device.Born && _live)
            {
                await PublishDeviceDeathAsync(device).ConfigureAwait(false);
            }

            device.Born = false;
            UpdateStatus();
            return;
        }

        device.FailedScans = 0;
        if (!device.Answering)
        {
            if (device.LastError is not null)
            {
                Log.DeviceAlive(_logger, device.Id);
            }

            device.Answering = true;
            device.LastError = null;
            UpdateStatus();
        }

        var snapshot = e.Snapshot;
        _changes.Clear();
        for (var i = 0; i < device.Names.Length; i++)
        {
            if (snapshot.Good[i])
            {
                Accept(device, i, snapshot.Values[i], snapshot.TimestampMs);
            }
        }

        await ReportAsync(device).ConfigureAwait(false);
    }

    private async Task OnDeviceValueAsync(DeviceValueEvent e)
    {
        var device = e.Device;
        if (e.Generation != _generation || !device.Answering || (uint)e.Value.MetricIndex >= (uint)device.Names.Length)
        {
            return;
        }

        _changes.Clear();
        Accept(device, e.Value.MetricIndex, e.Value.Value, e.Value.TimestampMs);
        await ReportAsync(device).ConfigureAwait(false);
    }

    /// <summary>Takes a read value and decides whether it is a change to report (by exception, deadband, max interval).</summary>
    private void Accept(DeviceRuntime device, int i, SparkplugValue value, long timestampMs)
    {
        device.Current[i] = value;
        device.CurrentGood[i] = true;
        device.CurrentTs[i] = timestampMs;
        var metric = device.Config.Metrics[i];
        if (!device.HasReported[i] || device.ForceReport[i]
            || IsChange(value, device.Reported[i], metric.Deadband)
            || (metric.MaxIntervalMs is { } max && timestampMs - device.ReportedAtMs[i] >= max))
        {
            _changes.Add(i);
        }
    }

    internal static bool IsChange(SparkplugValue value, SparkplugValue reported, double? deadband)
    {
        if (deadband is { } band && value.DataType != SparkplugDataType.Boolean && reported.DataType != SparkplugDataType.Boolean
            && value.TryGetDouble(out var now) && reported.TryGetDouble(out var before))
        {
            if (double.IsNaN(now) || double.IsNaN(before))
            {
                return double.IsNaN(now) != double.IsNaN(before);
            }

            return Math.Abs(now - before) > band;
        }

        return !value.Equals(reported);
    }

    private async Task ReportAsync(DeviceRuntime device)
    {
        if (_live)
        {
            if (!device.Born)
            {
                // born with every current value: the DBIRTH is the report
                await PublishDeviceBirthAsync(device).ConfigureAwait(false);
                return;
            }

            if (_changes.Count > 0)
            {
                await PublishDeviceDataAsync(device).ConfigureAwait(false);
            }

            return;
        }

        if (_changes.Count == 0)
        {
            return;
        }

        // Not publishing: the changes go to the store (if any) and count as reported, so the deadband keeps working.
        // A metric's first value is not a change: the next DBIRTH carries the current value (this keeps the reads made
        // just before the first connection out of the history).
        foreach (var i in _changes)
        {
            if (_store is not null && device.HasReported[i])
            {
                _store.Append(StoreMetricOf(device, i), device.CurrentTs[i], ToStored(device.Current[i]));
            }

            MarkReported(device, i);
        }
    }

    private void MarkReported(DeviceRuntime device, int i)
    {
        device.Reported[i] = device.Current[i];
        device.HasReported[i] = true;
        device.ReportedAtMs[i] = device.CurrentTs[i];
        device.ForceReport[i] = false;
    }

    private StoreMetric StoreMetricOf(DeviceRuntime device, int i) =>
        device.StoreMetrics[i] ??= _store!.GetOrAddMetric(device.Id, device.Names[i], (uint)device.DataTypes[i]);

    /// <summary>The device's DDATA topic, built once per configuration instead of once per message.</summary>
    private string DataTopic(DeviceRuntime device)
    {
        if (!ReferenceEquals(device.DataTopicConfig, _config.Node) || device.DataTopic is null)
        {
            device.DataTopic = DeviceTopic(SparkplugMessageType.DDATA, device);
            device.DataTopicConfig = _config.Node;
        }

        return device.DataTopic;
    }

    private async Task PublishDeviceDataAsync(DeviceRuntime device)
    {
        _buffer.Clear();
        var w = new SparkplugPayloadWriter(_buffer, _encoding);
        var payloadTs = 0L;
        foreach (var i in _changes)
        {
            payloadTs = Math.Max(payloadTs, device.CurrentTs[i]);
        }

        w.WriteTimestamp((ulong)payloadTs);
        if (device.IsTemplateInstance)
        {
            var type = device.Config.Type!;
            var instance = SparkplugTemplate.Instance(type.Name, type.Version);
            foreach (var i in _changes)
            {
                instance.Metrics.Add(new SparkplugMetric(device.Names[i], device.Current[i]) { Timestamp = (ulong)device.CurrentTs[i] });
            }

            w.WriteMetric(DataMetric(device.Id, device.InstanceAlias, (ulong)payloadTs, SparkplugValue.FromTemplate(instance), historical: false));
        }
        else
        {
            foreach (var i in _changes)
            {
                w.WriteMetric(DataMetric(device.Names[i], device.Aliases[i], (ulong)device.CurrentTs[i], device.Current[i], historical: false));
            }
        }

        w.WriteSeq(NextSeq());
        // The payload straight from the encoder's buffer: a QoS 0 publish copies it before it returns, and the buffer is
        // not touched again until this publish has completed.
        var sequence = await PublishAsync(DataTopic(device), _buffer.WrittenMemory).ConfigureAwait(false);
        foreach (var i in _changes)
        {
            if (_store is not null)
            {
                // Kept until the broker provably has it (detection gap: QoS 0 data written into a dying connection). A
                // publish that failed outright joins the same list behind the unproven ones, so that when the loss is
                // handled they all reach the store in the order they were read.
                _unconfirmed.Add(new Unconfirmed(StoreMetricOf(device, i), device.CurrentTs[i], ToStored(device.Current[i]),
                    sequence >= 0 ? sequence : long.MaxValue));
            }

            MarkReported(device, i);
        }
    }
}
