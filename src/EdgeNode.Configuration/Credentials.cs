namespace EdgeNode.Configuration;

/// <summary>Keeps secrets out of what is printed: messages, logs, <c>ToString()</c>.</summary>
public static class Credentials
{
    /// <summary>What is printed in place of a secret.</summary>
    public const string Mask = "***";

    /// <summary>
    /// <paramref name="url"/> with any user information (<c>user:password@</c>) replaced by <c>***@</c>. Everything up
    /// to the last '@' counts: a password may hold '/', ':' or '@', and a host never holds '@'.
    /// </summary>
    public static string RedactUrl(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var at = url.LastIndexOf('@');
        if (at < 0)
        {
            return url;
        }

        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
        return string.Concat(url.AsSpan(0, start), Mask, url.AsSpan(at));
    }

    /// <summary>True when <paramref name="url"/> carries user information (<c>user:password@host</c>).</summary>
    public static bool HasUserInfo(string url) => url?.Contains('@', StringComparison.Ordinal) ?? false;
}
