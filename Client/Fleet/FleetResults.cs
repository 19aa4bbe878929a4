namespace ResilientGrpc.Client.Fleet;

/// <summary>One phase of one run.</summary>
/// <param name="Phase">The phase's name.</param>
/// <param name="Duration">How long it lasted.</param>
/// <param name="Calls">Calls that ended in the phase.</param>
/// <param name="Succeeded">Of those, the ones that succeeded.</param>
/// <param name="Received">What each replica's server counted in the phase, in replica order.</param>
/// <param name="BreakerOpenings">How often the channel's circuit breaker opened in the phase.</param>
/// <param name="MeanCall">How long a call took on average, retries and backoff included.</param>
internal sealed record FleetPhaseResult(
    string Phase, TimeSpan Duration, long Calls, long Succeeded, IReadOnlyList<long> Received, int BreakerOpenings, TimeSpan MeanCall)
{
    /// <summary>Gets the attempts the replicas received in the phase, retries included.</summary>
    public long Attempts => Received.Sum();

    public double SucceededPercent => Calls == 0 ? 0 : 100.0 * Succeeded / Calls;

    public double AttemptsPerCall => Calls == 0 ? 0 : (double)Attempts / Calls;
}

/// <summary>What outlier detection did to the replica that went down, as its log events and its server's count tell.</summary>
/// <param name="Ejections">How often it was ejected (first ejections and failed probes), in the whole run.</param>
/// <param name="ReceivedBeforeEjection">What it received in the down phase up to its first ejection; null when never ejected.</param>
/// <param name="ReceivedAfterEjection">What it received in the rest of the down phase; null when never ejected.</param>
/// <param name="FailedProbes">Its readmission probes that failed in the down phase.</param>
/// <param name="Returns">How often a probe succeeded and it took traffic again.</param>
/// <param name="OtherEjections">Ejections of the healthy replicas (none expected).</param>
internal sealed record FleetEjection(int Ejections, long? ReceivedBeforeEjection, long? ReceivedAfterEjection, int FailedProbes, int Returns, int OtherEjections)
{
    public bool Ejected => ReceivedBeforeEjection is not null;
}

/// <summary>One run of the scripted load.</summary>
/// <param name="Name">The run's short name.</param>
/// <param name="WithEjection">Whether the channel balanced with outlier detection.</param>
/// <param name="Description">The channel and stack in words.</param>
/// <param name="Endpoints">Each replica's <c>host:port</c>.</param>
/// <param name="Phases">The phases, in order.</param>
/// <param name="Ejection">What outlier detection did to the bad replica (all zero without ejection).</param>
internal sealed record FleetRunResult(
    string Name, bool WithEjection, string Description, IReadOnlyList<string> Endpoints, IReadOnlyList<FleetPhaseResult> Phases, FleetEjection Ejection)
{
    public FleetPhaseResult Phase(string name) => Phases.Single(p => p.Phase == name);
}

/// <summary>Both runs.</summary>
/// <param name="Runs">Without ejection, then with it.</param>
/// <param name="Timings">The timings both ran with.</param>
internal sealed record FleetResult(IReadOnlyList<FleetRunResult> Runs, FleetTimings Timings)
{
    public FleetRunResult WithoutEjection => Runs.Single(r => !r.WithEjection);

    public FleetRunResult WithEjection => Runs.Single(r => r.WithEjection);
}
