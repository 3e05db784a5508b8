using System.Runtime.InteropServices;
using EdgeNode.Configuration;
using EdgeNode.Engine;
using EdgeNode.Engine.Devices;
using EdgeNode.Systemd;
using EdgeNode.Systemd.Logging;
using EdgeNode.Web;
using Microsoft.Extensions.Logging;

namespace EdgeNode;

/// <summary>
/// <c>edgenode run</c>: loads the configuration, runs the engine until SIGTERM/SIGINT, restarts it on a valid reload
/// (SIGHUP or a changed file) or an NCMD Reboot, and speaks sd_notify to systemd.
/// </summary>
internal static class RunCommand
{
    private const string WatcherReason = "file changed";

    public static async Task<int> RunAsync(FileInfo file, IReadOnlyList<IDeviceDriverFactory>? extraFactories = null)
    {
        var trace = StartupTrace.FromEnvironment();
        trace.Mark("main");
        var load = EdgeNodeConfigLoader.Load(file.FullName);
        trace.Mark("configuration loaded");
        if (!load.IsValid)
        {
            foreach (var error in load.Errors)
            {
                Console.Out.WriteLine(error.ToString());
            }

            return Cli.ExitInvalidConfig;
        }

        // The parse's tree and garbage (15 MB and more at 15,000 metrics) are dead now; the configuration that stays is a
        // fifth of it. Handing those pages back before the engine builds its own objects keeps the two from stacking up
        // into the start-up peak (./build.sh bench footprint; 4-13 ms at that size).
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

        trace.Mark("parse garbage collected");

        // The console's Overview lists recent warnings and errors: it listens to the same log.
        var problems = load.Config!.Web is null ? null : new ProblemLog();
        using var loggerFactory = LoggerFactory.Create(builder =>
        {
            builder.AddEdgeNodeConsole();
            if (problems is not null)
            {
                builder.AddProvider(problems);
            }

            builder.SetMinimumLevel(Environment.GetEnvironmentVariable("EDGENODE_LOG_LEVEL") is { } level
                && Enum.TryParse<LogLevel>(level, ignoreCase: true, out var parsed) ? parsed : LogLevel.Information);
            builder.AddFilter("EdgeNode.Mqtt", LogLevel.Warning);
        });
        var logger = loggerFactory.CreateLogger("EdgeNode");
        trace.Attach(logger);
        WarnAboutTransport(load.Config!, logger);
        try
        {
            return await RunLoadedAsync(file, load.Config!, loggerFactory, logger, extraFactories ?? DefaultFactories(loggerFactory), problems, trace)
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
        IReadOnlyList<IDeviceDriverFactory> factories, ProblemLog? problems, StartupTrace trace)
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
        var telemetry = new NodeTelemetry();
        var version = Cli.Version;
        ConsoleHost? consoleHost = null;
        var applied = ConfigFingerprint.Of(config);

        ReloadOutcome Reload(string why)
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
                return new ReloadOutcome(false, "refused: the file could not be loaded (" + ex.Message + ")");
            }

            if (!result.IsValid)
            {
                logger.LogError("Configuration reload ({Why}) refused; still running the previous map: {Errors}", why,
                    string.Join("; ", result.Errors.Select(e => e.ToString())));
                return new ReloadOutcome(false, "refused: " + string.Join("; ", result.Errors.Select(e => e.ToString())));
            }

            var next = result.Config!;
            lock (pendingLock)
            {
                // The watcher also sees a save made through SIGHUP's callers (the web console): the same files twice
                // would only rebirth the node for nothing.
                var fingerprint = ConfigFingerprint.Of(next);
                if (why == WatcherReason && fingerprint == applied)
                {
                    return new ReloadOutcome(true, "unchanged");
                }

                applied = fingerprint;
                if (next.Web != config.Web && (next.Web?.Host != config.Web?.Host || next.Web?.Port != config.Web?.Port || next.Web?.Tls != config.Web?.Tls))
                {
                    logger.LogWarning("Configuration reload ({Why}): web.listen and web.tls take effect at the next start of the node", why);
                }

                if (engine is not null && EdgeNodeEngine.CanReconfigureInSession(config, next))
                {
                    logger.LogInformation("Configuration reload ({Why}): the new map is valid; rebirth with it", why);
                    config = next;
                    consoleHost?.Config = next;
                    engine.Reconfigure(next);
                    watcher?.Update(next);
                    return new ReloadOutcome(true, "applied: the node rebirths with the new map in the same MQTT session");
                }

                logger.LogInformation("Configuration reload ({Why}): the new map is valid and changes the session; reconnecting with it", why);
                pending = next;
            }

            engine?.RequestRestart();
            return new ReloadOutcome(true, "applied: the new map changes the session; the node reconnects with it");
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
        watcher = ConfigWatcher.Start(file.FullName, config, () => Reload(WatcherReason), logger);

        WebConsole? console = null;
        if (config.Web is { } web && problems is not null)
        {
            consoleHost = new ConsoleHost(file.FullName, version, telemetry, config, Reload);
            try
            {
                console = await WebConsole.StartAsync(web, consoleHost, problems, loggerFactory, stop.Token).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // the console is a window on the node: the node runs (and publishes) without it
            catch (Exception ex)
#pragma warning restore CA1031
            {
                logger.LogError("Web console not started on {Host}:{Port}: {Error}", web.Host, web.Port, ex.Message);
            }
        }

        var stateDirectory = StateDirectory.Resolve();
        trace.Mark("host ready");
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
                        trace.Mark("READY=1");
                        // Start-up garbage (the YAML parse of 15,000 metric descriptions is tens of MB) would otherwise
                        // stay committed in the GC heap for the node's whole life: one compacting, decommitting
                        // collection once the node runs gives it back (./build.sh bench footprint, steady RSS).
                        _ = Task.Run(static () => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true));
                    }
                },
                StartupPhase = ready == 0 ? trace.Mark : null,
                LoopBeat = loopBeat.Beat,
                PollBeat = pollBeat.Beat,
                Telemetry = telemetry,
            });
            if (ready == 0)
            {
                trace.Mark("engine built");
            }

            consoleHost?.Engine = engine;
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
                    consoleHost?.Config = config;
                    pending = null;
                }

                watcher?.Update(config);
            }

            logger.LogInformation("Restarting the node session");
        }

        await stop.CancelAsync().ConfigureAwait(false);
        watcher?.Dispose();
        if (console is not null)
        {
            await console.DisposeAsync().ConfigureAwait(false);
        }

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
