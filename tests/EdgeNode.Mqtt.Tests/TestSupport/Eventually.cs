using System.Diagnostics;

namespace EdgeNode.Mqtt.Tests.TestSupport;

/// <summary>Generous waiting helpers: tests assert outcomes, not timing (the machine is shared and loaded).</summary>
internal static class Eventually
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > (timeout ?? Timeout))
            {
                throw new TimeoutException($"not true within {(timeout ?? Timeout).TotalSeconds:0} s: {what}");
            }

            await Task.Delay(20);
        }
    }

    public static Task<T> Within<T>(this Task<T> task, TimeSpan? timeout = null) => task.WaitAsync(timeout ?? Timeout);

    public static Task Within(this Task task, TimeSpan? timeout = null) => task.WaitAsync(timeout ?? Timeout);
}
