using System.Security.Cryptography;
using EdgeNode.Addressing;
using EdgeNode.Mqtt;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Monitor;

/// <summary>
/// A Sparkplug B sniffer: connects to a broker with our MQTT client, subscribes to the Sparkplug namespace (or one
/// group, plus STATE), decodes every message and prints it to <c>output</c> as a text block or a JSON line.
/// Connection news (connected, lost, waiting for the broker) goes to <c>status</c>, one short line each; when the
/// broker goes away the monitor reconnects on its own (back-off capped at 5 s) and the alias maps survive, so DATA
/// after a broker restart still shows names.
/// </summary>
public sealed class SparkplugMonitor
{
    private readonly SparkplugMonitorOptions _options;
    private readonly TextWriter _output;
    private readonly TextWriter _status;
    private readonly ILogger? _logger;
    private readonly TimeProvider _time;
    private readonly SparkplugMessageInterpreter _interpreter = new();
    private readonly MonitorTextFormatter _text;
    private int _printed;

    /// <summary>Creates a monitor.</summary>
    /// <param name="options">Broker, filters and output format.</param>
    /// <param name="output">Where decoded messages go (stdout).</param>
    /// <param name="status">Where connection news goes (stderr).</param>
    /// <param name="logger">MQTT client logging; null for none (the status lines say what a technician needs).</param>
    /// <param name="time">Clock for receive times; null for the system clock.</param>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="SparkplugMonitorOptions.Validate"/>).</exception>
    public SparkplugMonitor(SparkplugMonitorOptions options, TextWriter output, TextWriter status, ILogger? logger = null,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(status);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(options));
        }

        _options = options;
        _output = output;
        _status = status;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _text = new MonitorTextFormatter(options.Color, options.TimeZone);
    }

    /// <summary>Messages printed so far.</summary>
    public int Printed => Volatile.Read(ref _printed);

    /// <summary>
    /// Runs until <see cref="SparkplugMonitorOptions.Count"/> messages were printed or <paramref name="cancellationToken"/>
    /// is cancelled (Ctrl-C), then disconnects. Returns the number of messages printed.
    /// </summary>
    /// <exception cref="MonitorRefusedException">The broker refused the connection (credentials, authorisation).</exception>
    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = _options.Server;
        var filters = _options.TopicFilters;
        var waitingReported = false;

        await using var supervisor = new MqttConnectionSupervisor([server], _ => ClientOptions(server), logger: _logger);
        supervisor.ApplicationMessageReceivedAsync = message =>
        {
            if (!done.Task.IsCompleted)
            {
                Print(message);
                if (_options.Count is { } count && Printed >= count)
                {
                    done.TrySetResult();
                }
            }

            return Task.CompletedTask;
        };
        supervisor.ConnectedAsync = async connected =>
        {
            var result = await connected.Client.SubscribeAsync(
                filters.Select(f => new MqttTopicFilter(f, MqttQualityOfService.AtLeastOnce)).ToList(), connected.SessionToken).ConfigureAwait(false);
            var refused = result.Items.Where(i => !i.IsSuccess).Select(i => $"{i.Filter.Topic} ({i.ReasonCode})").ToList();
            waitingReported = false;
            Status(refused.Count == 0
                ? $"monitoring {string.Join(", ", filters)} on {server}"
                : $"connected to {server}, but the broker refused the subscription to {string.Join(", ", refused)}");
        };
        supervisor.ConnectionLostAsync = lost =>
        {
            if (!done.Task.IsCompleted)
            {
                Status($"connection to {server} lost ({lost.Reason.Kind}); reconnecting");
            }

            return Task.CompletedTask;
        };
        supervisor.AttemptCompletedAsync = attempt =>
        {
            switch (attempt.Outcome)
            {
                case MqttConnectAttemptOutcome.Refused:
                    done.TrySetException(new MonitorRefusedException(
                        $"the broker at {server} refused the connection: {attempt.Result?.ResultCode.ToString() ?? "refused"}"
                        + (attempt.Result?.ReasonString is { } reason ? $" ({reason})" : "")));
                    break;
                case MqttConnectAttemptOutcome.TransportFailed or MqttConnectAttemptOutcome.NoConnAck when !waitingReported:
                    // One line, not one per attempt: the broker may take a while to come (back).
                    waitingReported = true;
                    Status($"waiting for the broker at {server}: {attempt.Exception?.Message ?? attempt.Outcome.ToString()}");
                    break;
            }

            return Task.CompletedTask;
        };

        supervisor.Start();
        using (cancellationToken.Register(() => done.TrySetResult()))
        {
            try
            {
                await done.Task.ConfigureAwait(false);
            }
            finally
            {
                await supervisor.StopAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
                await _output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        return Printed;
    }

    private void Print(MqttApplicationMessage message)
    {
        var monitored = _interpreter.Interpret(message.Topic, message.Payload, _time.GetUtcNow(), message.Retain);
        if (_options.Json)
        {
            _output.Write(MonitorJsonFormatter.Format(monitored) + "\n");
        }
        else
        {
            _output.Write(_text.Format(monitored));
        }

        Interlocked.Increment(ref _printed);
    }

    private void Status(string line) => _status.Write(line + "\n");

    private MqttClientOptions ClientOptions(MqttServerEndpoint server)
    {
        var options = new MqttClientOptions
        {
            ClientId = _options.ClientId ?? $"edgenode-monitor-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}",
            Username = _options.Username,
            Password = _options.Password,
            KeepAliveSeconds = 30,
            CleanSession = true,
            // BIRTHs of big Edge Nodes (Template definitions, many devices) can exceed the 1 MiB default.
            MaxPacketSize = 16 * 1024 * 1024,
        }.WithEndpoint(server);
        options.Tls.CaFile = _options.CaFile;
        return options;
    }
}

/// <summary>The broker refused the monitor's connection (bad credentials, not authorised): retrying will not help.</summary>
public sealed class MonitorRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MonitorRefusedException()
    {
    }

    /// <summary>Creates the exception with a reason.</summary>
    public MonitorRefusedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a reason and a cause.</summary>
    public MonitorRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
