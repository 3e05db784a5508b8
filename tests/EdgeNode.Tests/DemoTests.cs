using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using EdgeNode.Testing;

namespace EdgeNode.Tests;

/// <summary>
/// <c>./build.sh demo</c> as a user runs it: Mosquitto, the simulated turbine, the node on config/demo.yaml and the
/// monitor come up and the console shows the turbine's decoded Sparkplug traffic; Ctrl-C (SIGINT) stops every piece.
/// Runs on free ports (EDGENODE_DEMO_MQTT_PORT/EDGENODE_DEMO_MODBUS_PORT) and without building again
/// (EDGENODE_DEMO_NO_BUILD=1: the test run already built).
/// </summary>
public sealed partial class DemoTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    private static string BuildSh => Path.Combine(RepoPaths.Root, "build.sh");

    [Fact]
    public async Task Demo_ShowsDecodedTurbineDataAndSigintStopsEveryPiece()
    {
        var environment = DemoEnvironment();
        // SIGINT at its default whatever the test runner inherited (`./build.sh test &` passes it on ignored).
        await using var demo = ExternalProcess.Start("env", ["--default-signal=INT", BuildSh, "demo"], RepoPaths.Root, environment);

        await WaitForAsync(demo, () => DeviceBirthWithRotorSpeed().IsMatch(demo.Output), "a decoded DBIRTH of Turbine1 with Rotor/Speed");
        await WaitForAsync(demo, () => DeviceDataWithRotorSpeed().IsMatch(demo.Output), "a decoded DDATA of Turbine1 with Rotor/Speed");

        var pids = PidPattern().Matches(demo.Output).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(4, pids.Count); // broker, turbine, monitor, node
        Assert.All(pids, pid => Assert.True(IsAlive(pid), $"demo piece {pid} is not running"));
        var temp = TempPattern().Match(demo.Output).Groups[1].Value;
        Assert.True(Directory.Exists(temp), $"no temp dir in:\n{demo.Output}");

        demo.Signal(Signals.SIGINT);
        await demo.WaitForExitAsync(Wait);

        Assert.All(pids, pid => Assert.False(IsAlive(pid), $"demo piece {pid} still runs after SIGINT:\n{demo.Output}"));
        Assert.False(Directory.Exists(temp), $"{temp} was not removed");
        // The node was stopped first, cleanly: its death certificate still reached the monitor.
        Assert.Matches(@"NDEATH  Demo/Gateway01  bdSeq=\d+", demo.Output);
        Assert.Contains("demo stopped", demo.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_StartedWithSigintIgnored_StillStopsEveryPieceOnSigint()
    {
        // What a script or CI runner that starts `./build.sh test &` hands down: SIGINT ignored at entry, which a
        // non-interactive bash can neither trap nor reset. The demo runs itself again with SIGINT at its default.
        await using var demo = ExternalProcess.Start("env", ["--ignore-signal=INT", BuildSh, "demo"], RepoPaths.Root, DemoEnvironment());
        var (pids, temp) = await WaitUntilUpAsync(demo);

        demo.Signal(Signals.SIGINT);
        await demo.WaitForExitAsync(Wait);

        Assert.All(pids, pid => Assert.False(IsAlive(pid), $"demo piece {pid} still runs after SIGINT:\n{demo.Output}"));
        Assert.False(Directory.Exists(temp), $"{temp} was not removed");
        Assert.Contains("demo stopped", demo.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_PipedIntoTeeThatDiesFirst_CleanupStillStopsEveryPiece()
    {
        // `./build.sh demo 2>&1 | tee demo.log`, then Ctrl-C: tee dies first, so every line the cleanup writes goes into
        // a pipe without a reader. The demo's own output reaches the test through tee. SIGPIPE at its default, as in a
        // terminal: a .NET parent (the test runner) ignores it and its children would inherit that.
        var log = Path.Combine(Path.GetTempPath(), $"edgenode-demo-tee-{Guid.NewGuid():N}.log");
        const string Script = "exec > >(exec tee \"$1\") 2>&1; echo \"tee pid $!\"; exec \"$2\" demo";
        await using var demo = ExternalProcess.Start("env", ["--default-signal=INT,PIPE", "bash", "-c", Script, "demo-tee", log, BuildSh],
            RepoPaths.Root, DemoEnvironment());
        try
        {
            var teeLine = await demo.WaitForLineAsync("tee pid ", Wait);
            var tee = int.Parse(teeLine["tee pid ".Length..], CultureInfo.InvariantCulture);
            var (pids, temp) = await WaitUntilUpAsync(demo);

            Assert.Equal(0, kill(tee, Signals.SIGKILL));
            demo.Signal(Signals.SIGINT);
            await demo.WaitForExitAsync(Wait);

            Assert.All(pids, pid => Assert.False(IsAlive(pid), $"demo piece {pid} still runs after SIGINT with a dead tee:\n{demo.Output}"));
            Assert.False(Directory.Exists(temp), $"{temp} was not removed");
        }
        finally
        {
            File.Delete(log);
        }
    }

    private static Dictionary<string, string?> DemoEnvironment() => new()
    {
        ["EDGENODE_DEMO_NO_BUILD"] = "1",
        ["EDGENODE_DEMO_MQTT_PORT"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
        ["EDGENODE_DEMO_MODBUS_PORT"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
        ["NO_COLOR"] = "1",
    };

    /// <summary>Until all four pieces run; their pids and the demo's temp folder.</summary>
    private static async Task<(List<int> Pids, string Temp)> WaitUntilUpAsync(ExternalProcess demo)
    {
        await WaitForAsync(demo, () => demo.Output.Contains("Ctrl-C stops everything", StringComparison.Ordinal), "the demo's start-up");
        var pids = PidPattern().Matches(demo.Output).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(4, pids.Count); // broker, turbine, monitor, node
        Assert.All(pids, pid => Assert.True(IsAlive(pid), $"demo piece {pid} is not running"));
        var temp = TempPattern().Match(demo.Output).Groups[1].Value;
        Assert.True(Directory.Exists(temp), $"no temp dir in:\n{demo.Output}");
        return (pids, temp);
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
#pragma warning disable CA5392, SYSLIB1054 // test-only P/Invoke
    private static extern int kill(int pid, int sig);
#pragma warning restore CA5392, SYSLIB1054

    private static async Task WaitForAsync(ExternalProcess demo, Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (demo.HasExited)
            {
                Assert.Fail($"the demo exited ({demo.ExitCode}) before showing {what}:\n{demo.Output}");
            }

            if (watch.Elapsed > Wait)
            {
                Assert.Fail($"no {what} within {Wait.TotalSeconds:0} s:\n{demo.Output}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Running (a zombie not yet reaped counts as stopped).</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    [GeneratedRegex(@"DBIRTH  Demo/Gateway01/Turbine1 .*\n(?:  .*\n)*?\s+Rotor/Speed\s+Float\s+= -?[\d.]+(?:E[-+]?\d+)? RPM(?:\n|$)")]
    private static partial Regex DeviceBirthWithRotorSpeed();

    [GeneratedRegex(@"DDATA   Demo/Gateway01/Turbine1 .*\n(?:  .*\n)*?\s+Rotor/Speed\s+Float\s+= -?[\d.]+(?:E[-+]?\d+)? RPM(?:\n|$)")]
    private static partial Regex DeviceDataWithRotorSpeed();

    [GeneratedRegex(@"pid (\d+)\)")]
    private static partial Regex PidPattern();

    [GeneratedRegex(@"state \(bdSeq, store\) in (\S+)/state")]
    private static partial Regex TempPattern();
}
