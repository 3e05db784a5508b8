namespace EdgeNode.Testing;

/// <summary>
/// Two connected pseudo-terminals made by <c>socat</c> (a null-modem cable in software): bytes written to
/// <see cref="PortA"/> are read from <see cref="PortB"/> and back. Both paths are stable symlinks in a private temp
/// folder; the ptys ignore baud rate, parity and RS-485 settings. Dispose kills socat and removes the folder.
/// </summary>
public sealed class SocatPtyPair : IAsyncDisposable
{
    private readonly string _directory;

    private SocatPtyPair(ExternalProcess process, string directory, string portA, string portB)
    {
        Process = process;
        _directory = directory;
        PortA = portA;
        PortB = portB;
    }

    /// <summary>One end (give it to the master).</summary>
    public string PortA { get; }

    /// <summary>The other end (give it to the slave).</summary>
    public string PortB { get; }

    /// <summary>The socat process.</summary>
    public ExternalProcess Process { get; }

    /// <summary>Starts socat and waits until both pty links exist.</summary>
    public static async Task<SocatPtyPair> StartAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        var socat = Peers.RequireDebian("socat", "socat");
        var directory = Directory.CreateTempSubdirectory("edgenode-pty-").FullName;
        var a = Path.Combine(directory, (name ?? "pty") + "-a");
        var b = Path.Combine(directory, (name ?? "pty") + "-b");
        // raw,echo=0 on both: a serial line carries bytes, not a terminal session. socat keeps running while either
        // side is closed and reopened, so a master may reconnect.
        var process = ExternalProcess.Start(socat,
            ["-d", "-d", $"pty,raw,echo=0,link={a}", $"pty,raw,echo=0,link={b}"]);
        var pair = new SocatPtyPair(process, directory, a, b);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            await process.WaitForLineAsync("starting data transfer loop", TimeSpan.FromSeconds(20)).ConfigureAwait(false);
            while (!File.Exists(a) || !File.Exists(b))
            {
                await Task.Delay(20, timeout.Token).ConfigureAwait(false);
            }

            return pair;
        }
        catch
        {
            await pair.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temp folder is harmless
        }
    }
}
