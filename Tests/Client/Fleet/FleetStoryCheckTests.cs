using ResilientGrpc.Client.Fleet;

namespace ResilientGrpc.Tests.Client.Fleet;

/// <summary>The fleet demo's story check on made-up results.</summary>
public sealed class FleetStoryCheckTests
{
    [Test]
    public void Check_EjectedOnlyProbesAfterwardAndReturned_FindsNothing() =>
        Assert.That(FleetStoryCheck.Check(Result(new FleetEjection(2, 5, 1, 1, 1, 0))), Is.Empty);

    [Test]
    public void Check_NeverEjected_SaysSo() =>
        Assert.That(FleetStoryCheck.Check(Result(new FleetEjection(0, null, null, 0, 0, 0))), Is.EqualTo(new[] { "the run with ejection did not eject replica 2 while it was down" }));

    [Test]
    public void Check_MoreThanProbesAndInFlightAfterEjection_SaysHowMany() =>
        Assert.That(
            FleetStoryCheck.Check(Result(new FleetEjection(2, 5, 9, 1, 1, 0))),
            Is.EqualTo(new[] { "replica 2 received 9 attempts after its ejection, more than its 1 failed probes plus the 4 attempts that can be in flight" }));

    [Test]
    public void Check_NeverReturned_OrHealthyReplicaEjected_SaysSo() =>
        Assert.That(
            FleetStoryCheck.Check(Result(new FleetEjection(2, 5, 1, 1, 0, 2))),
            Is.EqualTo(new[] { "replica 2 never returned to the picks after it came back", "2 ejections of healthy replicas" }));

    private static FleetResult Result(FleetEjection ejection)
    {
        string[] endpoints = ["127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"];
        FleetPhaseResult[] phases =
        [
            new(FleetRun.HealthyPhase, TimeSpan.FromSeconds(1), 30, 30, [10, 10, 10], 0, TimeSpan.FromMilliseconds(5)),
            new(FleetRun.DownPhase, TimeSpan.FromSeconds(1), 30, 30, [15, 6, 15], 0, TimeSpan.FromMilliseconds(5)),
            new(FleetRun.BackPhase, TimeSpan.FromSeconds(1), 30, 30, [10, 10, 10], 0, TimeSpan.FromMilliseconds(5)),
        ];
        return new FleetResult(
            [
                new FleetRunResult("without ejection", false, "round_robin", endpoints, phases, new FleetEjection(0, null, null, 0, 0, 0)),
                new FleetRunResult("with ejection", true, "outlier_round_robin", endpoints, phases, ejection),
            ],
            new FleetTimings());
    }
}
