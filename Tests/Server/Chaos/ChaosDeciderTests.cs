using Grpc.Core;
using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Tests.Server.Chaos;

public sealed class ChaosDeciderTests
{
    private const int Draws = 20_000;

    [Test]
    public void Decide_SameSeed_ProducesSameSequence()
    {
        var options = Flaky(seed: 42);
        var first = new ChaosDecider(options);
        var second = new ChaosDecider(options);

        var a = Enumerable.Range(0, 1_000).Select(_ => first.Decide(TimeSpan.Zero)).ToList();
        var b = Enumerable.Range(0, 1_000).Select(_ => second.Decide(TimeSpan.Zero)).ToList();

        Assert.That(a, Is.EqualTo(b));
        Assert.That(a.Select(d => d.Outcome).Distinct().Count(), Is.EqualTo(3), "a flaky sequence mixes ok, errors and hangs");
    }

    [Test]
    public void Decide_DifferentSeeds_ProduceDifferentSequences()
    {
        var first = new ChaosDecider(Flaky(seed: 1));
        var second = new ChaosDecider(Flaky(seed: 2));

        var a = Enumerable.Range(0, 200).Select(_ => first.Decide(TimeSpan.Zero)).ToList();
        var b = Enumerable.Range(0, 200).Select(_ => second.Decide(TimeSpan.Zero)).ToList();

        Assert.That(a, Is.Not.EqualTo(b));
    }

    [TestCase(0.2, 0.1, 7)]
    [TestCase(0.5, 0.5, 11)]
    [TestCase(0.05, 0.3, 13)]
    public void Decide_ThousandsOfCalls_FractionsWithinFourSigmaOfRates(double errorRate, double hangRate, int seed)
    {
        var decider = new ChaosDecider(new ChaosOptions { Enabled = true, ErrorRate = errorRate, HangRate = hangRate, Seed = seed });

        var outcomes = Enumerable.Range(0, Draws).Select(_ => decider.Decide(TimeSpan.Zero).Outcome).ToList();

        AssertWithinFourSigma(outcomes.Count(o => o == ChaosOutcome.Error), errorRate, "errors");
        AssertWithinFourSigma(outcomes.Count(o => o == ChaosOutcome.Hang), hangRate, "hangs");
    }

    [Test]
    public void Decide_Disabled_AlwaysOk()
    {
        var decider = new ChaosDecider(new ChaosOptions { Enabled = false, ErrorRate = 1, HangRate = 0, OutageEvery = TimeSpan.FromSeconds(2), OutageFor = TimeSpan.FromSeconds(1) });

        var outcomes = Enumerable.Range(0, 100).Select(i => decider.Decide(TimeSpan.FromMilliseconds(i)).Outcome);

        Assert.That(outcomes, Is.All.EqualTo(ChaosOutcome.Ok));
    }

    [Test]
    public void Decide_SeveralErrorCodes_UsesEachConfiguredCodeOnly()
    {
        var codes = new[] { StatusCode.Unavailable, StatusCode.Internal, StatusCode.ResourceExhausted };
        var decider = new ChaosDecider(new ChaosOptions { Enabled = true, ErrorRate = 1, HangRate = 0, ErrorCodes = codes, Seed = 3 });

        var used = Enumerable.Range(0, 3_000).Select(_ => decider.Decide(TimeSpan.Zero)).ToList();

        Assert.That(used.Select(d => d.Outcome), Is.All.EqualTo(ChaosOutcome.Error));
        Assert.That(used.Select(d => d.Code).Distinct(), Is.EquivalentTo(codes));
    }

    [Test]
    public void Decide_Hang_CarriesConfiguredDuration()
    {
        var decider = new ChaosDecider(new ChaosOptions { Enabled = true, ErrorRate = 0, HangRate = 1, HangDuration = TimeSpan.FromMilliseconds(1500) });

        var decision = decider.Decide(TimeSpan.Zero);

        Assert.That(decision.Outcome, Is.EqualTo(ChaosOutcome.Hang));
        Assert.That(decision.HangDuration, Is.EqualTo(TimeSpan.FromMilliseconds(1500)));
    }

    // Cycle of 120 s whose first 45 s are an outage; otherwise every call is served.
    [TestCase(0, ChaosOutcome.Outage)]
    [TestCase(44_999, ChaosOutcome.Outage)]
    [TestCase(45_000, ChaosOutcome.Ok)]
    [TestCase(119_999, ChaosOutcome.Ok)]
    [TestCase(120_000, ChaosOutcome.Outage)]
    [TestCase(164_999, ChaosOutcome.Outage)]
    [TestCase(165_000, ChaosOutcome.Ok)]
    [TestCase(10 * 120_000 + 1, ChaosOutcome.Outage)]
    public void Decide_OutageCycle_OutageOnlyInFirstPartOfEachCycle(long elapsedMilliseconds, ChaosOutcome expected)
    {
        var decider = new ChaosDecider(new ChaosOptions
        {
            Enabled = true,
            ErrorRate = 0,
            HangRate = 0,
            OutageEvery = TimeSpan.FromSeconds(120),
            OutageFor = TimeSpan.FromSeconds(45),
        });

        var decision = decider.Decide(TimeSpan.FromMilliseconds(elapsedMilliseconds));

        Assert.That(decision.Outcome, Is.EqualTo(expected));
        if (expected == ChaosOutcome.Outage)
        {
            Assert.That(decision.Code, Is.EqualTo(StatusCode.Unavailable));
        }
    }

    [Test]
    public void Decide_ErrorPushbackSet_CarriedByErrorsAndOutagesOnly()
    {
        var flaky = new ChaosDecider(new ChaosOptions { Enabled = true, ErrorRate = 0.5, HangRate = 0.3, Seed = 1, ErrorPushback = "-1" });
        var outage = new ChaosDecider(new ChaosOptions
        {
            Enabled = true,
            ErrorPushback = "250",
            OutageEvery = TimeSpan.FromSeconds(10),
            OutageFor = TimeSpan.FromSeconds(1),
        });

        var decisions = Enumerable.Range(0, 200).Select(_ => flaky.Decide(TimeSpan.Zero)).ToList();
        var inOutage = outage.Decide(TimeSpan.Zero);

        Assert.That(decisions.Select(d => d.Outcome).Distinct(), Is.EquivalentTo(new[] { ChaosOutcome.Ok, ChaosOutcome.Error, ChaosOutcome.Hang }));
        Assert.That(decisions.Where(d => d.Outcome == ChaosOutcome.Error).Select(d => d.Pushback), Is.All.EqualTo("-1"));
        Assert.That(decisions.Where(d => d.Outcome != ChaosOutcome.Error).Select(d => d.Pushback), Is.All.Null);
        Assert.That(inOutage.Outcome, Is.EqualTo(ChaosOutcome.Outage));
        Assert.That(inOutage.Pushback, Is.EqualTo("250"));
        Assert.That(inOutage.ToString(), Is.EqualTo("outage UNAVAILABLE pushback 250"));
    }

    [Test]
    public void Decide_InOutage_DrawsNoRandomNumbers()
    {
        var outage = new ChaosOptions { Enabled = true, Seed = 5, OutageEvery = TimeSpan.FromSeconds(10), OutageFor = TimeSpan.FromSeconds(1) };
        var withOutage = new ChaosDecider(outage);
        var without = new ChaosDecider(new ChaosOptions { Enabled = true, Seed = 5 });

        _ = withOutage.Decide(TimeSpan.Zero);
        var afterOutage = Enumerable.Range(0, 100).Select(_ => withOutage.Decide(TimeSpan.FromSeconds(5))).ToList();
        var plain = Enumerable.Range(0, 100).Select(_ => without.Decide(TimeSpan.Zero)).ToList();

        Assert.That(afterOutage, Is.EqualTo(plain));
    }

    [Test]
    public void Decide_ManyThreads_CountsAddUpAndNothingThrows()
    {
        var decider = new ChaosDecider(Flaky(seed: 9));
        var errors = 0;

        Parallel.For(0, Draws, _ =>
        {
            if (decider.Decide(TimeSpan.Zero).Outcome == ChaosOutcome.Error)
            {
                Interlocked.Increment(ref errors);
            }
        });

        AssertWithinFourSigma(errors, 0.2, "errors");
    }

    [Test]
    public void Decide_PerRequest_SameRequestAndArrivalMeetTheSameFateInAnyOrder()
    {
        var options = PerRequest(seed: 42);
        var ids = Enumerable.Range(0, 2_000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var forward = new ChaosDecider(options);
        var backward = new ChaosDecider(options);

        // Three attempts of each request: in order of requests for one client, interleaved backwards for the other.
        var a = ids.SelectMany(id => Enumerable.Range(0, 3).Select(n => (id, n, forward.Decide(TimeSpan.Zero, id)))).ToDictionary(t => (t.id, t.n), t => t.Item3);
        var b = Enumerable.Range(0, 3).SelectMany(n => ids.Reverse().Select(id => (id, n, backward.Decide(TimeSpan.Zero, id)))).ToDictionary(t => (t.id, t.n), t => t.Item3);

        Assert.That(b, Is.EquivalentTo(a), "the n-th call with an id meets the same fate whatever came between");
        var first = ids.Select(id => a[(id, 0)].Outcome).ToArray();
        var second = ids.Select(id => a[(id, 1)].Outcome).ToArray();
        Assert.That(first, Is.Not.EqualTo(second), "a request's later attempts draw afresh");
        Assert.That(a.Values.Select(d => d.Outcome).Distinct().Count(), Is.EqualTo(3), "the draws mix ok, errors and hangs");
    }

    [TestCase(0.2, 0.1, 7)]
    [TestCase(0.05, 0.3, 13)]
    public void Decide_PerRequest_FractionsWithinFourSigmaOfRates(double errorRate, double hangRate, int seed)
    {
        var decider = new ChaosDecider(new ChaosOptions { Enabled = true, ErrorRate = errorRate, HangRate = hangRate, Seed = seed, PerRequestDecisions = true });

        // A few attempts per request, as hedged and retried calls make them.
        var outcomes = Enumerable.Range(0, Draws).Select(i => decider.Decide(TimeSpan.Zero, (i / 3).ToString(System.Globalization.CultureInfo.InvariantCulture)).Outcome).ToList();

        AssertWithinFourSigma(outcomes.Count(o => o == ChaosOutcome.Error), errorRate, "errors");
        AssertWithinFourSigma(outcomes.Count(o => o == ChaosOutcome.Hang), hangRate, "hangs");
    }

    [Test]
    public void Decide_PerRequest_OtherSeedOtherFates_AndCallsWithoutIdUseTheSequence()
    {
        var ids = Enumerable.Range(0, 300).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var one = new ChaosDecider(PerRequest(seed: 1));
        var two = new ChaosDecider(PerRequest(seed: 2));
        Assert.That(ids.Select(id => one.Decide(TimeSpan.Zero, id)), Is.Not.EqualTo(ids.Select(id => two.Decide(TimeSpan.Zero, id))));

        var perRequest = new ChaosDecider(PerRequest(seed: 42));
        var withoutKeys = PerRequest(seed: 42);
        withoutKeys.PerRequestDecisions = false;
        var sequence = new ChaosDecider(withoutKeys);
        Assert.That(
            Enumerable.Range(0, 500).Select(_ => perRequest.Decide(TimeSpan.Zero, requestId: null)),
            Is.EqualTo(Enumerable.Range(0, 500).Select(_ => sequence.Decide(TimeSpan.Zero))));
    }

    [Test]
    public void Decide_PerRequest_FatesOfASeedStayTheSame_SoRecordedRunsCanBeRepeated()
    {
        // Seed 42, 30 % hangs: requests 0..11 of Process, three attempts each, as the benchmarks' hang profile draws them
        // (H: hang, o: served). A change to how the draws are made would change every recorded run.
        var decider = new ChaosDecider(new ChaosOptions { Enabled = true, ErrorRate = 0, HangRate = 0.3, Seed = 42, PerRequestDecisions = true });

        var fates = string.Concat(Enumerable.Range(0, 12).SelectMany(i => Enumerable.Range(0, 3).Select(_ =>
            decider.Decide(TimeSpan.Zero, i.ToString(System.Globalization.CultureInfo.InvariantCulture), "unstable.v1.UnstableService/Process").Outcome == ChaosOutcome.Hang ? 'H' : 'o')));

        Assert.That(fates, Is.EqualTo("HooHooHoHooooHoHooHoooHooooHHooooHoH"));
    }

    [Test]
    public void Constructor_InvalidOptions_Throws()
    {
        Assert.That(() => new ChaosDecider(new ChaosOptions { ErrorRate = 2 }), Throws.TypeOf<ChaosConfigurationException>());
    }

    private static ChaosOptions Flaky(int seed) => new() { Enabled = true, ErrorRate = 0.2, HangRate = 0.1, Seed = seed };

    private static ChaosOptions PerRequest(int seed) =>
        new() { Enabled = true, ErrorRate = 0.2, HangRate = 0.1, ErrorCodes = [StatusCode.Unavailable, StatusCode.Internal], Seed = seed, PerRequestDecisions = true };

    private static void AssertWithinFourSigma(int observed, double rate, string what)
    {
        var expected = Draws * rate;
        var sigma = Math.Sqrt(Draws * rate * (1 - rate));
        Assert.That(observed, Is.InRange(expected - (4 * sigma), expected + (4 * sigma)), $"{what}: {observed} of {Draws} at rate {rate}");
    }
}
