using Grpc.Core;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Client.Hosting;
using ResilientGrpc.Client.Reporting;
using ResilientGrpc.Client.Scenario;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Tests.Client.Scenario;

/// <summary>
/// The whole demo, in-process against the real chaos server, with every duration scaled far down (a few
/// seconds in all). The deadline stays at half a second so a slow machine does not turn a healthy call into a
/// timeout, and the hedge delay at 0.15 s so a slow healthy call does not send a hedge (which would shift the
/// seeded server's sequence of hangs).
/// </summary>
public sealed class DemoScenarioTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    private static readonly ScenarioTimings Timings = ScenarioTimings.Scaled(0.02) with
    {
        Deadline = TimeSpan.FromSeconds(0.5),
        HangDuration = TimeSpan.FromSeconds(1.5),
        HedgeDelay = TimeSpan.FromSeconds(0.15),
        BreakDuration = TimeSpan.FromSeconds(0.5),
        StatusInterval = TimeSpan.FromSeconds(0.5),
    };

    private ScenarioResult result = null!;

    [OneTimeSetUp]
    public async Task RunTheDemoOnce()
    {
        result = await DemoApplication.RunAsync(Timings, metricsPort: 0, (logging, _) => logging.ClearProviders(), CancellationToken.None)
            .WaitAsync(Bound);
    }

    [Test]
    public void RunAsync_EveryPhase_RunsInOrder() =>
        Assert.That(result.Phases.Select(p => p.Phase), Is.EqualTo(new[] { "healthy", "flaky", "hanging", "hanging, hedged", "outage", "recovery" }));

    [Test]
    public void RunAsync_TheStory_HappenedAndTheFiguresAddUp()
    {
        Assert.Multiple(() =>
        {
            Assert.That(StoryCheck.Check(result), Is.Empty);
            Assert.That(SummaryAccounting.Check(result.Phases), Is.Empty);
        });
    }

    [Test]
    public void RunAsync_Healthy_EveryCallSucceedsFirstTime()
    {
        var healthy = Phase("healthy");

        Assert.Multiple(() =>
        {
            Assert.That(healthy.Traffic.Succeeded, Is.EqualTo(healthy.Traffic.Calls));
            Assert.That(healthy.Traffic.Retries, Is.Zero);
            Assert.That(healthy.ServerReceived, Is.EqualTo(healthy.Traffic.Calls));
        });
    }

    [Test]
    public void RunAsync_Flaky_RetriesSucceedAndOneCallGivesUpAfterThreeAttempts()
    {
        var flaky = Phase("flaky");

        Assert.Multiple(() =>
        {
            Assert.That(flaky.Traffic.Retries, Is.GreaterThan(0));
            Assert.That(flaky.Traffic.FailuresWith(StatusCode.Unavailable), Is.GreaterThanOrEqualTo(1));
            Assert.That(flaky.ServerReceived, Is.EqualTo(flaky.Traffic.Calls + flaky.Traffic.Retries));
            Assert.That(flaky.Traffic.Rejected, Is.Zero, "the breaker stays closed while calls are merely flaky");
        });
    }

    [Test]
    public void RunAsync_Hanging_CallsEndWithDeadlineExceededAndAreNotRetried()
    {
        var hanging = Phase("hanging");

        Assert.Multiple(() =>
        {
            Assert.That(hanging.Traffic.DeadlineExceeded, Is.GreaterThanOrEqualTo(1));
            Assert.That(hanging.Traffic.Retries, Is.Zero);
            Assert.That(hanging.Traffic.Rejected, Is.Zero);
        });
    }

    [Test]
    public void RunAsync_HangingHedged_EveryCallSucceedsAtAboutTheHedgeDelay()
    {
        var hedged = Phase(DemoPhases.HedgedPhase);

        Assert.Multiple(() =>
        {
            Assert.That(hedged.Traffic.Calls, Is.EqualTo(DemoPhases.HangingCalls));
            Assert.That(hedged.Traffic.Succeeded, Is.EqualTo(hedged.Traffic.Calls), "a hung copy costs the hedge delay, not the call");
            Assert.That(hedged.Traffic.DeadlineExceeded, Is.Zero);
            Assert.That(hedged.Traffic.Retries, Is.Zero, "a hedged method is never retried");
            Assert.That(hedged.Traffic.Rejected, Is.Zero);
            Assert.That(hedged.Traffic.Hedges, Is.GreaterThan(0));
            Assert.That(hedged.Traffic.HedgesCancelled, Is.EqualTo(hedged.Traffic.Hedges), "each hung copy is cancelled once its hedge answers");
            Assert.That(hedged.ServerReceived, Is.EqualTo(hedged.Traffic.Calls + hedged.Traffic.Hedges), "the server sees every copy");
            Assert.That(hedged.LongestCall, Is.GreaterThan(Timings.HedgeDelay), "a hung call waited for its hedge");
            // Below the deadline a hung call would wait out without its hedge; the demo's own story check holds real
            // runs to the tighter hedge delay + a quarter deadline, which a loaded two-core test run can pass by a few ms.
            Assert.That(hedged.LongestCall, Is.LessThan(Timings.Deadline), "no call waited out its deadline");
        });
    }

    [Test]
    public void RunAsync_Outage_BreakerOpensAndTheServerReceivesNothingWhileOpen()
    {
        Assert.Multiple(() =>
        {
            Assert.That(result.Transitions.Select(t => (t.From, t.To)), Is.EqualTo(new[]
            {
                (CircuitState.Closed, CircuitState.Open),
                (CircuitState.Open, CircuitState.HalfOpen),
                (CircuitState.HalfOpen, CircuitState.Open),
                (CircuitState.Open, CircuitState.HalfOpen),
                (CircuitState.HalfOpen, CircuitState.Closed),
            }));
            Assert.That(result.OpenPeriods, Has.Count.EqualTo(2));
            Assert.That(result.OpenPeriods.Select(p => p.ServerReceived), Is.All.Zero);
            Assert.That(result.OpenPeriods.Select(p => p.Rejected), Is.All.GreaterThan(0));
            // The watcher stamps an opening when its StateChanged handler runs, a moment after the breaker started its
            // break (on a busy machine, a few milliseconds): the period it measures may fall short of the break by that.
            Assert.That(
                result.OpenPeriods.Select(p => p.Duration),
                Is.All.GreaterThanOrEqualTo(Timings.BreakDuration - TimeSpan.FromMilliseconds(50)));
        });
    }

    [Test]
    public void RunAsync_Recovery_ProbeSucceedsAndCallsReachTheServerAgain()
    {
        var recovery = Phase("recovery");

        Assert.Multiple(() =>
        {
            Assert.That(result.Transitions[^1].To, Is.EqualTo(CircuitState.Closed));
            Assert.That(recovery.Traffic.Rejected, Is.GreaterThan(0), "the circuit is still open when the server recovers");
            Assert.That(recovery.Traffic.Succeeded, Is.GreaterThanOrEqualTo(DemoPhases.CallsAfterRecovery + 1));
            Assert.That(recovery.ServerReceived, Is.EqualTo(recovery.Traffic.Succeeded));
        });
    }

    private PhaseSummary Phase(string name) => result.Phases.Single(p => p.Phase == name);
}
