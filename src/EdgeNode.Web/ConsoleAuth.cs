using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using EdgeNode.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Web;

/// <summary>
/// Who is asking, and may they change anything. Pages sign in with a form and get a session cookie (HttpOnly,
/// SameSite=Strict, Secure under TLS) plus a CSRF token that every change must echo in a header; scripts send
/// <c>Authorization: Basic</c> on each request. Failed sign-ins are throttled per address and per user name, and the
/// deliberately slow password check runs one at a time so a flood of guesses cannot take the gateway's CPU.
/// </summary>
internal sealed class ConsoleAuth(INodeHost host, TimeProvider time, ILogger logger)
{
    public const string CookieName = "edgenode_session";
    public const string CsrfHeader = "X-CSRF-Token";
    public const string PageHeader = "X-Requested-With";

    // Per user name: a guesser gets five tries; per address: more, because an SSH tunnel makes every technician 127.0.0.1.
    private const int MaxFailuresPerUser = 5;
    private const int MaxFailuresPerAddress = 20;
    private static readonly TimeSpan FailureWindow = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan LockOut = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan SessionIdle = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan SessionMax = TimeSpan.FromHours(12);
    private static readonly TimeSpan BasicCacheTime = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Failures> _failures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string User, DateTimeOffset Until)> _basicCache = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _verifyGate = new(1, 1);

    public sealed class Session(string user, string csrf, DateTimeOffset created)
    {
        public string User { get; } = user;

        public string Csrf { get; } = csrf;

        public DateTimeOffset Created { get; } = created;

        public DateTimeOffset LastSeen { get; set; } = created;
    }

    private sealed class Failures
    {
        public readonly Queue<DateTimeOffset> Times = new();
        public DateTimeOffset LockedUntil;
    }

    public IReadOnlyList<WebUser> Users => host.Config.Web?.Users ?? [];

    /// <summary>Outcome of authenticating a request.</summary>
    public readonly record struct Identity(string? User, Session? Session, bool ViaBasic, string? Problem, int RetryAfterSeconds);

    /// <summary>The signed-in user of <paramref name="context"/>, by Basic credentials or by session cookie.</summary>
    public async Task<Identity> IdentifyAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            }
            catch (FormatException)
            {
                return new Identity(null, null, true, "malformed Basic credentials", 0);
            }

            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                return new Identity(null, null, true, "malformed Basic credentials", 0);
            }

            var (user, retry) = await CheckPasswordAsync(decoded[..colon], decoded[(colon + 1)..], Remote(context), context.RequestAborted)
                .ConfigureAwait(false);
            return user is null
                ? new Identity(null, null, true, retry > 0 ? "too many failed sign-ins" : "wrong user name or password", retry)
                : new Identity(user, null, true, null, 0);
        }

        var session = FindSession(context);
        return session is null ? default : new Identity(session.User, session, false, null, 0);
    }

    public Session? FindSession(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(CookieName, out var token) || string.IsNullOrEmpty(token)
            || !_sessions.TryGetValue(token, out var session))
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (now - session.LastSeen > SessionIdle || now - session.Created > SessionMax || !Users.Any(u => u.Name == session.User))
        {
            // expired, or the user was removed from the configuration
            _sessions.TryRemove(token, out _);
            return null;
        }

        session.LastSeen = now;
        return session;
    }

    /// <summary>Checks a user's password; null with the seconds to wait when throttled, or null with 0 when wrong.</summary>
    public async Task<(string? User, int RetryAfterSeconds)> CheckPasswordAsync(string name, string password, string remote,
        CancellationToken cancellationToken)
    {
        var users = Users;
        var now = time.GetUtcNow();
        var cacheKey = CacheKey(name, password, users);
        if (_basicCache.TryGetValue(cacheKey, out var cached) && cached.Until > now)
        {
            return (cached.User, 0);
        }

        var retry = Math.Max(LockedFor(remote, now), LockedFor("user:" + name, now));
        if (retry > 0)
        {
            Log.SignInThrottled(logger, remote, retry);
            return (null, retry);
        }

        var user = users.FirstOrDefault(u => u.Name == name);
        bool ok;
        await _verifyGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // An unknown name costs as much as a known one: response time does not tell which names exist.
            ok = PasswordHash.Verify(password, user?.PasswordHash ?? DummyHash.Value) && user is not null;
        }
        finally
        {
            _verifyGate.Release();
        }

        if (!ok)
        {
            Log.SignInFailed(logger, name, remote);
            Fail(remote, now, MaxFailuresPerAddress);
            Fail("user:" + name, now, MaxFailuresPerUser);
            return (null, 0);
        }

        _failures.TryRemove("user:" + name, out _);
        _basicCache[cacheKey] = (name, now + BasicCacheTime);
        return (name, 0);
    }

    public Session StartSession(string user, HttpContext context)
    {
        PurgeExpired();
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var session = new Session(user, Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), time.GetUtcNow());
        _sessions[token] = session;
        context.Response.Cookies.Append(CookieName, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
            IsEssential = true,
        });
        Log.SignedIn(logger, user, Remote(context));
        return session;
    }

    public void EndSession(HttpContext context)
    {
        if (context.Request.Cookies.TryGetValue(CookieName, out var token) && token is not null && _sessions.TryRemove(token, out var session))
        {
            Log.SignedOut(logger, session.User);
        }

        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/" });
    }

    /// <summary>
    /// CSRF defence for a change: a browser's cross-site request is refused by its Origin/Sec-Fetch-Site headers (which
    /// scripts do not send and pages cannot forge), and a cookie session must also echo its token.
    /// </summary>
    public static string? CrossSiteProblem(HttpContext context, Identity identity)
    {
        var request = context.Request;
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site is "cross-site" or "same-site")
        {
            return $"a {site} request";
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && origin != "null" &&
            !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase))
        {
            return $"origin {origin} is not this console";
        }

        if (origin == "null")
        {
            return "an opaque origin";
        }

        if (identity.Session is { } session)
        {
            var token = request.Headers[CsrfHeader].ToString();
            if (token.Length == 0 || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(token), Encoding.ASCII.GetBytes(session.Csrf)))
            {
                return "missing or wrong CSRF token";
            }
        }

        return null;
    }

    public static string Remote(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private int LockedFor(string key, DateTimeOffset now) =>
        _failures.TryGetValue(key, out var f) && f.LockedUntil > now ? (int)Math.Ceiling((f.LockedUntil - now).TotalSeconds) : 0;

    private void Fail(string key, DateTimeOffset now, int max)
    {
        if (_failures.Count > 1000)
        {
            // a spray of made-up user names must not grow this without bound: forget what no longer counts
            foreach (var (k, old) in _failures)
            {
                lock (old)
                {
                    if (old.LockedUntil < now && (old.Times.Count == 0 || now - old.Times.Peek() > FailureWindow))
                    {
                        _failures.TryRemove(k, out _);
                    }
                }
            }
        }

        var f = _failures.GetOrAdd(key, static _ => new Failures());
        lock (f)
        {
            f.Times.Enqueue(now);
            while (f.Times.Count > 0 && now - f.Times.Peek() > FailureWindow)
            {
                f.Times.Dequeue();
            }

            if (f.Times.Count >= max)
            {
                f.LockedUntil = now + LockOut;
                f.Times.Clear();
            }
        }
    }

    private void PurgeExpired()
    {
        var now = time.GetUtcNow();
        foreach (var (token, session) in _sessions)
        {
            if (now - session.LastSeen > SessionIdle || now - session.Created > SessionMax)
            {
                _sessions.TryRemove(token, out _);
            }
        }

        foreach (var (key, entry) in _basicCache)
        {
            if (entry.Until <= now)
            {
                _basicCache.TryRemove(key, out _);
            }
        }
    }

    /// <summary>A cache key that changes when the user's hash does (a password change or removal takes effect at once).</summary>
    private static string CacheKey(string name, string password, IReadOnlyList<WebUser> users)
    {
        var hash = users.FirstOrDefault(u => u.Name == name)?.PasswordHash ?? "";
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{name}\0{password}\0{hash}")));
    }

    private static readonly Lazy<string> DummyHash = new(() => PasswordHash.Hash(Guid.NewGuid().ToString()));
}
