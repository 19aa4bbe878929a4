using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.Overload;

namespace ResilientGrpc.Tests.Overload;

/// <summary>
/// How an adaptive limit moves round by round: a cut from what was in flight, growth by one near the last cut only every
/// eighth round, a slow start after twelve rounds without a cut; and what calls for a cut, refusals for AIMD, refusals or a
/// queue for the gradient. Latencies in microseconds.
/// </summary>
public sealed class LimitAlgorithmTests
{
    [Test]
    public void Aimd_RefusalsForOverload_CutFromWhatWasInFlight()
    {
        var aimd = Algorithm(ConcurrencyLimitAlgorithm.Aimd, backoff: 0.5);

        Assert.That(aimd.Next(100, Overloaded(peak: 40)), Is.EqualTo(20), "from the 40 in flight, not the limit of 100 nothing used");
        Assert.That(aimd.Next(10, Overloaded(peak: 40)), Is.EqualTo(5), "from the limit when more were in flight");
        Assert.That(aimd.Next(10, Overloaded(peak: 0)), Is.EqualTo(0.5), "from one at least");
    }

    [Test]
    public void Aimd_NoRefusals_NotInUse_LimitStays()
    {
        var aimd = Algorithm(ConcurrencyLimitAlgorithm.Aimd);

        Assert.That(aimd.Next(40, Quiet()), Is.EqualTo(40));
    }

    [Test]
    public void AtTheStart_ALimitInUseGrowsByAQuarterEachRound()
    {
        var aimd = Algorithm(ConcurrencyLimitAlgorithm.Aimd);

        Assert.That(aimd.Next(40, Pushed(peak: 20)), Is.EqualTo(50));
        Assert.That(aimd.Next(50, Pushed(peak: 25)), Is.EqualTo(62.5));
    }

    [Test]
    public void AfterACut_GrowsByOneARound_ByOneEveryEighthRoundNearTheLastCut_ThenByAQuarter()
    {
        var aimd = Algorithm(ConcurrencyLimitAlgorithm.Aimd, backoff: 0.9);
        var limit = aimd.Next(40, Overloaded(peak: 40));
        Assert.That(limit, Is.EqualTo(36));

        var limits = new List<double>();
        for (var round = 1; round <= 13; round++)
        {
            limit = aimd.Next(limit, Pushed(peak: (int)limit));
            limits.Add(limit);
        }

        // Rounds 1 to 3 grow by one up to 39, one below the limit cut; the 8th probes 40; the 12th starts a slow start.
        Assert.That(limits, Is.EqualTo(new double[] { 37, 38, 39, 39, 39, 39, 39, 40, 40, 40, 40, 50, 62.5 }));
    }

    [Test]
    public void AfterACut_TheLastCutIsTheLimitBeforeIt_NotWhatWasInFlight()
    {
        var aimd = Algorithm(ConcurrencyLimitAlgorithm.Aimd, backoff: 0.9);
        var limit = aimd.Next(100, Overloaded(peak: 40));

        for (var round = 1; round <= 11; round++)
        {
            limit = aimd.Next(limit, Pushed(peak: (int)limit));
        }

        Assert.That(limit, Is.EqualTo(47), "36 and one a round, far below the 100 of the cut");
    }

    [Test]
    public void AfterACut_QuietRoundsCountTowardsTheSlowStart()
    {
        var aimd = Algorithm(ConcurrencyLimitAlgorithm.Aimd, backoff: 0.5);
        var limit = aimd.Next(40, Overloaded(peak: 40));
        for (var round = 1; round <= 11; round++)
        {
            Assert.That(aimd.Next(limit, Quiet()), Is.EqualTo(limit));
        }

        Assert.That(aimd.Next(limit, Pushed(peak: 20)), Is.EqualTo(25), "the 12th round without a cut");
    }

    [Test]
    public void Gradient_RefusalsForOverload_CutByTheBackoffRatio()
    {
        var gradient = Algorithm(ConcurrencyLimitAlgorithm.Gradient, backoff: 0.8);

        Assert.That(gradient.Next(50, Overloaded(peak: 50)), Is.EqualTo(40));
    }

    [Test]
    public void Gradient_QueueWithinTheToleranceSquared_CutsOnlyOnItsSecondRoundInARow()
    {
        // Usual latency 20 ms; tolerance 1.25 and its square 1.5625: 30 ms is a queue, one that must show twice.
        var gradient = Learned(backoff: 0.9);

        Assert.That(gradient.Next(30, Pushed(peak: 30, median: 30_000)), Is.EqualTo(37.5), "first round: maybe chance, and the limit in use grows");
        Assert.That(gradient.Next(30, Pushed(peak: 30, median: 30_000)), Is.EqualTo(20).Within(1e-9), "second: × 20 / 30");
        Assert.That(gradient.Next(20, Pushed(peak: 20, median: 30_000)), Is.EqualTo(21), "a cut starts the count again");
    }

    [Test]
    public void Gradient_QueueInterruptedByANormalRound_NoCut()
    {
        var gradient = Learned(backoff: 0.9);

        gradient.Next(30, Pushed(peak: 30, median: 30_000));
        gradient.Next(30, Pushed(peak: 30, median: 20_000));
        Assert.That(gradient.Next(31, Pushed(peak: 31, median: 30_000)), Is.GreaterThanOrEqualTo(31));
    }

    [Test]
    public void Gradient_QueueAfterARefusalCut_MustShowTwiceAgain()
    {
        var gradient = Learned(backoff: 0.9);

        gradient.Next(30, Pushed(peak: 30, median: 30_000));
        Assert.That(gradient.Next(30, Overloaded(peak: 30)), Is.EqualTo(27));
        Assert.That(gradient.Next(27, Pushed(peak: 27, median: 30_000)), Is.GreaterThanOrEqualTo(27));
    }

    [Test]
    public void Gradient_QueueBeyondTheToleranceSquared_CutsAtOnce_ByHalfAtMost()
    {
        Assert.That(Learned(backoff: 0.9).Next(30, Pushed(peak: 30, median: 40_000)), Is.EqualTo(15), "× 20 / 40");
        Assert.That(Learned(backoff: 0.9).Next(30, Pushed(peak: 30, median: 200_000)), Is.EqualTo(15), "× 20 / 200, but never below half");
    }

    [Test]
    public void Gradient_SlightQueue_CutsByTheBackoffRatioAtLeast()
    {
        // Usual latency 100 ms, tolerance 1.05: 106 ms is a queue (6 ms more), whose gradient 100 / 106 cuts less than 0.9.
        var gradient = Learned(backoff: 0.9, tolerance: 1.05, median: 100_000);

        gradient.Next(50, Pushed(peak: 50, median: 106_000));
        Assert.That(gradient.Next(50, Pushed(peak: 50, median: 106_000)), Is.EqualTo(45).Within(1e-9));
    }

    [Test]
    public void Gradient_QueueCut_NeverBelowWhatTheServerServedInTheRound()
    {
        // Usual latency 20 ms; the round's median 40 ms would halve a limit of 30 to 15. The server answered 1 attempt a
        // millisecond in it: 1 × 20 ms = 20 in flight keep it busy without a queue, 24 with a mean 1.2 × the median.
        Assert.That(Learned(backoff: 0.9).Next(30, Pushed(peak: 30, median: 40_000, throughput: 0.001)), Is.EqualTo(20).Within(1e-9));
        Assert.That(Learned(backoff: 0.9).Next(30, Pushed(peak: 30, median: 40_000, throughput: 0.001, skew: 1.2)), Is.EqualTo(24).Within(1e-9));
        Assert.That(
            Learned(backoff: 0.9).Next(30, Pushed(peak: 30, median: 40_000, throughput: 0.01)),
            Is.GreaterThanOrEqualTo(30),
            "a server answering 10 a millisecond serves 200 in flight: the latency is no queue of ours, and nothing is cut");
    }

    [Test]
    public void Gradient_LatencyThatStaysAfterADeepCut_BecomesTheBaseline()
    {
        // Cut by half for 200 ms against 20 ms; the next round is still at 190 ms (not a tenth lower): the server got
        // slower, so 190 ms is its latency now, and a round at 200 ms is no queue.
        var gradient = Learned(backoff: 0.9);
        Assert.That(gradient.Next(30, Pushed(peak: 30, median: 200_000)), Is.EqualTo(15));
        gradient.Next(15, Pushed(peak: 15, median: 190_000));

        Assert.That(gradient.Next(15, Pushed(peak: 15, median: 200_000)), Is.GreaterThanOrEqualTo(15));
    }

    [Test]
    public void Gradient_LatencyThatStaysAfterADeepCut_BaselineIsTheMeanOfTheTwoRounds()
    {
        // Both rounds measured the slower server: 200 ms and 190 ms make 195 ms. Two rounds at 240 ms are then within the
        // tolerance (1.25 × 195 = 243.75 ms) and nothing is cut; against 190 ms alone they would be a queue, cut on the second.
        var gradient = Learned(backoff: 0.9);
        Assert.That(gradient.Next(30, Pushed(peak: 30, median: 200_000)), Is.EqualTo(15));
        gradient.Next(15, Pushed(peak: 15, median: 190_000));

        gradient.Next(15, Pushed(peak: 15, median: 240_000));
        Assert.That(gradient.Next(15, Pushed(peak: 15, median: 240_000)), Is.GreaterThanOrEqualTo(15));

        // And 320 ms is beyond the tolerance squared of 195 ms (304.7 ms): a queue, cut at once by 195 / 320.
        Assert.That(gradient.Next(15, Pushed(peak: 15, median: 320_000)), Is.EqualTo(15 * 195.0 / 320).Within(1e-9));
    }

    [Test]
    public void Gradient_LatencyThatFallsAfterADeepCut_KeepsTheBaseline()
    {
        // The next round's 150 ms is more than a tenth below 200 ms: the cut drained part of a queue of ours, so the
        // baseline stays 20 ms (that round is still a queue, cut again), and 40 ms after it is a queue too.
        var gradient = Learned(backoff: 0.9);
        Assert.That(gradient.Next(30, Pushed(peak: 30, median: 200_000)), Is.EqualTo(15));
        Assert.That(gradient.Next(15, Pushed(peak: 15, median: 150_000)), Is.EqualTo(7.5));

        Assert.That(gradient.Next(8, Pushed(peak: 8, median: 40_000)), Is.EqualTo(4));
    }

    [Test]
    public void Gradient_FallAfterADeepCutWithinChance_LatencyBecomesTheBaseline()
    {
        // Usual latency 20 ms; a round at 60 ms (its median's standard error 5 ms) halves 30 to 15. The next round is at
        // 48 ms: a fifth lower, but two medians with standard errors of 5 ms differ by up to 14.1 ms by chance (twice
        // √(5² + 5²)), so nothing drained: the server answers in 48 ms now, and that round is no queue.
        var gradient = Learned(backoff: 0.9);
        Assert.That(gradient.Next(30, Pushed(peak: 30, median: 60_000, error: 5_000)), Is.EqualTo(15));

        Assert.That(gradient.Next(15, Pushed(peak: 15, median: 48_000, error: 5_000)), Is.GreaterThanOrEqualTo(15));
    }

    [Test]
    public void Gradient_FallAfterADeepCutBeyondChance_KeepsTheBaseline()
    {
        // The same cut; the next round at 35 ms with a standard error of 2 ms fell by 25 ms, beyond the 10.8 ms chance
        // allows (twice √(5² + 2²)): a queue of ours drained, the baseline stays 20 ms, and 35 ms is still a queue (× 20 / 35).
        var gradient = Learned(backoff: 0.9);
        Assert.That(gradient.Next(30, Pushed(peak: 30, median: 60_000, error: 5_000)), Is.EqualTo(15));

        Assert.That(gradient.Next(15, Pushed(peak: 15, median: 35_000, error: 2_000)), Is.EqualTo(15 * 20.0 / 35).Within(1e-9));
    }

    [Test]
    public void Gradient_FallOfExactlyATenthAfterADeepCut_KeepsTheBaseline()
    {
        // Cut by half for 200 ms against 20 ms; the next round at 180 ms fell by exactly a tenth, with no spread: a queue
        // of ours drained, so the baseline stays 20 ms and 180 ms is still a queue (× 20 / 180, at most halved).
        var gradient = Learned(backoff: 0.9);
        Assert.That(gradient.Next(30, Pushed(peak: 30, median: 200_000)), Is.EqualTo(15));

        Assert.That(gradient.Next(15, Pushed(peak: 15, median: 180_000)), Is.EqualTo(7.5));
    }

    [Test]
    public void Gradient_FallOfExactlyTwiceItsStandardErrorAfterADeepCut_KeepsTheBaseline()
    {
        // A round at 60 ms with a standard error of 4 ms halves 30 to 15; the next round at 52 ms (no spread) fell by 8 ms,
        // exactly twice √(4² + 0²): beyond chance, so the baseline stays 20 ms and 52 ms is still a queue.
        var gradient = Learned(backoff: 0.9);
        Assert.That(gradient.Next(30, Pushed(peak: 30, median: 60_000, error: 4_000)), Is.EqualTo(15));

        Assert.That(gradient.Next(15, Pushed(peak: 15, median: 52_000)), Is.EqualTo(7.5));
    }

    [Test]
    public void Gradient_RoundWithNothingAnsweredAfterADeepCut_LeavesTheTestOfTheBaselineToTheNextAnsweredRound()
    {
        // Cut by half for 200 ms; then a round the server refused whole (no latency: cut for overload); then 190 ms, which
        // did not fall by a tenth from 200 ms: the server is slower, 190 ms is its latency now, and nothing is cut for it.
        var gradient = Learned(backoff: 0.9);
        Assert.That(gradient.Next(30, Pushed(peak: 30, median: 200_000)), Is.EqualTo(15));
        Assert.That(gradient.Next(15, new LimitRound(16, 16, true, true, 15, 0)), Is.EqualTo(13.5).Within(1e-9));

        Assert.That(gradient.Next(13.5, Pushed(peak: 13, median: 190_000)), Is.GreaterThanOrEqualTo(13.5));
    }

    [Test]
    public void Gradient_RoundWithNothingAnswered_DoesNotLowerTheLowestLatencyThatStandsInForTheBaseline()
    {
        // No quiet round yet: the lowest round median (10 ms) stands in for the baseline. A round refused whole has no
        // latency, not one of 0: after it, 50 ms is still a queue against 10 ms, and the limit halves.
        var gradient = Algorithm(ConcurrencyLimitAlgorithm.Gradient);
        Assert.That(gradient.Next(20, Pushed(peak: 20, median: 10_000)), Is.EqualTo(25));
        Assert.That(gradient.Next(25, new LimitRound(16, 16, true, true, 25, 0)), Is.EqualTo(22.5).Within(1e-9));

        Assert.That(gradient.Next(22.5, Pushed(peak: 22, median: 50_000)), Is.EqualTo(11));
    }

    [Test]
    public void RoundThatCallsForACut_TeachesTheBaselineNothing_EvenWhenTheLimitWasNotInUse()
    {
        // Usual latency 20 ms; a round with 4 in flight (the limit not in use) refused 12 of 16 after 100 ms: a cut, and
        // its 100 ms is not the server's usual latency. So 36 ms is still a queue against 20 ms (× 20 / 36).
        var gradient = Learned(backoff: 0.9);
        Assert.That(gradient.Next(40, new LimitRound(16, 12, false, false, 4, 100_000)), Is.EqualTo(3.6).Within(1e-9));

        Assert.That(gradient.Next(20, Pushed(peak: 20, median: 36_000)), Is.EqualTo(20 * 20.0 / 36).Within(1e-9));
    }

    [Test]
    public void Gradient_ShallowCut_LatencyThatStays_IsStillAQueue()
    {
        // Usual latency 100 ms, tolerance 1.05: two rounds at 106 ms cut 50 to 45, a tenth, too shallow to show in the
        // latency. So 106 ms after it is no evidence the server got slower: it is still a queue, cut when it shows twice.
        var gradient = Learned(backoff: 0.9, tolerance: 1.05, median: 100_000);
        gradient.Next(50, Pushed(peak: 50, median: 106_000));
        Assert.That(gradient.Next(50, Pushed(peak: 50, median: 106_000)), Is.EqualTo(45).Within(1e-9));

        gradient.Next(45, Pushed(peak: 45, median: 106_000));
        Assert.That(gradient.Next(45, Pushed(peak: 45, median: 106_000)), Is.EqualTo(40.5).Within(1e-9));
    }

    [Test]
    public void Gradient_CutOfAQuarter_IsDeep_LatencyThatStaysBecomesTheBaseline()
    {
        // Usual latency 30 ms; two rounds at 40 ms cut 40 by exactly a quarter (× 30 / 40), the least cut that tests the
        // baseline. 40 ms in the next round did not fall: the server's latency is 40 ms now, and rounds at it are no queue.
        var gradient = Learned(backoff: 0.9, median: 30_000);
        gradient.Next(40, Pushed(peak: 40, median: 40_000));
        Assert.That(gradient.Next(40, Pushed(peak: 40, median: 40_000)), Is.EqualTo(30).Within(1e-9));

        gradient.Next(30, Pushed(peak: 30, median: 40_000));
        Assert.That(gradient.Next(30, Pushed(peak: 30, median: 40_000)), Is.GreaterThanOrEqualTo(30));
    }

    [Test]
    public void For_OnlyTheFixedAlgorithm_IsFixed()
    {
        var algorithm = LimitAlgorithm.For(new ConcurrencyLimitOptions { Algorithm = ConcurrencyLimitAlgorithm.Fixed, InitialLimit = 10 });

        Assert.That(algorithm.IsFixed, Is.True);
        Assert.That(Algorithm(ConcurrencyLimitAlgorithm.Aimd).IsFixed, Is.False);
        Assert.That(Algorithm(ConcurrencyLimitAlgorithm.Gradient).IsFixed, Is.False);
    }

    private static LimitAlgorithm Algorithm(ConcurrencyLimitAlgorithm algorithm, double backoff = 0.9, double tolerance = 1.25) =>
        LimitAlgorithm.For(new ConcurrencyLimitOptions { Algorithm = algorithm, BackoffRatio = backoff, LatencyTolerance = tolerance });

    /// <summary>A gradient limit that has seen one quiet round of 4 in flight at <paramref name="median"/>.</summary>
    private static LimitAlgorithm Learned(double backoff, double tolerance = 1.25, long median = 20_000)
    {
        var gradient = Algorithm(ConcurrencyLimitAlgorithm.Gradient, backoff, tolerance);
        Assert.That(gradient.Next(100, new LimitRound(16, 0, false, false, 4, median)), Is.EqualTo(100));
        return gradient;
    }

    /// <summary>Three quarters refused at a higher concurrency: overload, whatever the baseline learned.</summary>
    private static LimitRound Overloaded(int peak) => new(16, 12, true, true, peak, 10_000);

    private static LimitRound Quiet() => new(16, 0, false, false, 4, 10_000);

    private static LimitRound Pushed(int peak, long median = 10_000, double throughput = 0, double skew = 1, double error = 0) =>
        new(16, 0, false, true, peak, median, throughput, skew, error);
}
