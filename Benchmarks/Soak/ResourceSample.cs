using System.Diagnostics;

namespace ResilientGrpc.Benchmarks.Soak;

/// <summary>What the process holds at one moment of the soak, the managed heap measured after a full compacting collection.</summary>
/// <param name="Elapsed">When it was taken, from the start of the traffic.</param>
/// <param name="HeapBytes">The managed heap after <see cref="CollectEverything"/>.</param>
/// <param name="WorkingSetBytes">The process's resident memory, native memory included (for information: the collector keeps freed memory).</param>
/// <param name="Threads">The process's threads.</param>
/// <param name="PoolThreads">The thread pool's threads among them.</param>
/// <param name="Handles">The process's handles as .NET reports them.</param>
/// <param name="FileDescriptors">The entries of <c>/proc/self/fd</c> on Linux; null elsewhere.</param>
/// <param name="InFlight">The soak's calls in flight when the sample began.</param>
/// <param name="Calls">The calls started so far.</param>
/// <param name="BreakerOpenings">The breaker's openings so far.</param>
internal readonly record struct ResourceSample(
    TimeSpan Elapsed, long HeapBytes, long WorkingSetBytes, int Threads, int PoolThreads, int Handles, int? FileDescriptors, int InFlight, long Calls, long BreakerOpenings)
{
    /// <summary>Collects garbage until only what is reachable is left, then measures the process.</summary>
    public static ResourceSample Take(TimeSpan elapsed, int inFlight, long calls, long breakerOpenings)
    {
        CollectEverything();
        var heap = GC.GetTotalMemory(forceFullCollection: false);
        using var process = Process.GetCurrentProcess();
        int? descriptors = OperatingSystem.IsLinux() ? new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos().Count() : null;
        return new ResourceSample(elapsed, heap, process.WorkingSet64, process.Threads.Count, ThreadPool.ThreadCount, process.HandleCount, descriptors, inFlight, calls, breakerOpenings);
    }

    /// <summary>A full blocking compacting collection, the finalizers it queued, and another, so what they freed is gone too.</summary>
    public static void CollectEverything()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}
