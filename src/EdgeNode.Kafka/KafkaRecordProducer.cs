using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Kafka;

/// <summary>
/// The bridge's Kafka producer: idempotent, <c>acks=all</c>, records of one key in call order (one partition, no
/// reordering on retry), no record ever given up on because of time (<c>message.timeout.ms</c> at its maximum: a Kafka
/// outage only delays records). It also decides whether Kafka "takes records": not while every broker is down, while
/// waiting records make no progress for <see cref="KafkaProducerOptions.StallTimeout"/>, or while more than
/// <see cref="KafkaProducerOptions.HighWaterRecords"/> wait (back again below half of it, after a metadata probe).
/// </summary>
public sealed class KafkaRecordProducer : IRecordSink, IDisposable
{
    private static readonly TimeSpan s_probeTimeout = TimeSpan.FromSeconds(2);

    private readonly KafkaProducerOptions _options;
    private readonly ILogger _logger;
    private readonly IProducer<byte[]?, byte[]> _producer;
    private readonly IAdminClient _admin;
    private readonly Action<DeliveryReport<byte[]?, byte[]>> _untracked;
    private readonly ConcurrentDictionary<string, long> _producedByTopic = new(StringComparer.Ordinal);
    private long _pending;
    private long _lastProgress = Stopwatch.GetTimestamp();
    private long _failed;
    private volatile bool _allBrokersDown;
    private volatile bool _available;

    /// <summary>Creates the producer (loads librdkafka first); no connection is made until the first record or probe.</summary>
    public KafkaRecordProducer(KafkaProducerOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        var path = RdKafkaLibrary.Load();
        Log.Loaded(_logger, RdKafkaLibrary.VersionString, path);
        _untracked = report => OnDelivered(report, null);
        _producer = new ProducerBuilder<byte[]?, byte[]>(BuildConfig(options))
            .SetErrorHandler(OnError)
            .SetLogHandler((_, message) => Log.Native(_logger, message.Facility, message.Message))
            .Build();
        _admin = new DependentAdminClientBuilder(_producer.Handle).Build();
    }

    /// <inheritdoc/>
    public bool IsAvailable => _available;

    /// <inheritdoc/>
    public event Action<bool>? AvailabilityChanged;

    /// <inheritdoc/>
    public long Pending => Interlocked.Read(ref _pending);

    /// <summary>Records Kafka refused for good (never for a timeout: see the type's remarks).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Records confirmed by Kafka, per topic.</summary>
    public IReadOnlyDictionary<string, long> ProducedByTopic => _producedByTopic;

    /// <summary>The librdkafka configuration: the bridge's defaults, then the user's properties, then what delivery needs.</summary>
    internal static ProducerConfig BuildConfig(KafkaProducerOptions options)
    {
        var config = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["client.id"] = "edgenode-bridge",
            ["linger.ms"] = "5",
            ["queue.buffering.max.messages"] = "1000000",
            // Bounded memory: at most 128 MiB of records wait in librdkafka (the default is 1 GiB).
            ["queue.buffering.max.kbytes"] = "131072",
            ["compression.type"] = "lz4",
            ["message.timeout.ms"] = "2147483647",
            ["socket.keepalive.enable"] = "true",
            // A broker that stops answering (rather than closing the connection) is given up on after 10 s instead of
            // 60, so records are retried on a fresh connection soon after it comes back.
            ["socket.timeout.ms"] = "10000",
            ["request.timeout.ms"] = "10000",
            // One produce request in flight per broker. With several, a later batch that succeeds makes librdkafka
            // count an earlier one that failed as persisted too ("implicitly acked"): sound against a broker that
            // enforces idempotent sequence numbers, a lost record against one that does not (librdkafka's own mock
            // cluster checks them only for transactional producers: BridgeFaultTests lost records that way).
            // Batching keeps throughput: one request carries up to batch.size bytes.
            ["max.in.flight.requests.per.connection"] = "1",
        };
        foreach (var (key, value) in options.Properties)
        {
            config[key] = value;
        }

        config["bootstrap.servers"] = options.BootstrapServers;
        // What the bridge promises (records of one key in order, no duplicates from retries, confirmed by all replicas).
        config["enable.idempotence"] = "true";
        config["acks"] = "all";
        return new ProducerConfig(config);
    }

    /// <inheritdoc/>
    public async ValueTask ProduceAsync(string topic, byte[]? key, byte[] value, DeliveryBatch? batch, DeliveryBatch? journalSegment,
        CancellationToken cancellationToken)
    {
        var message = new Message<byte[]?, byte[]> { Key = key, Value = value };
        batch?.Add();
        var handler = batch is null && journalSegment is null ? _untracked : report =>
        {
            OnDelivered(report, batch);
            journalSegment?.Delivered(report.Error.Code == ErrorCode.NoError);
        };
        Interlocked.Increment(ref _pending);
        while (true)
        {
            try
            {
                _producer.Produce(topic, message, handler);
                return;
            }
            catch (ProduceException<byte[]?, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                // librdkafka's queue is at its bound: wait for deliveries instead of growing (or dropping).
                try
                {
                    await Task.Delay(20, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Decrement(ref _pending);
                    batch?.Delivered(false);
                    journalSegment?.Delivered(false);
                    throw;
                }
            }
            catch (ProduceException<byte[]?, byte[]> ex)
            {
                Interlocked.Decrement(ref _pending);
                Interlocked.Increment(ref _failed);
                Log.DeliveryFailed(_logger, topic, ex.Error.Reason);
                batch?.Delivered(false);
                journalSegment?.Delivered(true); // refused for good: nothing to replay
                return;
            }
        }
    }

    private void OnDelivered(DeliveryReport<byte[]?, byte[]> report, DeliveryBatch? batch)
    {
        Interlocked.Decrement(ref _pending);
        Volatile.Write(ref _lastProgress, Stopwatch.GetTimestamp());
        var ok = report.Error.Code == ErrorCode.NoError;
        if (ok)
        {
            _producedByTopic.AddOrUpdate(report.Topic, 1, static (_, n) => n + 1);
            _allBrokersDown = false;
        }
        else
        {
            Interlocked.Increment(ref _failed);
            Log.DeliveryFailed(_logger, report.Topic, report.Error.Reason);
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            // Where each record landed, for tracing a record from MQTT to its partition and offset.
            var value = report.Message.Value;
            Log.Delivered(_logger, report.Topic, report.Partition.Value, report.Offset.Value, report.Status.ToString(),
                System.Text.Encoding.UTF8.GetString(value, 0, Math.Min(value.Length, 160)));
        }

        batch?.Delivered(ok);
    }

    private void OnError(IProducer<byte[]?, byte[]> producer, Error error)
    {
        if (error.IsFatal)
        {
            Log.KafkaFatal(_logger, error.Reason, error.Code.ToString());
            _allBrokersDown = true;
            return;
        }

        if (error.Code == ErrorCode.Local_AllBrokersDown)
        {
            _allBrokersDown = true;
        }

        Log.KafkaError(_logger, error.Reason, error.Code.ToString());
    }

    /// <inheritdoc/>
    public long Flush(TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Pending > 0 && Stopwatch.GetTimestamp() < deadline)
        {
            _producer.Flush(TimeSpan.FromMilliseconds(100));
        }

        return Pending;
    }

    /// <summary>
    /// Watches Kafka until cancelled: every half second it re-judges availability (see the type's remarks), probing the
    /// brokers with a metadata request while it counts them down, or when idle for a while.
    /// </summary>
    public async Task RunHealthAsync(CancellationToken cancellationToken)
    {
        var lastProbe = 0L;
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = Stopwatch.GetTimestamp();
            var pending = Pending;
            var sinceProgress = Stopwatch.GetElapsedTime(Volatile.Read(ref _lastProgress), now);
            string? downReason = null;
            if (_allBrokersDown)
            {
                downReason = "all brokers are down";
            }
            else if (pending > 0 && sinceProgress > _options.StallTimeout)
            {
                downReason = $"{pending} records waited {sinceProgress.TotalSeconds:F0} s without a confirmation";
            }
            else if (pending > (_available ? _options.HighWaterRecords : _options.HighWaterRecords / 2))
            {
                downReason = $"{pending} records wait for confirmation (high-water mark {_options.HighWaterRecords})";
            }

            var probeDue = !_available || Stopwatch.GetElapsedTime(lastProbe, now) > TimeSpan.FromSeconds(5);
            if (probeDue && (downReason is null || _allBrokersDown))
            {
                lastProbe = now;
                var probe = await Task.Run(Probe, cancellationToken).ConfigureAwait(false);
                if (probe is null)
                {
                    _allBrokersDown = false;
                    if (downReason == "all brokers are down")
                    {
                        downReason = null;
                    }
                }
                else
                {
                    downReason ??= probe;
                }
            }

            SetAvailable(downReason);
            try
            {
                await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>A metadata round trip to any broker: null when one answered, else why not.</summary>
    private string? Probe()
    {
        try
        {
            var metadata = _admin.GetMetadata(_options.ProbeTopic, s_probeTimeout);
            return metadata.Brokers.Count > 0 ? null : "no broker in the metadata";
        }
        catch (KafkaException ex)
        {
            return $"metadata request failed: {ex.Error.Reason}";
        }
    }

    private void SetAvailable(string? downReason)
    {
        var available = downReason is null;
        if (available == _available)
        {
            return;
        }

        _available = available;
        if (available)
        {
            Log.KafkaUp(_logger, Pending);
        }
        else
        {
            Log.KafkaDown(_logger, downReason!);
        }

        AvailabilityChanged?.Invoke(available);
    }

    /// <summary>Disposes the producer without waiting (call <see cref="Flush"/> first for a clean stop).</summary>
    public void Dispose()
    {
        _admin.Dispose();
        _producer.Dispose();
    }
}
