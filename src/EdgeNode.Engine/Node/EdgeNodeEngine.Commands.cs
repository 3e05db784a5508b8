using System.Globalization;
using EdgeNode.Engine.Devices;
using EdgeNode.Engine.Session;
using EdgeNode.Mqtt;
using EdgeNode.Sparkplug;

namespace EdgeNode.Engine;

public sealed partial class EdgeNodeEngine
{
    /// <summary>Least time between two births a host asked for; a request inside it is done once, when it ends.</summary>
    internal static readonly TimeSpan MinRebirthInterval = TimeSpan.FromSeconds(1);

    private long _lastBirthMs;
    private bool _rebirthScheduled;

    /// <summary>
    /// Sparkplug commands are never retained (they are acted on once, now): a retained NCMD/DCMD would be executed again
    /// at every connect, an old setpoint overwriting a newer one. The broker flags the copy it sends for a new
    /// subscription (and, under MQTT 5.0 with Retain As Published, every retained one); those are dropped.
    /// </summary>
    private bool IsRetainedCommand(MqttApplicationMessage message) =>
        message.Retain && (message.Topic == _ncmdTopic || message.Topic.StartsWith(_dcmdPrefix, StringComparison.Ordinal));

    private async Task OnMessageAsync(MessageReceived message)
    {
        if (!SparkplugTopic.TryParse(message.Topic, out var topic, out var topicError))
        {
            Log.CommandRejected(_logger, message.Topic, topicError);
            return;
        }

        if (topic.HostId is { } hostId)
        {
            await OnHostStateAsync(hostId, topic.IsLegacyState, message.Payload, message.Retained).ConfigureAwait(false);
            return;
        }

        if (topic.GroupId != _config.Node.GroupId || topic.EdgeNodeId != _config.Node.EdgeNodeId)
        {
            return;
        }

        if (topic.MessageType is not (SparkplugMessageType.NCMD or SparkplugMessageType.DCMD))
        {
            return;
        }

        SparkplugPayload? payload = null;

        // Counted before decoding: a command over the limit costs one pass over its bytes, not its object graph.
        var count = SparkplugPayload.CountMetrics(message.Payload.Span);
        if (count <= _config.Node.MaxCommandMetrics)
        {
            if (!SparkplugPayload.TryDecode(message.Payload.Span, out var decoded, out var error))
            {
                Log.CommandRejected(_logger, message.Topic, "malformed payload: " + error);
                return;
            }

            payload = decoded;
            count = CountMetrics(payload);
        }

        if (count > _config.Node.MaxCommandMetrics)
        {
            Log.CommandRejected(_logger, message.Topic,
                $"{count} metrics, more than the {_config.Node.MaxCommandMetrics} one command may carry (node.maxCommandMetrics); nothing was done");
            return;
        }

        var report = new CommandReport(message.Topic, count);
        if (topic.MessageType == SparkplugMessageType.NCMD)
        {
            await OnNodeCommandAsync(report, payload!).ConfigureAwait(false);
        }
        else
        {
            OnDeviceCommand(report, topic.DeviceId!, payload!);
        }

        report.Flush(_logger);
    }

    private static int CountMetrics(SparkplugPayload payload)
    {
        var count = 0;
        foreach (var metric in payload.Metrics)
        {
            count++;
            if (!metric.Value.IsNull && metric.Value.DataType == SparkplugDataType.Template)
            {
                count += metric.Value.AsTemplate().Metrics.Count;
            }
        }

        return count;
    }

    private async Task OnHostStateAsync(string hostId, bool legacy, ReadOnlyMemory<byte> payload, bool fromBroker)
    {
        if (_config.Node.PrimaryHostId != hostId || (legacy && !_config.Node.LegacyState))
        {
            return;
        }

        HostStateMessage state;
        string? error;
        var parsed = legacy
            ? HostStateMessage.TryParseV2(payload.Span, out state, out error)
            : HostStateMessage.TryParseV3(payload.Span, out state, out error);
        if (!parsed)
        {
            Log.BadState(_logger, hostId, error);
            return;
        }

        if (!legacy && state.Timestamp is not null)
        {
            if (!fromBroker)
            {
                if (_host.IsStale(state))
                {
                    Log.StaleState(_logger, hostId, state.Online ? "online" : "offline", state.Timestamp, _host.LastTimestamp);
                    return;
                }

                // Not acted on yet: first the broker's word (see ConfirmWithBroker).
                _stateToConfirm = state;
                ConfirmWithBroker(hostId);
                return;
            }

            if (_stateToConfirm is { } pending)
            {
                _stateToConfirm = null;
                if (pending != state)
                {
                    Log.StateNotHeld(_logger, hostId, pending.Online ? "online" : "offline", pending.Timestamp, state.Online ? "online" : "offline", state.Timestamp);
                }
            }
        }

        await ApplyHostStateAsync(hostId, state).ConfigureAwait(false);
    }

    /// <summary>
    /// A live STATE that would change what the node believes is checked against the broker's retained copy before it
    /// counts. Sparkplug hosts publish every STATE retained, so the broker holds the host's last word; subscribing again
    /// makes it send that copy ([MQTT-3.8.4-3]). A STATE the broker does not hold — a forged or confused non-retained
    /// <c>{"online":false,"timestamp":9223372036854775807}</c> — is then ignored instead of ending the session and
    /// raising the timestamp every genuine STATE must reach (which blinded the node for good). No clock is involved, so
    /// a gateway without a real-time clock, running behind until NTP syncs, still follows its host. When the broker
    /// holds no STATE at all (a host that does not retain), the live one counts after <see cref="StateConfirmTimeout"/>.
    /// </summary>
    private void ConfirmWithBroker(string hostId)
    {
        var client = _client;
        var check = ++_stateCheck;
        var token = _loopToken;
        _ = Task.Run(async () =>
        {
            try
            {
                if (client is not null)
                {
                    await client.SubscribeAsync(SparkplugTopic.State(hostId).ToString(), MqttQualityOfService.AtLeastOnce, token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is MqttCommunicationException or InvalidOperationException or ObjectDisposedException)
            {
                // the session ended; the next one starts from the broker's copy anyway
            }

            try
            {
                await Task.Delay(StateConfirmTimeout, _options.Time, token).ConfigureAwait(false);
                Post(new StateConfirmExpired(hostId, check));
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);
    }

    private async Task OnStateConfirmExpiredAsync(StateConfirmExpired e)
    {
        if (e.Check != _stateCheck || _stateToConfirm is not { } pending)
        {
            return;
        }

        _stateToConfirm = null;
        Log.StateNotConfirmed(_logger, e.HostId);
        await ApplyHostStateAsync(e.HostId, pending).ConfigureAwait(false);
    }

    private async Task ApplyHostStateAsync(string hostId, HostStateMessage state)
    {
        var before = _host.LastTimestamp;
        switch (_host.Apply(state))
        {
            case HostStateChange.Ignored:
                Log.StaleState(_logger, hostId, state.Online ? "online" : "offline", state.Timestamp, before);
                break;
            case HostStateChange.CameOnline:
                Log.HostState(_logger, hostId, "online");
                await TryGoLiveAsync().ConfigureAwait(false);
                break;
            case HostStateChange.WentOffline:
                Log.HostState(_logger, hostId, "offline");
                if (_live)
                {
                    // Sparkplug 3.0: after disconnecting for an offline host, connect to the next server (wraps with one)
                    await EndSessionAsync(moveToNextServer: true).ConfigureAwait(false);
                }

                break;
            case HostStateChange.StillOnline:
                await TryGoLiveAsync().ConfigureAwait(false);
                break;
        }

        UpdateStatus();
    }

    /// <summary>DDEATHs and an explicit NDEATH, then a new connection (Sparkplug: host offline, Next Server).</summary>
    private async Task EndSessionAsync(bool moveToNextServer)
    {
        if (_live)
        {
            foreach (var device in _devices.Where(d => d.Born))
            {
                await PublishDeviceDeathAsync(device).ConfigureAwait(false);
            }

            using var timeout = new CancellationTokenSource(_options.StopTimeout);
            await PublishNodeDeathAsync(timeout.Token).ConfigureAwait(false);
        }

        GoOffline();
        _client = null;
        _server = null;
        _supervisor?.RequestReconnect(moveToNextServer, EndOfSessionReason);
    }

    /// <summary>
    /// An NCMD: every metric is checked first, then each control acts once per message, however often it is repeated
    /// (2,000 Rebirth=true metrics are one rebirth, not 2,000).
    /// </summary>
    private async Task OnNodeCommandAsync(CommandReport report, SparkplugPayload payload)
    {
        bool rebirth = false, reboot = false, nextServer = false;
        long? scanMs = null;
        foreach (var metric in payload.Metrics)
        {
            var name = metric.Name ?? (metric.Alias is { } a && _nodeAliasNames.TryGetValue(a, out var n) ? n : null);
            if (name is null)
            {
                report.Refuse("unknown metric", metric.Alias is { } alias ? $"alias {alias}" : "(no name, no alias)", "unknown metric");
                continue;
            }

            var value = metric.Value;
            switch (name)
            {
                case SparkplugNames.NodeControlRebirth:
                    rebirth |= IsTrue(value, SparkplugDataType.Boolean);
                    break;
                case SparkplugNames.NodeControlReboot:
                    reboot |= IsTrue(value, SparkplugDataType.Boolean);
                    break;
                case SparkplugNames.NodeControlNextServer:
                    nextServer |= IsTrue(value, SparkplugDataType.Boolean);
                    break;
                case SparkplugNames.NodeControlScanRate:
                    var period = Reinterpret(value, SparkplugDataType.Int64, metric.DataType);
                    if (period.WireOverflow is null && period.TryGetInt64(out var ms) && ms is >= 10 and <= 86_400_000)
                    {
                        scanMs = ms;
                    }
                    else
                    {
                        report.Refuse("invalid value", name, $"{Describe(value)} is not a scan period in ms (10-86400000)");
                    }

                    break;
                default:
                    report.Refuse("read-only", name, "not writable");
                    break;
            }
        }

        if (scanMs is { } newScan)
        {
            report.Accept(SparkplugNames.NodeControlScanRate, newScan.ToString(CultureInfo.InvariantCulture));
            _scanMs = (int)newScan;
            Log.ScanRate(_logger, _scanMs);
            if (_live && !nextServer)
            {
                await PublishNodeDataAsync(force: true).ConfigureAwait(false);
            }
        }

        if (reboot)
        {
            report.Accept(SparkplugNames.NodeControlReboot, "true");
            _restart = true;
        }

        if (nextServer)
        {
            report.Accept(SparkplugNames.NodeControlNextServer, "true");
            report.Flush(_logger);
            await EndSessionAsync(moveToNextServer: true).ConfigureAwait(false);
        }
        else if (rebirth)
        {
            report.Accept(SparkplugNames.NodeControlRebirth, "true");
            report.Flush(_logger);
            await RequestRebirthAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Rebirths at most once per <see cref="MinRebirthInterval"/>: a request inside it is not lost but coalesced into
    /// one rebirth when the interval ends, so a flood of NCMDs costs one NBIRTH and DBIRTH set per interval.
    /// </summary>
    private async Task RequestRebirthAsync()
    {
        if (!_live)
        {
            return; // the births of the next session answer it
        }

        var wait = _lastBirthMs + (long)MinRebirthInterval.TotalMilliseconds - NowMs();
        if (wait <= 0)
        {
            await PublishBirthsAsync().ConfigureAwait(false);
            return;
        }

        if (_rebirthScheduled)
        {
            return;
        }

        _rebirthScheduled = true;
        Log.RebirthDeferred(_logger, wait);
        var token = _loopToken;
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait), _options.Time, token).ConfigureAwait(false);
                Post(new RebirthDue());
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);
    }

    private async Task OnRebirthDueAsync()
    {
        _rebirthScheduled = false;
        if (_live)
        {
            await PublishBirthsAsync().ConfigureAwait(false);
        }
    }

    private static bool IsTrue(SparkplugValue value, SparkplugDataType declared) =>
        Reinterpret(value, declared, value.DataType) is { IsNull: false } v && v.DataType == SparkplugDataType.Boolean && v.AsBoolean();

    /// <summary>A command metric sent by alias may omit its datatype: read its wire value as the declared type.</summary>
    private static SparkplugValue Reinterpret(SparkplugValue value, SparkplugDataType declared, SparkplugDataType sent)
    {
        if (value.IsNull || value.DataType == declared)
        {
            return value;
        }

        if (sent == SparkplugDataType.Unknown || !SparkplugDataTypes.IsDefined(value.DataType) || value.DataType == SparkplugDataType.Unknown)
        {
            return value.TryReinterpret(declared, out var re, out _) ? re : value;
        }

        return value;
    }

    private void OnDeviceCommand(CommandReport report, string deviceId, SparkplugPayload payload)
    {
        if (!_devicesById.TryGetValue(deviceId, out var device))
        {
            report.Refuse("unknown device", deviceId, $"unknown device '{deviceId}'");
            return;
        }

        foreach (var metric in payload.Metrics)
        {
            if (device.IsTemplateInstance && (metric.Name == device.Id || (metric.Name is null && metric.Alias == device.InstanceAlias)))
            {
                if (metric.Value.IsNull || metric.Value.DataType != SparkplugDataType.Template)
                {
                    report.Refuse("wrong type", device.Id, "expected a Template instance with the members to write");
                    continue;
                }

                foreach (var member in metric.Value.AsTemplate().Metrics)
                {
                    Write(report, device, member.Name is null ? -1 : Array.IndexOf(device.Names, member.Name), member,
                        member.Name ?? "(member without a name)");
                }

                continue;
            }

            var index = metric.Name is { } name
                ? Array.IndexOf(device.Names, name)
                : metric.Alias is { } alias ? Array.IndexOf(device.Aliases, alias) : -1;
            Write(report, device, index, metric, metric.Name ?? (metric.Alias is { } a ? $"alias {a}" : "(no name, no alias)"));
        }
    }

    /// <summary>
    /// Checks one DCMD metric and queues the write. The value must be exactly a value of the metric's declared type:
    /// the wire value is range-checked before any cast (<see cref="SparkplugValue.WireOverflow"/>), and a value sent as
    /// another datatype is converted only when nothing is lost (Double 12.0 to UInt16 is 12; 12.5, NaN, 70000, true or
    /// "12" are refused). Nothing refused reaches the device.
    /// </summary>
    private void Write(CommandReport report, DeviceRuntime device, int index, SparkplugMetric metric, string label)
    {
        if (index < 0)
        {
            report.Refuse("unknown metric", $"{device.Id}/{label}", "unknown metric");
            return;
        }

        var config = device.Config.Metrics[index];
        var target = $"{device.Id}/{config.Name}";
        if (!config.Writable)
        {
            report.Refuse("read-only", target, "read-only");
            return;
        }

        var declared = device.DataTypes[index];
        var value = Reinterpret(metric.Value, declared, metric.DataType);
        if (value.IsNull)
        {
            report.Refuse("null value", target, "a null value cannot be written");
            return;
        }

        if (value.WireOverflow is { } wire)
        {
            report.Refuse("out of range", target, $"{wire} does not fit {SparkplugDataTypes.GetName(value.DataType)}");
            return;
        }

        // not value.TryConvertTo(declared, out value): the struct receiver would be cleared first. A Boolean is no number
        // here (true is not the setpoint 1); a Boolean metric takes the integers 0 and 1, as coils do.
        var sent = value;
        if ((sent.DataType == SparkplugDataType.Boolean && declared != SparkplugDataType.Boolean) || !sent.TryConvertTo(declared, out value))
        {
            report.Refuse(SparkplugDataTypes.IsInteger(declared) && SparkplugDataTypes.IsInteger(sent.DataType) ? "out of range" : "wrong type", target,
                $"{Describe(sent)} is not exactly a {SparkplugDataTypes.GetName(declared)} value");
            return;
        }

        if (value.DataType is SparkplugDataType.Float or SparkplugDataType.Double && value.TryGetDouble(out var d) && !double.IsFinite(d))
        {
            report.Refuse("out of range", target, $"{Describe(sent)} is not a finite number");
            return;
        }

        if (!device.Answering)
        {
            report.Refuse("device not answering", target, $"{device.Id} is not answering");
            return;
        }

        report.Accept(target, value.FormatValue());
        if (device.EnqueueWrite(index, value))
        {
            Log.WriteSuperseded(_logger, device.Id, config.Name);
        }
    }

    private static string Describe(SparkplugValue value) =>
        value.WireOverflow ?? $"{value.FormatValue()} ({SparkplugDataTypes.GetName(value.DataType)})";

    private void OnWriteCompleted(WriteCompleted e)
    {
        var device = e.Device;
        if (e.Generation != _generation)
        {
            return;
        }

        if (e.Result.Status == DeviceWriteStatus.Written)
        {
            // the scan that follows the write reports the new value even if it equals the last report
            device.ForceReport[e.MetricIndex] = true;
        }
        else
        {
            Log.WriteFailed(_logger, device.Id, device.Names[e.MetricIndex], e.Value.FormatValue(), e.Result.Status.ToString(), e.Result.Error);
        }
    }

    private sealed record RebirthDue : EngineEvent;

    private sealed record StateConfirmExpired(string HostId, int Check) : EngineEvent;

    /// <summary>How long a live STATE waits for the broker's copy before it counts without it.</summary>
    internal static readonly TimeSpan StateConfirmTimeout = TimeSpan.FromSeconds(2);

    private HostStateMessage? _stateToConfirm;
    private int _stateCheck;
}
