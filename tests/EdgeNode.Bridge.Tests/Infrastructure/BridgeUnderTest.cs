using System.Globalization;
using EdgeNode.Testing;

namespace EdgeNode.Bridge.Tests.Infrastructure;

/// <summary>The built bridge (<c>edgenode-bridge run --config FILE</c>) as a real process, as systemd would run it.</summary>
public sealed class BridgeUnderTest : IAsyncDisposable
{
    private readonly System.Text.StringBuilder _previous = new();
    private ExternalProcess? _process;

    private BridgeUnderTest(string yaml)
    {
        Directory = Path.Combine(Path.GetTempPath(), $"edgenode-bridge-e2e-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(Directory);
        ConfigPath = Path.Combine(Directory, "edgenode-bridge.yaml");
        File.WriteAllText(ConfigPath, yaml);
    }

    public string Directory { get; }

    public string ConfigPath { get; }

    public ExternalProcess? Process => _process;

    public string Output => _previous + (_process?.Output ?? "");

    public static string DllPath
    {
        get
        {
            var beside = Path.Combine(AppContext.BaseDirectory, "edgenode-bridge.dll");
            return File.Exists(beside) ? beside : Path.Combine(RepoPaths.Root, "src", "EdgeNode.Bridge", "bin", "Release", "net10.0", "edgenode-bridge.dll");
        }
    }

    public static BridgeUnderTest Start(string yaml)
    {
        var bridge = new BridgeUnderTest(yaml);
        bridge.Start();
        return bridge;
    }

    public void Start()
    {
        if (_process is not null)
        {
            _previous.Append("--- previous run ---\n").Append(_process.Output).Append('\n');
        }

        _process = Run(["run", "--config", ConfigPath], Directory);
    }

    public static ExternalProcess Run(IEnumerable<string> args, string? directory = null) =>
        ExternalProcess.Start("dotnet", [DllPath, .. args], directory, new Dictionary<string, string?>
        {
            ["NOTIFY_SOCKET"] = null,
            ["WATCHDOG_USEC"] = null,
            ["WATCHDOG_PID"] = null,
            ["JOURNAL_STREAM"] = null,
            ["INVOCATION_ID"] = null,
            // its own journal: never replay another test's records
            ["STATE_DIRECTORY"] = Path.Combine(directory ?? Path.GetTempPath(), "state"),
            // Debug traces every record to its partition and offset (EDGENODE_TEST_BRIDGE_LOG_LEVEL=Debug when hunting a loss).
            ["EDGENODE_LOG_LEVEL"] = Environment.GetEnvironmentVariable("EDGENODE_TEST_BRIDGE_LOG_LEVEL"),
        });

    public static async Task<(int ExitCode, string Output)> RunToExitAsync(params string[] args)
    {
        await using var process = Run(args);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(50);
        return (code, process.Output);
    }

    public Task WaitForLogAsync(string fragment, TimeSpan timeout) =>
        (_process ?? throw new InvalidOperationException("not started")).WaitForLineAsync(fragment, timeout);

    /// <summary>Waits for a line with <paramref name="fragment"/> written after the <paramref name="seen"/> ones already there.</summary>
    public async Task WaitForNewLogAsync(string fragment, int seen, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Count(fragment) <= seen)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no new line with '{fragment}' within {timeout.TotalSeconds:0} s:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>How many lines of the current run contain <paramref name="fragment"/>.</summary>
    public int Count(string fragment) =>
        (_process?.Output ?? "").Split('\n').Count(l => l.Contains(fragment, StringComparison.Ordinal));

    public async Task<int> StopAsync()
    {
        var process = _process ?? throw new InvalidOperationException("not started");
        if (process.HasExited)
        {
            return process.ExitCode;
        }

        process.Signal(Signals.SIGTERM);
        return await process.WaitForExitAsync(TimeSpan.FromSeconds(45));
    }

    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static string Yaml(int mqttPort, string bootstrap, string? hostId = "KafkaBridge", int? webPort = null, string extraKafka = "", string mqttExtra = "") =>
        string.Create(CultureInfo.InvariantCulture, $"""
            mqtt:
              servers: ["mqtt://127.0.0.1:{mqttPort}"]
              clientId: bridge-under-test
              reconnectMaxMs: 500
            {mqttExtra}
            sparkplug:
              {(hostId is null ? "rebirthMinIntervalMs: 1000" : $"hostId: {hostId}\n  rebirthMinIntervalMs: 1000")}
            kafka:
              bootstrapServers: "{bootstrap}"
              stallTimeoutMs: 2000
            {(Environment.GetEnvironmentVariable("EDGENODE_TEST_RDKAFKA_DEBUG") is { Length: > 0 } debug && !extraKafka.Contains("properties", StringComparison.Ordinal) ? $"  properties: {{ debug: \"{debug}\" }}" : "")}
            {extraKafka}
            {(webPort is null ? "" : $"web: {{ listen: \"127.0.0.1:{webPort}\" }}")}
            """);
}
