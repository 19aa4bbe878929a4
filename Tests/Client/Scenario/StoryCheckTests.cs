using System.Collections.Immutable;
using Grpc.Core;
using ResilientGrpc.Client.Reporting;
using ResilientGrpc.Client.Scenario;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Tests.Client.Reporting;

namespace ResilientGrpc.Tests.Client.Scenario;

/// <summary>The demo's self-check: each promised pattern is reported missing when it did not happen.</summary>
public sealed class StoryCheckTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(0.7);

    [Test]
    public void Check_TheWholeStory_FindsNothingMissing() =>
        Assert.That(StoryCheck.Check(Result(Hedged())), Is.Empty);

    [Test]
    public void Check_HedgedCallFailed_IsReported()
    {
        var hedged = Hedged();
        var traffic = hedged.Traffic with
        {
            Succeeded = 7,
            Failures = ImmutableSortedDictionary<StatusCode, long>.Empty.Add(StatusCode.DeadlineExceeded, 1),
        };

        Assert.That(
            StoryCheck.Check(Result(hedged with { Traffic = traffic })),
            Is.EqualTo(new[] { "1 of 8 calls failed in the hedged phase" }));
    }

    [Test]
    public void Check_NoHedgeSentOrCancelled_IsReported()
    {
        var hedged = Hedged();

        Assert.That(
            StoryCheck.Check(Result(hedged with { Traffic = hedged.Traffic with { Hedges = 0, HedgesCancelled = 0 } })),
            Is.EqualTo(new[] { "no hedge was sent in the hedged phase", "no hedge was cancelled in the hedged phase" }));
    }

    [Test]
    public void Check_HedgedCallSlowerThanTheBound_IsReported() =>
        Assert.That(
            StoryCheck.Check(Result(Hedged() with { LongestCall = TimeSpan.FromSeconds(2.01) })),
            Is.EqualTo(new[] { "the slowest call of the hedged phase took 2.01 s, more than the hedge delay and its margin (0.70 s)" }));

    [Test]
    public void Check_HedgedCallAtTheBound_IsFine() =>
        Assert.That(StoryCheck.Check(Result(Hedged() with { LongestCall = Bound })), Is.Empty);

    [Test]
    public void Check_NoHedgedPhase_IsReported() =>
        Assert.That(StoryCheck.Check(Result(hedged: null)), Is.EqualTo(new[] { "no 'hanging, hedged' phase" }));

    private static PhaseSummary Hedged()
    {
        var phase = SummaryAccountingTests.Phase(DemoPhases.HedgedPhase, calls: 8, ok: 8, rejected: 0, unavailable: 0, retries: 0, serverReceived: 11);
        return phase with
        {
            Traffic = phase.Traffic with { Hedges = 3, HedgesCancelled = 3 },
            LongestCall = TimeSpan.FromSeconds(0.21),
        };
    }

    private static ScenarioResult Result(PhaseSummary? hedged)
    {
        var flaky = SummaryAccountingTests.Phase("flaky", calls: 16, ok: 15, rejected: 0, unavailable: 1, retries: 8, serverReceived: 24);
        var hanging = new PhaseSummary(
            "hanging",
            TrafficSnapshot.Empty with
            {
                Calls = 8,
                Succeeded = 5,
                Failures = ImmutableSortedDictionary<StatusCode, long>.Empty.Add(StatusCode.DeadlineExceeded, 3),
                Attempts = 8,
            },
            ServerReceived: 8,
            TimeSpan.FromSeconds(10));
        IReadOnlyList<PhaseSummary> phases = hedged is null ? [flaky, hanging] : [flaky, hanging, hedged];
        return new ScenarioResult(
            phases,
            [
                Transition(CircuitState.Closed, CircuitState.Open),
                Transition(CircuitState.Open, CircuitState.HalfOpen),
                Transition(CircuitState.HalfOpen, CircuitState.Open),
                Transition(CircuitState.Open, CircuitState.HalfOpen),
                Transition(CircuitState.HalfOpen, CircuitState.Closed),
            ],
            [new OpenPeriod(TimeSpan.FromSeconds(30), 118, 0), new OpenPeriod(TimeSpan.FromSeconds(30), 115, 0)],
            Bound);
    }

    private static BreakerTransition Transition(CircuitState from, CircuitState to) =>
        new(from, to, default, Timestamp: 0, ServerReceived: 0, Rejected: 0);
}
