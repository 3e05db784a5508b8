namespace EdgeNode.Engine;

/// <summary>Where the node keeps its state (bdSeq, the store by default), per the contract.</summary>
public static class StateDirectory
{
    /// <summary>
    /// <c>$STATE_DIRECTORY</c> (systemd's <c>StateDirectory=</c>; the first entry when it lists several), else
    /// <c>$XDG_STATE_HOME/edgenode</c>, else <c>~/.local/state/edgenode</c>.
    /// </summary>
    public static string Resolve(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (environment("STATE_DIRECTORY") is { Length: > 0 } state)
        {
            return state.Split(':', StringSplitOptions.RemoveEmptyEntries)[0];
        }

        if (environment("XDG_STATE_HOME") is { Length: > 0 } xdg)
        {
            return Path.Combine(xdg, "edgenode");
        }

        var home = environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".local", "state", "edgenode");
    }
}
