using EdgeNode.Mqtt.Client;

namespace EdgeNode.Mqtt.Tests.Client;

/// <summary>
/// The writer's signal: a QoS 0 publish may run the idle writer on its own thread (no thread switch per message), every
/// other set hands the writer to the pool, and an inline wake does not make the next one inline.
/// </summary>
public sealed class AsyncAutoResetSignalUnitTests
{
    // True only on the thread that is inside Set(...) right now: a waiter that sees it ran inline in that call.
    private static readonly ThreadLocal<bool> InsideSet = new();

    [Fact]
    public async Task Set_RunWaiterInline_WaiterContinuesBeforeSetReturns()
    {
        var signal = new AsyncAutoResetSignal();
        var inline = false;
        var waiter = WaitAsync(signal, ran => inline = ran);

        SetMarked(signal, runWaiterInline: true);

        Assert.True(inline);
        await waiter;
    }

    [Fact]
    public async Task Set_Default_WaiterRunsOnThePool()
    {
        var signal = new AsyncAutoResetSignal();
        var inline = true;
        var waiter = WaitAsync(signal, ran => inline = ran);

        SetMarked(signal, runWaiterInline: false);

        await waiter;
        Assert.False(inline);
    }

    [Fact]
    public async Task Set_AfterAnInlineWake_NextWaitIsAsynchronousAgain()
    {
        var signal = new AsyncAutoResetSignal();
        var first = false;
        var waiter = WaitAsync(signal, ran => first = ran);
        SetMarked(signal, runWaiterInline: true);
        await waiter;

        var second = true;
        waiter = WaitAsync(signal, ran => second = ran);
        SetMarked(signal, runWaiterInline: false);
        await waiter;

        Assert.True(first);
        Assert.False(second);
    }

    [Fact]
    public async Task Set_RunWaiterInlineWithNobodyWaiting_IsRememberedOnce()
    {
        var signal = new AsyncAutoResetSignal();

        signal.Set(runWaiterInline: true);

        Assert.True(signal.WaitAsync().IsCompletedSuccessfully);
        var next = signal.WaitAsync();
        Assert.False(next.IsCompleted);
        signal.Set();
        await next;
    }

    private static async Task WaitAsync(AsyncAutoResetSignal signal, Action<bool> ranInline)
    {
        await signal.WaitAsync().ConfigureAwait(false);
        ranInline(InsideSet.Value);
    }

    private static void SetMarked(AsyncAutoResetSignal signal, bool runWaiterInline)
    {
        InsideSet.Value = true;
        try
        {
            signal.Set(runWaiterInline);
        }
        finally
        {
            InsideSet.Value = false;
        }
    }
}
