using System.Text;
using EdgeNode.Engine.Session;

namespace EdgeNode.Engine.Tests.Session;

public class PrimaryHostTrackerUnitTests
{
    private static HostStateMessage V3(string json)
    {
        Assert.True(HostStateMessage.TryParseV3(Encoding.UTF8.GetBytes(json), out var message, out var error), error);
        return message;
    }

    [Fact]
    public void Apply_TckPrimaryHostSequence_FollowsTheSpecification()
    {
        // The order of tck/.../edge/PrimaryHostTest.java: offline(T), online(T), offline(old), offline(T), online(old).
        const long t = 1_700_000_000_000;
        var tracker = new PrimaryHostTracker();

        Assert.Equal(HostStateChange.StillOffline, tracker.Apply(V3($$"""{"online":false,"timestamp":{{t}}}""")));
        Assert.Equal(HostStateChange.CameOnline, tracker.Apply(V3($$"""{"online":true,"timestamp":{{t}}}""")));
        Assert.Equal(HostStateChange.Ignored, tracker.Apply(V3("""{"online":false,"timestamp":16671135}""")));
        Assert.True(tracker.Online);
        Assert.Equal(HostStateChange.WentOffline, tracker.Apply(V3($$"""{"online":false,"timestamp":{{t}}}""")));
        Assert.Equal(HostStateChange.Ignored, tracker.Apply(V3("""{"online":true,"timestamp":16671135}""")));
        Assert.False(tracker.Online);
        Assert.Equal(HostStateChange.CameOnline, tracker.Apply(V3($$"""{"online":true,"timestamp":{{t + 5000}}}""")));
    }

    [Fact]
    public void ResetForNewSession_KeepsTheTimestamp_SoAStaleRetainedOnlineIsIgnored()
    {
        var tracker = new PrimaryHostTracker();
        tracker.Apply(new HostStateMessage(true, 2000));
        tracker.ResetForNewSession();

        Assert.Equal(HostStateChange.Ignored, tracker.Apply(new HostStateMessage(true, 1000)));
        Assert.False(tracker.Online);
    }

    [Fact]
    public void IsStale_OlderThanTheLastAccepted_WithoutChangingAnything()
    {
        var tracker = new PrimaryHostTracker();
        Assert.False(tracker.IsStale(new HostStateMessage(true, 1000)));
        tracker.Apply(new HostStateMessage(true, 2000));

        Assert.True(tracker.IsStale(new HostStateMessage(false, 1999)));
        Assert.False(tracker.IsStale(new HostStateMessage(false, 2000)));
        Assert.False(tracker.IsStale(new HostStateMessage(false, null)));
        Assert.True(tracker.Online);
        Assert.Equal(2000, tracker.LastTimestamp);
    }

    [Theory]
    [InlineData("ONLINE", true)]
    [InlineData("OFFLINE", false)]
    [InlineData("online\n", true)]
    public void TryParseV2_LegacyPlainText_Parses(string text, bool online)
    {
        Assert.True(HostStateMessage.TryParseV2(Encoding.UTF8.GetBytes(text), out var message, out _));
        Assert.Equal(online, message.Online);
        Assert.Null(message.Timestamp);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"timestamp":1}""")]
    [InlineData("""{"online":"yes","timestamp":1}""")]
    [InlineData("""{"online":true,"timestamp":-5}""")]
    [InlineData("""{"online":true,"timestamp":1.5}""")]
    public void TryParseV3_Malformed_ReturnsFalseWithReason(string json)
    {
        Assert.False(HostStateMessage.TryParseV3(Encoding.UTF8.GetBytes(json), out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}
