using System.Text;
using System.Threading.Channels;
using EdgeNode.Configuration;
using EdgeNode.Gpio;
using EdgeNode.Sparkplug;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Engine.Devices.Gpio;

/// <summary>
/// Lines of one GPIO chip as a Sparkplug device: every metric is one line, all requested together in one line request
/// (so a device holds its lines atomically). Reads return each line's logical value as Boolean; outputs take Boolean
/// DCMD writes; input edges arrive on <see cref="Events"/> with the kernel's timestamp. When the chip fails later (a USB
/// expander unplugged), reads report the device dead and each following read requests the lines again, so the device
/// comes back by itself.
/// </summary>
public sealed class GpioDeviceDriver : IDeviceDriver
{
    private const int EventCapacity = 1024;
    private const int EInval = 22;

    private readonly Func<string, GpioChip> _openChip;
    private readonly ILogger _logger;
    private readonly string _chip;
    private readonly string _consumer;
    private readonly GpioRequestedLine[] _lines;
    private readonly SparkplugDataType[] _types;
    private readonly Channel<DeviceEvent> _events;
    private readonly CancellationTokenSource _stop = new();
    private readonly bool _hasEdges;
    private GpioEventClock _clock = GpioEventClock.Realtime;
    private GpioLineRequest? _request;
    private int[] _offsets = [];
    private Task _pump = Task.CompletedTask;
    private bool _disposed;

    /// <summary>Validates the device and requests its lines.</summary>
    /// <exception cref="ArgumentException">The device is not a GPIO device, or a metric has no line.</exception>
    /// <exception cref="GpioException">The chip is missing, not permitted, or a line is busy (the message names the holder).</exception>
    internal GpioDeviceDriver(DeviceConfig device, Func<string, GpioChip> openChip, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(openChip);
        ArgumentNullException.ThrowIfNull(logger);
        if (device.Kind != DeviceKind.Gpio || device.Gpio is null)
        {
            throw new ArgumentException($"Device '{device.Id}' is not a GPIO device (kind {device.Kind}).", nameof(device));
        }

        if (device.Metrics.Count == 0)
        {
            throw new ArgumentException($"GPIO device '{device.Id}' has no metrics (lines).", nameof(device));
        }

        Config = device;
        _openChip = openChip;
        _logger = logger;
        _chip = device.Gpio.Chip;
        _consumer = ConsumerFor(device.Id);
        _lines = [.. device.Metrics.Select(m => new GpioRequestedLine(
            m.Gpio?.Line ?? throw new ArgumentException($"Metric '{m.Name}' of GPIO device '{device.Id}' names no line.", nameof(device)),
            // The configuration describes the line; ConfigMapping turns it into the driver's settings.
            m.Gpio.ToLineSettings()))];
        _types = [.. device.Metrics.Select(_ => SparkplugDataType.Boolean)];
        _hasEdges = _lines.Any(l => l.Settings.Edge != GpioEdge.None);
        _events = Channel.CreateBounded<DeviceEvent>(new BoundedChannelOptions(EventCapacity)
        {
            // A reader that fell behind wants the newest states; the next scan corrects anything dropped.
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = false,
        });

        var problems = GpioLineRequestOptionsValidator.Validate(Options());
        if (problems.Count > 0)
        {
            throw new ArgumentException($"GPIO device '{device.Id}': {string.Join("; ", problems.Select(NameMetric))}", nameof(device));
        }

        try
        {
            Attach(Request());
        }
        catch (GpioException ex)
        {
            throw new GpioException(ex.Kind, ex.Chip, ex.Errno, $"GPIO device '{device.Id}': {ex.Message}", ex.Line, ex.Consumer, ex);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"GPIO device '{device.Id}': {ex.Message}", nameof(device), ex);
        }
    }

    /// <inheritdoc />
    public DeviceConfig Config { get; }

    /// <inheritdoc />
    public IReadOnlyList<SparkplugDataType> DataTypes => _types;

    /// <inheritdoc />
    public ChannelReader<DeviceEvent>? Events => _hasEdges ? _events.Reader : null;

    /// <summary>The consumer label the kernel shows for the lines (gpioinfo), e.g. <c>edgenode:Cabinet</c>.</summary>
    public string Consumer => _consumer;

    /// <summary>The clock edge events are stamped with (realtime unless the kernel is older than 5.11).</summary>
    public GpioEventClock EventClock => _clock;

    /// <inheritdoc />
    public ValueTask<DeviceReadResult> ReadAsync(DeviceReading reading, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reading);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_request is null && !TryReopen(out var reopenError))
        {
            return ValueTask.FromResult(DeviceReadResult.Dead(reopenError));
        }

        ulong bits;
        try
        {
            bits = _request!.GetValues();
        }
        catch (GpioException ex)
        {
            GpioDeviceLog.Lost(_logger, Config.Id, ex.Message);
            Detach();
            return ValueTask.FromResult(DeviceReadResult.Dead(ex.Message));
        }

        for (var i = 0; i < _lines.Length; i++)
        {
            reading.Values[i] = SparkplugValue.FromBoolean((bits >> i & 1) != 0);
            reading.Good[i] = true;
        }

        reading.TimestampMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return ValueTask.FromResult(DeviceReadResult.Ok);
    }

    /// <inheritdoc />
    public ValueTask<DeviceWriteResult> WriteAsync(int metricIndex, SparkplugValue value, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(metricIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(metricIndex, _lines.Length);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        var metric = Config.Metrics[metricIndex];
        if (_lines[metricIndex].Settings.Direction != GpioDirection.Output)
        {
            return Result(DeviceWriteStatus.Rejected, $"'{metric.Name}' is a GPIO input (line {_lines[metricIndex].Line}); only outputs can be set.");
        }

        if (value.DataType != SparkplugDataType.Boolean || value.IsNull)
        {
            return Result(DeviceWriteStatus.Rejected,
                $"GPIO output '{metric.Name}' takes a Boolean, not {(value.IsNull ? "null" : value.DataType.ToString())}.");
        }

        if (_request is null)
        {
            return Result(DeviceWriteStatus.Failed, $"GPIO device '{Config.Id}' has no lines (the chip failed); the write is dropped.");
        }

        try
        {
            _request.SetValue(_offsets[metricIndex], value.AsBoolean());
        }
        catch (GpioException ex)
        {
            GpioDeviceLog.WriteFailed(_logger, Config.Id, metric.Name, ex.Message);
            return Result(DeviceWriteStatus.Failed, ex.Message);
        }

        return ValueTask.FromResult(DeviceWriteResult.Written);
    }

    /// <summary>Stops the event pump, releases the lines and completes <see cref="Events"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stop.CancelAsync().ConfigureAwait(false);
        var request = _request;
        _request = null;
        if (request is not null)
        {
            await request.DisposeAsync().ConfigureAwait(false);
        }

        await _pump.ConfigureAwait(false);
        _events.Writer.TryComplete();
        _stop.Dispose();
    }

    private static ValueTask<DeviceWriteResult> Result(DeviceWriteStatus status, string error) =>
        ValueTask.FromResult(new DeviceWriteResult(status, error));

    /// <summary>
    /// "edgenode:&lt;device&gt;" so gpioinfo (and a busy-line error of another EdgeNode device) names the holder; the
    /// kernel keeps 31 bytes.
    /// </summary>
    internal static string ConsumerFor(string deviceId)
    {
        var consumer = "edgenode:" + deviceId;
        while (Encoding.UTF8.GetByteCount(consumer) > 31)
        {
            consumer = consumer[..^1];
        }

        return consumer;
    }

    private GpioLineRequestOptions Options()
    {
        var options = new GpioLineRequestOptions { Consumer = _consumer, EventClock = _clock };
        foreach (var line in _lines)
        {
            options.Lines.Add(line);
        }

        return options;
    }

    /// <summary>"lines[2].edge: …" → "metric 'Relay' (line 17) edge: …": the operator knows metrics, not request slots.</summary>
    private string NameMetric(string problem)
    {
        var close = problem.IndexOf(']', StringComparison.Ordinal);
        if (!problem.StartsWith("lines[", StringComparison.Ordinal) || close < 0
            || !int.TryParse(problem.AsSpan(6, close - 6), System.Globalization.CultureInfo.InvariantCulture, out var index)
            || index >= _lines.Length)
        {
            return problem;
        }

        var rest = problem[(close + 1)..].TrimStart('.');
        return $"metric '{Config.Metrics[index].Name}' (line {_lines[index].Line}) {rest}";
    }

    private GpioLineRequest Request()
    {
        using var chip = _openChip(_chip);
        var options = Options();
        try
        {
            return chip.RequestLines(options);
        }
        catch (GpioException ex) when (_hasEdges && _clock == GpioEventClock.Realtime && ex.Errno == EInval)
        {
            // Linux < 5.11 refuses GPIO_V2_LINE_FLAG_EVENT_CLOCK_REALTIME with EINVAL; monotonic stamps are converted
            // to wall-clock time when read, which is as good unless the clock is stepped in between.
            GpioDeviceLog.RealtimeClockRefused(_logger, Config.Id);
            _clock = GpioEventClock.Monotonic;
            options.EventClock = _clock;
            return chip.RequestLines(options);
        }
    }

    private void Attach(GpioLineRequest request)
    {
        _request = request;
        _offsets = [.. request.Offsets];
        GpioDeviceLog.Opened(_logger, Config.Id, _offsets.Length, request.Chip.ToString(), _consumer, _clock.ToString());
        if (_hasEdges)
        {
            _pump = PumpAsync(request, _offsets, _stop.Token);
        }
    }

    private void Detach()
    {
        var request = _request;
        _request = null;
        // Disposing completes the request's event channel, which ends its pump; the lines are released so a re-request
        // (after the chip comes back) does not find them busy.
        request?.Dispose();
    }

    private bool TryReopen(out string error)
    {
        try
        {
            Attach(Request());
            error = "";
            return true;
        }
        catch (Exception ex) when (ex is GpioException or ArgumentException)
        {
            error = $"GPIO device '{Config.Id}': {ex.Message}";
            GpioDeviceLog.ReopenFailed(_logger, Config.Id, ex.Message);
            return false;
        }
    }

    private async Task PumpAsync(GpioLineRequest request, int[] offsets, CancellationToken cancellationToken)
    {
        // Off the caller's thread from the start: the constructor and ReadAsync must not run the pump inline.
        await Task.Yield();
        try
        {
            await foreach (var edge in request.EdgeEvents.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var index = Array.IndexOf(offsets, edge.LineOffset);
                if (index >= 0)
                {
                    _events.Writer.TryWrite(new DeviceEvent(index, SparkplugValue.FromBoolean(edge.Value), edge.UnixTimeMilliseconds));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (GpioException ex)
        {
            // The chip failed; the next read finds out too and reports the device dead.
            GpioDeviceLog.EventsStopped(_logger, Config.Id, ex.Message);
        }
    }
}
