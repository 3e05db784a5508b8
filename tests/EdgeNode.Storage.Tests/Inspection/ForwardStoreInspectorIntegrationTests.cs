using EdgeNode.Storage.Inspection;

namespace EdgeNode.Storage.Tests.Inspection;

public sealed class ForwardStoreInspectorIntegrationTests : IDisposable
{
    private readonly TempStore _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Inspect_LiveStore_CountsPerDeviceAndSamples_WithoutDisturbingIt()
    {
        await using var store = _temp.Open(o => o.SegmentMaxChanges = 10);
        store.Append(null, "Uptime", 4, 1_000, StoredValue.FromInt64(5));
        for (var i = 0; i < 25; i++)
        {
            store.Append("Turbine1", "Rotor/Speed", 9, 2_000 + i, StoredValue.FromFloat(i));
        }

        store.Append("Turbine2", "Serial", 12, 9_000, StoredValue.FromString("AB-12"));
        Assert.True(await store.FlushAsync());
        var first = await store.ReadBatchAsync(6);
        Assert.True(await store.AcknowledgeAsync(first)); // part of a segment drained: those do not count

        var report = ForwardStoreInspector.Inspect(_temp.StorePath, sampleCount: 2);

        Assert.Equal(21, report.Pending);
        Assert.Equal(store.Pending, report.Pending);
        Assert.Equal(3, report.CatalogMetrics);
        Assert.Equal(2_005, report.OldestTimestampMs);
        Assert.Equal(9_000, report.NewestTimestampMs);
        Assert.Equal(new[] { ("Turbine1", 20L), ("Turbine2", 1L) }, report.Devices.Select(d => (d.DeviceId!, d.Pending)));
        Assert.Equal(new[] { 5f, 6f }, report.Oldest.Select(c => c.Value.AsFloat()));
        Assert.Equal("AB-12", report.Newest[^1].Value.AsString());

        var text = new StringWriter();
        report.WriteText(text);
        Assert.Contains("pending:   21 change(s)", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("Turbine2/Serial = \"AB-12\" (datatype 12)", text.ToString(), StringComparison.Ordinal);

        // The store carries on as if nothing happened.
        Assert.True((await store.DrainAllAsync()).Count == 21);
    }

    [Fact]
    public async Task Inspect_ClosedStoreWithNodeMetrics_ReportsNodeAsNull()
    {
        await using (var store = _temp.Open())
        {
            store.Append(null, "Store/Pending", 8, 5, StoredValue.FromUInt64(3));
        }

        var before = await File.ReadAllBytesAsync(_temp.StorePath);
        var report = ForwardStoreInspector.Inspect(_temp.StorePath);
        Assert.Null(report.Devices.Single().DeviceId);
        var text = new StringWriter();
        report.WriteText(text);
        Assert.Contains("(node)", text.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(_temp.StorePath)); // read-only: the database is untouched
    }

    [Fact]
    public void Inspect_MissingOrForeignFile_ClearErrors()
    {
        Assert.Throws<FileNotFoundException>(() => ForwardStoreInspector.Inspect(_temp.StorePath));
        File.WriteAllText(_temp.StorePath, new string('x', 5000));
        Assert.Throws<InvalidDataException>(() => ForwardStoreInspector.Inspect(_temp.StorePath));
    }
}
