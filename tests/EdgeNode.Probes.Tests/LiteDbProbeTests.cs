using System.Diagnostics;
using LiteDB;
using EdgeNode.Testing;

namespace EdgeNode.Probes.Tests;

/// <summary>LiteDB 5.0.21: durability of a commit and file size after deletes (docs/decisions/litedb.md).</summary>
public sealed class LiteDbProbeTests
{
    private const int Commits = 20;

    [Fact]
    public async Task LiteDb_AutoCommittedInserts_AreNotFsynced()
    {
        var strace = Peers.RequireDebian("strace", "strace");
        var directory = Directory.CreateTempSubdirectory("edgenode-probe-litedb-").FullName;
        try
        {
            var marker = Path.Combine(directory, "marker");
            var trace = Path.Combine(directory, "trace");
            var start = new ProcessStartInfo(strace,
            [
                "-f", "-qq", "-e", "trace=fsync,fdatasync,sync_file_range,openat,write,pwrite64", "-o", trace,
                Program.DotnetHost(), typeof(Program).Assembly.Location,
                "litedb-commits", Path.Combine(directory, "store.db"), marker, Commits.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, await stderr);

            var lines = await File.ReadAllLinesAsync(trace);
            var markerAt = Array.FindIndex(lines, l => l.Contains(marker, StringComparison.Ordinal));
            Assert.True(markerAt >= 0, "the marker was not traced");
            // The commits go to the log file (store-log.db); find its descriptor.
            var logOpen = lines.Single(l => l.Contains("store-log.db\", O_RDWR", StringComparison.Ordinal));
            var logFd = logOpen[(logOpen.LastIndexOf('=') + 1)..].Trim();
            var logWritesDuringCommits = lines.Take(markerAt).Count(l => l.Contains($"write64({logFd},", StringComparison.Ordinal)
                || l.Contains($" write({logFd},", StringComparison.Ordinal));
            var logSyncs = lines.Count(l => l.Contains($"sync({logFd})", StringComparison.Ordinal)
                || l.Contains($"sync_file_range({logFd},", StringComparison.Ordinal));
            var syncsAtClose = lines.Skip(markerAt).Count(l => l.Contains("fsync(", StringComparison.Ordinal));

            // Every Insert returned (committed) before the marker, with its pages written to the log and never synced.
            Assert.True(logWritesDuringCommits >= Commits / 4, $"{logWritesDuringCommits} log writes for {Commits} commits");
            Assert.True(logSyncs == 0, $"{logSyncs} syncs of the log file");
            // Closing checkpoints the log into the data file, and that is synced.
            Assert.True(syncsAtClose > 0, "no sync at close either");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void LiteDb_DeleteAllAndCheckpoint_DoesNotShrinkTheFile()
    {
        var directory = Directory.CreateTempSubdirectory("edgenode-probe-litedb-").FullName;
        try
        {
            var path = Path.Combine(directory, "store.db");
            long full, afterDelete, afterRebuild;
            using (var db = new LiteDatabase(path))
            {
                var collection = db.GetCollection<BsonDocument>("records");
                collection.InsertBulk(Enumerable.Range(0, 2000).Select(i => new BsonDocument { ["n"] = i, ["v"] = new string('x', 1000) }));
                db.Checkpoint();
                full = new FileInfo(path).Length;
                collection.DeleteAll();
                db.Checkpoint();
                afterDelete = new FileInfo(path).Length;
                db.Rebuild();
                afterRebuild = new FileInfo(path).Length;
            }

            Assert.True(full > 1_000_000, $"full {full}");
            Assert.Equal(full, afterDelete);
            Assert.True(afterRebuild < full / 10, $"rebuild left {afterRebuild} of {full}");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
