using System.Globalization;
using System.Text;

namespace EdgeNode.Engine.Session;

/// <summary>
/// The birth/death sequence number across MQTT connections and process restarts. Sparkplug 3.0: the Will of every
/// new CONNECT carries the previous CONNECT's bdSeq + 1, wrapping 255 → 0 (topics-nbirth-bdseq-increment); a restart
/// that began again at 0 would break host correlation (the TCK Monitor compares each Will with the last one).
/// The file holds the bdSeq of the last connection the broker accepted; a connection attempt that never reached
/// the broker does not consume a number.
/// </summary>
public sealed class BdSeqStore
{
    public const string FileName = "bdseq";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _path;
    private int _lastUsed;

    public BdSeqStore(string stateDirectory)
    {
        Directory.CreateDirectory(stateDirectory);
        _path = Path.Combine(stateDirectory, FileName);
        _lastUsed = Read(_path, out var problem);
        LoadProblem = problem;
    }

    /// <summary>Why the stored value could not be used (missing file is not a problem), else null.</summary>
    public string? LoadProblem { get; }

    /// <summary>The bdSeq the next connection's Will carries.</summary>
    public int Next => (_lastUsed + 1) & 0xFF;

    /// <summary>Records that the broker accepted a connection whose Will carried <paramref name="bdSeq"/>.</summary>
    public void MarkUsed(int bdSeq)
    {
        _lastUsed = bdSeq & 0xFF;
        Write(_path, _lastUsed);
    }

    private static int Read(string path, out string? problem)
    {
        problem = null;
        try
        {
            if (!File.Exists(path))
            {
                return -1; // first start: the first Will carries 0
            }

            var text = File.ReadAllText(path).Trim();
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 255)
            {
                return value;
            }

            problem = $"{path} holds '{text}', not a bdSeq 0-255; starting again at 0";
        }
        catch (IOException ex)
        {
            problem = $"{path} could not be read ({ex.Message}); starting again at 0";
        }
        catch (UnauthorizedAccessException ex)
        {
            problem = $"{path} could not be read ({ex.Message}); starting again at 0";
        }

        return -1;
    }

    /// <summary>
    /// Write-to-temp, fsync, rename: a power cut leaves either the old or the new value, never half. The file is
    /// owner-only (0600) whatever the umask: a leftover temp file of another mode is made 0600 before it is written.
    /// </summary>
    private static void Write(string path, int value)
    {
        var temp = path + ".tmp";
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 64,
            Options = FileOptions.WriteThrough,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        using (var stream = new FileStream(temp, options))
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(stream.SafeFileHandle, OwnerOnly);
            }

            stream.Write(Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture) + "\n"));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
