using System.Runtime.CompilerServices;

namespace EdgeNode.Mqtt.Tests.TestSupport;

internal static class ThreadPoolWarmup
{
    /// <summary>
    /// The test host (vstest) parks thread-pool threads in blocking socket reads; on a 2-core machine that starves
    /// timers for a second or more at start-up. More minimum threads keep keep-alive tests about the client, not the host.
    /// </summary>
    [ModuleInitializer]
    internal static void Initialize()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), Math.Max(io, 16));
    }
}
