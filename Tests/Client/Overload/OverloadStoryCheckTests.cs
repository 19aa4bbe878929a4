using ResilientGrpc.Client.Overload;
using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Tests.Client.Overload;

/// <summary>The overload demo's story check and figures on made-up results: one window per phase, a 400 calls/s server.</summary>
public sealed class OverloadStoryCheckTests
{
    private static readonly OverloadTimings Timings = new()
    {
        Before = TimeSpan.FromSeconds(1),
        Overload = TimeSpan.FromSeconds(1),
        After = TimeSpan.FromSeconds(1),
    };

    [Test]
    public void Check_SameGoodputAndNoOpening_FindsNothing() =>
        Assert.That(OverloadStoryCheck.Check(Result(bareOk: 380, libraryOk: 370, openings: 0, breakerRejected: 0)), Is.Empty);

    [Test]
    public void Check_GoodputBelowTheBareRunsByMoreThanTheTolerance_SaysByHowMuch() =>
        Assert.That(
            OverloadStoryCheck.Check(Result(bareOk: 380, libraryOk: 300, openings: 0, breakerRejected: 0)),
            Is.EqualTo(new[] { "with the library's defaults, goodput during the overload was 75 % of capacity, below the 95 % without the library by more than 5 % of capacity" }));

    [Test]
    public void Check_BreakerOpened_SaysSo() =>
        Assert.That(
            OverloadStoryCheck.Check(Result(bareOk: 380, libraryOk: 390, openings: 1, breakerRejected: 12)),
            Is.EqualTo(new[] { "with the library's defaults, the breaker opened 1 time(s) and rejected 12 call(s): it read an overloaded server as a broken one" }));

    [Test]
    public void Figures_GoodputReceivedAndRecovery_AreReadFromThePhaseWindows()
    {
        var run = Result(bareOk: 380, libraryOk: 370, openings: 0, breakerRejected: 0).WithLibrary;

        Assert.Multiple(() =>
        {
            Assert.That(run.GoodputShare, Is.EqualTo(370 / 400.0).Within(1e-9));
            Assert.That(run.ReceivedPerSecondDuringOverload, Is.EqualTo(400));
            Assert.That(run.RefusedLocally, Is.EqualTo(430));
            Assert.That(run.BreakerOpened, Is.False);
            Assert.That(run.Recovery?.Index, Is.EqualTo(2));
        });
    }

    [Test]
    public void CallsDueBy_FollowsEachPhasesRate() =>
        Assert.That(
            new[] { 0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 9.0 }.Select(s => Timings.CallsDueBy(TimeSpan.FromSeconds(s))),
            Is.EqualTo(new long[] { 0, 100, 200, 600, 1000, 1200, 1200 }));

    private static OverloadResult Result(long bareOk, long libraryOk, int openings, long breakerRejected)
    {
        OverloadWindow[] Windows(long ok, long unavailable, long refused, long received) =>
        [
            new(0, TimeSpan.Zero, 200, 200, 0, 0, 0, 0, 0, 200),
            new(1, TimeSpan.FromSeconds(1), 800, ok, unavailable, 0, refused, breakerRejected, 0, received),
            new(2, TimeSpan.FromSeconds(2), 200, 200, 0, 0, 0, 0, 0, 200),
        ];

        return new OverloadResult(
            [
                new OverloadRunResult("no library", false, "bare", Windows(bareOk, 800 - bareOk, 0, 800), 0, 0, 0, Timings),
                new OverloadRunResult("with the library", true, "defaults", Windows(libraryOk, 0, 430, 400), openings, 0, 0, Timings),
            ],
            Timings,
            CapacityOverflow.Shed);
    }
}
