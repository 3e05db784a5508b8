using EdgeNode.Engine.Devices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Engine;

/// <summary>What the engine needs from its host besides the configuration.</summary>
public sealed record EngineOptions
{
    /// <summary>Where bdSeq and (by default) the store live.</summary>
    public required string StateDirectory { get; init; }

    /// <summary>Loggers.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Extra driver factories (GPIO, I2C, test fakes); a Modbus factory is always present.</summary>
    public IReadOnlyList<IDeviceDriverFactory> DriverFactories { get; init; } = [];

    /// <summary>The node's software version (metric <c>Node Info/Version</c>).</summary>
    public string Version { get; init; } = "0.0.0";

    /// <summary>Called with a one-line state whenever it changes (systemd STATUS=).</summary>
    public Action<string>? StatusChanged { get; init; }

    /// <summary>Called once the first broker connection attempt has completed (systemd READY=1).</summary>
    public Action? FirstConnectAttempted { get; init; }

    /// <summary>Called with the name of each start-up step done (store opened, devices created, ...): the host's start-up trace.</summary>
    public Action<string>? StartupPhase { get; init; }

    /// <summary>Called by the event loop every time it runs (liveness for the systemd watchdog).</summary>
    public Action? LoopBeat { get; init; }

    /// <summary>Called by device scan loops after each scan (liveness for the systemd watchdog).</summary>
    public Action? PollBeat { get; init; }

    /// <summary>Most time a clean stop may take before the process gives up waiting for the broker.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Changes per historical replay message batch.</summary>
    public int ReplayBatchSize { get; init; } = 500;

    /// <summary>How often unconfirmed live data is proven delivered with a PINGREQ.</summary>
    public TimeSpan DeliveryProofInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Counters that outlive this engine (web console, Prometheus); null: not counted.</summary>
    public NodeTelemetry? Telemetry { get; init; }

    /// <summary>Time source (tests).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
