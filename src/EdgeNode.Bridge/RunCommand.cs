using System.Runtime.InteropServices;
using EdgeNode.Bridging;
using EdgeNode.Configuration;
using EdgeNode.Kafka;
using EdgeNode.Systemd;
using EdgeNode.Systemd.Logging;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Bridge;

/// <summary><c>edgenode-bridge run</c>: loads the file, runs the bridge until SIGTERM/SIGINT, speaks sd_notify.</summary>
internal static class RunCommand
{
    public static async Task<int> RunAsync(FileInfo file)
    {
        var load = BridgeConfigLoader.Load(file.ToString());
        if (!load.IsValid)
        {
            foreach (var error in load.Errors)
            {
                Console.Out.WriteLine(error.ToString());
            }

            return Cli.ExitInvalidConfig;
        }

        using var loggerFactory = LoggerFactory.Create(builder =>
        {
            builder.AddEdgeNodeConsole();
            builder.SetMinimumLevel(Environment.GetEnvironmentVariable("EDGENODE_LOG_LEVEL") is { } level
                && Enum.TryParse<LogLevel>(level, ignoreCase: true, out var parsed) ? parsed : LogLevel.Information);
            builder.AddFilter("EdgeNode.Mqtt", LogLevel.Warning);
            builder.AddFilter("Microsoft", LogLevel.Warning);
        });
        var logger = loggerFactory.CreateLogger("EdgeNode.Bridge");
        try
        {
            return await RunLoadedAsync(load.Config!, loggerFactory, logger).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // the process boundary: anything unexpected is logged and becomes exit code 1
        catch (Exception ex)
#pragma warning restore CA1031
        {
            logger.LogCritical(ex, "Fatal error: {Message}", ex.Message);
            return Cli.ExitFatal;
        }
    }

    /// <summary>$STATE_DIRECTORY (systemd's StateDirectory=), else $XDG_STATE_HOME/edgenode-bridge, else ~/.local/state/edgenode-bridge.</summary>
    private static string StateDirectory()
    {
        if (Environment.GetEnvironmentVariable("STATE_DIRECTORY") is { Length: > 0 } systemd)
        {
            return systemd.Split(':')[0];
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } x
            ? x
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        return Path.Combine(xdg, "edgenode-bridge");
    }

    private static async Task<int> RunLoadedAsync(BridgeConfig config, ILoggerFactory loggerFactory, ILogger logger)
    {
        using var stop = new CancellationTokenSource();
        using var notifier = new SystemdNotifier(loggerFactory.CreateLogger<SystemdNotifier>());
        var pacer = new WatchdogPacer(notifier, loggerFactory.CreateLogger<WatchdogPacer>());
        using var loopBeat = pacer.Register("bridge loop", TimeSpan.FromSeconds(30));

        void OnStop(PosixSignalContext context)
        {
            context.Cancel = true;
            notifier.Stopping();
            stop.Cancel();
        }

        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStop);

        using var producer = new KafkaRecordProducer(new KafkaProducerOptions
        {
            BootstrapServers = config.Kafka.BootstrapServers,
            Properties = config.Kafka.Properties,
            HighWaterRecords = config.Kafka.HighWaterRecords,
            StallTimeout = TimeSpan.FromMilliseconds(config.Kafka.StallTimeoutMs),
            ProbeTopic = config.Kafka.DataTopic,
        }, loggerFactory.CreateLogger("EdgeNode.Kafka"));

        var mqtt = config.Mqtt;
        using var journal = config.Kafka.Journal
            ? new RecordJournal(Path.Combine(StateDirectory(), "journal"), loggerFactory.CreateLogger("EdgeNode.Bridging"))
            : null;
        var bridge = new BridgeService(new BridgeOptions
        {
            Groups = config.Sparkplug.Groups,
            HostId = config.Sparkplug.HostId,
            RebirthMinIntervalMs = config.Sparkplug.RebirthMinIntervalMs,
            DataTopic = config.Kafka.DataTopic,
            StateTopic = config.Kafka.StateTopic,
            KeyBy = config.Kafka.KeyBy switch
            {
                BridgeKeyBySetting.Node => RecordKeyBy.Node,
                BridgeKeyBySetting.Metric => RecordKeyBy.Metric,
                _ => RecordKeyBy.Device,
            },
        }, new BridgeMqttSettings
        {
            Servers = mqtt.Servers,
            ClientId = mqtt.ClientId,
            Username = mqtt.Username,
            Password = mqtt.Password,
            KeepAliveSeconds = mqtt.KeepAliveSeconds,
            UseMqtt5 = mqtt.ProtocolVersion == MqttProtocolSetting.V500,
            ReconnectMaxMs = mqtt.ReconnectMaxMs,
            ConnectTimeoutMs = mqtt.ConnectTimeoutMs,
            CaFile = mqtt.Tls?.CaFile,
            CertFile = mqtt.Tls?.CertFile,
            KeyFile = mqtt.Tls?.KeyFile,
            ServerName = mqtt.Tls?.ServerName,
        }, producer, loggerFactory)
        {
            StatusChanged = status => notifier.Status(status),
            FirstConnectAttempted = () => notifier.Ready(),
            LoopBeat = loopBeat.Beat,
            Journal = journal,
        };

        logger.LogInformation("edgenode-bridge {Version}: MQTT {Servers} → Kafka {Bootstrap} (data {Data}, state {State}, key by {KeyBy}){Host}",
            Cli.Version, string.Join(", ", mqtt.Servers), config.Kafka.BootstrapServers, config.Kafka.DataTopic, config.Kafka.StateTopic,
            config.Kafka.KeyBy, config.Sparkplug.HostId is { } host ? $", host application {host}" : "");

        var watchdog = pacer.RunAsync(stop.Token);
        var health = producer.RunHealthAsync(stop.Token);
        await using var web = config.Web is { } webSection
            ? await BridgeWeb.StartAsync(webSection, bridge, producer, loggerFactory, stop.Token).ConfigureAwait(false)
            : null;

        await bridge.RunAsync(stop.Token).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        foreach (var task in (Task[])[watchdog, health])
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        logger.LogInformation("Stopped");
        return Cli.ExitOk;
    }
}
