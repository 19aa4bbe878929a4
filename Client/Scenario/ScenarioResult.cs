using ResilientGrpc.Client.Reporting;

namespace ResilientGrpc.Client.Scenario;

/// <summary>What the demo observed: the summary per phase, the breaker's transitions and its open periods.</summary>
/// <param name="Phases">The summary of each phase.</param>
/// <param name="Transitions">The breaker's transitions, in order.</param>
/// <param name="OpenPeriods">The periods the breaker was open.</param>
/// <param name="HedgedCallBound">The longest a call of the hedged phase may take (<see cref="ScenarioTimings.HedgedCallBound"/>).</param>
internal sealed record ScenarioResult(
    IReadOnlyList<PhaseSummary> Phases,
    IReadOnlyList<BreakerTransition> Transitions,
    IReadOnlyList<OpenPeriod> OpenPeriods,
    TimeSpan HedgedCallBound);
