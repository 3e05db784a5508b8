using System.Text.Json;
using EdgeNode.Testing;

namespace EdgeNode.Web.Tests;

/// <summary>
/// /api/status's <c>primaryHost</c> in the contract's shape (null, or the host's STATE as true/false) and the Overview's
/// session state while the node waits for its primary host, against a real node and a STATE published to Mosquitto.
/// </summary>
public sealed class PrimaryHostStatusTests : IAsyncLifetime
{
    private const string HostId = "Scada1";
    private WebNode _web = null!;

    public async Task InitializeAsync() => _web = await WebNode.StartAsync(primaryHostId: HostId);

    public async Task DisposeAsync() => await _web.DisposeAsync();

    private async Task<JsonElement> StatusAsync()
    {
        using var doc = JsonDocument.Parse(await _web.Http.GetStringAsync("api/status"));
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task Status_PrimaryHostOfflineThenOnline_IsFalseThenTrueWithTheSession()
    {
        var waiting = await StatusAsync();
        Assert.Equal(JsonValueKind.False, waiting.GetProperty("primaryHost").ValueKind);
        Assert.Equal(HostId, waiting.GetProperty("primaryHostId").GetString());
        Assert.Equal("waiting for primary host", waiting.GetProperty("session").GetString());
        Assert.Contains($"edgenode_primary_host_online{{host=\"{HostId}\"}} 0", await _web.Http.GetStringAsync("metrics"), StringComparison.Ordinal);

        await using var host = await SparkplugObserver.StartAsync(_web.Broker.Port, "spBv1.0/#");
        await host.PublishStateAsync(HostId, online: true, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        await _web.WaitAsync(async () => (await StatusAsync()).GetProperty("primaryHost").ValueKind == JsonValueKind.True, "primaryHost true");
        await _web.WaitAsync(async () => (await StatusAsync()).GetProperty("session").GetString() == "online", "session online");
        Assert.Contains($"edgenode_primary_host_online{{host=\"{HostId}\"}} 1", await _web.Http.GetStringAsync("metrics"), StringComparison.Ordinal);
    }
}
