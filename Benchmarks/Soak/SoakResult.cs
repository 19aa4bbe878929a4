namespace ResilientGrpc.Benchmarks.Soak;

/// <summary>Everything one soak measured.</summary>
/// <param name="Scenario">What ran.</param>
/// <param name="StartedAt">When the run began (UTC).</param>
/// <param name="TrafficTime">How long calls were offered.</param>
/// <param name="Calls">The calls started (warm-up and soak).</param>
/// <param name="Shed">The calls not started because <see cref="SoakScenario.MaxInFlight"/> were in flight.</param>
/// <param name="PeakInFlight">The most calls in flight at once.</param>
/// <param name="Drained">Whether every call had ended within the drain limit after the load stopped.</param>
/// <param name="Tally">What the callers saw.</param>
/// <param name="Samples">The process at the start (before the traffic), then at the end of every minute: the first is the warm baseline, the last the end.</param>
/// <param name="AfterDrain">The process once the calls in flight had ended.</param>
internal sealed record SoakResult(
    SoakScenario Scenario,
    DateTime StartedAt,
    TimeSpan TrafficTime,
    long Calls,
    long Shed,
    int PeakInFlight,
    bool Drained,
    CallTally Tally,
    IReadOnlyList<ResourceSample> Samples,
    ResourceSample AfterDrain)
{
    /// <summary>Gets the attempts that reached the server.</summary>
    public long ServerCalls { get; init; }

    /// <summary>Gets the breaker's openings, reopenings after a failed probe included.</summary>
    public long Openings { get; init; }

    /// <summary>Gets how often the breaker went half-open to probe.</summary>
    public long Probes { get; init; }

    /// <summary>Gets how often the breaker closed again.</summary>
    public long Closings { get; init; }

    /// <summary>Gets the lines the stack logged at Warning and above.</summary>
    public long LogLines { get; init; }

    /// <summary>Gets the characters those lines took.</summary>
    public long LogCharacters { get; init; }

    /// <summary>Gets the logged messages by event name.</summary>
    public IReadOnlyDictionary<string, long> LogEvents { get; init; } = new Dictionary<string, long>();

    /// <summary>Gets the measurements the meter listener recorded.</summary>
    public long Measurements { get; init; }

    /// <summary>Gets how many unobserved task exceptions were raised.</summary>
    public long Unobserved { get; init; }

    /// <summary>Gets the first few of them.</summary>
    public IReadOnlyList<string> FirstUnobserved { get; init; } = [];

    /// <summary>Gets the sample after the warm-up.</summary>
    public ResourceSample Warm => Samples[1];

    /// <summary>Gets the sample at the end of the traffic.</summary>
    public ResourceSample End => Samples[^1];

    /// <summary>Gets the managed heap's growth from the warm baseline to the end.</summary>
    public long HeapGrowth => End.HeapBytes - Warm.HeapBytes;

    /// <summary>Gets the least-squares slope of the heap over the samples from the warm baseline on, in bytes per minute.</summary>
    public double HeapSlopePerMinute
    {
        get
        {
            var points = Samples.Skip(1).Select(s => (X: s.Elapsed.TotalMinutes, Y: (double)s.HeapBytes)).ToArray();
            var meanX = points.Average(p => p.X);
            var meanY = points.Average(p => p.Y);
            var spread = points.Sum(p => (p.X - meanX) * (p.X - meanX));
            return spread == 0 ? 0 : points.Sum(p => (p.X - meanX) * (p.Y - meanY)) / spread;
        }
    }
}
