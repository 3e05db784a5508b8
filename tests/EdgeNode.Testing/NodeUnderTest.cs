using System.Text;

namespace EdgeNode.Testing;

/// <summary>
/// The real node (<c>edgenode run --config FILE</c>) as a black box for end-to-end tests: its YAML written to a fresh
/// temp folder, its own state directory (<c>$STATE_DIRECTORY</c>: bdSeq, store), started and stopped the way systemd
/// or an operator would (SIGTERM), killed like a power cut (SIGKILL), frozen like a stalled process (SIGSTOP), and
/// restarted on the same files. Its output over all runs is kept for failure messages.
/// </summary>
public sealed class NodeUnderTest : IAsyncDisposable
{
    private readonly StringBuilder _previousOutput = new();
    private ExternalProcess? _process;
    private int _runs;

    private NodeUnderTest(string directory, string yaml)
    {
        Directory = directory;
        ConfigPath = Path.Combine(directory, "edgenode.yaml");
        StateDirectory = Path.Combine(directory, "state");
        System.IO.Directory.CreateDirectory(StateDirectory);
        File.WriteAllText(ConfigPath, yaml);
    }

    /// <summary>The temp folder holding the configuration and the state directory.</summary>
    public string Directory { get; }

    /// <summary>The YAML file passed with <c>--config</c>.</summary>
    public string ConfigPath { get; }

    /// <summary>The node's <c>$STATE_DIRECTORY</c>.</summary>
    public string StateDirectory { get; }

    /// <summary>The current run (null before the first start).</summary>
    public ExternalProcess? Process => _process;

    /// <summary>True while the current run has not exited (a frozen node counts as running).</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>How many times the node was started.</summary>
    public int Runs => _runs;

    /// <summary>Everything the node wrote, over all runs, each run headed by a marker line.</summary>
    public string Output => _previousOutput + (_process is null ? "" : $"--- run {_runs} ---\n{_process.Output}\n");

    /// <summary>Writes the configuration to a new temp folder; the node is not started.</summary>
    public static NodeUnderTest Create(string yaml)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"edgenode-e2e-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(directory);
        return new NodeUnderTest(directory, yaml);
    }

    /// <summary>Writes the configuration and starts the node.</summary>
    public static NodeUnderTest Start(string yaml)
    {
        var node = Create(yaml);
        node.Start();
        return node;
    }

    /// <summary>Starts a run (after <see cref="Create"/>, or again after a stop or a kill).</summary>
    public void Start()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("the node is already running");
        }

        if (_process is not null)
        {
            var header = "--- run " + _runs.ToString(System.Globalization.CultureInfo.InvariantCulture) + " (exit " + ExitCodeText(_process) + ") ---\n";
            _previousOutput.Append(header).Append(_process.Output).Append('\n');
        }

        _runs++;
        var environment = new Dictionary<string, string?>
        {
            ["STATE_DIRECTORY"] = StateDirectory,
            ["XDG_STATE_HOME"] = Path.Combine(Directory, "xdg-state"),
            // never talk to a systemd that may supervise the test runner
            ["NOTIFY_SOCKET"] = null,
            ["WATCHDOG_USEC"] = null,
            ["WATCHDOG_PID"] = null,
            ["JOURNAL_STREAM"] = null,
            ["INVOCATION_ID"] = null,
        };
        _process = EdgeNodeCli.Start(["run", "--config", ConfigPath], environment, Directory);
    }

    /// <summary>Replaces the configuration file's content in place (what an editor's save or a config push does).</summary>
    public void WriteConfig(string yaml) => File.WriteAllText(ConfigPath, yaml);

    /// <summary>
    /// SIGTERM and wait for the exit; returns the exit code. A node still running after <paramref name="timeout"/> is
    /// killed and a <see cref="TimeoutException"/> names the overrun.
    /// </summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        var process = _process ?? throw new InvalidOperationException("the node was never started");
        if (process.HasExited)
        {
            return process.ExitCode;
        }

        process.Thaw();
        process.Signal(Signals.SIGTERM);
        try
        {
            return await process.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            process.Kill();
            throw new TimeoutException($"the node did not exit within {(timeout ?? TimeSpan.FromSeconds(10)).TotalSeconds:0.#} s of SIGTERM:\n{OutputTail()}");
        }
    }

    /// <summary>SIGKILL (kill -9): no shutdown code runs, the broker publishes the will.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
    }

    /// <summary>SIGTERM, then start again on the same configuration and state directory.</summary>
    public async Task<int> RestartAsync()
    {
        var code = await StopAsync().ConfigureAwait(false);
        Start();
        return code;
    }

    /// <summary>SIGSTOP: the node stops running but keeps its sockets.</summary>
    public void Freeze() => (_process ?? throw new InvalidOperationException("not started")).Freeze();

    /// <summary>SIGCONT after <see cref="Freeze"/>.</summary>
    public void Thaw() => _process?.Thaw();

    /// <summary>SIGHUP: reload the configuration.</summary>
    public void Hangup() => (_process ?? throw new InvalidOperationException("not started")).Signal(Signals.SIGHUP);

    /// <summary>Waits for the current run to exit; returns its exit code.</summary>
    public Task<int> WaitForExitAsync(TimeSpan timeout) =>
        (_process ?? throw new InvalidOperationException("not started")).WaitForExitAsync(timeout);

    /// <summary>The last <paramref name="lines"/> lines of <see cref="Output"/>, headed for a failure message.</summary>
    public string OutputTail(int lines = 60)
    {
        var all = Output.Split('\n');
        var tail = all.Skip(Math.Max(0, all.Length - lines));
        var state = _process is null ? "never started" : _process.HasExited ? $"exited {_process.ExitCode}" : "running";
        return $"node ({state}, run {_runs}, config {ConfigPath}) output, last {lines} lines:\n" + string.Join('\n', tail);
    }

    /// <summary>Files in the state directory (name and size), for assertions and messages.</summary>
    public IReadOnlyList<(string Name, long Size)> StateFiles() =>
        System.IO.Directory.Exists(StateDirectory)
            ? new DirectoryInfo(StateDirectory).EnumerateFiles("*", SearchOption.AllDirectories)
                .Select(f => (Path.GetRelativePath(StateDirectory, f.FullName), f.Length)).OrderBy(f => f.Item1, StringComparer.Ordinal).ToList()
            : [];

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a leftover temp folder is harmless
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string ExitCodeText(ExternalProcess process) => process.HasExited ? process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?";
}
