namespace EdgeNode.Testing;

/// <summary>Runs the built node (edgenode.dll beside the test assembly) as a real process.</summary>
public static class EdgeNodeCli
{
    public static string DllPath
    {
        get
        {
            var beside = Path.Combine(AppContext.BaseDirectory, "edgenode.dll");
            if (File.Exists(beside))
            {
                return beside;
            }

            return Path.Combine(RepoPaths.Root, "src", "EdgeNode", "bin", "Release", "net10.0", "edgenode.dll");
        }
    }

    /// <summary>Runs a short command (validate, --version) to completion.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(params string[] args)
    {
        await using var process = Start(args);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        // the output readers may lag the exit by a moment
        await Task.Delay(50).ConfigureAwait(false);
        return (code, process.Output);
    }

    public static ExternalProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null) =>
        ExternalProcess.Start("dotnet", [DllPath, .. args], workingDirectory, environment);
}
