using Microsoft.Extensions.Logging;
using ResilientGrpc.Client.Fleet;

namespace ResilientGrpc.Tests.Client.Fleet;

/// <summary>
/// The whole fleet demo, three in-process replicas and both runs, with the timings shrunk (about 7 s a run): a 1 s
/// base ejection time, so in the 2.5 s down phase the first probe fails and the second, 3 s after the ejection,
/// lands in the recovery phase and succeeds; a 50 ms first backoff so the run without ejection keeps its pace.
/// </summary>
[NonParallelizable]
public sealed class FleetDemoTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    private static readonly FleetTimings Timings = new()
    {
        Healthy = TimeSpan.FromSeconds(1),
        Down = TimeSpan.FromSeconds(2.5),
        Recovery = TimeSpan.FromSeconds(2.5),
        BaseEjectionTime = TimeSpan.FromSeconds(1),
        InitialBackoff = TimeSpan.FromMilliseconds(50),
        Workers = 4,
        CallInterval = TimeSpan.FromMilliseconds(20),
    };

    private FleetResult result = null!;

    [OneTimeSetUp]
    public async Task RunTheFleetDemoOnce()
    {
        result = await FleetApplication.RunAsync(3, Timings, (logging, _) => logging.ClearProviders(), CancellationToken.None).WaitAsync(Bound);
    }

    [Test]
    public void RunAsync_RunsWithoutEjectionThenWithIt_EachThroughTheThreePhases()
    {
        Assert.Multiple(() =>
        {
            Assert.That(result.Runs.Select(r => r.WithEjection), Is.EqualTo(new[] { false, true }));
            foreach (var run in result.Runs)
            {
                Assert.That(run.Phases.Select(p => p.Phase), Is.EqualTo(new[] { FleetRun.HealthyPhase, FleetRun.DownPhase, FleetRun.BackPhase }));
                Assert.That(run.Endpoints, Has.Count.EqualTo(3).And.Unique);
            }
        });
    }

    [Test]
    public void RunAsync_TheStoryCheck_Passes() => Assert.That(FleetStoryCheck.Check(result), Is.Empty);

    [Test]
    public void RunAsync_Healthy_EveryCallSucceedsFirstTime_SpreadOverEveryReplica()
    {
        Assert.Multiple(() =>
        {
            foreach (var healthy in result.Runs.Select(r => r.Phase(FleetRun.HealthyPhase)))
            {
                Assert.That(healthy.Calls, Is.GreaterThan(20));
                Assert.That(healthy.Succeeded, Is.EqualTo(healthy.Calls));

                // Calls are counted when they end, attempts when they arrive: the few in flight at a phase's end fall either side.
                Assert.That(healthy.Attempts, Is.InRange(healthy.Calls - Timings.Workers, healthy.Calls + Timings.Workers));
                Assert.That(healthy.Received, Has.All.GreaterThan(healthy.Attempts / 5));
            }
        });
    }

    [Test]
    public void RunAsync_WithEjection_NearlyEveryCallSucceedsWhileTheReplicaIsDown()
    {
        var down = result.WithEjection.Phase(FleetRun.DownPhase);

        Assert.Multiple(() =>
        {
            Assert.That(down.Calls, Is.GreaterThan(50));
            Assert.That(down.SucceededPercent, Is.GreaterThanOrEqualTo(99));
            Assert.That(down.BreakerOpenings, Is.Zero);
        });
    }

    [Test]
    public void RunAsync_WithEjection_AfterItsEjectionTheBadReplicaReceivesOnlyProbes()
    {
        var ejection = result.WithEjection.Ejection;
        var down = result.WithEjection.Phase(FleetRun.DownPhase);

        Assert.Multiple(() =>
        {
            Assert.That(ejection.Ejected, Is.True);
            Assert.That(ejection.ReceivedBeforeEjection, Is.InRange(5, 5 + Timings.Workers), "five failures in a row eject it; at most the attempts then in flight follow");
            Assert.That(ejection.FailedProbes, Is.GreaterThanOrEqualTo(1), "its ejection ended once while it was down");

            // The only other arrivals: attempts already on their way when the fifth failure ejected it.
            Assert.That(ejection.ReceivedAfterEjection, Is.InRange(ejection.FailedProbes, ejection.FailedProbes + Timings.Workers));
            Assert.That(down.Received[FleetRun.BadReplica], Is.EqualTo(ejection.ReceivedBeforeEjection + ejection.ReceivedAfterEjection));
            Assert.That(ejection.Returns, Is.EqualTo(1), "its probe after it came back succeeded");
            Assert.That(ejection.OtherEjections, Is.Zero);
            Assert.That(result.WithEjection.Phase(FleetRun.BackPhase).Received[FleetRun.BadReplica], Is.GreaterThan(0), "readmitted, it takes traffic again");
        });
    }

    [Test]
    public void RunAsync_WithoutEjection_TheBadReplicaKeepsReceivingAboutAThirdOfTheAttempts()
    {
        var run = result.WithoutEjection;
        var down = run.Phase(FleetRun.DownPhase);
        var share = (double)down.Received[FleetRun.BadReplica] / down.Attempts;

        Assert.Multiple(() =>
        {
            Assert.That(run.Ejection.Ejected, Is.False);
            Assert.That(run.Ejection.Ejections, Is.Zero);
            Assert.That(down.Attempts, Is.GreaterThan(50));
            Assert.That(share, Is.InRange(0.25, 0.42));
            Assert.That(down.AttemptsPerCall, Is.GreaterThan(1.2), "a third of the attempts fail and are retried");
            Assert.That(down.SucceededPercent, Is.GreaterThan(80), "retries on the other replicas rescue most calls");
            Assert.That(down.MeanCall, Is.GreaterThan(result.WithEjection.Phase(FleetRun.DownPhase).MeanCall), "the rescued calls waited for their backoff");
        });
    }

    [Test]
    public void Write_PrintsBothTablesAndPassingChecks()
    {
        using var output = new StringWriter();

        var problems = FleetReport.Write(result, output);

        Assert.Multiple(() =>
        {
            Assert.That(problems, Is.Empty);
            Assert.That(output.ToString(), Does.Contain("Run 1 without ejection: round_robin"));
            Assert.That(output.ToString(), Does.Contain("Run 2 with ejection: outlier_round_robin"));
            Assert.That(output.ToString(), Does.Contain("replica 2 (bad)"));
            Assert.That(output.ToString(), Does.Contain("Checks: with ejection"));
        });
    }
}
