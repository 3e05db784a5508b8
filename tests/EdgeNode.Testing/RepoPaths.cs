namespace EdgeNode.Testing;

/// <summary>Locates the repository from a test's working directory (bin/Release/net10.0 under tests/).</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    public static string Root => s_root.Value;

    public static string Tests => Path.Combine(Root, "tests");

    /// <summary>The npm folder holding the independent peers (Tahu's sparkplug-payload, MQTT.js).</summary>
    public static string Interop => Path.Combine(Root, "tests", "interop");

    public static string Config => Path.Combine(Root, "config");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeNode.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"EdgeNode.sln not found above {AppContext.BaseDirectory}");
    }
}
