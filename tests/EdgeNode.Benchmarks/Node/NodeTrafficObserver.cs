using System.Globalization;
using EdgeNode.Mqtt;
using EdgeNode.Sparkplug;

namespace EdgeNode.Benchmarks.Node;

/// <summary>
/// A Sparkplug subscriber of one edge node's traffic (our MQTT client, our codec): resolves DDATA aliases through the
/// DBIRTHs and hands every reported register value, with its receipt time, to the <see cref="ChangeLedger"/>.
/// Devices are named <c>Unit&lt;n&gt;</c> and metrics <c>R&lt;address&gt;</c>, as the benchmark configures them.
/// </summary>
internal sealed class NodeTrafficObserver(ChangeLedger ledger, string groupId, string edgeNodeId) : IAsyncDisposable
{
    private readonly MqttClient _client = new();
    private readonly Dictionary<string, Dictionary<ulong, int>> _aliases = [];
    private readonly HashSet<string> _born = [];
    private readonly Lock _lock = new();
    private ulong? _lastSeq;
    private long _ddata;
    private long _metrics;
    private long _historical;
    private (double First, double Last)? _historicalSpan;
    private (long Count, double LastMs) _nodeBirths;

    public int DevicesBorn
    {
        get
        {
            lock (_lock)
            {
                return _born.Count;
            }
        }
    }

    public long DataMessages => Interlocked.Read(ref _ddata);

    public long DataMetrics => Interlocked.Read(ref _metrics);

    public long Births { get; private set; }

    public long Deaths { get; private set; }

    public long SeqGaps { get; private set; }

    public long DecodeErrors { get; private set; }

    public long HistoricalMetrics => Interlocked.Read(ref _historical);

    /// <summary>Feed historical (store-and-forward) values to the ledger too; by default only live values count.</summary>
    public bool ReportHistorical { get; set; }

    /// <summary>Receipt times (UTC ms) of the first and the latest historical metric; null before any.</summary>
    public (double First, double Last)? HistoricalSpan
    {
        get
        {
            lock (_lock)
            {
                return _historicalSpan;
            }
        }
    }

    /// <summary>NBIRTHs seen and the receipt time (UTC ms) of the latest.</summary>
    public (long Count, double LastMs) NodeBirths
    {
        get
        {
            lock (_lock)
            {
                return _nodeBirths;
            }
        }
    }

    public long UnresolvedMetrics { get; private set; }

    public async Task StartAsync(int port, CancellationToken cancellationToken)
    {
        _client.ApplicationMessageReceivedAsync = message =>
        {
            OnMessage(message, NowMs());
            return Task.CompletedTask;
        };
        var connected = await _client.ConnectAsync(new MqttClientOptions
        {
            Host = "127.0.0.1",
            Port = port,
            ClientId = $"bench-observer-{edgeNodeId}",
            KeepAliveSeconds = 60,
        }, cancellationToken).ConfigureAwait(false);
        if (!connected.IsSuccess)
        {
            throw new InvalidOperationException($"observer could not connect: {connected}");
        }

        var subscribed = await _client.SubscribeAsync($"spBv1.0/{groupId}/#", MqttQualityOfService.AtMostOnce, cancellationToken)
            .ConfigureAwait(false);
        if (!subscribed.IsSuccess)
        {
            throw new InvalidOperationException($"observer could not subscribe: {subscribed}");
        }
    }

    /// <summary>UTC ms with sub-millisecond resolution (the farm's change times are whole UTC ms).</summary>
    public static double NowMs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / (double)TimeSpan.TicksPerMillisecond;

    private void OnMessage(MqttApplicationMessage message, double receivedMs)
    {
        if (!SparkplugTopic.TryParse(message.Topic, out var topic) || topic.EdgeNodeId != edgeNodeId)
        {
            return;
        }

        if (!SparkplugPayload.TryDecode(message.Payload.Span, out var payload, out _))
        {
            DecodeErrors++;
            return;
        }

        if (payload.Seq is { } seq && topic.MessageType != SparkplugMessageType.NBIRTH)
        {
            if (_lastSeq is { } last && seq != (last + 1) % 256)
            {
                SeqGaps++;
            }

            _lastSeq = seq;
        }
        else if (topic.MessageType == SparkplugMessageType.NBIRTH)
        {
            _lastSeq = payload.Seq;
        }

        switch (topic.MessageType)
        {
            case SparkplugMessageType.NBIRTH:
                lock (_lock)
                {
                    _nodeBirths = (_nodeBirths.Count + 1, receivedMs);
                }

                break;
            case SparkplugMessageType.DBIRTH:
                OnBirth(topic.DeviceId!, payload);
                break;
            case SparkplugMessageType.DDEATH:
                Deaths++;
                break;
            case SparkplugMessageType.DDATA:
                OnData(topic.DeviceId!, payload, receivedMs);
                break;
        }
    }

    private void OnBirth(string deviceId, SparkplugPayload payload)
    {
        var map = new Dictionary<ulong, int>();
        foreach (var metric in payload.Metrics)
        {
            if (metric.Alias is { } alias && Address(metric.Name) is { } address)
            {
                map[alias] = address;
            }
        }

        lock (_lock)
        {
            _aliases[deviceId] = map;
            _born.Add(deviceId);
        }

        Births++;
    }

    private void OnData(string deviceId, SparkplugPayload payload, double receivedMs)
    {
        if (Unit(deviceId) is not { } unit)
        {
            return;
        }

        Dictionary<ulong, int>? aliases;
        lock (_lock)
        {
            _aliases.TryGetValue(deviceId, out aliases);
        }

        Interlocked.Increment(ref _ddata);
        Interlocked.Add(ref _metrics, payload.Metrics.Count);
        foreach (var metric in payload.Metrics)
        {
            if (metric.IsHistorical)
            {
                Interlocked.Increment(ref _historical);
                lock (_lock)
                {
                    _historicalSpan = (_historicalSpan?.First ?? receivedMs, receivedMs);
                }

                if (!ReportHistorical)
                {
                    continue;
                }
            }

            var address = metric.Name is not null ? Address(metric.Name)
                : metric.Alias is { } alias && aliases is not null && aliases.TryGetValue(alias, out var a) ? a : null;
            if (address is null || !metric.Value.TryGetUInt64(out var value) || value > ushort.MaxValue)
            {
                UnresolvedMetrics++;
                continue;
            }

            ledger.OnReported(unit, address.Value, (ushort)value, receivedMs);
        }
    }

    private static int? Address(string? name) =>
        name is ['R', .. var digits] && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var address)
            ? address
            : null;

    private static byte? Unit(string deviceId) =>
        deviceId.StartsWith("Unit", StringComparison.Ordinal)
        && byte.TryParse(deviceId.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var unit)
            ? unit
            : null;

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_client.IsConnected)
            {
                await _client.DisconnectAsync().ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone with the broker
        }

        await _client.DisposeAsync().ConfigureAwait(false);
    }
}
