using EdgeNode.Engine.Session;

namespace EdgeNode.Engine.Tests.Session;

public sealed class BdSeqStoreUnitTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edgenode-bdseq-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Next_FirstStart_IsZero()
    {
        Assert.Equal(0, new BdSeqStore(_dir).Next);
    }

    [Fact]
    public void MarkUsed_ThenRestart_NextIsOneMore()
    {
        var store = new BdSeqStore(_dir);
        store.MarkUsed(store.Next);
        store.MarkUsed(store.Next);

        var restarted = new BdSeqStore(_dir);

        Assert.Equal(2, restarted.Next);
        Assert.Null(restarted.LoadProblem);
    }

    [Fact]
    public void Next_AfterUsing255_WrapsToZero()
    {
        var store = new BdSeqStore(_dir);
        store.MarkUsed(255);

        Assert.Equal(0, store.Next);
        Assert.Equal(0, new BdSeqStore(_dir).Next);
    }

    [Fact]
    public void Next_WithoutMarkUsed_DoesNotAdvance()
    {
        // a connection attempt that never reached the broker must not consume a bdSeq
        var store = new BdSeqStore(_dir);
        var first = store.Next;

        Assert.Equal(first, store.Next);
        Assert.Equal(first, new BdSeqStore(_dir).Next);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("256")]
    [InlineData("-1")]
    [InlineData("")]
    public void Load_CorruptFile_StartsAtZeroAndSaysWhy(string content)
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, BdSeqStore.FileName), content);

        var store = new BdSeqStore(_dir);

        Assert.Equal(0, store.Next);
        Assert.Contains(BdSeqStore.FileName, store.LoadProblem);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void MarkUsed_FileIsOwnerOnly_EvenOverALeftoverWorldReadableTempFile()
    {
        // The test runner's umask (022) would give 0644; a leftover .tmp of a crash keeps its mode through FileMode.Create.
        Directory.CreateDirectory(_dir);
        var leftover = Path.Combine(_dir, BdSeqStore.FileName + ".tmp");
        File.WriteAllText(leftover, "9\n");
        File.SetUnixFileMode(leftover, (UnixFileMode)0b110_110_110);
        var store = new BdSeqStore(_dir);

        store.MarkUsed(store.Next);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir, BdSeqStore.FileName)));
    }
}
