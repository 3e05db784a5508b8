using System.Runtime.InteropServices;
using EdgeNode.Configuration;

namespace EdgeNode.Web;

/// <summary>
/// The configuration file as the editor sees it: validated as text with the command line's loader (same messages,
/// lines and columns as <c>edgenode validate</c>), and saved only when valid: the previous version is kept as
/// <c>FILE.prev</c>, the new text is written to a temporary file in the same folder, flushed to disk and renamed over
/// the original, so a power cut leaves either the old map or the new one, never half of either.
/// </summary>
internal static partial class ConfigStore
{
    public sealed record Validation(bool Valid, IReadOnlyList<ConfigError> Errors);

    public static Validation Validate(string configPath, string text)
    {
        var result = EdgeNodeConfigLoader.LoadText(configPath, text);
        return new Validation(result.IsValid, result.Errors);
    }

    /// <summary>Writes <paramref name="text"/> over <paramref name="configPath"/> atomically; the caller validated it.</summary>
    public static string Save(string configPath, string text)
    {
        var directory = Path.GetDirectoryName(configPath)!;
        var name = Path.GetFileName(configPath);
        var previous = configPath + ".prev";
        UnixFileMode? mode = null;
        if (File.Exists(configPath))
        {
            mode = OperatingSystem.IsWindows() ? null : File.GetUnixFileMode(configPath);
            // The previous version, itself written atomically: a crash here leaves the old .prev or the new one.
            var prevTemp = Path.Combine(directory, $".{name}.prev.{Environment.ProcessId}.tmp");
            File.Copy(configPath, prevTemp, overwrite: true);
            FlushFile(prevTemp);
            File.Move(prevTemp, previous, overwrite: true);
        }

        // Not *.yaml: an include: of this folder must never pick up a half-written copy as a type library.
        var temp = Path.Combine(directory, $".{name}.{Environment.ProcessId}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                if (mode is { } m && !OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(stream.SafeFileHandle, m); // a map with MQTT passwords stays as private as it was
                }

                var bytes = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, configPath, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // the temporary file could not be made in the first place (a read-only folder): the first error is the one to report
            }

            throw;
        }

        FlushDirectory(directory);
        return previous;
    }

    /// <summary>
    /// One line for the user on why <see cref="Save"/> failed: the file, the system's reason, and what to change. The save
    /// writes a temporary file beside the map and renames it, so it is the folder, not only the file, that must be writable.
    /// </summary>
    public static string WhyNotWritable(string configPath, Exception error)
    {
        var folder = Path.GetDirectoryName(configPath)!;
        var reason = System.Text.RegularExpressions.Regex.Replace(error.Message, @" : '[^']*'$", "");
        if (error.Message.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase))
        {
            return $"cannot write {configPath}: {folder} is read-only for the node (under systemd, ProtectSystem=strict: the shipped " +
                   $"unit allows it with ReadWritePaths={folder}; a drop-in with ReadOnlyPaths= turns saving off)";
        }

        if (error is UnauthorizedAccessException)
        {
            return $"cannot write {configPath}: permission denied (the node's user must be allowed to create files in {folder}, " +
                   "where the new map is written before it replaces the old one)";
        }

        return $"cannot write {configPath}: {reason}";
    }

    private static void FlushFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>fsync of the folder makes the rename itself durable (ext4 and others do not promise it otherwise).</summary>
    private static void FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            return;
        }

        _ = Fsync(fd);
        _ = Close(fd);
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
