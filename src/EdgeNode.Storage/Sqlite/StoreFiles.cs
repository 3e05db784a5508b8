using System.Buffers.Binary;
using System.Globalization;

namespace EdgeNode.Storage.Sqlite;

/// <summary>
/// Checks of the store's files made before SQLite touches them, and moving a bad store aside. SQLite silently
/// ignores a WAL whose header is damaged (it treats it as empty), so without this check a garbage -wal would lose its
/// content without a word; we keep it for forensics and say so.
/// </summary>
internal static class StoreFiles
{
    /// <summary>"SQLite format 3\0", the first 16 bytes of every database file (fileformat2 §1.3).</summary>
    private static ReadOnlySpan<byte> DatabaseMagic => "SQLite format 3\0"u8;

    public const int DatabaseHeaderLength = 100;

    public const int WalHeaderLength = 32;

    public static string WalPath(string path) => path + "-wal";

    public static string ShmPath(string path) => path + "-shm";

    public static string LockPath(string path) => path + ".lock";

    /// <summary>
    /// Null when the file is absent, empty, or starts with a valid database header; else what is wrong. The length
    /// checks apply only when the WAL holds nothing: a checkpoint interrupted by a crash may leave the file shorter
    /// than its header says while the WAL still holds every page, which SQLite recovers by itself.
    /// </summary>
    public static string? CheckDatabaseHeader(string path, bool walHasContent)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.Length == 0)
        {
            return null; // SQLite treats an empty file as an empty database
        }

        if (info.Length < DatabaseHeaderLength)
        {
            return $"the file is {info.Length} bytes, shorter than an SQLite header";
        }

        Span<byte> header = stackalloc byte[DatabaseHeaderLength];
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            stream.ReadExactly(header);
        }

        if (!header[..16].SequenceEqual(DatabaseMagic))
        {
            return "the file is not an SQLite database (no 'SQLite format 3' header)";
        }

        // Page size: 2 bytes big-endian at offset 16, a power of two 512..32768, or 1 meaning 65536.
        var pageSize = BinaryPrimitives.ReadUInt16BigEndian(header[16..]);
        var realPageSize = pageSize == 1 ? 65536 : pageSize;
        if (realPageSize < 512 || (realPageSize & (realPageSize - 1)) != 0)
        {
            return $"the header's page size {pageSize} is invalid";
        }

        if (walHasContent)
        {
            return null;
        }

        if (info.Length % realPageSize != 0)
        {
            return $"the file is {info.Length} bytes, not a whole number of {realPageSize}-byte pages (truncated?)";
        }

        // In-header database size (offset 28) is valid when the version-valid-for number (92) equals the change
        // counter (24) (fileformat2 §1.3.7); a file shorter than that size was cut off.
        var changeCounter = BinaryPrimitives.ReadUInt32BigEndian(header[24..]);
        var pages = BinaryPrimitives.ReadUInt32BigEndian(header[28..]);
        var validFor = BinaryPrimitives.ReadUInt32BigEndian(header[92..]);
        if (pages != 0 && validFor == changeCounter && (long)pages * realPageSize > info.Length)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"the file is {info.Length} bytes but its header says {pages} pages of {realPageSize} bytes (truncated)");
        }

        return null;
    }

    /// <summary>True when a -wal file with at least a header exists.</summary>
    public static bool WalHasContent(string walPath)
    {
        var info = new FileInfo(walPath);
        return info.Exists && info.Length > WalHeaderLength;
    }

    /// <summary>
    /// Null when the WAL is absent, empty, or its 32-byte header is valid (magic 0x377F0682/3, format 3007000, a page
    /// size that is a power of two 512..65536, matching header checksum); else what is wrong.
    /// </summary>
    public static string? CheckWalHeader(string walPath)
    {
        var info = new FileInfo(walPath);
        if (!info.Exists || info.Length == 0)
        {
            return null;
        }

        if (info.Length < WalHeaderLength)
        {
            return $"the WAL is {info.Length} bytes, shorter than its 32-byte header";
        }

        Span<byte> header = stackalloc byte[WalHeaderLength];
        using (var stream = new FileStream(walPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            stream.ReadExactly(header);
        }

        return CheckWalHeader(header);
    }

    public static string? CheckWalHeader(ReadOnlySpan<byte> header)
    {
        var magic = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (magic is not (0x377F0682 or 0x377F0683))
        {
            return $"the WAL has no WAL magic (0x{magic:X8})";
        }

        var version = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
        if (version != 3007000)
        {
            return $"the WAL format version {version} is not 3007000";
        }

        var pageSize = BinaryPrimitives.ReadUInt32BigEndian(header[8..]);
        if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) != 0)
        {
            return $"the WAL page size {pageSize} is invalid";
        }

        // The checksum runs over the first 24 bytes as 32-bit words, big-endian words when the magic's low bit is set.
        var bigEndian = (magic & 1) != 0;
        uint s0 = 0, s1 = 0;
        for (var i = 0; i < 24; i += 8)
        {
            var x0 = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(header[i..]) : BinaryPrimitives.ReadUInt32LittleEndian(header[i..]);
            var x1 = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(header[(i + 4)..]) : BinaryPrimitives.ReadUInt32LittleEndian(header[(i + 4)..]);
            s0 = unchecked(s0 + x0 + s1);
            s1 = unchecked(s1 + x1 + s0);
        }

        var c0 = BinaryPrimitives.ReadUInt32BigEndian(header[24..]);
        var c1 = BinaryPrimitives.ReadUInt32BigEndian(header[28..]);
        return c0 == s0 && c1 == s1 ? null : "the WAL header checksum does not match";
    }

    /// <summary>
    /// The aside name for a store moved away at <paramref name="utcNow"/>: <c>store.db.corrupt-20250301T120000Z</c>,
    /// with <c>-1</c>, <c>-2</c>… when that second is taken, so names always sort in the order they were made.
    /// </summary>
    public static string AsidePath(string path, DateTimeOffset utcNow)
    {
        var stamp = utcNow.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var candidate = $"{path}.corrupt-{stamp}";
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        var prefix = System.IO.Path.GetFileName(candidate);
        var taken = -1;
        foreach (var file in Directory.EnumerateFiles(directory, prefix + "*"))
        {
            var rest = System.IO.Path.GetFileName(file)[prefix.Length..];
            rest = rest.EndsWith("-wal", StringComparison.Ordinal) || rest.EndsWith("-shm", StringComparison.Ordinal) ? rest[..^4] : rest;
            if (rest.Length == 0)
            {
                taken = Math.Max(taken, 0);
            }
            else if (rest[0] == '-' && int.TryParse(rest.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                taken = Math.Max(taken, n);
            }
        }

        return taken < 0 ? candidate : $"{candidate}-{taken + 1}";
    }

    /// <summary>Moves the database and its -wal/-shm to <paramref name="aside"/> (keeping SQLite's suffixes so the copy opens).</summary>
    public static IReadOnlyList<string> MoveAside(string path, string aside, bool includeDatabase)
    {
        var moved = new List<string>();
        if (includeDatabase && File.Exists(path))
        {
            File.Move(path, aside);
            moved.Add(aside);
        }

        if (File.Exists(WalPath(path)))
        {
            File.Move(WalPath(path), WalPath(aside));
            moved.Add(WalPath(aside));
        }

        if (File.Exists(ShmPath(path)))
        {
            if (includeDatabase)
            {
                File.Move(ShmPath(path), ShmPath(aside));
                moved.Add(ShmPath(aside));
            }
            else
            {
                // The shared-memory index describes the WAL we moved away; SQLite rebuilds it from the files.
                File.Delete(ShmPath(path));
            }
        }

        return moved;
    }

    /// <summary>Deletes the oldest moved-aside copies beyond <paramref name="keep"/>; returns the files deleted.</summary>
    public static IReadOnlyList<string> PruneAsideCopies(string path, int keep)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        var prefix = System.IO.Path.GetFileName(path) + ".corrupt-";
        var groups = Directory.EnumerateFiles(directory, prefix + "*")
            .GroupBy(f => StripSuffix(System.IO.Path.GetFileName(f)), StringComparer.Ordinal)
            .OrderByDescending(g => g.Key, StringComparer.Ordinal)
            .Skip(keep);
        var deleted = new List<string>();
        foreach (var group in groups)
        {
            foreach (var file in group)
            {
                File.Delete(file);
                deleted.Add(file);
            }
        }

        return deleted;

        static string StripSuffix(string name) =>
            name.EndsWith("-wal", StringComparison.Ordinal) || name.EndsWith("-shm", StringComparison.Ordinal) ? name[..^4] : name;
    }
}
