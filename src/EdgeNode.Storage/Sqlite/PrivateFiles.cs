namespace EdgeNode.Storage.Sqlite;

/// <summary>
/// The store holds the plant's history: owner-only (0600) whatever the umask. SQLite creates a database 0644 less the
/// umask, and its -wal, -shm and -journal with the database file's own mode (os_unix.c: findCreateFileMode, and
/// robust_open forces that mode on a new file). So creating the empty database file 0600 before SQLite opens it makes
/// every companion 0600 too; an empty file is an empty database to SQLite.
/// </summary>
internal static class PrivateFiles
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
                                               UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// Creates <paramref name="path"/> empty and 0600 when absent; an existing file (and its -wal/-shm, which SQLite
    /// would reopen with their old mode) that group or others can use becomes 0600. Returns the files tightened.
    /// </summary>
    public static IReadOnlyList<string> EnsureDatabase(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
        {
            return [];
        }

        try
        {
            using var created = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.ReadWrite,
                UnixCreateMode = OwnerOnly,
            });
        }
        catch (IOException) when (File.Exists(path))
        {
            // It exists: tightened below.
        }

        var tightened = new List<string>();
        foreach (var file in new[] { path, StoreFiles.WalPath(path), StoreFiles.ShmPath(path), path + "-journal" })
        {
            if (Tighten(file))
            {
                tightened.Add(file);
            }
        }

        return tightened;
    }

    /// <summary>Removes every group and other permission of an existing file; true when there was one.</summary>
    public static bool Tighten(string path)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(path))
        {
            return false;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOthers) == 0)
        {
            return false;
        }

        File.SetUnixFileMode(path, mode & ~GroupOrOthers);
        return true;
    }

    /// <summary>Options for a new file of the store's folder (the lock file): created 0600.</summary>
    public static FileStreamOptions CreateOptions(FileMode mode, FileAccess access, FileShare share)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share, BufferSize = 1 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        return options;
    }
}
