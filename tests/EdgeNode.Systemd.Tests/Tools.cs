using System.Diagnostics;
using EdgeNode.Testing;

namespace EdgeNode.Systemd.Tests;

/// <summary>Runs the Debian tools the systemd and packaging tests inspect their output with.</summary>
internal static class Tools
{
    /// <summary>Runs to completion; returns the exit code and stdout+stderr (for tools whose complaints are the point).</summary>
    public static (int ExitCode, string Output) Run(string file, IEnumerable<string> args, TimeSpan? timeout = null,
        string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        info.Environment["LC_ALL"] = "C.UTF-8";
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish");
        }

        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    public static string SystemdAnalyze => Peers.RequireDebian("systemd-analyze", "systemd");

    public static string DpkgDeb => Peers.RequireDebian("dpkg-deb", "dpkg");

    public static string Lintian => Peers.RequireDebian("lintian", "lintian");

    public static string File => Peers.RequireDebian("file", "file");

    public static string Unshare => Peers.RequireDebian("unshare", "util-linux");
}
