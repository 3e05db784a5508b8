using System.Diagnostics;
using System.Globalization;
using System.Text;
using EdgeNode.Simulator;
using EdgeNode.Testing;

namespace EdgeNode.Benchmarks.Node;

/// <summary>What the node suites share: the farm's shape and driver, the node's configuration and process, births.</summary>
internal static class NodeRig
{
    public const int Units = 8;
    public const int RegistersPerUnit = 250;
    public const int ScanMs = 200;
    public const int FarmSeed = 11;
    public const string GroupId = "Bench";
    private static readonly TimeSpan s_birthTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The node under test: the Release build in src/, or EDGENODE_BENCH_NODE_DLL (a published or experimental build).</summary>
    public static string NodeDll => Environment.GetEnvironmentVariable("EDGENODE_BENCH_NODE_DLL") is { Length: > 0 } dll
        ? Path.GetFullPath(dll)
        : Path.Combine(RepoPaths.Root, "src", "EdgeNode", "bin", "Release", "net10.0", "edgenode.dll");

    /// <summary>EDGENODE_BENCH_NODE_EXE: a native executable to run instead of "dotnet <see cref="NodeDll"/>" (the self-contained
    /// publish's apphost, artifacts/publish/edgenode-linux-x64/edgenode, or a NativeAOT build).</summary>
    public static string? NodeExe => Environment.GetEnvironmentVariable("EDGENODE_BENCH_NODE_EXE") is { Length: > 0 } exe ? Path.GetFullPath(exe) : null;

    public static void RequireNodeBuilt()
    {
        if (NodeExe is { } exe)
        {
            if (!File.Exists(exe))
            {
                throw new InvalidOperationException($"{exe} (EDGENODE_BENCH_NODE_EXE) does not exist");
            }
        }
        else if (!File.Exists(NodeDll))
        {
            throw new InvalidOperationException($"{NodeDll} is not built (dotnet build src/EdgeNode/EdgeNode.csproj -c Release)");
        }
    }

    /// <summary>
    /// Steps the farm at random intervals, uniform in [0.5, 1.5] scans (mean one scan, so the change fraction of the farm
    /// applies per scan on average). A fixed 200 ms timer phase-locks with a 200 ms poller: every change would then wait the same
    /// arbitrary offset for the next scan and the latency would measure that offset, not the node.
    /// </summary>
    public static async Task DriveFarmAsync(RegisterFarm farm, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        var due = Stopwatch.GetTimestamp();
        try
        {
            while (true)
            {
                due += (long)(Stopwatch.Frequency * random.Next(ScanMs / 2, (ScanMs * 3 / 2) + 1) / 1000.0);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }

                farm.Step();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// The Environment= settings of the shipped unit (systemd/edgenode.service): the runtime knobs that only an
    /// environment variable can set (DOTNET_GCgen0size has no runtimeconfig name), so the benchmarks run the node as
    /// systemd does. EDGENODE_BENCH_NO_UNIT_ENV=1 leaves them out (to measure what they buy).
    /// </summary>
    public static IReadOnlyDictionary<string, string> UnitEnvironment()
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var unit = Path.Combine(RepoPaths.Root, "systemd", "edgenode.service");
        if (Environment.GetEnvironmentVariable("EDGENODE_BENCH_NO_UNIT_ENV") == "1" || !File.Exists(unit))
        {
            return settings;
        }

        foreach (var line in File.ReadLines(unit))
        {
            if (line.StartsWith("Environment=", StringComparison.Ordinal))
            {
                foreach (var assignment in line["Environment=".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    var eq = assignment.IndexOf('=', StringComparison.Ordinal);
                    if (eq > 0)
                    {
                        settings[assignment[..eq]] = assignment[(eq + 1)..];
                    }
                }
            }
        }

        return settings;
    }

    public static Task<ExternalProcess> StartNode(int brokerPort, int modbusPort, string workDirectory, string edgeNodeId, string? extraMqtt = null)
    {
        var config = Path.Combine(workDirectory, "bench.yaml");
        File.WriteAllText(config, NodeConfig(brokerPort, modbusPort, edgeNodeId, extraMqtt));
        var state = Path.Combine(workDirectory, "state");
        Directory.CreateDirectory(state);
        var environment = new Dictionary<string, string?>
        {
            ["STATE_DIRECTORY"] = state,
            ["NOTIFY_SOCKET"] = null,
            ["WATCHDOG_USEC"] = null,
            ["JOURNAL_STREAM"] = null,
        };
        foreach (var (name, value) in UnitEnvironment())
        {
            environment[name] = value;
        }

        return Task.FromResult(NodeExe is { } exe
            ? ExternalProcess.Start(exe, ["run", "--config", config], workDirectory, environment)
            : ExternalProcess.Start("dotnet", [NodeDll, "run", "--config", config], workDirectory, environment));
    }

    /// <summary>Waits until the observer saw every unit's DBIRTH; fails early when the process ends.</summary>
    public static async Task WaitForBirthsAsync(NodeTrafficObserver observer, ExternalProcess process, string label, long startedTimestamp,
        CancellationToken cancellationToken, int units = Units)
    {
        while (observer.DevicesBorn < units)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{label} exited ({process.ExitCode}) before its births:\n{Tail(process.Output)}");
            }

            if (Stopwatch.GetElapsedTime(startedTimestamp) > s_birthTimeout)
            {
                throw new TimeoutException($"{label}: {observer.DevicesBorn} of {units} DBIRTHs after {s_birthTimeout.TotalSeconds:0} s:\n{Tail(process.Output)}");
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The contract's YAML: one device per unit, one uint16 metric per holding register, named R000…R249.</summary>
    public static string NodeConfig(int brokerPort, int modbusPort, string edgeNodeId, string? extraMqtt = null)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("# generated by the node benchmark (tests/EdgeNode.Benchmarks/Node)");
        yaml.AppendLine("node:");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  groupId: {GroupId}");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  edgeNodeId: {edgeNodeId}");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  scanMs: {ScanMs}");
        yaml.AppendLine("mqtt:");
        yaml.AppendLine("  servers:");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"    - mqtt://127.0.0.1:{brokerPort}");
        if (extraMqtt is not null)
        {
            yaml.AppendLine(extraMqtt);
        }

        yaml.AppendLine("devices:");
        for (var unit = 1; unit <= Units; unit++)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - id: Unit{unit}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    scanMs: {ScanMs}");
            yaml.AppendLine("    modbus:");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"      tcp: {{ host: 127.0.0.1, port: {modbusPort} }}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"      unitId: {unit}");
            yaml.AppendLine("      timeoutMs: 1000");
            yaml.AppendLine("    metrics:");
            for (var address = 0; address < RegistersPerUnit; address++)
            {
                yaml.AppendLine(CultureInfo.InvariantCulture, $"      - {{ name: R{address:000}, table: holding, address: {address}, type: uint16 }}");
            }
        }

        return yaml.ToString();
    }

    public static double EnvSeconds(string name, double fallback) =>
        double.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? seconds
            : fallback;

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(40));

}
