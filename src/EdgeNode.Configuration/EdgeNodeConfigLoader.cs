namespace EdgeNode.Configuration;

/// <summary>Loads and validates the node's YAML configuration file (the contract's schema plus README extensions).</summary>
public static class EdgeNodeConfigLoader
{
    /// <summary>Loads <paramref name="path"/>: every problem of the file (and of included type files) is reported in one run.</summary>
    public static ConfigLoadResult Load(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            return new ConfigLoadResult(null, [new ConfigError(full, 1, 1, "file not found")]);
        }

        return new ConfigLoadResult(null, [new ConfigError(full, 1, 1, "configuration loader not written yet")]);
    }
}
