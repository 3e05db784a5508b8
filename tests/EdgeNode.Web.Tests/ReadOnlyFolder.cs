using System.Diagnostics;

namespace EdgeNode.Web.Tests;

/// <summary>
/// A folder made read-only the way systemd's ProtectSystem=strict makes /etc read-only for a service: a read-only bind
/// mount over itself (the tests run as root, as in CI), with one subfolder (the node's state) writable again. Dispose
/// unmounts.
/// </summary>
public sealed class ReadOnlyFolder : IDisposable
{
    private readonly List<string> _mounts = [];

    public ReadOnlyFolder(string folder, string writable)
    {
        Mount(folder, "ro");
        Mount(writable, "rw");
    }

    private void Mount(string path, string mode)
    {
        Run("mount", "--bind", path, path);
        _mounts.Add(path);
        Run("mount", "-o", $"remount,bind,{mode}", path);
    }

    public void Dispose()
    {
        for (var i = _mounts.Count - 1; i >= 0; i--)
        {
            Run("umount", "-l", _mounts[i]);
        }

        _mounts.Clear();
    }

    private static void Run(string command, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(command, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', args)}: {error.Trim()} (these tests need root)");
        }
    }
}
