namespace EdgeNode.Storage;

/// <summary>
/// Settings of the store-and-forward buffer (configuration section <c>storeForward</c>). Queue policy as explicit
/// values plus a size bound, like SE.Redis's <c>BacklogPolicy</c>.
/// </summary>
public sealed class ForwardStoreOptions
{
    /// <summary>The file name used under the state directory when <c>storeForward.path</c> is not set.</summary>
    public const string DefaultFileName = "store.db";

    /// <summary>The default of <c>storeForward.maxMegabytes</c>.</summary>
    public const int DefaultMaxMegabytes = 256;

    /// <summary>The smallest accepted <see cref="MaxBytes"/> (512 KiB): below it the WAL reserve leaves no room for data.</summary>
    public const long MinimumMaxBytes = 512 * 1024;

    /// <summary>Path of the SQLite file; missing folders are created. The -wal, -shm and .lock files live beside it.</summary>
    public required string Path { get; set; }

    /// <summary>
    /// Upper bound of the store on disk, database plus WAL (<c>storeForward.maxMegabytes</c> × 1 MiB). When a commit
    /// would exceed it the oldest changes are dropped and counted, never the newest.
    /// </summary>
    public long MaxBytes { get; set; } = DefaultMaxMegabytes * 1024L * 1024L;

    /// <summary>
    /// How often appended changes are committed durably (default 1 s). A process crash or power cut loses at most the
    /// changes appended since the last completed commit, so this is the durability window: any positive value is
    /// accepted, but the product promises ≤ 1 s and longer values widen the window accordingly.
    /// </summary>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Run <c>PRAGMA quick_check</c> when opening (default true). It reads every page once — about a second per
    /// 100 MB on a Raspberry Pi SD card — and catches truncated and damaged files before they are used.
    /// </summary>
    public bool QuickCheckOnOpen { get; set; } = true;

    /// <summary>How many moved-aside corrupt stores to keep beside the store (default 2); older ones are deleted.</summary>
    public int KeepCorruptCopies { get; set; } = 2;

    /// <summary>
    /// Bound of changes held in memory while the disk refuses commits (I/O errors, disk full, locked by another
    /// program). Past it the oldest in-memory changes are dropped and counted. Default 32 MiB of encoded changes.
    /// </summary>
    public long MemoryLimitBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Changes per segment row before it is sealed (default 4096).</summary>
    public int SegmentMaxChanges { get; set; } = 4096;

    /// <summary>Encoded bytes per segment row before it is sealed (default 32 KiB).</summary>
    public int SegmentMaxBytes { get; set; } = 32 * 1024;

    /// <summary>Options with <paramref name="maxMegabytes"/> converted to <see cref="MaxBytes"/>.</summary>
    public static ForwardStoreOptions FromConfiguration(string path, int maxMegabytes = DefaultMaxMegabytes) =>
        new() { Path = path, MaxBytes = maxMegabytes * 1024L * 1024L };

    /// <summary>The default store path under a state directory (see the contract: <c>$STATE_DIRECTORY</c> …).</summary>
    public static string DefaultPath(string stateDirectory) => System.IO.Path.Combine(stateDirectory, DefaultFileName);

    /// <summary>Every problem of these options, one message each naming the option; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Path))
        {
            problems.Add("storeForward.path: must not be empty");
        }

        if (MaxBytes < MinimumMaxBytes)
        {
            problems.Add($"storeForward.maxMegabytes: {MaxBytes} bytes is below the minimum of {MinimumMaxBytes} bytes");
        }

        if (CommitInterval <= TimeSpan.Zero)
        {
            problems.Add("storeForward commit interval: must be positive");
        }

        if (KeepCorruptCopies < 0)
        {
            problems.Add("storeForward keepCorruptCopies: must be zero or more");
        }

        if (MemoryLimitBytes < 64 * 1024)
        {
            problems.Add("storeForward memory limit: must be at least 64 KiB");
        }

        if (SegmentMaxChanges is < 1 or > 1_000_000)
        {
            problems.Add("storeForward segment size: must be 1 to 1,000,000 changes");
        }

        if (SegmentMaxBytes is < 256 or > 16 * 1024 * 1024)
        {
            problems.Add("storeForward segment size: must be 256 bytes to 16 MiB");
        }

        return problems;
    }
}
