using ResilientGrpc.Client.Reporting;

namespace ResilientGrpc.Client.Scenario;

/// <summary>What the demo observed: the summary per phase, the breaker's transitions and its open periods.</summary>
internal sealed record ScenarioResult(
    IReadOnlyList<PhaseSummary> Phases,
    IReadOnlyList<BreakerTransition> Transitions,
    IReadOnlyList<OpenPeriod> OpenPeriods);
