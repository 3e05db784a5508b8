namespace EdgeNode.Mqtt.Tests.Supervision;

public sealed class ReconnectBackoffUnitTests
{
    private static readonly TimeSpan Initial = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(0, 250)]
    [InlineData(1, 500)]
    [InlineData(2, 1000)]
    [InlineData(3, 2000)]
    [InlineData(4, 4000)]
    [InlineData(5, 5000)] // capped
    [InlineData(30, 5000)]
    [InlineData(1000, 5000)] // no overflow
    public void ComputeDelay_NoJitter_DoublesUpToTheCap(int attempt, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), ReconnectBackoff.ComputeDelay(attempt, Initial, Cap, 0.5, 0.0));

    [Theory]
    [InlineData(0, 0.5, 0.999, 125)]
    [InlineData(3, 0.5, 1.0, 1000)]
    [InlineData(10, 0.5, 0.5, 3750)]
    [InlineData(10, 1.0, 1.0, 0)]
    public void ComputeDelay_Jitter_RemovesAtMostTheJitterFraction(int attempt, double jitter, double random, int expectedMs) =>
        Assert.Equal(expectedMs, ReconnectBackoff.ComputeDelay(attempt, Initial, Cap, jitter, random).TotalMilliseconds, 0);

    [Fact]
    public void NextDelay_AnyRandomness_StaysWithinBoundsAndNeverExceedsTheCap()
    {
        var backoff = new ReconnectBackoff(Initial, Cap, 0.5, new Random(7));
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var delay = backoff.NextDelay();
            var ceiling = Math.Min(Cap.TotalMilliseconds, Initial.TotalMilliseconds * Math.Pow(2, attempt));
            Assert.InRange(delay.TotalMilliseconds, (ceiling * 0.5) - 0.001, ceiling + 0.001);
        }

        Assert.Equal(50, backoff.Attempt);
    }

    [Fact]
    public void NextDelay_TwoClients_AreNotInLockStep()
    {
        var a = new ReconnectBackoff(Initial, Cap, 0.5, new Random(1));
        var b = new ReconnectBackoff(Initial, Cap, 0.5, new Random(2));
        var delaysA = Enumerable.Range(0, 10).Select(_ => a.NextDelay()).ToList();
        var delaysB = Enumerable.Range(0, 10).Select(_ => b.NextDelay()).ToList();
        Assert.NotEqual(delaysA, delaysB);
    }

    [Fact]
    public void Reset_AfterEstablished_StartsOverFromInitial()
    {
        var backoff = new ReconnectBackoff(Initial, Cap, 0.0);
        for (var i = 0; i < 6; i++)
        {
            backoff.NextDelay();
        }

        Assert.Equal(Cap, backoff.NextDelay());
        backoff.Reset();
        Assert.Equal(0, backoff.Attempt);
        Assert.Equal(Initial, backoff.NextDelay());
    }

    [Fact]
    public void Constructor_InvalidSettings_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectBackoff(Initial, Cap, 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectBackoff(TimeSpan.FromSeconds(-1), Cap));
    }
}
