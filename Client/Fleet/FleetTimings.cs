namespace ResilientGrpc.Client.Fleet;

/// <summary>
/// The fleet demo's durations and load. By default each run is about 25 s: 5 s healthy, 12 s with replica 2 down,
/// 8 s after it comes back, so with a 5 s base ejection time the ejection, the failed probe 5 s later, and the
/// successful probe in the recovery phase all happen within the run.
/// </summary>
internal sealed record FleetTimings
{
    /// <summary>Gets the length of the phase before the replica goes down.</summary>
    public TimeSpan Healthy { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets how long the replica stays down.</summary>
    public TimeSpan Down { get; init; } = TimeSpan.FromSeconds(12);

    /// <summary>Gets the length of the phase after it comes back.</summary>
    public TimeSpan Recovery { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>Gets the outlier detector's base ejection time, shrunk from the library's 30 s so a probe shows.</summary>
    public TimeSpan BaseEjectionTime { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets the retry's first backoff (the library's default, 1 s).</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets how many callers send calls at once.</summary>
    public int Workers { get; init; } = 4;

    /// <summary>Gets each caller's pause after a call.</summary>
    public TimeSpan CallInterval { get; init; } = TimeSpan.FromSeconds(0.1);

    /// <summary>Gets the default timings.</summary>
    public static FleetTimings Default { get; } = new();
}
