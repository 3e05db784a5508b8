using EdgeNode.Configuration.Loading;

namespace EdgeNode.Configuration;

/// <summary>Loads and validates <c>edgenode-bridge</c>'s YAML file with the node's conventions and YAML reader.</summary>
public static class BridgeConfigLoader
{
    /// <summary>
    /// Loads <paramref name="path"/>: every problem in one run, as <c>FILE:LINE:COLUMN: message</c> errors naming the
    /// key or value at fault; the configuration only when there is none.
    /// </summary>
    public static BridgeConfigLoadResult Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return ConfigReader.LoadBridge(path);
    }
}

/// <summary>The outcome of loading a bridge configuration file.</summary>
public sealed record BridgeConfigLoadResult(BridgeConfig? Config, IReadOnlyList<ConfigError> Errors)
{
    /// <summary>True when the file is valid.</summary>
    public bool IsValid => Config is not null && Errors.Count == 0;
}
