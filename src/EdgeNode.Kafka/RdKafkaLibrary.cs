using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace EdgeNode.Kafka;

/// <summary>
/// Loads the librdkafka this program was built with, never one that happens to be on the system: Confluent.Kafka
/// otherwise falls back to a system <c>librdkafka.so</c> (Debian 12's is 2.0.2) without a word. The redist package
/// ships several Linux builds; the generic <c>librdkafka.so</c> for x64 needs <c>libsasl2.so.3</c>, which Debian 12
/// does not have, so the self-contained <c>centos8-</c> build (OpenSSL and SASL linked in) is tried next.
/// </summary>
public static class RdKafkaLibrary
{
    /// <summary>The oldest librdkafka the bridge accepts (2.16.0, what it is built and tested with).</summary>
    public const int MinimumVersion = 0x021000ff;

    private static readonly Lock s_lock = new();
    private static string? s_path;
    private static IntPtr s_handle;

    /// <summary>The path of the loaded library, or null before <see cref="Load"/>.</summary>
    public static string? LoadedPath => s_path;

    /// <summary>The native handle (for P/Invoke of symbols Confluent.Kafka does not bind, such as the mock cluster).</summary>
    public static IntPtr Handle
    {
        get
        {
            Load();
            return s_handle;
        }
    }

    /// <summary>
    /// Loads librdkafka once per process: <c>$EDGENODE_LIBRDKAFKA</c> when set, else the first of the shipped builds
    /// that the dynamic linker can resolve. Throws <see cref="DllNotFoundException"/> naming every candidate and why it
    /// failed, and <see cref="InvalidOperationException"/> when the loaded version is older than
    /// <see cref="MinimumVersion"/>.
    /// </summary>
    public static string Load()
    {
        lock (s_lock)
        {
            if (s_path is not null)
            {
                return s_path;
            }

            var failures = new List<string>();
            foreach (var candidate in Candidates())
            {
                if (!File.Exists(candidate))
                {
                    continue;
                }

                if (!NativeLibrary.TryLoad(candidate, out var handle))
                {
                    failures.Add($"{candidate}: {DescribeLoadFailure(candidate)}");
                    continue;
                }

                s_handle = handle;
                EnsureResolver();
                Library.Load(candidate);
                if (Library.Version < MinimumVersion)
                {
                    throw new InvalidOperationException(
                        $"librdkafka at {candidate} is version {Library.VersionString}; the bridge needs 2.16.0 or later");
                }

                s_handle = handle;
                s_path = candidate;
                return candidate;
            }

            throw new DllNotFoundException("no usable librdkafka found" +
                (failures.Count == 0 ? $" (looked in {NativeDirectory()})" : ": " + string.Join("; ", failures)));
        }
    }

    /// <summary>The version string of the loaded library (loads it first).</summary>
    public static string VersionString
    {
        get
        {
            Load();
            return Library.VersionString;
        }
    }

    /// <summary>
    /// Binds Confluent.Kafka's imports to the library chosen here: its "librdkafka" imports to our handle (otherwise
    /// .NET probes by name and may find another build, or the system's), and its "libdl" import, which glibc 2.34+
    /// systems (Debian 12) only have as <c>libdl.so.2</c> or inside libc, to the real file.
    /// </summary>
    private static void EnsureResolver()
    {
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(Library).Assembly, (name, _, _) =>
            {
                if (name.Contains("rdkafka", StringComparison.Ordinal) && s_handle != IntPtr.Zero)
                {
                    return s_handle;
                }

                if (name is "libdl" or "libdl.so")
                {
                    foreach (var real in (string[])["libdl.so.2", "libc.so.6"])
                    {
                        if (NativeLibrary.TryLoad(real, out var handle))
                        {
                            return handle;
                        }
                    }
                }

                return IntPtr.Zero;
            });
        }
        catch (InvalidOperationException)
        {
            // a resolver is already set for Confluent.Kafka (by us, earlier in this process)
        }
    }

    internal static IEnumerable<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable("EDGENODE_LIBRDKAFKA") is { Length: > 0 } overridePath)
        {
            yield return Path.GetFullPath(overridePath);
            yield break;
        }

        var native = NativeDirectory();
        var musl = File.Exists("/lib/ld-musl-x86_64.so.1") || File.Exists("/lib/ld-musl-aarch64.so.1");
        if (musl)
        {
            yield return Path.Combine(native, "alpine-librdkafka.so");
        }

        yield return Path.Combine(native, "librdkafka.so");
        yield return Path.Combine(native, "centos8-librdkafka.so");
        // A self-contained or flattened publish puts the native files beside the executable.
        yield return Path.Combine(AppContext.BaseDirectory, "librdkafka.so");
        yield return Path.Combine(AppContext.BaseDirectory, "centos8-librdkafka.so");
    }

    private static string NativeDirectory()
    {
        var rid = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.Arm64 => "linux-arm64",
            Architecture.X64 => "linux-x64",
            var other => "linux-" + other.ToString().ToLowerInvariant(),
        };
        return Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native");
    }

    private static string DescribeLoadFailure(string path)
    {
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(path));
            return "loaded on retry";
        }
        catch (DllNotFoundException ex)
        {
            return ex.Message;
        }
        catch (BadImageFormatException ex)
        {
            return ex.Message;
        }
    }
}
