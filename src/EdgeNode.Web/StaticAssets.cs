using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace EdgeNode.Web;

/// <summary>The pages, shipped inside the assembly (no files to install, nothing fetched from the internet).</summary>
internal sealed class StaticAssets
{
    private readonly Dictionary<string, (byte[] Body, string Type, string ETag)> _files = new(StringComparer.Ordinal);

    public static StaticAssets Load()
    {
        var assets = new StaticAssets();
        var assembly = typeof(StaticAssets).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("wwwroot/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            var body = memory.ToArray();
            var name = resource["wwwroot/".Length..];
            var type = Path.GetExtension(name) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            assets._files[name] = (body, type, $"\"{Convert.ToHexString(SHA256.HashData(body).AsSpan(0, 8))}\"");
        }

        return assets;
    }

    public async Task ServeAsync(HttpContext ctx, string name)
    {
        if (!_files.TryGetValue(name, out var file))
        {
            ctx.Response.StatusCode = 404;
            return;
        }

        ctx.Response.Headers.ETag = file.ETag;
        ctx.Response.Headers.CacheControl = "no-cache";
        if (ctx.Request.Headers.IfNoneMatch.ToString() == file.ETag)
        {
            ctx.Response.StatusCode = 304;
            return;
        }

        ctx.Response.ContentType = file.Type;
        ctx.Response.ContentLength = file.Body.Length;
        await ctx.Response.Body.WriteAsync(file.Body, ctx.RequestAborted).ConfigureAwait(false);
    }
}
