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

    public async Task InitializeAsync() => _web = await WebNode.StartAsync();

    public async Task DisposeAsync() => await _web.DisposeAsync();

    [Fact]
    public async Task Save_ConfigFolderReadOnly_Is409NamingTheFileAndNothingChanges()
    {
        var path = _web.Node.ConfigPath;
        var before = await File.ReadAllTextAsync(path);
        using var readOnly = new ReadOnlyFolder(_web.Node.Directory, _web.Node.StateDirectory);
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
