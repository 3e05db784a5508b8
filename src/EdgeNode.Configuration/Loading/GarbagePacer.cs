namespace EdgeNode.Configuration.Loading;

/// <summary>
/// Keeps the garbage of a large load from piling up. Reading a file allocates about 80 times its size (YamlDotNet's
/// scanner and parser alone some 50 bytes per byte, then the validation), nearly all of it dead at once, while the tree
/// read so far stays alive. With the node's non-concurrent workstation GC that high survival lets the gen0 budget grow
/// toward its 200 MB ceiling: a 1 MB configuration (15,000 metrics) ran to 86 MB allocated with one collection and a
/// peak RSS of 104 MB in the NativeAOT node, twice its steady state. <c>DOTNET_GCgen0MaxBudget</c> and
/// <c>DOTNET_GCgen0size</c> did not change that there. So the reader collects gen0 and gen1 itself whenever this
/// thread has allocated <see cref="Step"/> more bytes (VmHWM at the end of the load: 38 MB; about 100 ms of GC pause
/// at 15,000 metrics). Files under ~50 KB never reach a step. README "Footprint: the shipped form".
/// </summary>
internal static class GarbagePacer
{
    /// <summary>Bytes allocated between collections: the garbage a load may hold at most, beyond what it keeps.</summary>
    public const long Step = 4 * 1024 * 1024;

    [ThreadStatic]
    private static long t_next;

    /// <summary>Called often (per YAML node, per mapping read); collects when a step of garbage has built up.</summary>
    public static void Tick()
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        if (t_next == 0)
        {
            t_next = allocated + Step;
        }
        else if (allocated >= t_next)
        {
            GC.Collect(1, GCCollectionMode.Forced, blocking: true);
            t_next = GC.GetAllocatedBytesForCurrentThread() + Step;
        }
    }
}
