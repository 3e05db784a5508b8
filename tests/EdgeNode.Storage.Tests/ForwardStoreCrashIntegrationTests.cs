using System.Globalization;
using EdgeNode.Testing;
using Microsoft.Data.Sqlite;

namespace EdgeNode.Storage.Tests;

/// <summary>
/// kill -9 durability: a real child process (this assembly's <see cref="CrashWriter"/>) appends and commits, is
/// killed with SIGKILL at an arbitrary moment, and the store must open cleanly with everything that was durable.
/// </summary>
public sealed class ForwardStoreCrashIntegrationTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(90);
    private readonly TempStore _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task KillDuringFlushedAppends_EveryFlushedChangeSurvives_StoreOpensCleanly()
    {
        for (var round = 0; round < 3; round++)
        {
            var device = $"Round{round}";
            await using var writer = StartWriter("flush", device, 0);
            await writer.WaitForLineAsync("opened", s_timeout);

            // Let it get through a number of commits, then kill it wherever it is (appending, committing, fsyncing).
            var target = 5000 + (round * 7919);
            var durable = await WaitForDurableAsync(writer, target);
            writer.Kill();
            await writer.WaitForExitAsync(s_timeout);
            durable = Math.Max(durable, LastDurable(writer.Output));

            var sequence = await ReadSequence(device);
            Assert.True(sequence.Count > durable, $"round {round}: {sequence.Count} stored, {durable} reported durable");
            Assert.True(sequence.SequenceEqual(Enumerable.Range(0, sequence.Count).Select(i => (long)i)), $"round {round}: gaps or disorder");
        }

        Assert.DoesNotContain(_temp.Files(), f => f.Contains(".corrupt-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KillAfterCommitInterval_UnflushedChangesSurvive()
    {
        const int count = 20_000;
        await using var writer = StartWriter("interval", "Interval", count);

        // The writer never flushes: only the commit loop (every 100 ms) makes these durable. It reports when its
        // own counter says so; then we kill it while it keeps appending.
        await writer.WaitForLineAsync($"durable-by-interval {count}", s_timeout);
        writer.Kill();
        await writer.WaitForExitAsync(s_timeout);

        var sequence = await ReadSequence("Interval");
        Assert.True(sequence.Count >= count, $"{sequence.Count} of {count}");
        Assert.True(sequence.SequenceEqual(Enumerable.Range(0, sequence.Count).Select(i => (long)i)));
        Assert.DoesNotContain(_temp.Files(), f => f.Contains(".corrupt-", StringComparison.Ordinal));
    }

    private ExternalProcess StartWriter(string mode, string device, int count)
    {
        var assembly = typeof(CrashWriter).Assembly.Location;
        var processPath = Environment.ProcessPath;
        var dotnet = processPath is not null && Path.GetFileNameWithoutExtension(processPath) == "dotnet"
            ? processPath
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        return ExternalProcess.Start(dotnet, ["exec", assembly, CrashWriter.Command, _temp.StorePath, mode, device, count.ToString(CultureInfo.InvariantCulture)]);
    }

    private static async Task<long> WaitForDurableAsync(ExternalProcess writer, long target)
    {
        var deadline = DateTime.UtcNow + s_timeout;
        while (DateTime.UtcNow < deadline)
        {
            var durable = LastDurable(writer.Output);
            if (durable >= target)
            {
                return durable;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"writer did not reach {target}:\n{writer.Output}");
    }

    private static long LastDurable(string output) =>
        output.Split('\n').Where(l => l.StartsWith("durable ", StringComparison.Ordinal))
            .Select(l => long.Parse(l["durable ".Length..], CultureInfo.InvariantCulture)).DefaultIfEmpty(-1).Max();

    /// <summary>Opens the store as the node would after the crash (integrity check included) and reads one device's sequence.</summary>
    private async Task<List<long>> ReadSequence(string device)
    {
        List<long> sequence;
        await using (var store = _temp.Open())
        {
            var all = await store.PeekAllAsync(10_000);
            sequence = [.. all.Where(c => c.Metric.DeviceId == device).Select(c => c.Value.AsInt64())];
        }

        Assert.Empty(_temp.Logger.Messages(1502));
        Assert.Empty(_temp.Logger.Messages(1503));
        using var connection = new SqliteConnection($"Data Source={_temp.StorePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", command.ExecuteScalar());
        return sequence;
    }
}
