using EdgeNode.Configuration.Loading;

namespace EdgeNode.Configuration;

/// <summary>Loads and validates the node's YAML configuration file (the contract's schema plus README extensions).</summary>
public static partial class EdgeNodeConfigLoader
{
    /// <summary>
    /// Device metric names may not start with these: the node publishes its own control metrics under them.
    /// </summary>
    public static IReadOnlyList<string> ReservedMetricPrefixes { get; } = ConfigReader.ReservedPrefixes;

    /// <summary>
    /// Loads <paramref name="path"/>: every problem of the file (and of included type files) is reported in one run,
    /// each with the file (as named: <paramref name="path"/>, or joined from an <c>include:</c> folder), the 1-based line
    /// and column of the key or value at fault, and a message naming it. The configuration is returned only when
    /// there is no problem at all.
    /// </summary>
    public static ConfigLoadResult Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return ConfigReader.Load(path);
    }
}
