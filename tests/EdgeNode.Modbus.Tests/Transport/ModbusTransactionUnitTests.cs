namespace EdgeNode.Modbus.Tests.Transport;

public class ModbusTransactionUnitTests
{
    [Fact]
    public async Task TryComplete_Twice_OnlyFirstCounts()
    {
        var tx = new ModbusTransaction();
        var task = tx.Start();
        Assert.True(tx.TryComplete(ModbusStatus.Timeout, "late"));
        Assert.False(tx.TryComplete(ModbusStatus.Ok));
        Assert.Equal(ModbusStatus.Timeout, await task);
        Assert.Equal("late", tx.Error);
    }

    [Fact]
    public async Task Start_Reused_GivesAFreshAttempt()
    {
        var tx = new ModbusTransaction();
        var first = tx.Start();
        tx.ExceptionCode = ModbusExceptionCode.SlaveDeviceBusy;
        tx.TryComplete(ModbusStatus.Exception, "busy");
        Assert.Equal(ModbusStatus.Exception, await first);
        var second = tx.Start();
        Assert.Equal(ModbusExceptionCode.None, tx.ExceptionCode);
        Assert.Null(tx.Error);
        Assert.True(tx.IsPending);
        tx.TryComplete(ModbusStatus.Ok);
        Assert.Equal(ModbusStatus.Ok, await second);
    }

    [Fact]
    public async Task StartTimer_Expires_InvokesHandler()
    {
        var tx = new ModbusTransaction();
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tx.TimeoutHandler = _ => fired.TrySetResult();
        tx.StartTimer(TimeSpan.FromMilliseconds(30));
        await fired.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task StopTimer_BeforeExpiry_NeverInvokesHandler()
    {
        var tx = new ModbusTransaction();
        var fired = 0;
        tx.TimeoutHandler = _ => Interlocked.Increment(ref fired);
        tx.StartTimer(TimeSpan.FromMilliseconds(100));
        tx.StopTimer();
        await Task.Delay(400);
        Assert.Equal(0, fired);
    }

    [Fact]
    public async Task StartTimer_RearmedShorter_FiresOnceForTheNewDeadline()
    {
        var tx = new ModbusTransaction();
        var fired = 0;
        tx.TimeoutHandler = _ => Interlocked.Increment(ref fired);
        tx.StartTimer(TimeSpan.FromSeconds(30));
        tx.StartTimer(TimeSpan.FromMilliseconds(20));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Volatile.Read(ref fired) == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        await Task.Delay(100);
        Assert.Equal(1, fired);
    }

    [Fact]
    public void LeaveTransportThread_OffTransport_CompletesSynchronously() =>
        Assert.True(ModbusTransaction.LeaveTransportThread().IsCompleted);
}
