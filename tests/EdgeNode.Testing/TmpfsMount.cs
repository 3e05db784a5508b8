using System.Globalization;

namespace EdgeNode.Testing;

/// <summary>
/// A small tmpfs file system mounted on a fresh temp folder (needs root, as in CI): a disk that fills up for tests of
/// the store (issue 15). <see cref="FillAsync"/> takes every free byte with a filler file, <see cref="Free"/> gives
/// them back. Dispose unmounts (lazily, if a process still has a file open) and removes the folder.
/// </summary>
public sealed class TmpfsMount : IAsyncDisposable
{
    private TmpfsMount(string path) => Path = path;

    /// <summary>The mount point.</summary>
    public string Path { get; }

    private string Filler => System.IO.Path.Combine(Path, "filler");

    /// <summary>Mounts a tmpfs of <paramref name="kilobytes"/> KiB.</summary>
    public static async Task<TmpfsMount> MountAsync(int kilobytes)
    {
        var path = Directory.CreateTempSubdirectory("edgenode-tmpfs-").FullName;
        await RunAsync("mount", "-t", "tmpfs", "-o", string.Create(CultureInfo.InvariantCulture, $"size={kilobytes}k,mode=0755"), "tmpfs", path)
            .ConfigureAwait(false);
        return new TmpfsMount(path);
    }

    /// <summary>Writes a filler file until the file system refuses (ENOSPC); returns the bytes it took.</summary>
    public async Task<long> FillAsync()
    {
        var chunk = new byte[4096];
        long written = 0;
        await using var file = new FileStream(Filler, FileMode.Append, FileAccess.Write, FileShare.None, 1);
        try
        {
            while (true)
            {
                await file.WriteAsync(chunk).ConfigureAwait(false);
                await file.FlushAsync().ConfigureAwait(false);
                written += chunk.Length;
            }
        }
        catch (IOException)
        {
            // full
        }

        return written;
    }

    /// <summary>Deletes the filler file.</summary>
    public void Free() => File.Delete(Filler);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync("umount", "-l", Path).ConfigureAwait(false);
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            // a leftover temp folder is harmless
        }
    }

    private static async Task RunAsync(string command, params string[] args)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(command, args)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException($"{command} did not start");
        var error = await process.StandardError.ReadToEndAsync().ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', args)} failed ({process.ExitCode}): {error.Trim()} (the tmpfs tests need root)");
        }
    }
}
