using ResilientGrpc.Interceptors.Overload;

namespace ResilientGrpc.Tests.Overload;

/// <summary>
/// What one round of a concurrency limit shows from the attempts that ended in it: when it is complete, the median
/// latency of the answered ones, whether the limit was in use, and whether refusals came at a higher concurrency.
/// </summary>
public sealed class RoundSamplesTests
{
    [Test]
    public void Round_CompleteAtSixteenAttempts_ThenAtWhatWasInFlightWhenItClosed()
    {
        var samples = new RoundSamples();
        for (var i = 0; i < 15; i++)
        {
            samples.Add(0, 100, overloaded: false, inFlight: 1, limit: 10);
        }

        Assert.That(samples.IsComplete, Is.False, "15 attempts");
        samples.Add(0, 100, overloaded: true, inFlight: 1, limit: 10);
        Assert.That(samples.IsComplete, Is.True, "16, a refused one included");

        samples.Close(inFlight: 20);
        for (var i = 0; i < 19; i++)
        {
            samples.Add(0, 100, overloaded: false, inFlight: 20, limit: 40);
        }

        Assert.That(samples.IsComplete, Is.False, "19 of the 20 in flight when the round began");
        samples.Add(0, 100, overloaded: false, inFlight: 20, limit: 40);
        Assert.That(samples.IsComplete, Is.True);

        samples.Close(inFlight: 3);
        for (var i = 0; i < 15; i++)
        {
            samples.Add(0, 100, overloaded: false, inFlight: 3, limit: 40);
        }

        Assert.That(samples.IsComplete, Is.False, "never fewer than 16");
    }

    [Test]
    public void Close_MedianOfTheAnsweredLatencies_RefusedOnesLeftOut()
    {
        var samples = new RoundSamples();
        foreach (var latency in new long[] { 50, 10, 40, 30, 20 })
        {
            samples.Add(0, latency, overloaded: false, inFlight: 1, limit: 10);
        }

        samples.Add(0, 1_000_000, overloaded: true, inFlight: 1, limit: 10);
        samples.Add(0, 1_000_000, overloaded: true, inFlight: 1, limit: 10);

        var round = samples.Close(inFlight: 0);

        Assert.That(round.MedianLatency, Is.EqualTo(30));
        Assert.That(round.Samples, Is.EqualTo(7));
        Assert.That(round.Refused, Is.EqualTo(2));
    }

    [Test]
    public void Close_EvenCount_TheUpperMedian()
    {
        var samples = new RoundSamples();
        foreach (var latency in new long[] { 40, 10, 30, 20 })
        {
            samples.Add(0, latency, overloaded: false, inFlight: 1, limit: 10);
        }

        Assert.That(samples.Close(inFlight: 0).MedianLatency, Is.EqualTo(30));
    }

    [Test]
    public void Close_NothingAnswered_MedianZero_ButAnAnswerInUnderAMicrosecondIsOne()
    {
        var refused = new RoundSamples();
        refused.Add(0, 500, overloaded: true, inFlight: 1, limit: 10);
        Assert.That(refused.Close(inFlight: 0).MedianLatency, Is.Zero, "none answered");

        var instant = new RoundSamples();
        instant.Add(0, 0, overloaded: false, inFlight: 1, limit: 10);
        Assert.That(instant.Close(inFlight: 0).MedianLatency, Is.EqualTo(1));
    }

    [Test]
    public void Close_MedianOfTheFirstSixtyFourAnswered()
    {
        var samples = new RoundSamples();
        for (var i = 0; i < 64; i++)
        {
            samples.Add(0, 1000, overloaded: false, inFlight: 1, limit: 10);
        }

        for (var i = 0; i < 100; i++)
        {
            samples.Add(0, 1, overloaded: false, inFlight: 1, limit: 10);
        }

        var round = samples.Close(inFlight: 0);

        Assert.That(round.MedianLatency, Is.EqualTo(1000));
        Assert.That(round.Samples, Is.EqualTo(164));
    }

    [Test]
    public void Close_InUse_OnlyWhenAnAnsweredAttemptWasAdmittedWithHalfTheLimitInFlight()
    {
        var below = new RoundSamples();
        below.Add(0, 10, overloaded: false, inFlight: 4, limit: 10);
        below.Add(0, 10, overloaded: true, inFlight: 10, limit: 10);
        var quiet = below.Close(inFlight: 0);
        Assert.That(quiet.InUse, Is.False, "4 of 10 answered; the refusal at 10 does not count");
        Assert.That(quiet.PeakInFlight, Is.EqualTo(10), "the peak counts refused attempts too");

        var half = new RoundSamples();
        half.Add(0, 10, overloaded: false, inFlight: 5, limit: 10);
        half.Add(0, 10, overloaded: false, inFlight: 1, limit: 10);
        half.Add(0, 10, overloaded: false, inFlight: 5, limit: 10);
        var pushed = half.Close(inFlight: 0);
        Assert.That(pushed.InUse, Is.True, "5 of 10; neither a later quiet attempt nor a second one at 5 undoes it");
        Assert.That(pushed.PeakInFlight, Is.EqualTo(5));
    }

    [Test]
    public void Close_StartsANewRoundFromNothing()
    {
        var samples = new RoundSamples();
        samples.Add(0, 500, overloaded: false, inFlight: 8, limit: 10);
        samples.Add(0, 500, overloaded: true, inFlight: 9, limit: 10);
        samples.Close(inFlight: 0);

        samples.Add(0, 100, overloaded: false, inFlight: 1, limit: 10);
        var round = samples.Close(inFlight: 0);

        Assert.That(round, Is.EqualTo(new LimitRound(1, 0, false, false, 1, 100)));
    }

    [Test]
    public void RefusedAtHigherConcurrency_AllRefused_NoneRefused()
    {
        var allRefused = new RoundSamples();
        allRefused.Add(0, 10, overloaded: true, inFlight: 3, limit: 10);
        Assert.That(allRefused.Close(inFlight: 0).RefusedAtHigherConcurrency, Is.True, "none answered");

        var noneRefused = new RoundSamples();
        noneRefused.Add(0, 10, overloaded: false, inFlight: 3, limit: 10);
        Assert.That(noneRefused.Close(inFlight: 0).RefusedAtHigherConcurrency, Is.False);

        Assert.That(new RoundSamples().Close(inFlight: 0).RefusedAtHigherConcurrency, Is.False, "an empty round");
    }

    [Test]
    public void RefusedAtHigherConcurrency_RefusalsAtTheSameConcurrencyAsAnswers_IsChance()
    {
        var samples = new RoundSamples();
        for (var i = 0; i < 16; i++)
        {
            samples.Add(0, 10, overloaded: i % 4 == 0, inFlight: 6 + (i % 3), limit: 10);
        }

        Assert.That(samples.Close(inFlight: 0).RefusedAtHigherConcurrency, Is.False);
    }

    [Test]
    public void RefusedAtHigherConcurrency_RefusalsOneAttemptHigherWithoutSpread_IsTheClientsLoad()
    {
        var samples = new RoundSamples();
        for (var i = 0; i < 8; i++)
        {
            samples.Add(0, 10, overloaded: false, inFlight: 7, limit: 10);
            samples.Add(0, 10, overloaded: true, inFlight: 8, limit: 10);
        }

        Assert.That(samples.Close(inFlight: 0).RefusedAtHigherConcurrency, Is.True);
    }

    [Test]
    public void RefusedAtHigherConcurrency_LessThanHalfAnAttemptHigher_IsNotEnoughHoweverManyAttempts()
    {
        // 50 refused at 8; 50 answered, 20 at 7 and 30 at 8 (mean 7.6): 0.4 higher, beyond twice the standard error (0.14).
        var samples = new RoundSamples();
        for (var i = 0; i < 50; i++)
        {
            samples.Add(0, 10, overloaded: true, inFlight: 8, limit: 10);
            samples.Add(0, 10, overloaded: false, inFlight: i < 20 ? 7 : 8, limit: 10);
        }

        Assert.That(samples.Close(inFlight: 0).RefusedAtHigherConcurrency, Is.False);
    }

    [Test]
    public void RefusedAtHigherConcurrency_ExactlyHalfAnAttemptHigher_IsNotEnough()
    {
        // 100 refused at 8; 100 answered, half at 7 and half at 8 (mean 7.5): half an attempt higher, twice the standard error 0.1.
        var samples = new RoundSamples();
        for (var i = 0; i < 100; i++)
        {
            samples.Add(0, 10, overloaded: true, inFlight: 8, limit: 10);
            samples.Add(0, 10, overloaded: false, inFlight: i % 2 == 0 ? 7 : 8, limit: 10);
        }

        Assert.That(samples.Close(inFlight: 0).RefusedAtHigherConcurrency, Is.False);
    }

    [Test]
    public void RefusedAtHigherConcurrency_TwoAttemptsHigherWithSomeSpread_IsTheClientsLoad()
    {
        // Refused at 9 and 11 (mean 10), answered at 7 and 9 (mean 8), ten of each: a difference of 2 against twice the
        // standard error of the difference, 0.94.
        var samples = new RoundSamples();
        for (var i = 0; i < 10; i++)
        {
            samples.Add(0, 10, overloaded: true, inFlight: i % 2 == 0 ? 9 : 11, limit: 20);
            samples.Add(0, 10, overloaded: false, inFlight: i % 2 == 0 ? 7 : 9, limit: 20);
        }

        Assert.That(samples.Close(inFlight: 0).RefusedAtHigherConcurrency, Is.True);
    }

    [Test]
    public void RefusedAtHigherConcurrency_HigherOnAverageButWithinTheSpread_IsChance()
    {
        // Refused at 2 and 12 (mean 7), answered at 5 and 7 (mean 6): a difference of one, well within twice the standard error.
        var samples = new RoundSamples();
        samples.Add(0, 10, overloaded: true, inFlight: 2, limit: 20);
        samples.Add(0, 10, overloaded: true, inFlight: 12, limit: 20);
        samples.Add(0, 10, overloaded: false, inFlight: 5, limit: 20);
        samples.Add(0, 10, overloaded: false, inFlight: 7, limit: 20);

        Assert.That(samples.Close(inFlight: 0).RefusedAtHigherConcurrency, Is.False);
    }

    [Test]
    public void RefusedAtHigherConcurrency_TwoOfEachTwoAttemptsHigher_IsChance()
    {
        // Refused at 9 and 11 (mean 10), answered at 7 and 9 (mean 8): a difference of 2, but with two attempts of each
        // the pooled variance has 2 degrees of freedom (4 − 2), so twice the standard error of the difference is 2.83.
        var samples = new RoundSamples();
        samples.Add(0, 10, overloaded: true, inFlight: 9, limit: 20);
        samples.Add(0, 10, overloaded: true, inFlight: 11, limit: 20);
        samples.Add(0, 10, overloaded: false, inFlight: 7, limit: 20);
        samples.Add(0, 10, overloaded: false, inFlight: 9, limit: 20);

        Assert.That(samples.Close(inFlight: 0).RefusedAtHigherConcurrency, Is.False);
    }

    [Test]
    public void Close_Throughput_AnsweredAttemptsPerMicrosecondBetweenTheFirstAndLastEnd()
    {
        // Eleven answers ending 100 µs apart over 1,000 µs: ten intervals, 0.01 answers a microsecond (10,000 a second).
        var samples = new RoundSamples();
        for (var i = 0; i <= 10; i++)
        {
            samples.Add(5_000 + (i * 100), 100, overloaded: false, inFlight: 1, limit: 10);
        }

        samples.Add(6_500, 100, overloaded: true, inFlight: 1, limit: 10);

        var round = samples.Close(inFlight: 0);

        Assert.That(round.Throughput, Is.EqualTo(10 / 1_500.0).Within(1e-12), "refusals stretch the span, and are not answers");
    }

    [Test]
    public void Close_Throughput_CountsTheAnsweredAttemptsThatWereNotTimed()
    {
        // Three timed answers 500 µs apart and 7 answers the limiter did not time, over 1,000 µs: 9 intervals.
        var samples = new RoundSamples();
        for (var i = 0; i <= 2; i++)
        {
            samples.Add(5_000 + (i * 500), 100, overloaded: false, inFlight: 1, limit: 10);
        }

        var round = samples.Close(inFlight: 0, untimedAnswered: 7);

        Assert.That(round.Throughput, Is.EqualTo(9 / 1_000.0).Within(1e-12));
        Assert.That(samples.Close(inFlight: 0).Throughput, Is.Zero, "the next round starts from nothing");
    }

    [Test]
    public void Close_OneAnswerOrNoSpan_NoThroughput()
    {
        var one = new RoundSamples();
        one.Add(1_000, 100, overloaded: false, inFlight: 1, limit: 10);
        one.Add(2_000, 100, overloaded: true, inFlight: 1, limit: 10);
        Assert.That(one.Close(inFlight: 0).Throughput, Is.Zero, "one answer has no rate");

        var together = new RoundSamples();
        together.Add(1_000, 100, overloaded: false, inFlight: 1, limit: 10);
        together.Add(1_000, 100, overloaded: false, inFlight: 1, limit: 10);
        Assert.That(together.Close(inFlight: 0).Throughput, Is.Zero, "answers at the same instant have no span");
    }

    [Test]
    public void Close_Skew_MeanOverMedianOfTheAnsweredLatencies()
    {
        var samples = new RoundSamples();
        foreach (var latency in new long[] { 10, 10, 10, 10, 60 })
        {
            samples.Add(0, latency, overloaded: false, inFlight: 1, limit: 10);
        }

        samples.Add(0, 1_000_000, overloaded: true, inFlight: 1, limit: 10);

        var round = samples.Close(inFlight: 0);

        Assert.That(round.Skew, Is.EqualTo(2.0).Within(1e-12), "mean 20 over median 10; the refused one left out");
        Assert.That(new RoundSamples().Close(inFlight: 0).Skew, Is.EqualTo(1), "nothing answered: no skew");
    }

    [Test]
    public void Close_MedianError_FromTheInterquartileRangeOfTheAnsweredLatencies()
    {
        var spread = new RoundSamples();
        foreach (var latency in new long[] { 160, 10, 150, 20, 140, 30, 130, 40, 120, 50, 110, 60, 100, 70, 90, 80 })
        {
            spread.Add(0, latency, overloaded: false, inFlight: 1, limit: 10);
        }

        spread.Add(0, 1_000_000, overloaded: true, inFlight: 1, limit: 10);
        var constant = new RoundSamples();
        for (var i = 0; i < 16; i++)
        {
            constant.Add(0, 20_000, overloaded: false, inFlight: 1, limit: 10);
        }

        Assert.That(spread.Close(inFlight: 0).MedianError, Is.EqualTo(0.93 * (130 - 50) / 4.0).Within(1e-9), "16 answered: quartiles 50 and 130, sorted; the refused one left out");
        Assert.That(constant.Close(inFlight: 0).MedianError, Is.Zero, "a constant service time: the median is exact");
        Assert.That(new RoundSamples().Close(inFlight: 0).MedianError, Is.Zero, "nothing answered");
    }

    [Test]
    public void Close_StartsANewRound_NothingCarriedOver()
    {
        var samples = new RoundSamples();
        samples.Add(1_000, 900, overloaded: false, inFlight: 30, limit: 40);
        samples.Add(2_000, 900, overloaded: true, inFlight: 30, limit: 40);
        samples.Close(inFlight: 0);

        samples.Add(10_000, 100, overloaded: false, inFlight: 1, limit: 40);
        samples.Add(10_100, 100, overloaded: false, inFlight: 1, limit: 40);
        var round = samples.Close(inFlight: 0);

        Assert.That(round.Samples, Is.EqualTo(2));
        Assert.That(round.Refused, Is.Zero);
        Assert.That(round.MedianLatency, Is.EqualTo(100));
        Assert.That(round.PeakInFlight, Is.EqualTo(1));
        Assert.That(round.InUse, Is.False);
        Assert.That(round.Throughput, Is.EqualTo(1 / 100.0).Within(1e-12), "the span starts at this round's first end");
    }
}
