using System.Buffers.Binary;
using EdgeNode.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace EdgeNode.Storage.Tests.Sqlite;

public sealed class StoreFilesUnitTests : IDisposable
{
    private readonly TempStore _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void CheckWalHeader_WalWrittenBySqlite_IsValid()
    {
        // A WAL as SQLite itself writes it (connection still open, so it is not checkpointed away).
        using var connection = new SqliteConnection($"Data Source={_temp.StorePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1);";
        command.ExecuteNonQuery();
        Assert.True(StoreFiles.WalHasContent(_temp.StorePath + "-wal"));
        Assert.Null(StoreFiles.CheckWalHeader(_temp.StorePath + "-wal"));
        Assert.Null(StoreFiles.CheckDatabaseHeader(_temp.StorePath, walHasContent: true));
    }

    [Fact]
    public void CheckWalHeader_BigEndianChecksumVariant_IsValid()
    {
        var header = Header(0x377F0683, bigEndianWords: true);
        Assert.Null(StoreFiles.CheckWalHeader(header));
    }

    [Theory]
    [InlineData(0, "magic")]
    [InlineData(4, "format version")]
    [InlineData(8, "page size")]
    [InlineData(16, "checksum")]
    [InlineData(28, "checksum")]
    public void CheckWalHeader_OneFieldDamaged_SaysWhich(int offset, string expected)
    {
        var header = Header(0x377F0682, bigEndianWords: false);
        header[offset + 1] ^= 0x40;
        Assert.Contains(expected, StoreFiles.CheckWalHeader(header), StringComparison.Ordinal);
    }

    [Fact]
    public void CheckWalHeader_ShortOrEmptyFile()
    {
        var wal = _temp.StorePath + "-wal";
        File.WriteAllBytes(wal, []);
        Assert.Null(StoreFiles.CheckWalHeader(wal)); // empty WAL: normal after a checkpoint
        File.WriteAllBytes(wal, [1, 2, 3]);
        Assert.Contains("shorter", StoreFiles.CheckWalHeader(wal), StringComparison.Ordinal);
    }

    [Fact]
    public void CheckDatabaseHeader_Cases()
    {
        Assert.Null(StoreFiles.CheckDatabaseHeader(_temp.StorePath, false)); // absent
        File.WriteAllBytes(_temp.StorePath, []);
        Assert.Null(StoreFiles.CheckDatabaseHeader(_temp.StorePath, false)); // empty = new database
        File.WriteAllBytes(_temp.StorePath, new byte[50]);
        Assert.Contains("shorter than an SQLite header", StoreFiles.CheckDatabaseHeader(_temp.StorePath, false), StringComparison.Ordinal);
        File.WriteAllBytes(_temp.StorePath, new byte[4096]);
        Assert.Contains("not an SQLite database", StoreFiles.CheckDatabaseHeader(_temp.StorePath, false), StringComparison.Ordinal);
    }

    [Fact]
    public void AsidePath_UtcTimestamp_AndNoClobber()
    {
        var at = new DateTimeOffset(2025, 3, 1, 13, 4, 5, TimeSpan.FromHours(2));
        var path = _temp.StorePath;
        Assert.Equal(path + ".corrupt-20250301T110405Z", StoreFiles.AsidePath(path, at));
        File.WriteAllText(StoreFiles.AsidePath(path, at), "");
        Assert.Equal(path + ".corrupt-20250301T110405Z-1", StoreFiles.AsidePath(path, at));
        File.WriteAllText(path + ".corrupt-20250301T110405Z-1-wal", "");
        File.Delete(path + ".corrupt-20250301T110405Z");

        // Never reuse an older name once a newer one exists: names must sort in the order they were made.
        Assert.Equal(path + ".corrupt-20250301T110405Z-2", StoreFiles.AsidePath(path, at));
    }

    [Fact]
    public void PruneAsideCopies_KeepsNewestGroupsWithTheirWal()
    {
        foreach (var stamp in new[] { "20240101T000000Z", "20250101T000000Z", "20230101T000000Z" })
        {
            File.WriteAllText($"{_temp.StorePath}.corrupt-{stamp}", "");
            File.WriteAllText($"{_temp.StorePath}.corrupt-{stamp}-wal", "");
        }

        var deleted = StoreFiles.PruneAsideCopies(_temp.StorePath, 2);
        Assert.Equal(2, deleted.Count);
        Assert.All(deleted, d => Assert.Contains("20230101", d, StringComparison.Ordinal));
        Assert.Equal(4, _temp.Files().Count);
    }

    private static byte[] Header(uint magic, bool bigEndianWords)
    {
        var header = new byte[32];
        BinaryPrimitives.WriteUInt32BigEndian(header, magic);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), 3007000);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(8), 4096);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(12), 0);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(16), 0x12345678);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(20), 0x9ABCDEF0);
        uint s0 = 0, s1 = 0;
        for (var i = 0; i < 24; i += 8)
        {
            var x0 = bigEndianWords ? BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(i)) : BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(i));
            var x1 = bigEndianWords ? BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(i + 4)) : BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(i + 4));
            s0 += x0 + s1;
            s1 += x1 + s0;
        }

        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(24), s0);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(28), s1);
        return header;
    }
}
