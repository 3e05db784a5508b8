using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Modbus;

/// <summary>
/// The Modbus master of one physical link (a serial line or a TCP host:port). Devices on the link share it and each
/// addresses its own unit through <see cref="ForUnit"/>. It owns the request policy: retries on timeouts and corrupt
/// responses, exception 06 (busy) → wait and resend, per-unit back-off after a unit failed every attempt (so a dead
/// unit costs the bus one probe per back-off period and the others keep being served).
/// </summary>
public sealed class ModbusMaster : IAsyncDisposable
{
    private readonly IModbusTransport _transport;
    private readonly ILogger _logger;
    private readonly UnitHealth?[] _health = new UnitHealth?[256];
    private readonly ConcurrentQueue<ModbusTransaction> _pool = new();
    private int _disposed;
    private long _requests;
    private long _succeeded;
    private long _exceptions;
    private long _timeouts;
    private long _invalid;
    private long _communicationErrors;
    private long _retries;
    private long _skipped;

    internal ModbusMaster(IModbusTransport transport, ModbusLinkSettings settings, ILogger logger)
    {
        _transport = transport;
        Settings = settings;
        _logger = logger;
    }

    /// <summary>The link's settings.</summary>
    public ModbusLinkSettings Settings { get; }

    /// <summary>"rtu /dev/ttyUSB0", "tcp 10.0.0.7:502".</summary>
    public string Name => _transport.Name;

    /// <summary>True on RTU links: one request at a time on the wire.</summary>
    public bool IsSerialized => _transport.IsSerialized;

    /// <summary>Requests the link may have outstanding at once.</summary>
    public int MaxInFlight => _transport.MaxInFlight;

    internal IModbusTransport Transport => _transport;

    /// <summary>Opens a master for <paramref name="settings"/> (the link itself opens lazily, on the first request).</summary>
    /// <exception cref="ArgumentException">The settings are invalid; every problem is listed.</exception>
    public static ModbusMaster Create(ModbusLinkSettings settings, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var problems = settings.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid Modbus link {settings}: {string.Join("; ", problems)}", nameof(settings));
        }

        loggerFactory ??= NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger("EdgeNode.Modbus");
        IModbusTransport transport = settings.Transport switch
        {
            ModbusTransportKind.Tcp => new TcpTransport(settings, logger),
            ModbusTransportKind.Rtu => new RtuBus(new SerialRtuChannel(settings.Serial!, loggerFactory.CreateLogger("EdgeNode.Serial")),
                settings, logger),
            _ => new RtuBus(new TcpRtuChannel(settings.Host!, settings.Port, TimeSpan.FromMilliseconds(settings.ConnectTimeoutMs)),
                settings, logger),
        };
        return new ModbusMaster(transport, settings, logger);
    }

    /// <summary>A client for one unit (device) on this link with its own request policy.</summary>
    /// <param name="unitId">1–247 for a device; 0 = broadcast (writes only, no response; on TCP, reads to 0 are sent normally); 248–255 are accepted for TCP devices that use them (often 255).</param>
    /// <param name="options">Timeout, retries and back-off; defaults when null.</param>
    public ModbusUnitClient ForUnit(byte unitId, ModbusMasterOptions? options = null)
    {
        options ??= new ModbusMasterOptions();
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid Modbus options for unit {unitId}: {string.Join("; ", problems)}", nameof(options));
        }

        return new ModbusUnitClient(this, unitId, options, release: null);
    }

    /// <summary>Counters since the master was created (for diagnostics metrics and logs).</summary>
    public ModbusLinkStatistics Statistics => new(
        Interlocked.Read(ref _requests), Interlocked.Read(ref _succeeded), Interlocked.Read(ref _exceptions), Interlocked.Read(ref _timeouts),
        Interlocked.Read(ref _invalid), Interlocked.Read(ref _communicationErrors), Interlocked.Read(ref _retries), Interlocked.Read(ref _skipped),
        _transport.DiscardedBytes, _transport.Connections);

    /// <summary>The back-off state of <paramref name="unitId"/>: consecutive failed requests (0 = healthy).</summary>
    public int GetConsecutiveFailures(byte unitId) => _health[unitId]?.ConsecutiveFailures ?? 0;

    internal UnitHealth Health(byte unitId)
    {
        var health = Volatile.Read(ref _health[unitId]);
        if (health is null)
        {
            var created = new UnitHealth(unitId);
            health = Interlocked.CompareExchange(ref _health[unitId], created, null) ?? created;
        }

        return health;
    }

    internal ModbusTransaction RentTransaction() => _pool.TryDequeue(out var tx) ? tx : new ModbusTransaction();

    internal void ReturnTransaction(ModbusTransaction tx)
    {
        if (_pool.Count < 64)
        {
            _pool.Enqueue(tx);
        }
    }

    /// <summary>
    /// Runs the request encoded in <paramref name="tx"/> under <paramref name="options"/>: back-off check, attempts,
    /// busy handling, health accounting. Expected faults come back as the status; user cancellation throws.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<ModbusStatus> ExecuteAsync(ModbusTransaction tx, ModbusMasterOptions options, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var health = tx.IsBroadcast ? null : Health(tx.UnitId);
        if (health is not null && health.IsBackedOff(Stopwatch.GetTimestamp()))
        {
            tx.ExceptionCode = ModbusExceptionCode.None;
            tx.Error = health.LastError;
            Interlocked.Increment(ref _skipped);
            return ModbusStatus.UnitBackedOff;
        }

        // After a failure the first request is a probe: one attempt, so a still-dead unit costs one timeout.
        var attempts = health is { IsProbing: true } ? 1 : 1 + options.Retries;
        tx.Health = health;
        tx.Timeout = TimeSpan.FromMilliseconds(options.TimeoutMs);
        tx.MaxAcknowledgeWaits = options.MaxAcknowledgeWaits;
        using var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((ModbusTransaction)s!).RequestCancel(), tx)
            : default;
        var status = ModbusStatus.Timeout;
        var attempt = 0;
        while (attempt < attempts)
        {
            attempt++;
            status = await _transport.SendAsync(tx).ConfigureAwait(false);
            if (tx.WasCancelled)
            {
                throw new OperationCanceledException(cancellationToken);
            }

            Count(status);
            if (attempt > 1)
            {
                Interlocked.Increment(ref _retries);
            }

            if (status is ModbusStatus.Ok or ModbusStatus.UnitBackedOff)
            {
                break;
            }

            if (status == ModbusStatus.Exception)
            {
                if (tx.ExceptionCode != ModbusExceptionCode.SlaveDeviceBusy || attempt >= attempts)
                {
                    break;
                }

                // §7 code 06 (NModbus: wait, then resend): the device is busy with a long command.
                Log.Busy(_logger, tx.UnitId, Name, options.BusyRetryDelayMs);
                await Task.Delay(options.BusyRetryDelayMs, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (attempt < attempts)
            {
                Log.Retrying(_logger, tx.UnitId, Name, status, tx.Error ?? "", attempt + 1, attempts);
            }
        }

        if (health is not null)
        {
            Account(health, tx, status, attempt, options);
        }

        return status;
    }

    private void Count(ModbusStatus status)
    {
        if (status != ModbusStatus.UnitBackedOff)
        {
            Interlocked.Increment(ref _requests);
        }

        switch (status)
        {
            case ModbusStatus.Ok:
                Interlocked.Increment(ref _succeeded);
                break;
            case ModbusStatus.Exception:
                Interlocked.Increment(ref _exceptions);
                break;
            case ModbusStatus.Timeout:
                Interlocked.Increment(ref _timeouts);
                break;
            case ModbusStatus.InvalidResponse:
                Interlocked.Increment(ref _invalid);
                break;
            case ModbusStatus.CommunicationError:
                Interlocked.Increment(ref _communicationErrors);
                break;
            case ModbusStatus.UnitBackedOff:
                Interlocked.Increment(ref _skipped);
                break;
        }
    }

    private void Account(UnitHealth health, ModbusTransaction tx, ModbusStatus status, int attempts, ModbusMasterOptions options)
    {
        switch (status)
        {
            case ModbusStatus.Ok:
            case ModbusStatus.Exception when !ModbusResultExtensions.IsGatewayFailure(tx.ExceptionCode):
                if (health.Succeeded())
                {
                    Log.UnitRecovered(_logger, tx.UnitId, Name);
                }

                break;
            case ModbusStatus.Timeout:
            case ModbusStatus.InvalidResponse:
            case ModbusStatus.Exception:
                var reason = status == ModbusStatus.Exception ? $"gateway exception {(byte)tx.ExceptionCode:X2} ({tx.ExceptionCode})" : tx.Error ?? status.ToString();
                var wasFailing = health.IsProbing;
                var backoff = health.Failed(Stopwatch.GetTimestamp(), TimeSpan.FromMilliseconds(options.UnitBackoffMs),
                    TimeSpan.FromMilliseconds(options.UnitBackoffMaxMs), reason);
                if (!wasFailing)
                {
                    // Warn once when a unit stops answering; the probes of a unit that stays dead are debug noise.
                    Log.UnitFailed(_logger, tx.UnitId, Name, status, attempts, reason, (long)backoff.TotalMilliseconds);
                }
                else if (_logger.IsEnabled(LogLevel.Debug))
                {
                    Log.Retrying(_logger, tx.UnitId, Name, status, $"{reason}; skipping it for {(long)backoff.TotalMilliseconds} ms", attempts, attempts);
                }

                break;
            default:
                // CommunicationError is the link's problem (reconnect back-off handles it), UnitBackedOff changes nothing.
                break;
        }
    }

    /// <summary>Closes the link; pending requests complete with <see cref="ModbusStatus.CommunicationError"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _transport.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>A link's counters: attempts on the wire and how they ended.</summary>
/// <param name="Requests">Attempts sent (retries included).</param>
/// <param name="Succeeded">Attempts answered with a normal response.</param>
/// <param name="Exceptions">Attempts answered with an exception response.</param>
/// <param name="Timeouts">Attempts without a response in time.</param>
/// <param name="InvalidResponses">Attempts answered with a corrupt or wrong frame (CRC errors among them).</param>
/// <param name="CommunicationErrors">Attempts that failed on the link (port/connection down).</param>
/// <param name="Retries">Attempts after the first of a request.</param>
/// <param name="SkippedBackedOff">Requests not sent because their unit was in back-off.</param>
/// <param name="DiscardedBytes">Stray bytes dropped from the line (RTU).</param>
/// <param name="Connections">TCP connections made / serial port opens.</param>
public readonly record struct ModbusLinkStatistics(long Requests, long Succeeded, long Exceptions, long Timeouts, long InvalidResponses,
    long CommunicationErrors, long Retries, long SkippedBackedOff, long DiscardedBytes, long Connections);
