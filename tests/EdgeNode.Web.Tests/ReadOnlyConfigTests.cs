using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace EdgeNode.Web.Tests;

/// <summary>
/// Saving the map where the node may not write: what systemd's ProtectSystem=strict does to /etc without the unit's
/// ReadWritePaths=/etc/edgenode (a read-only bind mount of the folder, made here the same way; the tests run as root).
/// The console answers 409 naming the file and the reason, writes nothing (no .prev, no temporary file), keeps the map
/// in force, and the node and its console keep running.
/// </summary>
public sealed class ReadOnlyConfigTests : IAsyncLifetime
{
    private WebNode _web = null!;
    private readonly List<string> _mounts = [];

    public async Task InitializeAsync() => _web = await WebNode.StartAsync();

    public async Task DisposeAsync()
    {
        for (var i = _mounts.Count - 1; i >= 0; i--)
        {
            Run("umount", "-l", _mounts[i]);
        }

        await _web.DisposeAsync();
    }

    /// <summary>Makes <paramref name="folder"/> read-only (a bind mount over itself) and its state folder writable again.</summary>
    private void ReadOnly(string folder, string writable)
    {
        Run("mount", "--bind", folder, folder);
        _mounts.Add(folder);
        Run("mount", "-o", "remount,bind,ro", folder);
        Run("mount", "--bind", writable, writable);
        _mounts.Add(writable);
        Run("mount", "-o", "remount,bind,rw", writable);
    }

    private static void Run(string command, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(command, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', args)}: {error} (these tests need root)");
    }

    [Fact]
    public async Task Save_ConfigFolderReadOnly_Is409NamingTheFileAndNothingChanges()
    {
        var path = _web.Node.ConfigPath;
        var before = await File.ReadAllTextAsync(path);
        ReadOnly(_web.Node.Directory, _web.Node.StateDirectory);
        var next = before.Replace("units: cm", "units: mm", StringComparison.Ordinal);

        using var response = await _web.Http.SendAsync(_web.Request(HttpMethod.Put, "api/config", next, signedIn: true, contentType: "application/yaml"));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = doc.RootElement.GetProperty("error").GetString()!;
        Assert.Contains($"cannot write {path}", error, StringComparison.Ordinal);
        Assert.Contains("read-only", error, StringComparison.Ordinal);
        Assert.Contains("ReadWritePaths=", error, StringComparison.Ordinal);
        Assert.False(doc.RootElement.GetProperty("saved").GetBoolean());
        Assert.Equal(path, doc.RootElement.GetProperty("file").GetString());
        Assert.Equal(before, await File.ReadAllTextAsync(path));
        Assert.False(File.Exists(path + ".prev"));
        Assert.Empty(Directory.GetFiles(_web.Node.Directory, "*.tmp"));
        Assert.Contains($"alice could not save {path}", _web.Node.Output, StringComparison.Ordinal);

        // the map in force is the old one, and the node, its console and its store go on
        using var devices = JsonDocument.Parse(await _web.Http.GetStringAsync("api/devices"));
        var level = devices.RootElement[0].GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "Level");
        Assert.Equal("cm", level.GetProperty("units").GetString());
        Assert.True(_web.Node.IsRunning);
        Assert.Contains("\"session\":\"online\"", await _web.Http.GetStringAsync("api/status"), StringComparison.Ordinal);
    }
}
