using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace EdgeNode.Configuration.Yaml;

/// <summary>
/// Reads the text of a configuration file (the node's, an included type library, the bridge's) with the limits every
/// caller gets: regular files only (<c>/dev/zero</c>, a FIFO or <c>/dev/stdin</c> would never end or never come),
/// at most <see cref="MaxFileBytes"/>, and errors that say what is wrong without quoting the file.
/// </summary>
internal static class ConfigSource
{
    /// <summary>The largest configuration file read (4 MiB: thousands of devices; far below what a Pi can hold parsed).</summary>
    public const int MaxFileBytes = 4 * 1024 * 1024;

    public const string MaxFileText = "4 MiB";

    /// <summary>Reads <paramref name="fullPath"/>; null and the text, or the reason it cannot be used.</summary>
    public static string? TryRead(string fullPath, out string text)
    {
        text = "";
        if (Kind(fullPath) is { } problem)
        {
            return problem;
        }

        byte[] bytes;
        int length;
        try
        {
            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            // Read one byte past the limit: a file that grew after the check (or a special file statx could not
            // tell apart) is refused without being read to its end.
            bytes = new byte[(int)Math.Min(MaxFileBytes + 1L, Math.Max(stream.CanSeek ? stream.Length + 1 : 0, 4096))];
            length = 0;
            int read;
            while ((read = stream.Read(bytes, length, bytes.Length - length)) > 0)
            {
                length += read;
                if (length == bytes.Length)
                {
                    if (length > MaxFileBytes)
                    {
                        return TooLarge(length, grew: true);
                    }

                    Array.Resize(ref bytes, (int)Math.Min(MaxFileBytes + 1L, bytes.Length * 2L));
                }
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return "file not found";
        }
        catch (UnauthorizedAccessException)
        {
            return "permission denied (cannot read the file)";
        }
        catch (IOException ex)
        {
            return $"cannot read the file: {ex.Message}";
        }

        text = Decode(bytes.AsSpan(0, length));
        return null;
    }

    /// <summary>Null for a regular file within the limit; else what it is.</summary>
    private static string? Kind(string fullPath)
    {
        Interop.statx info;
        int result;
        try
        {
            result = Interop.Statx(Interop.AT_FDCWD, fullPath, 0, Interop.STATX_TYPE_SIZE, out info);
        }
        catch (EntryPointNotFoundException)
        {
            // glibc < 2.28: no statx wrapper. Directories are still told apart, and the bounded read keeps the size
            // limit; only pipes and devices go unrecognised.
            return Directory.Exists(fullPath) ? "is a directory, not a configuration file" : null;
        }

        if (result != 0)
        {
            return Marshal.GetLastPInvokeError() switch
            {
                Interop.ENOENT or Interop.ENOTDIR => "file not found",
                Interop.EACCES => "permission denied (cannot read the file)",
                var errno => string.Create(CultureInfo.InvariantCulture, $"cannot read the file (error {errno})"),
            };
        }

        switch (info.stx_mode & Interop.S_IFMT)
        {
            case Interop.S_IFREG:
                return info.stx_size > MaxFileBytes ? TooLarge((long)Math.Min(info.stx_size, long.MaxValue), grew: false) : null;
            case Interop.S_IFDIR:
                return "is a directory, not a configuration file";
            default:
                return "is not a regular file (a device, pipe or socket); a configuration must be a file";
        }
    }

    private static string TooLarge(long bytes, bool grew) => grew
        ? $"the file is over the {MaxFileText} limit of a configuration file"
        : string.Create(CultureInfo.InvariantCulture, $"the file is {bytes} bytes, over the {MaxFileText} limit of a configuration file");

    /// <summary>UTF-8 (with or without a BOM), or UTF-16 with its BOM, as File.ReadAllText reads it.</summary>
    private static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes is [0xEF, 0xBB, 0xBF, ..])
        {
            return Encoding.UTF8.GetString(bytes[3..]);
        }

        if (bytes is [0xFF, 0xFE, ..])
        {
            return Encoding.Unicode.GetString(bytes[2..]);
        }

        if (bytes is [0xFE, 0xFF, ..])
        {
            return Encoding.BigEndianUnicode.GetString(bytes[2..]);
        }

        return Encoding.UTF8.GetString(bytes);
    }
}
