namespace ResilientGrpc.Client.Reporting;

/// <summary>What happened in one phase of the demo: the client's traffic and what the server received.</summary>
/// <param name="Phase">The phase's name.</param>
/// <param name="Traffic">The client's counts during the phase.</param>
/// <param name="ServerReceived">Calls the server counted during the phase (its own statistics).</param>
/// <param name="Duration">How long the phase lasted.</param>
internal sealed record PhaseSummary(string Phase, TrafficSnapshot Traffic, long ServerReceived, TimeSpan Duration)
{
    /// <summary>
    /// Gets the attempts that should have reached the server: every call's attempts (calls plus retries plus hedges)
    /// except the ones the breaker rejected, each of which ended its call.
    /// </summary>
    public long ExpectedAtServer => Traffic.Calls + Traffic.Retries + Traffic.Hedges - Traffic.Rejected;

    /// <summary>Gets how long the phase's slowest call took, as its caller waited (zero when not measured).</summary>
    public TimeSpan LongestCall { get; init; }

    /// <summary>Gets failed calls other than deadline exceeded and breaker rejections.</summary>
    public long OtherErrors => Traffic.Failed - Traffic.DeadlineExceeded;
}
