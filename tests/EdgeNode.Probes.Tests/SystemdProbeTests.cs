using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace EdgeNode.Probes.Tests;

/// <summary>
/// Microsoft.Extensions.Hosting.Systemd 10.0.15: how it decides it runs under systemd, and what that means for
/// READY=1 (docs/decisions/hosting-systemd.md). The "service manager" is a copy of bash named <c>systemd</c> (the
/// kernel's comm is the executable's file name) holding a real NOTIFY_SOCKET; ProtectProc=invisible is reproduced
/// the way systemd does it: a private mount namespace with /proc mounted hidepid=invisible, the service a
/// different user from its manager.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SystemdProbeTests
{
    [Fact]
    public async Task HostingSystemd_ParentCommVisible_DetectsSystemdAndSendsReady()
    {
        var (detected, ready) = await RunAsync(hideProc: false, extraEnvironment: "");
        Assert.True(detected);
        Assert.Contains("READY=1", ready, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostingSystemd_ParentHiddenByProtectProcInvisible_NeverSendsReady()
    {
        var (detected, ready) = await RunAsync(hideProc: true, extraEnvironment: "");
        Assert.False(detected);
        Assert.DoesNotContain("READY=1", ready, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostingSystemd_HiddenParentWithSystemdExecPid_StillNeverSendsReady()
    {
        // systemd >= 248 sets SYSTEMD_EXEC_PID and always INVOCATION_ID; 10.0.15 looks at neither.
        var (detected, ready) = await RunAsync(hideProc: true, extraEnvironment: "INVOCATION_ID=0123456789abcdef SYSTEMD_EXEC_PID=$$ ");
        Assert.False(detected);
        Assert.DoesNotContain("READY=1", ready, StringComparison.Ordinal);
    }

    private static async Task<(bool Detected, string Notifications)> RunAsync(bool hideProc, string extraEnvironment)
    {
        var directory = Directory.CreateTempSubdirectory("edgenode-probe-systemd-").FullName;
        try
        {
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_111);
            var manager = Path.Combine(directory, "systemd");
            File.Copy("/bin/bash", manager);
            File.SetUnixFileMode(manager, (UnixFileMode)0b111_101_101);
            var socketPath = Path.Combine(directory, "notify");
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(socketPath));
            File.SetUnixFileMode(socketPath, (UnixFileMode)0b110_110_110);

            // The service is a child (not an exec) of the manager, run as nobody like a unit with User=.
            var service = $"setpriv --reuid=65534 --regid=65534 --clear-groups sh -c '{extraEnvironment}exec \"$0\" \"$@\"' \"$DOTNET\" \"$PROBE\" systemd; exit $?";
            var script = hideProc ? "mount -t proc -o hidepid=invisible proc /proc && " + service : service;
            var start = new ProcessStartInfo("unshare", ["--mount", "--propagation", "private", manager, "-c", script])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var name in new[] { "INVOCATION_ID", "SYSTEMD_EXEC_PID", "MANAGERPID", "LISTEN_PID", "JOURNAL_STREAM" })
            {
                start.Environment.Remove(name);
            }

            start.Environment["NOTIFY_SOCKET"] = socketPath;
            start.Environment["DOTNET"] = Program.DotnetHost();
            start.Environment["PROBE"] = typeof(Program).Assembly.Location;
            start.Environment["HOME"] = directory;
            start.Environment["DOTNET_CLI_HOME"] = directory;
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            var output = await stdout;
            Assert.True(process.ExitCode == 0, $"probe exited {process.ExitCode}: {output} {await stderr}");

            var notifications = new StringBuilder();
            var buffer = new byte[4096];
            while (socket.Available > 0)
            {
                var n = socket.Receive(buffer);
                notifications.Append(Encoding.UTF8.GetString(buffer, 0, n)).Append('\n');
            }

            return (output.Contains("IsSystemdService=True", StringComparison.Ordinal), notifications.ToString());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

}
