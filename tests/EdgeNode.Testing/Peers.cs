using System.Diagnostics;

namespace EdgeNode.Testing;

/// <summary>
/// Makes sure the real peers the tests use are on the machine. `./build.sh test` installs them first; a test run
/// started directly (dotnet test) installs what is missing the same way, so a peer test never skips silently.
/// </summary>
public static class Peers
{
    private static readonly SemaphoreSlim s_lock = new(1, 1);
    private static bool s_npmReady;

    /// <summary>Path of an executable that a Debian package provides, installing the package when missing.</summary>
    public static string RequireDebian(string executable, string package)
    {
        var found = Which(executable);
        if (found is not null)
        {
            return found;
        }

        s_lock.Wait();
        try
        {
            found = Which(executable);
            if (found is null)
            {
                Run("apt-get", ["update", "-qq"], TimeSpan.FromMinutes(5));
                Run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", package], TimeSpan.FromMinutes(10));
                found = Which(executable) ?? throw new InvalidOperationException(
                    $"{executable} still missing after apt-get install {package}");
            }

            return found;
        }
        finally
        {
            s_lock.Release();
        }
    }

    /// <summary>Debian's python (the one python3-pymodbus is installed for), with pymodbus present.</summary>
    public static string RequirePymodbus()
    {
        const string python = "/usr/bin/python3";
        if (Probe(python, ["-c", "import pymodbus"]))
        {
            return python;
        }

        RequireDebian("apt-get", "apt");
        s_lock.Wait();
        try
        {
            Run("apt-get", ["update", "-qq"], TimeSpan.FromMinutes(5));
            Run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "python3-pymodbus"], TimeSpan.FromMinutes(10));
        }
        finally
        {
            s_lock.Release();
        }

        return python;
    }

    /// <summary>The npm peers of tests/interop (Tahu's sparkplug-payload, MQTT.js), installed from the lock file.</summary>
    public static string RequireNodeModules()
    {
        s_lock.Wait();
        try
        {
            if (!s_npmReady && !File.Exists(Path.Combine(RepoPaths.Interop, "node_modules", ".package-lock.json")))
            {
                Run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], TimeSpan.FromMinutes(10), RepoPaths.Interop);
            }

            s_npmReady = true;
            return RepoPaths.Interop;
        }
        finally
        {
            s_lock.Release();
        }
    }

    public static string? Which(string executable)
    {
        if (Path.IsPathRooted(executable))
        {
            return File.Exists(executable) ? executable : null;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
                     .Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"]))
        {
            var candidate = Path.Combine(dir, executable);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool Probe(string file, string[] args)
    {
        if (!File.Exists(file))
        {
            return false;
        }

        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info)!;
        p.WaitForExit();
        return p.ExitCode == 0;
    }

    /// <summary>Runs a command to completion and returns its stdout; throws with its output when it fails.</summary>
    public static string Run(string file, IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null,
        string? stdin = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = stdin is not null,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }

        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeout}");
        }

        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', args)} exited {p.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        }

        return stdout.Result;
    }
}
