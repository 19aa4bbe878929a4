using static ResilientGrpc.Benchmarks.Soak.SoakFormat;

namespace ResilientGrpc.Benchmarks.Soak;

/// <summary>
/// The soak's bars. Resources are compared between two samples at the same point of a warm cycle (after the one-minute
/// warm-up, and at the end), each taken after a full compacting collection, so what is left is what the process holds.
/// </summary>
internal static class SoakVerdict
{
    /// <summary>
    /// The most the managed heap may grow from the warm baseline to the end: 1 MB. The live heap of this process is about
    /// 3.5 MB, and between two samples it moves by the calls in flight at that instant (a few KB each, rarely more than a
    /// dozen of them) and by pools that grow to the peak concurrency seen so far (Kestrel's and HttpClient's buffers): the
    /// one-minute smoke run moved it by 0.04 MB. A leak grows it with every call instead: 15 minutes at 50 calls/s are
    /// 45,000 calls, so 1 MB catches a leak of one object of the smallest size (24 B) per call.
    /// </summary>
    public const long MaxHeapGrowthBytes = 1024 * 1024;

    /// <summary>
    /// The most threads the process may have at the end beyond the warm baseline: 5. The thread pool adds and retires
    /// threads on its own as the load bursts (the collections each minute make calls pile up behind them); a leak of one
    /// thread per breaker cycle, timer or stream would add 15 or more in 15 minutes.
    /// </summary>
    public const int MaxThreadGrowth = 5;

    /// <summary>
    /// The most handles (and, on Linux, file descriptors) the process may hold at the end beyond the warm baseline: 10. The
    /// calls share one HTTP/2 connection (two descriptors in this process, one per end); a few more connections or an
    /// event pipe may come and go, but a leaked socket or wait handle per call, stream or cycle adds hundreds.
    /// </summary>
    public const int MaxHandleGrowth = 10;

    /// <summary>Every bar, judged on <paramref name="result"/>.</summary>
    public static IReadOnlyList<SoakCheck> Checks(SoakResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var (warm, end, tally, scenario) = (result.Warm, result.End, result.Tally, result.Scenario);
        var nonRpc = tally.Exceptions.Where(e => e.Key.Status == "–").Sum(e => e.Value);
        List<SoakCheck> checks =
        [
            new("managed heap growth, warm → end", $"< {Mb(MaxHeapGrowthBytes)} MB",
                $"{Mb(warm.HeapBytes)} → {Mb(end.HeapBytes)} MB ({SignedMb(result.HeapGrowth)} MB)", result.HeapGrowth < MaxHeapGrowthBytes),
            Growth("threads, warm → end", warm.Threads, end.Threads, MaxThreadGrowth),
            Growth("handles, warm → end", warm.Handles, end.Handles, MaxHandleGrowth),
        ];
        if (warm.FileDescriptors is { } warmFds && end.FileDescriptors is { } endFds)
        {
            checks.Add(Growth("/proc/self/fd entries, warm → end", warmFds, endFds, MaxHandleGrowth));
        }

        checks.AddRange(
        [
            Zero($"unary calls over the {scenario.UnaryBoundMs:0} ms bound", tally.OverBound(CallKind.Unary), $"max {Ms(tally.Max(CallKind.Unary))} ms"),
            Zero($"streams over the {scenario.StreamBoundMs:0} ms bound", tally.OverBound(CallKind.Stream), $"max {Ms(tally.Max(CallKind.Stream))} ms"),
            Zero("exceptions that are not an RpcException", nonRpc),
            Zero("unobserved task exceptions", result.Unobserved),
            Zero("streams that ended early without an error", tally.Outcomes.GetValueOrDefault((CallKind.Stream, CallTally.ShortStream))),
            new("calls still in flight 30 s after the load stopped", "0", result.Drained ? "0" : Int(result.AfterDrain.InFlight), result.Drained),
        ]);
        return checks;
    }

    /// <summary>The verdict line: PASS, or FAIL with every bar that failed.</summary>
    public static string Line(IReadOnlyList<SoakCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        var failed = checks.Where(c => !c.Pass).Select(c => $"{c.Name}: {c.Measured} (bar {c.Bar})").ToArray();
        return failed.Length == 0 ? "Verdict: **PASS**" : "Verdict: **FAIL**: " + string.Join("; ", failed) + ".";
    }

    private static SoakCheck Growth(string name, int warm, int end, int allowed) =>
        new(name, $"≤ warm + {allowed}", $"{Int(warm)} → {Int(end)}", end <= warm + allowed);

    private static SoakCheck Zero(string name, long count, string? detail = null) =>
        new(name, "0", detail is null ? Int(count) : $"{Int(count)} ({detail})", count == 0);
}
