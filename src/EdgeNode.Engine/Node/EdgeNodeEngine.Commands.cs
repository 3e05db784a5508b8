using EdgeNode.Engine.Devices;
using EdgeNode.Engine.Session;
using EdgeNode.Mqtt;
using EdgeNode.Sparkplug;

namespace EdgeNode.Engine;

public sealed partial class EdgeNodeEngine
{
    private async Task OnMessageAsync(MessageReceived message)
    {
        if (!SparkplugTopic.TryParse(message.Topic, out var topic, out var topicError))
        {
            Log.CommandRejected(_logger, message.Topic, topicError);
            return;
        }

        if (topic.HostId is { } hostId)
        {
            await OnHostStateAsync(hostId, topic.IsLegacyState, message.Payload).ConfigureAwait(false);
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

        if (!SparkplugPayload.TryDecode(message.Payload.Span, out var payload, out var error))
        {
            Log.CommandRejected(_logger, message.Topic, "malformed payload: " + error);
            return;
        }

        if (topic.MessageType == SparkplugMessageType.NCMD)
        {
            await OnNodeCommandAsync(message.Topic, payload).ConfigureAwait(false);
        }
        else
        {
            OnDeviceCommand(message.Topic, topic.DeviceId!, payload);
        }
    }

    private async Task OnHostStateAsync(string hostId, bool legacy, ReadOnlyMemory<byte> payload)
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

        var before = _host.LastTimestamp;
        switch (_host.Apply(state))
        {
            case HostStateChange.Ignored:
                Log.StaleState(_logger, hostId, state.Timestamp, before);
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

    private async Task OnNodeCommandAsync(string topicName, SparkplugPayload payload)
    {
        foreach (var metric in payload.Metrics)
        {
            var name = metric.Name ?? (metric.Alias is { } a && _nodeAliasNames.TryGetValue(a, out var n) ? n : null);
            if (name is null)
            {
                Log.CommandRejected(_logger, topicName, $"unknown metric alias {metric.Alias}");
                continue;
            }

            var value = metric.Value;
            switch (name)
            {
                case SparkplugNames.NodeControlRebirth:
                    if (IsTrue(value, SparkplugDataType.Boolean))
                    {
                        Log.CommandAccepted(_logger, topicName, name, "true");
                        if (_live)
                        {
                            await PublishBirthsAsync().ConfigureAwait(false);
                        }
                    }

                    break;
                case SparkplugNames.NodeControlReboot:
                    if (IsTrue(value, SparkplugDataType.Boolean))
                    {
                        Log.CommandAccepted(_logger, topicName, name, "true");
                        _restart = true;
                    }

                    break;
                case SparkplugNames.NodeControlNextServer:
                    if (IsTrue(value, SparkplugDataType.Boolean))
                    {
                        Log.CommandAccepted(_logger, topicName, name, "true");
                        await EndSessionAsync(moveToNextServer: true).ConfigureAwait(false);
                    }

                    break;
                case SparkplugNames.NodeControlScanRate:
                    if (Reinterpret(value, SparkplugDataType.Int64, metric.DataType).TryGetInt64(out var ms) && ms is >= 10 and <= 86_400_000)
                    {
                        _scanMs = (int)ms;
                        Log.ScanRate(_logger, _scanMs);
                        if (_live)
                        {
                            await PublishNodeDataAsync(force: true).ConfigureAwait(false);
                        }
                    }
                    else
                    {
                        Log.CommandRejected(_logger, topicName, $"{name}: {value} is not a scan period in ms (10-86400000)");
                    }

                    break;
                default:
                    Log.CommandRejected(_logger, topicName, $"{name} is not writable");
                    break;
            }
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

    private void OnDeviceCommand(string topicName, string deviceId, SparkplugPayload payload)
    {
        if (!_devicesById.TryGetValue(deviceId, out var device))
        {
            Log.CommandRejected(_logger, topicName, $"unknown device '{deviceId}'");
            return;
        }

        foreach (var metric in payload.Metrics)
        {
            if (device.IsTemplateInstance && (metric.Name == device.Id || (metric.Name is null && metric.Alias == device.InstanceAlias)))
            {
                if (metric.Value.IsNull || metric.Value.DataType != SparkplugDataType.Template)
                {
                    Log.CommandRejected(_logger, topicName, $"{device.Id}: expected a Template instance with the members to write");
                    continue;
                }

                foreach (var member in metric.Value.AsTemplate().Metrics)
                {
                    Write(topicName, device, member.Name is null ? -1 : Array.IndexOf(device.Names, member.Name), member, member.Name);
                }

                continue;
            }

            var index = metric.Name is { } name
                ? Array.IndexOf(device.Names, name)
                : metric.Alias is { } alias ? Array.IndexOf(device.Aliases, alias) : -1;
            Write(topicName, device, index, metric, metric.Name ?? $"alias {metric.Alias}");
        }
    }

    private void Write(string topicName, DeviceRuntime device, int index, SparkplugMetric metric, string? label)
    {
        if (index < 0)
        {
            Log.CommandRejected(_logger, topicName, $"{device.Id}: unknown metric {label}");
            return;
        }

        var config = device.Config.Metrics[index];
        if (!config.Writable)
        {
            Log.CommandRejected(_logger, topicName, $"{device.Id}/{config.Name} is read-only");
            return;
        }

        var value = Reinterpret(metric.Value, device.DataTypes[index], metric.DataType);
        if (value.IsNull)
        {
            Log.CommandRejected(_logger, topicName, $"{device.Id}/{config.Name}: a null value cannot be written");
            return;
        }

        if (!device.Answering)
        {
            Log.CommandRejected(_logger, topicName, $"{device.Id} is not answering");
            return;
        }

        Log.CommandAccepted(_logger, topicName, $"{device.Id}/{config.Name}", value.FormatValue());
        device.EnqueueWrite(index, value);
    }

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
            Log.WriteFailed(_logger, device.Id, device.Names[e.MetricIndex], "", e.Result.Status.ToString(), e.Result.Error);
        }
    }
}
