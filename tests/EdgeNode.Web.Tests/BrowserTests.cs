using EdgeNode.Testing;
using PuppeteerSharp;
using Xunit.Abstractions;

namespace EdgeNode.Web.Tests;

/// <summary>
/// The pages in a real browser (Debian's headless chromium, driven over the DevTools protocol by PuppeteerSharp; no
/// browser is downloaded) against the real node polling pymodbus: live values change on the page, a signed-in user
/// writes a register with confirmation, an invalid map shows its error at its line and is not written, a valid one is
/// applied and its new device appears, and once signed out the page can change nothing. Each page is saved as a
/// screenshot in artifacts/web-console/.
/// </summary>
public sealed class BrowserTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string[] ChromiumFlags =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
    ];

    private WebNode _web = null!;
    private IBrowser _browser = null!;
    private string _profile = null!;

    private static string Chromium =>
        File.Exists("/usr/lib/chromium/chromium") ? "/usr/lib/chromium/chromium" : Peers.RequireDebian("/usr/bin/chromium", "chromium");

    private static string Artifacts
    {
        get
        {
            var dir = Path.Combine(RepoPaths.Root, "artifacts", "web-console");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    public async Task InitializeAsync()
    {
        _web = await WebNode.StartAsync();
        _profile = Directory.CreateTempSubdirectory("edgenode-chromium").FullName;
        _browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            UserDataDir = _profile,
            Args = ChromiumFlags,
            Timeout = 60_000,
        });
    }

    public async Task DisposeAsync()
    {
        await _browser.CloseAsync();
        await _browser.DisposeAsync();
        output.WriteLine(_web.Node.OutputTail(120));
        await _web.DisposeAsync();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static Task WaitForAsync(IPage page, string predicate) =>
        page.WaitForFunctionAsync(predicate, new WaitForFunctionOptions { Timeout = 30_000, PollingInterval = 100 });

    private static string ValueOf(string metric) =>
        $"[...document.querySelectorAll('tr')].find(tr => tr.dataset.name === '{metric.ToLowerInvariant()}')?.querySelector('td.value')?.textContent";

    [Fact]
    public async Task Console_InABrowser_LiveValuesWriteAndMapEditor()
    {
        await using var page = await _browser.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1280, Height = 860 });
        var dialogs = new List<string>();
        page.Dialog += async (_, e) =>
        {
            dialogs.Add(e.Dialog.Message);
            await e.Dialog.Accept();
        };

        // Overview
        await page.GoToAsync(_web.BaseAddress + "#overview");
        await WaitForAsync(page, "() => document.getElementById('ov-session').textContent === 'online'");
        await page.ScreenshotAsync(Path.Combine(Artifacts, "overview.png"));

        // Devices: values arrive over SSE and follow the register
        await page.GoToAsync(_web.BaseAddress + "#devices");
        await WaitForAsync(page, $"() => {ValueOf("Level")} === '55'");
        await _web.Slave.SetRegistersAsync(1, PyModbusTable.InputRegisters, 0, 4242);
        await WaitForAsync(page, $"() => {ValueOf("Level")} === '4242'");
        await page.ScreenshotAsync(Path.Combine(Artifacts, "devices.png"));

        // Signed out: no write buttons, and the page's own requests are refused
        Assert.True(await page.EvaluateExpressionAsync<bool>("[...document.querySelectorAll('button.write')].every(b => b.hidden)"));
        var anonymous = await page.EvaluateExpressionAsync<int>(
            "fetch('/api/devices/Valve/metrics/Setpoint', {method:'POST', headers:{'X-Requested-With':'edgenode-console'}, body:'{\"value\":9}'}).then(r => r.status)");
        Assert.Equal(401, anonymous);

        // Sign in with the form, write Setpoint with confirmation
        await page.ClickAsync("#sign-in");
        await page.TypeAsync("#login-name", WebNode.User);
        await page.TypeAsync("#login-password", WebNode.Password);
        await page.ClickAsync("#login-form button[type=submit]");
        await WaitForAsync(page, "() => document.getElementById('who-name').textContent === 'alice'");
        await page.EvaluateExpressionAsync(
            "[...document.querySelectorAll('tr')].find(tr => tr.dataset.name === 'setpoint').querySelector('button.write').click()");
        await WaitForAsync(page, "() => document.getElementById('write-dialog').open");
        await page.EvaluateExpressionAsync("document.getElementById('write-value').value = ''");
        await page.TypeAsync("#write-value", "777");
        await page.ScreenshotAsync(Path.Combine(Artifacts, "write.png"));
        await page.ClickAsync("#write-confirm");
        await _web.WaitAsync(async () => (await _web.Slave.GetRegistersAsync(1, PyModbusTable.HoldingRegisters, 0, 1))[0] == 777, "register 0 = 777");
        await WaitForAsync(page, $"() => {ValueOf("Setpoint")} === '777'");

        // Device map: an invalid map shows its error at its line and is not written
        var original = await File.ReadAllTextAsync(_web.Node.ConfigPath);
        await page.GoToAsync(_web.BaseAddress + "#map");
        await WaitForAsync(page, "() => document.getElementById('map-text').value.includes('devices:')");
        var invalid = original.Replace("type: uint16, units: cm", "type: uint16, units: cm, tabel: input", StringComparison.Ordinal);
        var line = invalid.Split('\n').ToList().FindIndex(l => l.Contains("tabel", StringComparison.Ordinal)) + 1;
        await SetEditorTextAsync(page, invalid);
        await page.ClickAsync("#map-validate");
        await WaitForAsync(page, $"() => document.querySelector('#map-problems li[data-line=\"{line}\"]') !== null");
        Assert.True(await page.EvaluateExpressionAsync<bool>($"document.querySelector('#gutter span[data-line=\"{line}\"]').classList.contains('err')"));
        var problem = await page.EvaluateExpressionAsync<string>($"document.querySelector('#map-problems li[data-line=\"{line}\"]').textContent");
        Assert.Contains("unknown key 'tabel'", problem, StringComparison.Ordinal);
        await page.ScreenshotAsync(Path.Combine(Artifacts, "map-editor.png"));
        await page.ClickAsync("#map-save");
        await WaitForAsync(page, "() => document.getElementById('map-status').textContent.startsWith('not saved')");
        Assert.Equal(original, await File.ReadAllTextAsync(_web.Node.ConfigPath));

        // A valid map is saved, applied, and its new device appears on the Devices page
        var valid = _web.Yaml($$"""
              - id: Pump
                modbus: { tcp: { host: 127.0.0.1, port: {{_web.Slave.Port}} }, unitId: 1 }
                metrics:
                  - { name: Flow, table: holding, address: 1, type: uint16, units: l/min }
            """);
        await SetEditorTextAsync(page, valid);
        await page.ClickAsync("#map-save");
        await WaitForAsync(page, "() => document.getElementById('map-status').textContent.startsWith('saved')");
        Assert.Equal(valid, await File.ReadAllTextAsync(_web.Node.ConfigPath));
        Assert.Contains(dialogs, d => d.Contains("Save the device map", StringComparison.Ordinal));
        await page.GoToAsync(_web.BaseAddress + "#devices");
        await WaitForAsync(page, "() => [...document.querySelectorAll('.device .id')].some(e => e.textContent === 'Pump')");
        await WaitForAsync(page, $"() => {ValueOf("Flow")} === '7'");

        // Signed out again: the map is hidden and a change from the page is refused
        await page.ClickAsync("#sign-out");
        await WaitForAsync(page, "() => !document.getElementById('sign-in').hidden");
        var put = await page.EvaluateExpressionAsync<int>(
            "fetch('/api/config', {method:'PUT', headers:{'X-Requested-With':'edgenode-console'}, body:'x: 1'}).then(r => r.status)");
        Assert.Equal(401, put);
        Assert.Equal(valid, await File.ReadAllTextAsync(_web.Node.ConfigPath));
    }

    [Fact]
    public async Task MapEditor_FolderReadOnly_SaveShowsTheErrorNamingTheFile()
    {
        await using var page = await _browser.NewPageAsync();
        page.Dialog += async (_, e) => await e.Dialog.Accept();
        await page.GoToAsync(_web.BaseAddress + "#overview");
        await page.ClickAsync("#sign-in");
        await page.TypeAsync("#login-name", WebNode.User);
        await page.TypeAsync("#login-password", WebNode.Password);
        await page.ClickAsync("#login-form button[type=submit]");
        await WaitForAsync(page, "() => document.getElementById('who-name').textContent === 'alice'");
        await page.GoToAsync(_web.BaseAddress + "#map");
        await WaitForAsync(page, "() => document.getElementById('map-text').value.includes('devices:')");
        var original = await File.ReadAllTextAsync(_web.Node.ConfigPath);
        await SetEditorTextAsync(page, original.Replace("units: cm", "units: mm", StringComparison.Ordinal));

        // what ProtectSystem=strict does to /etc without the unit's ReadWritePaths=/etc/edgenode
        using (new ReadOnlyFolder(_web.Node.Directory, _web.Node.StateDirectory))
        {
            await page.ClickAsync("#map-save");
            await WaitForAsync(page, "() => document.getElementById('map-status').textContent.startsWith('not saved')");
        }

        var status = await page.EvaluateExpressionAsync<string>("document.getElementById('map-status').textContent");
        Assert.Contains($"cannot write {_web.Node.ConfigPath}", status, StringComparison.Ordinal);
        Assert.Contains("read-only", status, StringComparison.Ordinal);
        Assert.Equal(original, await File.ReadAllTextAsync(_web.Node.ConfigPath));
    }

    private static async Task SetEditorTextAsync(IPage page, string text)
    {
        await page.EvaluateFunctionAsync(
            "t => { const e = document.getElementById('map-text'); e.value = t; e.dispatchEvent(new Event('input')); }", text);
    }
}
