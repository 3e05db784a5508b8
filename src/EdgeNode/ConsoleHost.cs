using EdgeNode.Configuration;
using EdgeNode.Engine;
using EdgeNode.Web;

namespace EdgeNode;

/// <summary>The running node as the web console sees it: the engine and configuration in force, and the SIGHUP reload.</summary>
internal sealed class ConsoleHost(string configPath, string version, NodeTelemetry telemetry, EdgeNodeConfig config,
    Func<string, ReloadOutcome> reload) : INodeHost
{
    private volatile EdgeNodeConfig _config = config;
    private volatile EdgeNodeEngine? _engine;

    public string ConfigPath { get; } = configPath;

    public EdgeNodeConfig Config
    {
        get => _config;
        set => _config = value;
    }

    public EdgeNodeEngine? Engine
    {
        get => _engine;
        set => _engine = value;
    }

    public NodeTelemetry Telemetry { get; } = telemetry;

    public string Version { get; } = version;

    public ReloadOutcome Reload(string why) => reload(why);
}
