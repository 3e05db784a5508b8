using LiteDB;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace EdgeNode.Probes.Tests;

/// <summary>
/// The probes that need a fresh process (a library that caches what it detected, or a process traced by strace)
/// run this assembly again with a mode argument: <c>dotnet EdgeNode.Probes.Tests.dll MODE ...</c>.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "systemd":
                return await SystemdAsync();
            case "litedb-commits":
                return LiteDbCommits(args[1], args[2], int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
            default:
                await Console.Error.WriteLineAsync("modes: systemd | litedb-commits DB MARKER COUNT");
                return 2;
        }
    }

    /// <summary>The dotnet host running the tests, to run this assembly again.</summary>
    internal static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    /// <summary>Reports what Hosting.Systemd detected, then starts and stops a host with UseSystemd.</summary>
    private static async Task<int> SystemdAsync()
    {
        Console.WriteLine($"IsSystemdService={SystemdHelpers.IsSystemdService()}");
        using var host = new HostBuilder().UseSystemd().Build();
        await host.StartAsync();
        await host.StopAsync();
        return 0;
    }

    /// <summary>COUNT auto-committed inserts, then touches MARKER (visible to strace), then closes the database.</summary>
    private static int LiteDbCommits(string database, string marker, int count)
    {
        using (var db = new LiteDatabase(database))
        {
            var collection = db.GetCollection<BsonDocument>("records");
            for (var i = 0; i < count; i++)
            {
                collection.Insert(new BsonDocument { ["n"] = i, ["v"] = new string('x', 200) });
            }

            File.WriteAllText(marker, "commits returned");
        }

        return 0;
    }
}
