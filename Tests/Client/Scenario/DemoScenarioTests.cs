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
/// timeout.
/// </summary>
public sealed class DemoScenarioTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    private static readonly ScenarioTimings Timings = ScenarioTimings.Scaled(0.02) with
    {
        Deadline = TimeSpan.FromSeconds(0.5),
        HangDuration = TimeSpan.FromSeconds(1.5),
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
        Assert.That(result.Phases.Select(p => p.Phase), Is.EqualTo(new[] { "healthy", "flaky", "hanging", "outage", "recovery" }));

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
        var healthy = result.Phases[0];

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
        var flaky = result.Phases[1];

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
        var hanging = result.Phases[2];

        Assert.Multiple(() =>
        {
            Assert.That(hanging.Traffic.DeadlineExceeded, Is.GreaterThanOrEqualTo(1));
            Assert.That(hanging.Traffic.Retries, Is.Zero);
            Assert.That(hanging.Traffic.Rejected, Is.Zero);
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
        var recovery = result.Phases[4];

        Assert.Multiple(() =>
        {
            Assert.That(result.Transitions[^1].To, Is.EqualTo(CircuitState.Closed));
            Assert.That(recovery.Traffic.Rejected, Is.GreaterThan(0), "the circuit is still open when the server recovers");
            Assert.That(recovery.Traffic.Succeeded, Is.GreaterThanOrEqualTo(DemoPhases.CallsAfterRecovery + 1));
            Assert.That(recovery.ServerReceived, Is.EqualTo(recovery.Traffic.Succeeded));
        });
    }
}
