using System.Runtime.InteropServices;
using EdgeNode.Configuration;
using EdgeNode.Engine;
using EdgeNode.Engine.Devices;
using EdgeNode.Systemd;
using EdgeNode.Systemd.Logging;
using Microsoft.Extensions.Logging;

namespace EdgeNode;

/// <summary>
/// <c>edgenode run</c>: loads the configuration, runs the engine until SIGTERM/SIGINT, restarts it on a valid reload
/// (SIGHUP or a changed file) or an NCMD Reboot, and speaks sd_notify to systemd.
/// </summary>
internal static class RunCommand
{
    public static async Task<int> RunAsync(FileInfo file, IReadOnlyList<IDeviceDriverFactory>? extraFactories = null)
    {
        var load = EdgeNodeConfigLoader.Load(file.FullName);
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
        });
        var logger = loggerFactory.CreateLogger("EdgeNode");
        WarnAboutTransport(load.Config!, logger);
        try
        {
            return await RunLoadedAsync(file, load.Config!, loggerFactory, logger, extraFactories ?? DefaultFactories(loggerFactory))
                .ConfigureAwait(false);
        }
#pragma warning disable CA1031 // the process boundary: anything unexpected is logged and becomes exit code 1
        catch (Exception ex)
#pragma warning restore CA1031
        {
            logger.LogCritical(ex, "Fatal error: {Message}", ex.Message);
            return Cli.ExitFatal;
        }
    }

    /// <summary>
    /// A <c>tls:</c> block beside only mqtt:// servers is valid (the contract's example has one) but encrypts nothing:
    /// say so where a technician looks, at every start.
    /// </summary>
    private static void WarnAboutTransport(EdgeNodeConfig config, ILogger logger)
    {
        if (config.Mqtt.TlsUnused)
        {
            logger.LogWarning("mqtt.tls is set but every server is mqtt:// (plain): the TLS settings are not used and the broker " +
                "connection is not encrypted{Credentials}; use mqtts:// servers", config.Mqtt.Username is not null || config.Mqtt.Password is not null
                ? ", the username and password travel in clear" : "");
        }
    }

    private static IReadOnlyList<IDeviceDriverFactory> DefaultFactories(ILoggerFactory loggerFactory) => HardwareFactories.Create(loggerFactory);

    private static async Task<int> RunLoadedAsync(FileInfo file, EdgeNodeConfig config, ILoggerFactory loggerFactory, ILogger logger,
        IReadOnlyList<IDeviceDriverFactory> factories)
    {
        using var stop = new CancellationTokenSource();
        using var notifier = new SystemdNotifier(loggerFactory.CreateLogger<SystemdNotifier>());
        var pacer = new WatchdogPacer(notifier, loggerFactory.CreateLogger<WatchdogPacer>());
        using var loopBeat = pacer.Register("event loop", TimeSpan.FromSeconds(30));
        // The engine beats this each second while every device's scan loop progresses (see DeviceRuntime.IsProgressing).
        using var pollBeat = pacer.Register("device scans", TimeSpan.FromSeconds(30));
        var watchdog = pacer.RunAsync(stop.Token);

        EdgeNodeEngine? engine = null;
        EdgeNodeConfig? pending = null;
        var pendingLock = new Lock();
        var ready = 0;
        ConfigWatcher? watcher = null;

        void Reload(string why)
        {
            ConfigLoadResult result;
            try
            {
                result = EdgeNodeConfigLoader.Load(file.FullName);
            }
#pragma warning disable CA1031 // a reload runs on a timer or signal thread: whatever fails, the running map stays
            catch (Exception ex)
#pragma warning restore CA1031
            {
                logger.LogError(ex, "Configuration reload ({Why}) refused; still running the previous map: the file could not be loaded ({Error})",
                    why, ex.Message);
                return;
            }


            if (!result.IsValid)
            {
                logger.LogError("Configuration reload ({Why}) refused; still running the previous map: {Errors}", why,
                    string.Join("; ", result.Errors.Select(e => e.ToString())));
                return;
            }

            var next = result.Config!;
            lock (pendingLock)
            {
                if (engine is not null && EdgeNodeEngine.CanReconfigureInSession(config, next))
                {
                    logger.LogInformation("Configuration reload ({Why}): the new map is valid; rebirth with it", why);
                    config = next;
                    engine.Reconfigure(next);
                    watcher?.Update(next);
                    return;
                }

                logger.LogInformation("Configuration reload ({Why}): the new map is valid and changes the session; reconnecting with it", why);
                pending = next;
            }

            engine?.RequestRestart();
        }

        void OnStop(PosixSignalContext context)
        {
            context.Cancel = true;
            notifier.Stopping();
            stop.Cancel();
        }

        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStop);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            Reload("SIGHUP");
        });
        watcher = ConfigWatcher.Start(file.FullName, config, () => Reload("file changed"), logger);

        var version = Cli.Version;
        var stateDirectory = StateDirectory.Resolve();
        while (true)
        {
            engine = new EdgeNodeEngine(config, new EngineOptions
            {
                StateDirectory = stateDirectory,
                LoggerFactory = loggerFactory,
                DriverFactories = factories,
                Version = version,
                StatusChanged = status => notifier.Status(status),
                FirstConnectAttempted = () =>
                {
                    if (Interlocked.Exchange(ref ready, 1) == 0)
                    {
                        notifier.Ready();
                    }
                },
                LoopBeat = loopBeat.Beat,
                PollBeat = pollBeat.Beat,
            });
            var exit = await engine.RunAsync(stop.Token).ConfigureAwait(false);
            if (exit == EngineExit.Stopped || stop.IsCancellationRequested)
            {
                break;
            }

            lock (pendingLock)
            {
                if (pending is not null)
                {
                    config = pending;
                    pending = null;
                }

                watcher?.Update(config);
            }

            logger.LogInformation("Restarting the node session");
        }

        await stop.CancelAsync().ConfigureAwait(false);
        watcher?.Dispose();
        try
        {
            await watchdog.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        logger.LogInformation("Stopped");
        return Cli.ExitOk;
    }
}
