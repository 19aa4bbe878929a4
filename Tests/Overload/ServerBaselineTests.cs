using ResilientGrpc.Interceptors.Overload;

namespace ResilientGrpc.Tests.Overload;

/// <summary>
/// What the server does when the client is not pushing it, and how a round is judged against it: refusals beyond chance
/// at the server's usual share, and a queue well above its usual latency. Latencies in microseconds.
/// </summary>
public sealed class ServerBaselineTests
{
    [Test]
    public void Latency_UnknownAtFirst_ThenTheFirstQuietRound_ThenAMovingAverageWeighingAnEighth()
    {
        var baseline = new ServerBaseline();
        Assert.That(baseline.Latency, Is.Zero);

        baseline.Learn(Quiet(median: 10_000), cut: false);
        Assert.That(baseline.Latency, Is.EqualTo(10_000));

        baseline.Learn(Quiet(median: 18_000), cut: false);
        Assert.That(baseline.Latency, Is.EqualTo(11_000));
    }

    [Test]
    public void Latency_BeforeAnyQuietRound_TheLowestRoundMedianStandsIn()
    {
        var baseline = new ServerBaseline();

        baseline.Learn(Pushed(median: 30_000), cut: false);
        baseline.Learn(Pushed(median: 20_000), cut: false);
        baseline.Learn(Pushed(median: 40_000), cut: false);

        Assert.That(baseline.Latency, Is.EqualTo(20_000));
    }

    [Test]
    public void Latency_NeverBelowTheLowestRecentRoundMedian()
    {
        var baseline = new ServerBaseline();
        baseline.Learn(Quiet(median: 1_000), cut: false);
        for (var i = 0; i < 10; i++)
        {
            baseline.Learn(Pushed(median: 50_000), cut: false);
        }

        Assert.That(baseline.Latency, Is.EqualTo(1_000), "the pushed rounds do not teach the average, and 1 ms is still the lowest");

        // A server that became slower for good: within 64 rounds its best rounds, and so the baseline, are the slower ones.
        for (var i = 11; i < 63; i++)
        {
            baseline.Learn(Pushed(median: 50_000), cut: false);
        }

        Assert.That(baseline.Latency, Is.EqualTo(1_000), "63 rounds: the 1 ms round is still among the last 64");
        baseline.Learn(Pushed(median: 50_000), cut: false);
        Assert.That(baseline.Latency, Is.EqualTo(50_000), "64 rounds");
    }

    [Test]
    public void Latency_ARoundWithNothingAnswered_SaysNothingOfIt()
    {
        var baseline = new ServerBaseline();
        baseline.Learn(Pushed(median: 20_000), cut: false);
        baseline.Learn(new LimitRound(16, 16, true, false, 8, 0), cut: false);

        Assert.That(baseline.Latency, Is.EqualTo(20_000));
    }

    [Test]
    public void Learn_RoundsThatPushedTheLimitCutItOrWereRefusedAtHigherConcurrency_TeachNothing()
    {
        var baseline = new ServerBaseline();
        baseline.Learn(Quiet(median: 10_000, peak: 4), cut: false);

        baseline.Learn(Quiet(median: 90_000, peak: 40), cut: true);
        baseline.Learn(Pushed(median: 90_000, peak: 40), cut: false);
        baseline.Learn(new LimitRound(16, 8, true, false, 40, 90_000), cut: false);

        Assert.That(baseline.Latency, Is.EqualTo(10_000));
        Assert.That(baseline.Queued(Quiet(median: 20_000, peak: 5), tolerance: 1.25), Is.True, "still 4 in flight when not pushed");
        Assert.That(baseline.Overloaded(new LimitRound(16, 2, true, false, 8, 10_000)), Is.False, "three quiet rounds more needed before two refusals can tell");
    }

    [Test]
    public void Overloaded_BeforeFourQuietRounds_ThreeQuartersRefused()
    {
        var baseline = new ServerBaseline();
        for (var i = 0; i < 3; i++)
        {
            baseline.Learn(Quiet(median: 10_000), cut: false);
        }

        Assert.That(baseline.Overloaded(new LimitRound(16, 12, true, true, 20, 10_000)), Is.True, "12 of 16");
        Assert.That(baseline.Overloaded(new LimitRound(16, 11, true, true, 20, 10_000)), Is.False, "11 of 16, though at a higher concurrency");
        Assert.That(baseline.Overloaded(new LimitRound(1, 1, true, true, 20, 0)), Is.False, "one refusal is chance");
    }

    [Test]
    public void Overloaded_AfterFourQuietRoundsWithoutRefusals_ThreeOfSixteenRefusedAtAHigherConcurrency()
    {
        var baseline = Learned(rounds: 4, refused: 0);

        Assert.That(baseline.Overloaded(new LimitRound(16, 3, true, true, 20, 10_000)), Is.True);
        Assert.That(baseline.Overloaded(new LimitRound(16, 2, true, true, 20, 10_000)), Is.False, "an eighth of the round is tolerated");
        Assert.That(baseline.Overloaded(new LimitRound(16, 7, false, true, 20, 10_000)), Is.False, "7 of 16 at the same concurrency as the answers");
        Assert.That(baseline.Overloaded(new LimitRound(16, 8, false, true, 20, 10_000)), Is.True, "half of them, far above a share of 0");
    }

    [Test]
    public void Overloaded_ServerThatRefusesAboutHalfAtRandom_OnlyTwoDeviationsAndAnEighthAboveItsShare()
    {
        // 20 quiet rounds with half refused: a share of 0.5 × (1 − (7/8)^20) ≈ 0.465, so 46.5 of 100 expected, deviation
        // 6.8: more than 46.5 + 13.6 + 12.5 (an eighth of the round) is overload; at the same concurrency, if also more than
        // three deviations (67.0) and half the round.
        var baseline = Learned(rounds: 20, refused: 8);

        Assert.That(baseline.Overloaded(new LimitRound(100, 72, true, true, 20, 10_000)), Is.False, "within two deviations and an eighth");
        Assert.That(baseline.Overloaded(new LimitRound(100, 73, true, true, 20, 10_000)), Is.True, "beyond them, at a higher concurrency");
        Assert.That(baseline.Overloaded(new LimitRound(100, 73, false, true, 20, 10_000)), Is.True, "beyond them and three deviations, at the same concurrency");
        Assert.That(baseline.Overloaded(new LimitRound(100, 49, false, true, 20, 10_000)), Is.False, "about the usual share");
    }

    [Test]
    public void Overloaded_ServerThatRefusesAQuarterAtRandom_AtTheSameConcurrency_ThreeDeviationsAboveItsShare()
    {
        // 40 quiet rounds with 4 of 16 refused: a share of 0.25 × (1 − (7/8)^40) ≈ 0.249, so 3.98 of 16 expected,
        // deviation 2.0. At the same concurrency as the answers, overload is more than 3.98 + 5.99 + 1 = 10.97 refused:
        // 10 of 16 passes two deviations and an eighth (9.97) and is still chance; 11 is not.
        var baseline = Learned(rounds: 40, refused: 4);

        Assert.That(baseline.Overloaded(new LimitRound(16, 10, false, true, 20, 10_000)), Is.False, "within three deviations");
        Assert.That(baseline.Overloaded(new LimitRound(16, 11, false, true, 20, 10_000)), Is.True, "beyond three deviations");
    }

    [Test]
    public void Queued_AQuarterSlowerAndFiveMillisecondsMore_WhileTheClientPushes()
    {
        var baseline = new ServerBaseline();
        baseline.Learn(Quiet(median: 20_000, peak: 4), cut: false);

        Assert.That(baseline.Queued(Pushed(median: 25_000), tolerance: 1.25), Is.False, "exactly a quarter slower");
        Assert.That(baseline.Queued(Pushed(median: 25_001), tolerance: 1.25), Is.True);
        Assert.That(baseline.Queued(Quiet(median: 30_000, peak: 4), tolerance: 1.25), Is.False, "not pushing: as many in flight as when quiet");
        Assert.That(baseline.Queued(Quiet(median: 30_000, peak: 5), tolerance: 1.25), Is.True, "more in flight than when quiet");
    }

    [Test]
    public void Queued_LessThanFiveMillisecondsAboveTheUsualLatency_IsNoise()
    {
        var baseline = new ServerBaseline();
        baseline.Learn(Quiet(median: 1_000), cut: false);

        Assert.That(baseline.Queued(Pushed(median: 5_999), tolerance: 1.25), Is.False, "six times slower, but only 4.999 ms");
        Assert.That(baseline.Queued(Pushed(median: 6_000), tolerance: 1.25), Is.True);
    }

    [Test]
    public void Queued_AMedianThatStraysByChance_ThreeStandardErrorsNeeded()
    {
        var baseline = new ServerBaseline();
        baseline.Learn(Quiet(median: 14_000), cut: false);

        // An exponential service time of 20 ms: the median of 16 attempts has a standard error of about 5 ms.
        Assert.That(baseline.Queued(Pushed(median: 28_999, error: 5_000), tolerance: 1.25), Is.False, "twice as slow, but 14.999 ms is under 3 × 5 ms");
        Assert.That(baseline.Queued(Pushed(median: 29_000, error: 5_000), tolerance: 1.25), Is.True);
        Assert.That(baseline.Queued(Pushed(median: 20_000, error: 1_000), tolerance: 1.25), Is.True, "a narrow spread: the 5 ms floor and the tolerance decide");
    }

    [Test]
    public void Queued_UsualLatencyUnknown_NeverQueued()
    {
        var baseline = new ServerBaseline();

        Assert.That(baseline.Queued(Pushed(median: 1_000_000), tolerance: 1.25), Is.False);
    }

    [Test]
    public void Queued_InFlightWhenQuiet_IsTheFirstRoundsThenAMovingAverage()
    {
        var baseline = new ServerBaseline();
        baseline.Learn(Quiet(median: 20_000, peak: 4), cut: false);
        baseline.Learn(Quiet(median: 20_000, peak: 12), cut: false);

        Assert.That(baseline.Queued(Quiet(median: 40_000, peak: 5), tolerance: 1.25), Is.False, "4 + (12 − 4) / 8 = 5 when quiet");
        Assert.That(baseline.Queued(Quiet(median: 40_000, peak: 6), tolerance: 1.25), Is.True);
    }

    private static LimitRound Quiet(long median, int peak = 4, int refused = 0, int samples = 16) =>
        new(samples, refused, false, false, peak, median);

    private static LimitRound Pushed(long median, int peak = 40, double error = 0) => new(16, 0, false, true, peak, median, MedianError: error);

    private static ServerBaseline Learned(int rounds, int refused)
    {
        var baseline = new ServerBaseline();
        for (var i = 0; i < rounds; i++)
        {
            baseline.Learn(Quiet(median: 10_000, refused: refused), cut: false);
        }

        return baseline;
    }
}
