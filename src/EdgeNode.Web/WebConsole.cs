using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using EdgeNode.Configuration;
using EdgeNode.Engine;
using EdgeNode.Sparkplug;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Web;

/// <summary>
/// The node's web console (contract, "Web console"): the pages, the JSON API, <c>/metrics</c> and <c>/healthz</c>,
/// served by Kestrel inside <c>edgenode run</c>. Everything it shows comes from engine snapshots; every change it makes
/// goes through the node's own paths: writes as DCMDs, saved maps through the SIGHUP reload.
/// </summary>
public sealed class WebConsole : IAsyncDisposable
{
    private const int MaxConfigBytes = 1 << 20;
    private static readonly TimeSpan StreamInterval = TimeSpan.FromMilliseconds(500);
    private static readonly byte[] s_retry = "retry: 2000\n\n"u8.ToArray();
    private static readonly byte[] s_fullEvent = "event: full\ndata: "u8.ToArray();
    private static readonly byte[] s_deltaEvent = "event: delta\ndata: "u8.ToArray();
    private static readonly byte[] s_eventEnd = "\n\n"u8.ToArray();

    private IHost _app = null!;
    private readonly INodeHost _host;
    private readonly ProblemLog _problems;
    private readonly ILogger _logger;
    private readonly SnapshotSource _snapshots;
    private readonly ConsoleAuth _auth;
    private readonly StaticAssets _assets = StaticAssets.Load();
    private readonly SemaphoreSlim _saveGate = new(1, 1);
    private readonly long _startedMs;
    private readonly TimeProvider _time;

    private WebConsole(INodeHost host, ProblemLog problems, ILogger logger, TimeProvider time)
    {
        _host = host;
        _problems = problems;
        _time = time;
        _logger = logger;
        _snapshots = new SnapshotSource(host, time);
        _auth = new ConsoleAuth(host, time, _logger);
        _startedMs = ProcessStats.StartedMs(time);
    }

    /// <summary>The address the console listens on (with the port actually bound).</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Starts the console on <paramref name="web"/>'s address; fails if the port cannot be bound.</summary>
    public static async Task<WebConsole> StartAsync(WebSection web, INodeHost host, ProblemLog problems, ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(web);
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        // The generic host with Kestrel's core only: no WebApplication (it brings endpoint routing, authorization and
        // authentication, mapped and compiled whether used or not), no configuration sources (a default builder's
        // appsettings.json watcher alone starts an inotify thread), no middleware: one request delegate dispatches by
        // hand. Every assembly left out is memory the node does not map and code it does not compile (issue 14: the
        // console may cost the node at most 15 MB).
        var console = new WebConsole(host, problems, loggerFactory.CreateLogger("EdgeNode.Web"), TimeProvider.System);
        X509Certificate2? certificate = web.Tls is { } tls ? X509Certificate2.CreateFromPemFile(tls.CertFile, tls.KeyFile) : null;
        var app = new HostBuilder()
            .UseContentRoot(AppContext.BaseDirectory)
            .UseEnvironment(Environments.Production)
            .ConfigureLogging(logging =>
            {
                // One log for the whole process: ASP.NET Core's own messages go to the node's loggers (warnings and up only).
                logging.ClearProviders();
                logging.AddProvider(new ForwardingLoggerProvider(loggerFactory));
                logging.AddFilter("Microsoft", LogLevel.Warning);
            })
            .ConfigureServices(services =>
            {
                // The node owns SIGTERM/SIGINT (clean NDEATH first); the console stops when the node says so.
                services.AddSingleton<IHostLifetime, NodeOwnedLifetime>();
                services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
            })
            .ConfigureWebHost(webHost =>
            {
                webHost.UseKestrelCore();
                if (certificate is not null)
                {
                    webHost.UseKestrelHttpsConfiguration();
                }

                webHost.ConfigureKestrel(kestrel => ConfigureKestrel(kestrel, web, certificate));
                webHost.Configure(application => application.Run(console.DispatchAsync));
            }, options => options.SuppressEnvironmentConfiguration = true) // ASPNETCORE_* never moves the console
            .Build();
        console._app = app;
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // the port is taken or the certificate unusable: nothing half-started stays behind
            app.Dispose();
            certificate?.Dispose();
            throw;
        }

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var scheme = certificate is null ? "http" : "https";
        var port = addresses.Select(u => new Uri(u.Replace("//[::]", "//localhost", StringComparison.Ordinal))).FirstOrDefault()?.Port ?? web.Port;
        console.Address = new Uri($"{scheme}://{web.Host}:{port}/");
        Log.Listening(console._logger, console.Address.ToString(),
            web.Users.Count == 0 ? "read-only: no web.users" : $"{web.Users.Count} user(s) may sign in");
        return console;
    }

    private static void ConfigureKestrel(KestrelServerOptions kestrel, WebSection web, X509Certificate2? certificate)
    {
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxRequestBodySize = MaxConfigBytes;
        kestrel.Limits.MaxConcurrentConnections = 64;
        kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
        // A whole Devices table is written in pieces (one device at a time): a small response buffer is enough.
        kestrel.Limits.MaxResponseBufferSize = 64 * 1024;
        void Configure(ListenOptions listen)
        {
            listen.Protocols = HttpProtocols.Http1;
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }

        var bare = web.Host.StartsWith('[') ? web.Host[1..^1] : web.Host;
        if (string.Equals(bare, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(web.Port, Configure);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(bare), web.Port, Configure);
        }
    }

    /// <summary>Stops accepting requests and ends the live streams.</summary>
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _app.Dispose();
        _saveGate.Dispose();
    }

    /// <summary>
    /// The console's few routes, matched by hand: ASP.NET Core's endpoint routing (its matcher, its metadata, its
    /// assembly) would cost more memory than the whole console for a dozen fixed paths.
    /// </summary>
    private Task DispatchAsync(HttpContext ctx)
    {
        SecurityHeaders(ctx);
        var path = ctx.Request.Path.Value ?? "/";
        var method = ctx.Request.Method;
        var get = HttpMethods.IsGet(method);
        var post = HttpMethods.IsPost(method);
        switch (path)
        {
            case "/healthz":
                return get ? Text(ctx, 200, "ok\n", "text/plain; charset=utf-8") : NotAllowed(ctx, "GET");
            case "/metrics":
                return get ? MetricsAsync(ctx) : NotAllowed(ctx, "GET");
            case "/api/status":
                return get ? StatusAsync(ctx) : NotAllowed(ctx, "GET");
            case "/api/devices":
                return get ? DevicesAsync(ctx) : NotAllowed(ctx, "GET");
            case "/api/events":
                return get ? EventsAsync(ctx) : NotAllowed(ctx, "GET");
            case "/api/session":
                return get ? SessionAsync(ctx) : NotAllowed(ctx, "GET");
            case "/api/login":
                return post ? LoginAsync(ctx) : NotAllowed(ctx, "POST");
            case "/api/logout":
                return post ? LogoutAsync(ctx) : NotAllowed(ctx, "POST");
            case "/api/config":
                return get ? ConfigTextAsync(ctx) : HttpMethods.IsPut(method) ? SaveAsync(ctx) : NotAllowed(ctx, "GET, PUT");
            case "/api/config/includes":
                return get ? IncludesAsync(ctx) : NotAllowed(ctx, "GET");
            case "/api/config/validate":
                return post ? ValidateAsync(ctx) : NotAllowed(ctx, "POST");
            case "/":
                return get ? _assets.ServeAsync(ctx, "index.html") : NotAllowed(ctx, "GET");
        }

        // POST /api/devices/<id>/metrics/<name>: the name may hold '/' (the rest of the path is the metric).
        const string devices = "/api/devices/";
        if (path.StartsWith(devices, StringComparison.Ordinal))
        {
            var slash = path.IndexOf('/', devices.Length);
            if (slash > devices.Length && string.CompareOrdinal(path, slash, "/metrics/", 0, 9) == 0 && path.Length > slash + 9)
            {
                return post ? WriteAsync(ctx, path[devices.Length..slash], path[(slash + 9)..]) : NotAllowed(ctx, "POST");
            }
        }
        else if (path.Length > 1 && path.IndexOf('/', 1) < 0 && !path.StartsWith("/api", StringComparison.Ordinal))
        {
            return get ? _assets.ServeAsync(ctx, path[1..]) : NotAllowed(ctx, "GET");
        }

        ctx.Response.StatusCode = 404;
        return Task.CompletedTask;
    }

    private static Task NotAllowed(HttpContext ctx, string allow)
    {
        ctx.Response.Headers.Allow = allow;
        ctx.Response.StatusCode = 405;
        return Task.CompletedTask;
    }

    private static void SecurityHeaders(HttpContext ctx)
    {
        var h = ctx.Response.Headers;
        h["X-Content-Type-Options"] = "nosniff";
        h["X-Frame-Options"] = "DENY";
        h["Referrer-Policy"] = "no-referrer";
        h["Content-Security-Policy"] =
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
        if (ctx.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            h.CacheControl = "no-store";
        }
    }

    // ---- read-only: status, values, metrics (no sign-in) ----

    private async Task MetricsAsync(HttpContext ctx)
    {
        var s = await _snapshots.GetAsync(TimeSpan.FromMilliseconds(250), ctx.RequestAborted).ConfigureAwait(false);
        var text = PrometheusText.Render(s, _host.Telemetry, _host.Version, _startedMs, ProcessStats.Read());
        await Text(ctx, 200, text, PrometheusText.ContentType).ConfigureAwait(false);
    }

    private async Task StatusAsync(HttpContext ctx)
    {
        // A second old at most: an open Devices page's stream takes one every half second, which this shares.
        var s = await _snapshots.GetAsync(TimeSpan.FromSeconds(1), ctx.RequestAborted).ConfigureAwait(false);
        var identity = await _auth.IdentifyAsync(ctx).ConfigureAwait(false);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        await Json(ctx, 200, ConsoleJson.Write(w => ConsoleJson.Status(w, s, _host, _problems, _startedMs, now, identity.User)))
            .ConfigureAwait(false);
    }

    private async Task DevicesAsync(HttpContext ctx)
    {
        var s = await _snapshots.GetAsync(TimeSpan.FromMilliseconds(250), ctx.RequestAborted).ConfigureAwait(false);
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        var pipe = ctx.Response.BodyWriter;
        using var w = new Utf8JsonWriter(pipe, ConsoleJson.Options);
        await WriteDevicesAsync(w, pipe, s, ctx.RequestAborted).ConfigureAwait(false);
        await w.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// The whole devices array, straight into the response pipe one device at a time: a 2,000-metric table (~250 kB)
    /// is never a string, an array or a large-object-heap block, and Kestrel's buffers hold one device at most.
    /// </summary>
    private async ValueTask WriteDevicesAsync(Utf8JsonWriter w, System.IO.Pipelines.PipeWriter pipe, EngineSnapshot s, CancellationToken token)
    {
        w.WriteStartArray();
        foreach (var d in s.Devices)
        {
            ConsoleJson.Device(w, d, _host.Telemetry);
            w.Flush();
            await pipe.FlushAsync(token).ConfigureAwait(false);
        }

        w.WriteEndArray();
        w.Flush();
    }

    /// <summary>
    /// Server-Sent Events for the Devices page: the whole table once (and again after a reload changes the devices), then
    /// every half second each device's health and only the metrics whose value or quality changed, so a page with a few
    /// hundred metrics updates a handful of cells instead of re-rendering. Events are written straight into the response
    /// pipe by one reused JSON writer: a stream allocates nothing per event but the snapshot it shares with every reader.
    /// </summary>
    private async Task EventsAsync(HttpContext ctx)
    {
        var lifetime = _app.Services.GetRequiredService<IHostApplicationLifetime>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, lifetime.ApplicationStopping);
        var token = stop.Token;
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/event-stream; charset=utf-8";
        ctx.Response.Headers.CacheControl = "no-cache, no-store";
        ctx.Response.Headers["X-Accel-Buffering"] = "no";
        var pipe = ctx.Response.BodyWriter;
        using var w = new Utf8JsonWriter(pipe, ConsoleJson.Options);
        EngineSnapshot? previous = null;
        try
        {
            pipe.Write(s_retry);
            await pipe.FlushAsync(token).ConfigureAwait(false);
            while (!token.IsCancellationRequested)
            {
                var s = await _snapshots.GetAsync(TimeSpan.FromMilliseconds(400), token).ConfigureAwait(false);
                if (!ReferenceEquals(s, previous))
                {
                    w.Reset(pipe);
                    if (previous is null || !SameLayout(previous, s))
                    {
                        pipe.Write(s_fullEvent);
                        await WriteDevicesAsync(w, pipe, s, token).ConfigureAwait(false);
                    }
                    else
                    {
                        pipe.Write(s_deltaEvent);
                        Delta(w, previous, s);
                        w.Flush();
                    }

                    pipe.Write(s_eventEnd);
                    var flushed = await pipe.FlushAsync(token).ConfigureAwait(false);
                    if (flushed.IsCompleted || flushed.IsCanceled)
                    {
                        break;
                    }

                    previous = s;
                }

                await Task.Delay(StreamInterval, _time, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
            // the browser went away
        }
    }

    /// <summary>Same devices and metrics in the same places (a reload or a new session may change them): a delta applies.</summary>
    private static bool SameLayout(EngineSnapshot a, EngineSnapshot b)
    {
        if (a.Generation != b.Generation || a.Devices.Count != b.Devices.Count)
        {
            return false;
        }

        for (var d = 0; d < a.Devices.Count; d++)
        {
            var x = a.Devices[d].Metrics;
            var y = b.Devices[d].Metrics;
            if (a.Devices[d].Id != b.Devices[d].Id || x.Count != y.Count || (x.Count > 0 && (x[0].Name != y[0].Name || x[^1].Name != y[^1].Name)))
            {
                return false;
            }
        }

        return true;
    }

    private void Delta(Utf8JsonWriter w, EngineSnapshot before, EngineSnapshot now)
    {
        w.WriteStartObject();
        w.WriteStartArray("devices");
        for (var d = 0; d < now.Devices.Count; d++)
        {
            w.WriteStartObject();
            w.WriteNumber("i", d);
            ConsoleJson.DeviceHealth(w, now.Devices[d], _host.Telemetry);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("values");
        for (var d = 0; d < now.Devices.Count; d++)
        {
            var a = before.Devices[d];
            var b = now.Devices[d];
            if (a.Metrics.Count != b.Metrics.Count)
            {
                continue;
            }

            for (var m = 0; m < b.Metrics.Count; m++)
            {
                var x = a.Metrics[m];
                var y = b.Metrics[m];
                if (x.HasValue == y.HasValue && x.ChangedMs == y.ChangedMs && x.Value.Equals(y.Value) && a.Online == b.Online)
                {
                    continue;
                }

                w.WriteStartObject();
                w.WriteNumber("d", d);
                w.WriteNumber("m", m);
                ConsoleJson.MetricValue(w, y, b.Online);
                w.WriteEndObject();
            }
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    // ---- sign-in ----

    private async Task SessionAsync(HttpContext ctx)
    {
        var session = _auth.FindSession(ctx);
        await Json(ctx, 200, ConsoleJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("user", session?.User);
            w.WriteString("csrf", session?.Csrf);
            w.WriteBoolean("usersConfigured", _auth.Users.Count > 0);
            w.WriteEndObject();
        })).ConfigureAwait(false);
    }

    private async Task LoginAsync(HttpContext ctx)
    {
        if (ConsoleAuth.CrossSiteProblem(ctx, default) is { } problem)
        {
            await Forbidden(ctx, problem).ConfigureAwait(false);
            return;
        }

        string name, password;
        try
        {
            using var doc = await JsonDocument.ParseAsync(ctx.Request.Body, default, ctx.RequestAborted).ConfigureAwait(false);
            name = doc.RootElement.GetProperty("name").GetString() ?? "";
            password = doc.RootElement.GetProperty("password").GetString() ?? "";
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            await Json(ctx, 400, ConsoleJson.Error("expected {\"name\":\"...\",\"password\":\"...\"}")).ConfigureAwait(false);
            return;
        }

        if (_auth.Users.Count == 0)
        {
            await Json(ctx, 401, ConsoleJson.Error("no users are configured (web.users): the console is read-only")).ConfigureAwait(false);
            return;
        }

        var (user, retry) = await _auth.CheckPasswordAsync(name, password, ConsoleAuth.Remote(ctx), ctx.RequestAborted).ConfigureAwait(false);
        if (user is null)
        {
            if (retry > 0)
            {
                ctx.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Json(ctx, 429, ConsoleJson.Error($"too many failed sign-ins; try again in {retry} s")).ConfigureAwait(false);
            }
            else
            {
                await Json(ctx, 401, ConsoleJson.Error("wrong user name or password")).ConfigureAwait(false);
            }

            return;
        }

        var session = _auth.StartSession(user, ctx);
        await Json(ctx, 200, ConsoleJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("user", session.User);
            w.WriteString("csrf", session.Csrf);
            w.WriteEndObject();
        })).ConfigureAwait(false);
    }

    private async Task LogoutAsync(HttpContext ctx)
    {
        var identity = await _auth.IdentifyAsync(ctx).ConfigureAwait(false);
        if (identity.Session is not null && ConsoleAuth.CrossSiteProblem(ctx, identity) is { } problem)
        {
            await Forbidden(ctx, problem).ConfigureAwait(false);
            return;
        }

        _auth.EndSession(ctx);
        ctx.Response.StatusCode = 204;
    }

    /// <summary>The signed-in user, or null after answering 401/429 (or 403 for a change that fails the CSRF checks).</summary>
    private async Task<string?> RequireUserAsync(HttpContext ctx, bool change)
    {
        var identity = await _auth.IdentifyAsync(ctx).ConfigureAwait(false);
        if (identity.User is null)
        {
            if (identity.RetryAfterSeconds > 0)
            {
                ctx.Response.Headers.RetryAfter = identity.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Json(ctx, 429, ConsoleJson.Error($"too many failed sign-ins; try again in {identity.RetryAfterSeconds} s")).ConfigureAwait(false);
                return null;
            }

            // Scripts are told how to authenticate; the console's own pages (which say who they are) get no challenge,
            // so the browser never pops up its own password dialog and never caches Basic credentials.
            if (ctx.Request.Headers[ConsoleAuth.PageHeader].Count == 0)
            {
                ctx.Response.Headers.WWWAuthenticate = "Basic realm=\"EdgeNode\", charset=\"UTF-8\"";
            }

            var message = _auth.Users.Count == 0
                ? "sign-in required, and no users are configured (web.users): the console is read-only"
                : identity.Problem ?? "sign-in required";
            await Json(ctx, 401, ConsoleJson.Error(message)).ConfigureAwait(false);
            return null;
        }

        if (change && ConsoleAuth.CrossSiteProblem(ctx, identity) is { } problem)
        {
            await Forbidden(ctx, problem).ConfigureAwait(false);
            return null;
        }

        return identity.User;
    }

    private async Task Forbidden(HttpContext ctx, string why)
    {
        Log.Forbidden(_logger, ctx.Request.Method, ctx.Request.Path.ToString(), why);
        await Json(ctx, 403, ConsoleJson.Error($"refused: {why}")).ConfigureAwait(false);
    }

    // ---- the device map ----

    private async Task ConfigTextAsync(HttpContext ctx)
    {
        // The map holds the MQTT password and the users' hashes: signed-in users only.
        if (await RequireUserAsync(ctx, change: false).ConfigureAwait(false) is null)
        {
            return;
        }

        var path = _host.ConfigPath;
        if (ctx.Request.Query["include"].ToString() is { Length: > 0 } include)
        {
            // Only the type files the configuration in force actually includes: never an arbitrary path.
            var file = IncludedFiles().FirstOrDefault(f => f == include);
            if (file is null)
            {
                await Json(ctx, 404, ConsoleJson.Error($"'{include}' is not an included type file")).ConfigureAwait(false);
                return;
            }

            path = file;
        }

        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await Json(ctx, 500, ConsoleJson.Error($"cannot read {path}: {ex.Message}")).ConfigureAwait(false);
            return;
        }

        ctx.Response.Headers["X-Config-Path"] = Uri.EscapeDataString(path);
        await Text(ctx, 200, text, "application/yaml; charset=utf-8").ConfigureAwait(false);
    }

    private IEnumerable<string> IncludedFiles() =>
        _host.Config.Types.Select(t => t.SourcePath).OfType<string>().Where(p => p != _host.ConfigPath).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

    private async Task IncludesAsync(HttpContext ctx)
    {
        if (await RequireUserAsync(ctx, change: false).ConfigureAwait(false) is null)
        {
            return;
        }

        var config = _host.Config;
        await Json(ctx, 200, ConsoleJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("config", _host.ConfigPath);
            w.WriteStartArray("files");
            foreach (var file in IncludedFiles())
            {
                w.WriteStartObject();
                w.WriteString("path", file);
                w.WriteStartArray("types");
                foreach (var type in config.Types.Where(t => t.SourcePath == file))
                {
                    w.WriteStringValue(type.Name);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        })).ConfigureAwait(false);
    }

    private async Task<string?> ReadBodyTextAsync(HttpContext ctx)
    {
        using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
        try
        {
            return await reader.ReadToEndAsync(ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException)
        {
            await Json(ctx, 413, ConsoleJson.Error($"a configuration is at most {MaxConfigBytes} bytes")).ConfigureAwait(false);
            return null;
        }
    }

    private async Task ValidateAsync(HttpContext ctx)
    {
        if (await ReadBodyTextAsync(ctx).ConfigureAwait(false) is not { } text)
        {
            return;
        }

        var result = ConfigStore.Validate(_host.ConfigPath, text);
        await Json(ctx, 200, ConsoleJson.Write(w => ConsoleJson.Errors(w, result.Valid, Shown(result.Errors)))).ConfigureAwait(false);
    }

    private async Task SaveAsync(HttpContext ctx)
    {
        if (await RequireUserAsync(ctx, change: true).ConfigureAwait(false) is not { } user)
        {
            return;
        }

        if (await ReadBodyTextAsync(ctx).ConfigureAwait(false) is not { } text)
        {
            return;
        }

        var path = _host.ConfigPath;
        await _saveGate.WaitAsync(ctx.RequestAborted).ConfigureAwait(false);
        try
        {
            var result = ConfigStore.Validate(path, text);
            if (!result.Valid)
            {
                Log.ConfigRefused(_logger, user, path, result.Errors.Count);
                await Json(ctx, 422, ConsoleJson.Write(w => ConsoleJson.Errors(w, false, Shown(result.Errors)))).ConfigureAwait(false);
                return;
            }

            string previous;
            try
            {
                previous = ConfigStore.Save(path, text);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Not a fault of the console but of where the map lives (a read-only /etc under systemd's ProtectSystem=, a
                // folder the node's user may not write): 409 with the file named and nothing changed, so the page can say so.
                var why = ConfigStore.WhyNotWritable(path, ex);
                Log.ConfigWriteFailed(_logger, user, path, why);
                await Json(ctx, 409, ConsoleJson.Write(w =>
                {
                    w.WriteStartObject();
                    w.WriteBoolean("valid", true);
                    w.WriteBoolean("saved", false);
                    w.WriteStartArray("errors");
                    w.WriteEndArray();
                    w.WriteString("file", path);
                    w.WriteString("error", $"not saved: {why}; the file and the running map are unchanged");
                    w.WriteEndObject();
                })).ConfigureAwait(false);
                return;
            }

            Log.ConfigSaved(_logger, user, path, previous);
            var outcome = _host.Reload($"saved in the web console by {user}");
            await Json(ctx, outcome.Applied ? 200 : 409, ConsoleJson.Write(w => ConsoleJson.Errors(w, true, [], outcome.Message))).ConfigureAwait(false);
        }
        finally
        {
            _saveGate.Release();
        }
    }

    private static IEnumerable<(int, int, string, string)> Shown(IReadOnlyList<ConfigError> errors) =>
        errors.Select(e => (e.Line, e.Column, e.File, e.Message));

    // ---- writing a value ----

    private async Task WriteAsync(HttpContext ctx, string devicePart, string metricPart)
    {
        if (await RequireUserAsync(ctx, change: true).ConfigureAwait(false) is not { } user)
        {
            return;
        }

        var deviceId = Uri.UnescapeDataString(devicePart);
        var metricName = Uri.UnescapeDataString(metricPart);
        JsonElement value;
        try
        {
            using var doc = await JsonDocument.ParseAsync(ctx.Request.Body, default, ctx.RequestAborted).ConfigureAwait(false);
            value = doc.RootElement.GetProperty("value").Clone();
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            await Json(ctx, 400, ConsoleJson.Error("expected a JSON body {\"value\": ...}")).ConfigureAwait(false);
            return;
        }

        var s = await _snapshots.GetAsync(TimeSpan.Zero, ctx.RequestAborted).ConfigureAwait(false);
        var device = s.Devices.FirstOrDefault(d => d.Id == deviceId);
        var index = device is null ? -1 : device.Metrics.ToList().FindIndex(m => m.Name == metricName);
        if (device is null || index < 0)
        {
            await Json(ctx, 404, ConsoleJson.Error(device is null ? $"unknown device '{deviceId}'" : $"{deviceId}: unknown metric '{metricName}'"))
                .ConfigureAwait(false);
            return;
        }

        var metric = device.Metrics[index];
        if (!metric.Writable)
        {
            await Json(ctx, 409, ConsoleJson.Error($"{deviceId}/{metricName} is read-only (writable: true in the map allows writes)")).ConfigureAwait(false);
            return;
        }

        if (!ValueParser.TryParse(value, metric.DataType, out var parsed, out var error))
        {
            await Json(ctx, 400, ConsoleJson.Error($"{deviceId}/{metricName}: {error}")).ConfigureAwait(false);
            return;
        }

        if (!device.Online)
        {
            await Json(ctx, 409, ConsoleJson.Error($"{deviceId} is not answering; nothing was written")).ConfigureAwait(false);
            return;
        }

        if (_host.Engine is not { } engine)
        {
            await Json(ctx, 503, ConsoleJson.Error("the node is restarting; try again")).ConfigureAwait(false);
            return;
        }

        Log.ValueWritten(_logger, user, deviceId, metricName, parsed.FormatValue());
        engine.WriteAsCommand(deviceId, metricName, parsed);
        await Json(ctx, 200, ConsoleJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("accepted", true);
            w.WriteString("device", deviceId);
            w.WriteString("metric", metricName);
            w.WritePropertyName("value");
            ConsoleJson.Value(w, parsed);
            w.WriteString("note", "sent through the DCMD path; the new value appears after the device's next scan");
            w.WriteEndObject();
        })).ConfigureAwait(false);
    }

    // ---- responses ----

    private static async Task Json(HttpContext ctx, int status, byte[] body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        ctx.Response.ContentLength = body.Length;
        await ctx.Response.Body.WriteAsync(body, ctx.RequestAborted).ConfigureAwait(false);
    }

    private static async Task Text(HttpContext ctx, int status, string text, string contentType)
    {
        var body = Encoding.UTF8.GetBytes(text);
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = contentType;
        ctx.Response.ContentLength = body.Length;
        await ctx.Response.Body.WriteAsync(body, ctx.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>ASP.NET Core's loggers are the node's (without disposing them: the node owns its factory).</summary>
    private sealed class ForwardingLoggerProvider(ILoggerFactory factory) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => factory.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }

    /// <summary>The node, not the console, decides when the process stops.</summary>
    private sealed class NodeOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
