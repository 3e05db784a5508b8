using EdgeNode.Storage;
using EdgeNode.Testing;

namespace EdgeNode.Tests;

/// <summary><c>edgenode store --config FILE</c> run as a real process against stores filled through <see cref="ForwardStore"/>.</summary>
public sealed class StoreCommandTests : IDisposable
{
    private const uint Int64Type = 4;
    private const uint FloatType = 9;
    private const uint StringType = 12;

    // 2024-05-01T12:00:00.000Z
    private const long T0 = 1_714_564_800_000;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "edgenode-store-command", Guid.NewGuid().ToString("N"));

    public StoreCommandTests() => Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Store_StorePathFromConfig_PrintsPendingPerDeviceTimestampsBytesAndDropped()
    {
        var storePath = Path.Combine(_directory, "buffer", "gateway.db");
        await using (var store = OpenStore(storePath))
        {
            store.Append(null, "Uptime", Int64Type, T0, StoredValue.FromInt64(5));
            for (var i = 0; i < 30; i++)
            {
                store.Append("Turbine1", "Rotor/Speed", FloatType, T0 + 1_000 + i, StoredValue.FromFloat(i));
            }

            store.Append("Turbine2", "Serial", StringType, T0 + 60_000, StoredValue.FromString("AB-12"));
        }

        var config = WriteConfig($"storeForward: {{ path: {storePath} }}\n");

        var (code, output) = await RunStoreAsync(config);

        Assert.True(code == 0, output);
        Assert.Contains($"store:     {storePath}", output, StringComparison.Ordinal);
        Assert.Contains("pending:   32 change(s)", output, StringComparison.Ordinal);
        Assert.Contains("dropped:   0", output, StringComparison.Ordinal);
        Assert.Matches(@"size:      [\d,]+ bytes \(database [\d,]+ \+ WAL [\d,]+\)", output);
        Assert.Contains("oldest:    2024-05-01T12:00:00.000Z", output, StringComparison.Ordinal);
        Assert.Contains("newest:    2024-05-01T12:01:00.000Z", output, StringComparison.Ordinal);
        Assert.Matches(@"\(node\)\s+1 change\(s\), 1 metric\(s\)", output);
        Assert.Matches(@"Turbine1\s+30 change\(s\), 1 metric\(s\), 2024-05-01T12:00:01.000Z \.\. 2024-05-01T12:00:01.029Z", output);
        Assert.Matches(@"Turbine2\s+1 change\(s\)", output);
        Assert.Contains("Turbine2/Serial = \"AB-12\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Store_WithoutStorePath_ReadsStoreDbInTheStateDirectory()
    {
        var stateDirectory = Path.Combine(_directory, "state");
        await using (var store = OpenStore(Path.Combine(stateDirectory, ForwardStoreOptions.DefaultFileName)))
        {
            store.Append("Meter1", "Power/Active", FloatType, T0, StoredValue.FromFloat(1.5f));
        }

        var config = WriteConfig("");

        var (code, output) = await RunStoreAsync(config, new Dictionary<string, string?> { ["STATE_DIRECTORY"] = stateDirectory });

        Assert.True(code == 0, output);
        Assert.Contains($"store:     {Path.Combine(stateDirectory, "store.db")}", output, StringComparison.Ordinal);
        Assert.Matches(@"Meter1\s+1 change\(s\)", output);
    }

    [Fact]
    public async Task Store_WhileTheStoreIsOpenByItsOwner_ReportsCommittedChangesAndLeavesTheOwnerWorking()
    {
        var storePath = Path.Combine(_directory, "live.db");
        await using var store = OpenStore(storePath);
        for (var i = 0; i < 100; i++)
        {
            store.Append("Turbine1", "Rotor/Speed", FloatType, T0 + i, StoredValue.FromFloat(i));
        }

        Assert.True(await store.FlushAsync());
        var batch = await store.ReadBatchAsync(40);
        Assert.True(await store.AcknowledgeAsync(batch)); // drained and acknowledged: no longer pending

        var (code, output) = await RunStoreAsync(WriteConfig($"storeForward: {{ path: {storePath} }}\n"));

        Assert.True(code == 0, output);
        Assert.Contains("pending:   60 change(s)", output, StringComparison.Ordinal);

        // The owner goes on appending, committing and draining as if nobody had looked.
        store.Append("Turbine1", "Rotor/Speed", FloatType, T0 + 100, StoredValue.FromFloat(100));
        Assert.True(await store.FlushAsync());
        var rest = await store.ReadBatchAsync(1_000);
        Assert.Equal(61, rest.Changes.Count);
        Assert.True(await store.AcknowledgeAsync(rest));
        Assert.Equal(0, store.Pending);
    }

    [Fact]
    public async Task Store_FullStore_ReportsTheDroppedCount()
    {
        var storePath = Path.Combine(_directory, "full.db");
        long dropped;
        await using (var store = ForwardStore.Open(new ForwardStoreOptions
        {
            Path = storePath,
            MaxBytes = ForwardStoreOptions.MinimumMaxBytes,
            SegmentMaxChanges = 64,
        }))
        {
            // Strings that do not compress away fill the smallest store quickly.
            var random = new Random(7);
            for (var i = 0; i < 20_000; i++)
            {
                store.Append("Turbine1", "Event", StringType, T0 + i, StoredValue.FromString(Convert.ToHexString(BitConverter.GetBytes(random.NextInt64()))));
                if (i % 1_000 == 999)
                {
                    await store.FlushAsync();
                }
            }

            await store.FlushAsync();
            dropped = store.Dropped;
        }

        Assert.True(dropped > 0);

        var (code, output) = await RunStoreAsync(WriteConfig($"storeForward: {{ path: {storePath} }}\n"));

        Assert.True(code == 0, output);
        Assert.Contains($"dropped:   {dropped:N0} ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Store_InvalidConfiguration_PrintsEveryProblemLikeValidateAndExits2()
    {
        var config = Path.Combine(_directory, "bad.yaml");
        await File.WriteAllTextAsync(config, """
            node: { groupId: Site, edgeNodeId: Gateway }
            mqtt: { servers: [ mqtt://127.0.0.1:1883 ] }
            storeForward: { maxMegabytez: 5 }
            """);

        var (code, output) = await RunStoreAsync(config);

        Assert.True(code == 2, output);
        Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(config)}:3:\d+: .*maxMegabytez", output);
    }

    [Fact]
    public async Task Store_NoStoreYet_SaysWhereItLookedAndExits1()
    {
        var stateDirectory = Path.Combine(_directory, "empty-state");
        var config = WriteConfig("");

        var (code, output) = await RunStoreAsync(config, new Dictionary<string, string?> { ["STATE_DIRECTORY"] = stateDirectory });

        Assert.True(code == 1, output);
        Assert.Contains($"no store at {Path.Combine(stateDirectory, "store.db")}", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(stateDirectory, "store.db")), "inspecting must not create a store");
    }

    [Fact]
    public async Task Store_FileThatIsNotAStore_ExplainsAndExits1()
    {
        var storePath = Path.Combine(_directory, "notes.db");
        await File.WriteAllTextAsync(storePath, new string('x', 5000));

        var (code, output) = await RunStoreAsync(WriteConfig($"storeForward: {{ path: {storePath} }}\n"));

        Assert.True(code == 1, output);
        Assert.Contains(storePath, output, StringComparison.Ordinal);
        Assert.Equal(new string('x', 5000), await File.ReadAllTextAsync(storePath));
    }

    private static ForwardStore OpenStore(string path) =>
        ForwardStore.Open(new ForwardStoreOptions { Path = path, SegmentMaxChanges = 8 });

    private string WriteConfig(string extra)
    {
        var path = Path.Combine(_directory, $"edgenode-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, $$"""
            node: { groupId: Site, edgeNodeId: Gateway }
            mqtt: { servers: [ mqtt://127.0.0.1:1883 ] }
            {{extra}}
            """);
        return path;
    }

    private static async Task<(int Code, string Output)> RunStoreAsync(string config, IReadOnlyDictionary<string, string?>? environment = null)
    {
        await using var process = EdgeNodeCli.Start(["store", "--config", config], environment);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(50); // the output readers may lag the exit by a moment
        return (code, process.Output);
    }
}
