using System.Net.Sockets;
using EdgeNode.Systemd.Logging;
using EdgeNode.Testing;

namespace EdgeNode.Systemd.Tests.Logging;

/// <summary>
/// $JOURNAL_STREAM detection against what coreutils' stat(1) — i.e. fstat(2), as systemd uses — reports for the same
/// file descriptors.
/// </summary>
public sealed class JournalStreamIntegrationTests
{
    [Fact]
    public void Identify_File_MatchesStatCommand()
    {
        var path = Path.GetTempFileName();
        try
        {
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
            var fd = (int)file.DangerousGetHandle();

            var ours = JournalStream.Identify(fd);

            Assert.Equal(StatCommand($"/proc/{Environment.ProcessId}/fd/{fd}"), $"{ours!.Value.Device}:{ours.Value.Inode}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Identify_StreamSocket_MatchesStatCommand()
    {
        // journald hands services a connected AF_UNIX stream socket as stdout/stderr.
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var fd = (int)socket.SafeHandle.DangerousGetHandle();

        var ours = JournalStream.Identify(fd);
        var expected = StatCommand($"/proc/{Environment.ProcessId}/fd/{fd}");

        Assert.Equal(expected, $"{ours!.Value.Device}:{ours.Value.Inode}");
        Assert.True(JournalStream.Matches(expected, ours, null));
    }

    [Fact]
    public void IsJournalStream_OwnStdout_MatchesOnlyItsOwnDeviceAndInode()
    {
        var stdout = JournalStream.Identify(1);
        var stderr = JournalStream.Identify(2);
        Assert.NotNull(stdout);
        var value = $"{stdout.Value.Device}:{stdout.Value.Inode}";

        Assert.True(JournalStream.Matches(value, stdout, stderr));
        Assert.True(JournalStream.Matches(value, null, stdout));
        Assert.False(JournalStream.Matches($"{stdout.Value.Device}:{stdout.Value.Inode + 1}", stdout, null));
        Assert.False(JournalStream.Matches($"{stdout.Value.Device + 1}:{stdout.Value.Inode}", stdout, null));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("12")]
    [InlineData(":12")]
    [InlineData("12:")]
    [InlineData("a:b")]
    [InlineData("-1:2")]
    public void Matches_MalformedVariable_False(string? value) =>
        Assert.False(JournalStream.Matches(value, (12, 2), (12, 2)));

    [Fact]
    public void TryParse_DeviceAndInode_Parsed()
    {
        Assert.True(JournalStream.TryParse("8:123456789012", out var device, out var inode));
        Assert.Equal(8ul, device);
        Assert.Equal(123456789012ul, inode);
    }

    private static string StatCommand(string path) =>
        Peers.Run(Peers.Which("stat") ?? "/usr/bin/stat", ["-L", "-c", "%d:%i", path], TimeSpan.FromSeconds(30)).Trim();
}
