using System.Net;

namespace EdgeNode.Web.Tests;

/// <summary><c>web.tls</c>: the console over HTTPS with a PEM certificate and key, and a session cookie marked Secure.</summary>
public sealed class TlsTests : IAsyncLifetime
{
    private WebNode _web = null!;

    public async Task InitializeAsync() => _web = await WebNode.StartAsync(tls: true);

    public async Task DisposeAsync() => await _web.DisposeAsync();

    [Fact]
    public async Task Console_WithTls_ServesHttpsAndSecureCookies()
    {
        Assert.Equal("https", _web.BaseAddress.Scheme);
        Assert.Equal("ok", (await _web.Http.GetStringAsync("healthz")).Trim());
        Assert.Contains("edgenode_session_online 1", await _web.Http.GetStringAsync("metrics"), StringComparison.Ordinal);
        using var login = await _web.Http.PostAsync("api/login", new StringContent($"{{\"name\":\"{WebNode.User}\",\"password\":\"{WebNode.Password}\"}}"));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var cookie = string.Join(";", login.Headers.GetValues("Set-Cookie"));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);

        // plain HTTP on the HTTPS port gets nothing useful
        using var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetStringAsync($"http://127.0.0.1:{_web.Port}/healthz"));
    }
}
