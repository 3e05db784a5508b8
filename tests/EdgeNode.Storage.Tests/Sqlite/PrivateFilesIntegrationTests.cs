using System.Runtime.Versioning;
using EdgeNode.Storage.Sqlite;

namespace EdgeNode.Storage.Tests.Sqlite;

/// <summary>Issue 17 item 10: the store's database, -wal, -shm and lock files are owner-only whatever the umask.</summary>
[SupportedOSPlatform("linux")]
public sealed class PrivateFilesIntegrationTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task Open_NewStore_EveryFileIsOwnerOnly()
    {
        // The test runner's umask is 022: SQLite alone would create 0644 files.
        using var temp = new TempStore();
        await using (temp.Open())
        {
            var files = Directory.GetFiles(temp.Directory);
            Assert.Contains(files, f => f.EndsWith("-wal", StringComparison.Ordinal));
            Assert.Contains(files, f => f.EndsWith("-shm", StringComparison.Ordinal));
            Assert.All(files, f => Assert.True(File.GetUnixFileMode(f) == OwnerOnly,
                $"{Path.GetFileName(f)} is {Convert.ToString((int)File.GetUnixFileMode(f), 8)}"));
        }
    }

    [Fact]
    public async Task Open_ExistingWorldReadableStore_TightenedAndSaid()
    {
        using var temp = new TempStore();
        await using (temp.Open())
        {
        }

        File.SetUnixFileMode(temp.StorePath, (UnixFileMode)0b110_100_100);

        await using (temp.Open())
        {
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(temp.StorePath));
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(StoreFiles.WalPath(temp.StorePath)));
        }

        Assert.Contains(temp.Logger.Messages(1517), m => m.Contains(temp.StorePath, StringComparison.Ordinal));
    }
}
