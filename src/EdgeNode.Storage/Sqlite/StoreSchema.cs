using System.Globalization;
using Microsoft.Data.Sqlite;

namespace EdgeNode.Storage.Sqlite;

/// <summary>The store's tables and the small SQL helpers every part uses.</summary>
internal static class StoreSchema
{
    /// <summary><c>PRAGMA application_id</c> of an EdgeNode store: "EdNS" (fileformat2 §1.3.15, offset 68).</summary>
    public const int ApplicationId = 0x45644E53;

    public const int Version = 1;

    public const int SqliteBusy = 5;
    public const int SqliteLocked = 6;
    public const int SqliteIoErr = 10;
    public const int SqliteCorrupt = 11;
    public const int SqliteFull = 13;
    public const int SqliteNotADb = 26;
    public const int SqliteIoErrShortRead = SqliteIoErr | (2 << 8);

    /// <summary>
    /// <c>meta</c>: persisted counters. <c>metrics</c>: the catalog, small id ↔ (device, name, datatype).
    /// <c>segments</c>: packed changes, drained in id order; <c>consumed</c> counts the changes already acknowledged
    /// from the front of a partly drained segment. The blob is the last column so the small ones stay on the B-tree
    /// leaf and a scan of counts never reads overflow pages.
    /// </summary>
    public const string CreateTables = """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS metrics (
            id INTEGER PRIMARY KEY,
            device TEXT,
            name TEXT NOT NULL,
            datatype INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS segments (
            id INTEGER PRIMARY KEY,
            count INTEGER NOT NULL,
            consumed INTEGER NOT NULL DEFAULT 0,
            min_ts INTEGER NOT NULL,
            max_ts INTEGER NOT NULL,
            data BLOB NOT NULL);
        INSERT OR IGNORE INTO meta (key, value) VALUES ('dropped', 0);
        INSERT OR IGNORE INTO meta (key, value) VALUES ('created_ms', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
        """;

    public static bool IsCorruption(SqliteException ex) =>
        ex.SqliteErrorCode is SqliteCorrupt or SqliteNotADb || ex.SqliteExtendedErrorCode == SqliteIoErrShortRead;

    public static bool IsLocked(SqliteException ex) => ex.SqliteErrorCode is SqliteBusy or SqliteLocked;

    public static long ScalarInt64(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        var result = command.ExecuteScalar();
        return result is null or DBNull ? 0 : Convert.ToInt64(result, CultureInfo.InvariantCulture);
    }

    public static string? ScalarString(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() as string;
    }

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }

    public static List<string> Rows(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture) ?? "");
        }

        return rows;
    }

    public static SqliteConnection OpenConnection(string path, SqliteOpenMode mode)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            // A pooled connection would keep the file open after Dispose, and the store must be able to move a
            // corrupt file aside and take the lock file back cleanly.
            Pooling = false,
            DefaultTimeout = 3,
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
