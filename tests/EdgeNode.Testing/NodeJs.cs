namespace EdgeNode.Testing;

/// <summary>Runs the npm peers' scripts in tests/interop (Tahu's codec, MQTT.js) with Debian's node.</summary>
public static class NodeJs
{
    public static string Executable => Peers.Which("node") ?? Peers.RequireDebian("node", "nodejs");

    /// <summary>Runs <paramref name="script"/> (a file in tests/interop) to completion and returns its stdout.</summary>
    public static string Run(string script, IEnumerable<string>? args = null, string? stdin = null, TimeSpan? timeout = null)
    {
        var dir = Peers.RequireNodeModules();
        return Peers.Run(Executable, [Path.Combine(dir, script), .. args ?? []], timeout ?? TimeSpan.FromMinutes(2), dir, stdin);
    }

    /// <summary>Starts a long-running script (a subscriber, a publisher) as a peer process.</summary>
    public static ExternalProcess Start(string script, IEnumerable<string>? args = null)
    {
        var dir = Peers.RequireNodeModules();
        return ExternalProcess.Start(Executable, [Path.Combine(dir, script), .. args ?? []], dir);
    }
}
