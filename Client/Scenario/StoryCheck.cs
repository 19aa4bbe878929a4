using Grpc.Core;
using ResilientGrpc.Client.Reporting;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Client.Scenario;

/// <summary>Checks that the demo showed every pattern it promises; one line per thing that did not happen.</summary>
internal static class StoryCheck
{
    public static IReadOnlyList<string> Check(ScenarioResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var problems = new List<string>();
        var flaky = result.Phases.FirstOrDefault(p => p.Phase == "flaky");
        var hanging = result.Phases.FirstOrDefault(p => p.Phase == "hanging");
        if (flaky is null || flaky.Traffic.Retries == 0)
        {
            problems.Add("no retries in the flaky phase");
        }

        if (flaky is null || flaky.Traffic.FailuresWith(StatusCode.Unavailable) == 0)
        {
            problems.Add("no call gave up after its attempts in the flaky phase");
        }

        if (hanging is null || hanging.Traffic.DeadlineExceeded == 0)
        {
            problems.Add("no call ended with DEADLINE_EXCEEDED in the hanging phase");
        }

        CheckHedged(result.Phases.FirstOrDefault(p => p.Phase == DemoPhases.HedgedPhase), result.HedgedCallBound, problems);

        var beforeOutage = result.Transitions.TakeWhile(t => t.To != CircuitState.Open).Count();
        if (result.Transitions.Count == 0 || beforeOutage == result.Transitions.Count)
        {
            problems.Add("the breaker never opened");
        }

        if (result.OpenPeriods.Count < 2)
        {
            problems.Add($"expected two open periods (before the failed and the successful probe), saw {result.OpenPeriods.Count}");
        }

        foreach (var period in result.OpenPeriods.Where(p => p.ServerReceived != 0))
        {
            problems.Add($"the server received {period.ServerReceived} calls while the breaker was open");
        }

        if (result.OpenPeriods.Any(p => p.Rejected == 0))
        {
            problems.Add("an open period rejected no calls");
        }

        if (!result.Transitions.Any(t => t is { From: CircuitState.HalfOpen, To: CircuitState.Open }))
        {
            problems.Add("no half-open probe failed");
        }

        if (result.Transitions.Count == 0 || result.Transitions[^1] is not { From: CircuitState.HalfOpen, To: CircuitState.Closed })
        {
            problems.Add("the breaker did not end closed after a successful probe");
        }

        return problems;
    }

    /// <summary>
    /// The hedged phase: every call succeeds (the bar is all of them: the seeded server never hangs all three copies
    /// of one call), some hedge was sent and some cancelled, and no call waited much longer than the hedge delay.
    /// </summary>
    private static void CheckHedged(PhaseSummary? hedged, TimeSpan bound, List<string> problems)
    {
        if (hedged is null)
        {
            problems.Add($"no '{DemoPhases.HedgedPhase}' phase");
            return;
        }

        if (hedged.Traffic.Succeeded != hedged.Traffic.Calls)
        {
            problems.Add($"{hedged.Traffic.Calls - hedged.Traffic.Succeeded} of {hedged.Traffic.Calls} calls failed in the hedged phase");
        }

        if (hedged.Traffic.Hedges == 0)
        {
            problems.Add("no hedge was sent in the hedged phase");
        }

        if (hedged.Traffic.HedgesCancelled == 0)
        {
            problems.Add("no hedge was cancelled in the hedged phase");
        }

        if (hedged.LongestCall > bound)
        {
            problems.Add(
                $"the slowest call of the hedged phase took {hedged.LongestCall.TotalSeconds:0.00} s, more than the "
                + $"hedge delay and its margin ({bound.TotalSeconds:0.00} s)");
        }
    }
}
