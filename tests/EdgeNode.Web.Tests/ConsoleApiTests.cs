using System.Net;
using System.Text.Json;
using EdgeNode.Testing;

namespace EdgeNode.Web.Tests;

/// <summary>
/// The contract's console endpoints against the real node: open read-only endpoints, 401 for changes without sign-in,
/// writes through the DCMD path to the simulated register, and the map editor's validate/save rules.
/// </summary>
public sealed class ConsoleApiTests(WebNodeFixture fixture) : IClassFixture<WebNodeFixture>
{
    private WebNode Web => fixture.Web;

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var doc = JsonDocument.Parse(await Web.Http.GetStringAsync(path));
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task Healthz_Running_OkWithoutSignIn()
    {
        using var response = await Web.Http.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", (await response.Content.ReadAsStringAsync()).Trim());
    }

    [Fact]
    public async Task Metrics_Scraped_HasTheContractSeriesInTextFormat()
    {
        // Another test of this class may just have saved a map: wait out its rebirth (Valve answering again, births out).
        await Web.WaitAsync(async () => (await Web.Http.GetStringAsync("metrics")) is var m
                && m.Contains("edgenode_device_scans_total{device=\"Valve\"}", StringComparison.Ordinal)
                && m.Contains("edgenode_device_online{device=\"Valve\"} 1", StringComparison.Ordinal)
                && m.Contains("\nedgenode_session_online 1\n", StringComparison.Ordinal),
            "scan counter, Valve answering and the session online");
        using var response = await Web.Http.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("\nedgenode_session_online 1\n", text, StringComparison.Ordinal);
        Assert.Contains("edgenode_device_online{device=\"Valve\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("edgenode_device_scan_errors_total{device=\"Valve\"} ", text, StringComparison.Ordinal);
        Assert.Contains("\nedgenode_store_pending_changes ", text, StringComparison.Ordinal);
        Assert.Contains("\nedgenode_store_bytes ", text, StringComparison.Ordinal);
        Assert.Contains("edgenode_messages_published_total{type=\"NBIRTH\"} ", text, StringComparison.Ordinal);
        Assert.Contains("edgenode_messages_published_total{type=\"DBIRTH\"} ", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE edgenode_device_scans_total counter", text, StringComparison.Ordinal);
        var scans = text.Split('\n').Single(l => l.StartsWith("edgenode_device_scans_total{device=\"Valve\"}", StringComparison.Ordinal));
        Assert.True(long.Parse(scans.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) > 0, scans);
    }

    [Fact]
    public async Task Status_Online_HasSessionBdSeqStoreAndVersion()
    {
        // (after another test's save the node may be rebirthing for a moment)
        await Web.WaitAsync(async () => (await GetJsonAsync("api/status")).GetProperty("session").GetString() == "online", "session online");
        var status = await GetJsonAsync("api/status");
        Assert.Equal("online", status.GetProperty("session").GetString());
        Assert.Equal(JsonValueKind.Number, status.GetProperty("bdSeq").ValueKind);
        Assert.Equal(JsonValueKind.Null, status.GetProperty("primaryHost").ValueKind);
        Assert.Equal(JsonValueKind.Number, status.GetProperty("store").GetProperty("pendingChanges").ValueKind);
        Assert.Equal(JsonValueKind.Number, status.GetProperty("store").GetProperty("bytes").ValueKind);
        Assert.False(string.IsNullOrEmpty(status.GetProperty("version").GetString()));
        // the Overview's other fields (issue 14): broker, uptime, recent problems, the primary host's id
        Assert.Equal(JsonValueKind.Null, status.GetProperty("primaryHostId").ValueKind);
        Assert.Contains(Web.Broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), status.GetProperty("broker").GetString(), StringComparison.Ordinal);
        Assert.True(status.GetProperty("uptimeSeconds").GetInt64() >= 0);
        Assert.Equal(JsonValueKind.Array, status.GetProperty("problems").ValueKind);
    }

    [Fact]
    public async Task Devices_Polling_ListsMetricsWithValuesAndWritable()
    {
        await Web.WaitAsync(async () => (await GetJsonAsync("api/devices"))[0].GetProperty("metrics")[2].GetProperty("value").ValueKind == JsonValueKind.Number,
            "first values");
        var valve = (await GetJsonAsync("api/devices")).EnumerateArray().Single(d => d.GetProperty("id").GetString() == "Valve");
        Assert.True(valve.GetProperty("online").GetBoolean());
        Assert.Equal(JsonValueKind.Number, valve.GetProperty("lastScan").ValueKind);
        var level = valve.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "Level");
        Assert.Equal(55, level.GetProperty("value").GetInt32());
        Assert.Equal("UInt16", level.GetProperty("datatype").GetString());
        Assert.Equal("cm", level.GetProperty("units").GetString());
        Assert.False(level.GetProperty("writable").GetBoolean());
        Assert.Equal(JsonValueKind.Number, level.GetProperty("timestamp").ValueKind);
        var setpoint = valve.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "Setpoint");
        Assert.True(setpoint.GetProperty("writable").GetBoolean());
    }

    [Fact]
    public async Task Changes_SignedOut_Are401AndChangeNothing()
    {
        var before = await File.ReadAllTextAsync(Web.Node.ConfigPath);
        using var put = await Web.Http.SendAsync(Web.Request(HttpMethod.Put, "api/config", before.Replace("scanMs: 200", "scanMs: 300", StringComparison.Ordinal), contentType: "application/yaml"));
        using var write = await Web.Http.SendAsync(Web.Request(HttpMethod.Post, "api/devices/Valve/metrics/Setpoint", "{\"value\":5}"));
        using var read = await Web.Http.GetAsync("api/config");
        Assert.Equal(HttpStatusCode.Unauthorized, put.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, write.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode); // the map holds the MQTT password
        Assert.Contains("Basic", put.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllTextAsync(Web.Node.ConfigPath));
        Assert.NotEqual(5, (await Web.Slave.GetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, 1))[0]);
    }

    [Fact]
    public async Task Write_WrongPassword_Is401()
    {
        var request = Web.Request(HttpMethod.Post, "api/devices/Valve/metrics/Setpoint", "{\"value\":6}");
        request.Headers.Authorization = WebNode.Basic(WebNode.User, "wrong");
        using var response = await Web.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Write_BasicAuth_ReachesTheRegisterAsADcmd()
    {
        using var response = await Web.Http.SendAsync(Web.Request(HttpMethod.Post, "api/devices/Valve/metrics/Setpoint", "{\"value\":4321}", signedIn: true));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Web.WaitAsync(async () => (await Web.Slave.GetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, 1))[0] == 4321, "register 0 = 4321");
        await Web.WaitAsync(async () => (await Web.Http.GetStringAsync("api/devices")).Contains("\"name\":\"Setpoint\",\"datatype\":\"UInt16\",\"value\":4321", StringComparison.Ordinal),
            "the new value reported");
        Assert.Contains("alice wrote Valve/Setpoint = 4321", Web.Node.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Level", "{\"value\":1}", HttpStatusCode.Conflict)]
    [InlineData("Setpoint", "{\"value\":70000}", HttpStatusCode.BadRequest)]
    [InlineData("Setpoint", "{\"value\":\"abc\"}", HttpStatusCode.BadRequest)]
    [InlineData("Nope", "{\"value\":1}", HttpStatusCode.NotFound)]
    [InlineData("Setpoint", "not json", HttpStatusCode.BadRequest)]
    public async Task Write_BadRequest_IsRefusedWithAReason(string metric, string body, HttpStatusCode expected)
    {
        using var response = await Web.Http.SendAsync(Web.Request(HttpMethod.Post, $"api/devices/Valve/metrics/{metric}", body, signedIn: true));
        Assert.Equal(expected, response.StatusCode);
        Assert.Contains("\"error\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_InvalidMap_ErrorsAtLineAndColumnLikeTheCli()
    {
        var text = (await File.ReadAllTextAsync(Web.Node.ConfigPath)).Replace("type: uint16, writable: true", "type: uint17, writable: true", StringComparison.Ordinal);
        var line = text.Split('\n').ToList().FindIndex(l => l.Contains("uint17", StringComparison.Ordinal)) + 1;
        using var response = await Web.Http.PostAsync("api/config/validate", new StringContent(text));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(doc.RootElement.GetProperty("valid").GetBoolean());
        var error = doc.RootElement.GetProperty("errors")[0];
        Assert.Equal(line, error.GetProperty("line").GetInt32());
        Assert.Equal(text.Split('\n')[line - 1].IndexOf("uint17", StringComparison.Ordinal) + 1, error.GetProperty("column").GetInt32());

        // the same message as `edgenode validate` prints for that file
        var copy = Path.Combine(Web.Node.Directory, "copy.yaml");
        await File.WriteAllTextAsync(copy, text);
        var (_, cli) = await EdgeNodeCli.RunToExitAsync("validate", "--config", copy);
        Assert.Contains($"{copy}:{line}:{error.GetProperty("column").GetInt32()}: {error.GetProperty("message").GetString()}", cli, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_ValidMap_IsValid()
    {
        using var response = await Web.Http.PostAsync("api/config/validate", new StringContent(await File.ReadAllTextAsync(Web.Node.ConfigPath)));
        Assert.Equal("{\"valid\":true,\"errors\":[]}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Save_InvalidMap_Is422AndTheFileIsUntouched()
    {
        var before = await File.ReadAllTextAsync(Web.Node.ConfigPath);
        using var response = await Web.Http.SendAsync(Web.Request(HttpMethod.Put, "api/config", before + "\nbogus: 1\n", signedIn: true, contentType: "application/yaml"));
        Assert.Equal((HttpStatusCode)422, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("unknown key 'bogus'", doc.RootElement.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllTextAsync(Web.Node.ConfigPath));
    }

    [Fact]
    public async Task Save_ValidMap_ReplacesKeepsPreviousAndAppliesIt()
    {
        var before = await File.ReadAllTextAsync(Web.Node.ConfigPath);
        var next = Web.Yaml($$"""
              - id: Pump{{Environment.TickCount64 % 1000}}
                modbus: { tcp: { host: 127.0.0.1, port: {{Web.Slave.Port}} }, unitId: 1 }
                metrics:
                  - { name: Flow, table: holding, address: 1, type: uint16 }
            """);
        var pump = next.Split('\n').Single(l => l.Contains("- id: Pump", StringComparison.Ordinal)).Split("id: ")[1].Trim();
        using var response = await Web.Http.SendAsync(Web.Request(HttpMethod.Put, "api/config", next, signedIn: true, contentType: "application/yaml"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(next, await File.ReadAllTextAsync(Web.Node.ConfigPath));
        Assert.Equal(before, await File.ReadAllTextAsync(Web.Node.ConfigPath + ".prev"));
        Assert.Empty(Directory.GetFiles(Web.Node.Directory, "*.tmp"));
        await Web.WaitAsync(async () => (await Web.Http.GetStringAsync("api/devices")).Contains($"\"id\":\"{pump}\",\"online\":true", StringComparison.Ordinal),
            $"{pump} answering");
        Assert.Contains("saved in the web console by alice", Web.Node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Includes_TypeLibrary_ListedAndViewableSignedInButNoOtherFile()
    {
        var types = Path.Combine(Web.Node.Directory, "types");
        Directory.CreateDirectory(types);
        var library = Path.Combine(types, "pumps.yaml");
        const string libraryText = "types:\n  WebPump:\n    metrics:\n      - { name: Flow, table: holding, address: 1, type: uint16, units: l/min }\n";
        await File.WriteAllTextAsync(library, libraryText);
        var map = "include: types\n" + Web.Yaml($$"""
              - id: TypedPump
                type: WebPump
                modbus: { tcp: { host: 127.0.0.1, port: {{Web.Slave.Port}} }, unitId: 1 }
            """);
        using (var save = await Web.Http.SendAsync(Web.Request(HttpMethod.Put, "api/config", map, signedIn: true, contentType: "application/yaml")))
        {
            Assert.Equal(HttpStatusCode.OK, save.StatusCode);
        }

        await Web.WaitAsync(async () => (await Web.Http.GetStringAsync("api/devices")).Contains("\"id\":\"TypedPump\",\"online\":true", StringComparison.Ordinal),
            "TypedPump answering");

        using var signedOut = await Web.Http.GetAsync("api/config/includes");
        Assert.Equal(HttpStatusCode.Unauthorized, signedOut.StatusCode);
        using var list = await Web.Http.SendAsync(Web.Request(HttpMethod.Get, "api/config/includes", signedIn: true));
        using var doc = JsonDocument.Parse(await list.Content.ReadAsStringAsync());
        var file = Assert.Single(doc.RootElement.GetProperty("files").EnumerateArray());
        Assert.Equal(library, file.GetProperty("path").GetString());
        Assert.Equal("WebPump", Assert.Single(file.GetProperty("types").EnumerateArray()).GetString());

        using var view = await Web.Http.SendAsync(Web.Request(HttpMethod.Get, "api/config?include=" + Uri.EscapeDataString(library), signedIn: true));
        Assert.Equal(HttpStatusCode.OK, view.StatusCode);
        Assert.Equal(libraryText, await view.Content.ReadAsStringAsync());
        // only the files the map in force includes: never an arbitrary path
        using var other = await Web.Http.SendAsync(Web.Request(HttpMethod.Get, "api/config?include=" + Uri.EscapeDataString("/etc/passwd"), signedIn: true));
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task CookieSession_ChangeWithoutCsrfToken_Is403AndWithItSucceeds()
    {
        using var handler = new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() };
        using var browser = new HttpClient(handler) { BaseAddress = Web.BaseAddress };
        using var login = await browser.PostAsync("api/login", new StringContent($"{{\"name\":\"{WebNode.User}\",\"password\":\"{WebNode.Password}\"}}"));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Contains("HttpOnly", string.Join(";", login.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("SameSite=Strict", string.Join(";", login.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);
        using var doc = JsonDocument.Parse(await login.Content.ReadAsStringAsync());
        var csrf = doc.RootElement.GetProperty("csrf").GetString()!;

        using var noToken = await browser.PostAsync("api/devices/Valve/metrics/Setpoint", new StringContent("{\"value\":11}"));
        Assert.Equal(HttpStatusCode.Forbidden, noToken.StatusCode);

        var crossSite = new HttpRequestMessage(HttpMethod.Post, "api/devices/Valve/metrics/Setpoint") { Content = new StringContent("{\"value\":12}") };
        crossSite.Headers.Add("X-CSRF-Token", csrf);
        crossSite.Headers.Add("Origin", "http://attacker.example");
        using var crossSiteResponse = await browser.SendAsync(crossSite);
        Assert.Equal(HttpStatusCode.Forbidden, crossSiteResponse.StatusCode);

        var good = new HttpRequestMessage(HttpMethod.Post, "api/devices/Valve/metrics/Setpoint") { Content = new StringContent("{\"value\":13}") };
        good.Headers.Add("X-CSRF-Token", csrf);
        using var goodResponse = await browser.SendAsync(good);
        Assert.Equal(HttpStatusCode.OK, goodResponse.StatusCode);
        await Web.WaitAsync(async () => (await Web.Slave.GetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, 1))[0] == 13, "register 0 = 13");

        using var config = await browser.GetAsync("api/config");
        Assert.Equal(HttpStatusCode.OK, config.StatusCode);
        var logout = new HttpRequestMessage(HttpMethod.Post, "api/logout");
        logout.Headers.Add("X-CSRF-Token", csrf);
        using var _ = await browser.SendAsync(logout);
        using var after = await browser.GetAsync("api/config");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task SignIn_RepeatedFailures_AreThrottledWith429()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            using var response = await Web.Http.PostAsync("api/login", new StringContent("{\"name\":\"mallory\",\"password\":\"guess" + i + "\"}"));
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, statuses[0]);
        Assert.Equal((HttpStatusCode)429, statuses[^1]);
        Assert.Contains("failed sign-in as 'mallory'", Web.Node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrafanaDashboard_Queries_OnlySeriesTheNodeOrTheBridgeServes()
    {
        var dashboard = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "docs", "grafana", "edgenode.json"));
        using var doc = JsonDocument.Parse(dashboard); // valid JSON, importable as it is
        var metrics = await Web.Http.GetStringAsync("metrics");
        string[] bridge = ["edgenode_bridge_kafka_up", "edgenode_bridge_records_produced_total", "edgenode_bridge_rebirth_requests_total",
            "edgenode_bridge_undecodable_total"];
        var names = System.Text.RegularExpressions.Regex.Matches(dashboard, @"\b(?:edgenode|process)_[a-z_]+").Select(m => m.Value).Distinct().ToList();
        Assert.Contains("edgenode_session_online", names);
        Assert.Contains("edgenode_bridge_kafka_up", names);
        foreach (var name in names)
        {
            Assert.True(name.StartsWith("edgenode_bridge_", StringComparison.Ordinal) ? bridge.Contains(name) : metrics.Contains($"# TYPE {name} ", StringComparison.Ordinal),
                $"the dashboard queries {name}, which nothing serves");
        }
    }

    [Fact]
    public async Task Pages_Served_FromTheNodeWithStrictHeaders()
    {
        using var index = await Web.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Contains("<script src=\"app.js\"", await index.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", index.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        using var js = await Web.Http.GetAsync("app.js");
        Assert.Equal(HttpStatusCode.OK, js.StatusCode);
        Assert.DoesNotContain("http://", await js.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // works with the gateway offline: every script, style and image comes from the node itself (no CDN)
        var html = await index.Content.ReadAsStringAsync();
        Assert.DoesNotMatch(@"(src|href)=""(https?:)?//", html);
        foreach (var asset in System.Text.RegularExpressions.Regex.Matches(html, @"(?:src|href)=""([^""#]+)""").Select(m => m.Groups[1].Value))
        {
            using var response = await Web.Http.GetAsync(asset);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{asset}: {response.StatusCode}");
        }

        using var css = await Web.Http.GetAsync("app.css");
        Assert.DoesNotContain("url(http", await css.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("@import", await css.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
