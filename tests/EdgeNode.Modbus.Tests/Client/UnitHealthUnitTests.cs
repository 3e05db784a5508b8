using System.Diagnostics;

namespace EdgeNode.Modbus.Tests.Client;

public class UnitHealthUnitTests
{
    [Fact]
    public void Failed_Repeatedly_DoublesUpToCap()
    {
        var health = new UnitHealth(3);
        var now = Stopwatch.GetTimestamp();
        var delays = Enumerable.Range(0, 6)
            .Select(_ => health.Failed(now, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), "timeout").TotalSeconds).ToArray();
        Assert.Equal([1, 2, 4, 8, 10, 10], delays);
        Assert.True(health.IsBackedOff(now));
        Assert.True(health.IsProbing);
        Assert.Equal("timeout", health.LastError);
    }

    [Fact]
    public void Succeeded_AfterFailures_ResetsAndReportsRecovery()
    {
        var health = new UnitHealth(3);
        var now = Stopwatch.GetTimestamp();
        health.Failed(now, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), "x");
        Assert.True(health.Succeeded());
        Assert.False(health.IsBackedOff(now));
        Assert.False(health.Succeeded());
        Assert.Equal(0, health.ConsecutiveFailures);
    }

    [Fact]
    public void Failed_ZeroBackoff_NeverBacksOff()
    {
        var health = new UnitHealth(1);
        var now = Stopwatch.GetTimestamp();
        Assert.Equal(TimeSpan.Zero, health.Failed(now, TimeSpan.Zero, TimeSpan.Zero, "x"));
        Assert.False(health.IsBackedOff(now));
    }

    [Fact]
    public void BackoffWindow_Expires()
    {
        var health = new UnitHealth(1);
        var now = Stopwatch.GetTimestamp();
        health.Failed(now, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), "x");
        Assert.False(health.IsBackedOff(now + Stopwatch.Frequency));
    }
}
