namespace EdgeNode.Configuration.Tests;

/// <summary>A scratch folder holding a configuration file (and type libraries, TLS files) for one test.</summary>
internal sealed class TempConfig : IDisposable
{
    public TempConfig()
    {
        Dir = Path.Combine(Path.GetTempPath(), "edgenode-config-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Dir);
    }

    public string Dir { get; }

    public string MainPath => Path.Combine(Dir, "edgenode.yaml");

    public string Write(string relative, string text)
    {
        var path = Path.Combine(Dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public ConfigLoadResult Load(string yaml)
    {
        Write("edgenode.yaml", yaml);
        return EdgeNodeConfigLoader.Load(MainPath);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Loads <paramref name="yaml"/> in a fresh folder.</summary>
    public static ConfigLoadResult LoadText(string yaml)
    {
        using var temp = new TempConfig();
        return temp.Load(yaml);
    }
}

internal static class ConfigAssert
{
    public static EdgeNodeConfig Valid(ConfigLoadResult result)
    {
        Assert.True(result.Errors.Count == 0, "unexpected errors:\n" + string.Join('\n', result.Errors));
        Assert.NotNull(result.Config);
        return result.Config!;
    }

    /// <summary>Exactly one error, at line:column, whose message contains every fragment.</summary>
    public static ConfigError Single(ConfigLoadResult result, int line, int column, params string[] fragments)
    {
        Assert.Null(result.Config);
        Assert.True(result.Errors.Count == 1, $"expected one error at {line}:{column}, got:\n" + string.Join('\n', result.Errors));
        var error = result.Errors[0];
        AssertAt(error, line, column, fragments);
        return error;
    }

    /// <summary>Some error at line:column whose message contains every fragment.</summary>
    public static ConfigError Has(ConfigLoadResult result, int line, int column, params string[] fragments)
    {
        Assert.Null(result.Config);
        var match = result.Errors.FirstOrDefault(e => e.Line == line && e.Column == column && fragments.All(f => e.Message.Contains(f, StringComparison.Ordinal)));
        Assert.True(match is not null, $"no error at {line}:{column} containing [{string.Join(" | ", fragments)}] among:\n" + string.Join('\n', result.Errors));
        return match!;
    }

    private static void AssertAt(ConfigError error, int line, int column, string[] fragments)
    {
        Assert.True(error.Line == line && error.Column == column, $"expected {line}:{column}, got {error}");
        foreach (var fragment in fragments)
        {
            Assert.True(error.Message.Contains(fragment, StringComparison.Ordinal), $"'{fragment}' not in: {error}");
        }
    }
}
