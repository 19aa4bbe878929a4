using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Tests.Overload;

/// <summary>
/// The adaptive limits against a simulated server of 8 handlers × 20 ms (400 calls/s): what each does under twice its
/// capacity, when the server sheds the excess and when it queues it, and that random failures at low load move nothing.
/// </summary>
public sealed class ConcurrencyLimitAlgorithmTests
{
    private const double Unloaded = 20;

    [Test]
    public void Gradient_ServerShedsTwiceItsCapacity_GoodputNearCapacityAndFewAttemptsShed()
    {
        var simulation = new LimiterSimulation(new ConcurrencyLimitOptions());
        simulation.Run(200, 5);
        var overload = simulation.Run(800, 20);

        Assert.That(overload.GoodputPerSecond, Is.GreaterThanOrEqualTo(0.9 * simulation.Capacity), $"goodput; {overload}");
        Assert.That(overload.SentPerSecond, Is.LessThanOrEqualTo(1.2 * simulation.Capacity), $"attempts the server received; {overload}");
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Gradient_ServerBecomesTwentyTimesSlower_FewRefusedBelowCapacityAndGoodputHoldsAbove(bool queues)
    {
        // A client that first calls a server answering in 1 ms (a warm cache, another method), and then one answering in
        // 20 ms: a latency twenty times the one the limit learned, with nothing queued by the client.
        var simulation = new LimiterSimulation(new ConcurrencyLimitOptions()) { ServiceMilliseconds = 1, Queues = queues };
        simulation.Run(100, 2);
        simulation.ServiceMilliseconds = 20;
        var halfCapacity = simulation.Run(200, 5);
        var overload = simulation.Run(800, 20);

        // The limit first reads the new latency as a queue and cuts; the round after the cut shows the same latency at
        // half the concurrency, so it becomes the baseline. Those two rounds cost a few refusals, not the phase.
        Assert.That(halfCapacity.Refused, Is.LessThanOrEqualTo(halfCapacity.Sent / 20), $"at most 5 % refused at half the capacity; {halfCapacity}");
        Assert.That(halfCapacity.Limits[^1], Is.GreaterThanOrEqualTo(8), $"the limit came back above the 4 attempts in flight; {halfCapacity}");
        Assert.That(overload.GoodputPerSecond, Is.GreaterThanOrEqualTo(0.9 * simulation.Capacity), $"goodput; {overload}");
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Gradient_ServerBecomesSlowerWithAVaryingServiceTime_TheLimitDoesNotCollapse(bool queues)
    {
        // The same with an exponential service time (mean 20 ms), 40 seeds: the medians of the rounds after the cut stray
        // by a third either way, and a fall by chance used to read as a queue of ours that drained, so the baseline kept
        // the 1 ms and the limit stayed at 1 or 2 for seconds: up to 70 % refused at half the capacity, and 0.42 of it
        // served in the overload that followed (seeds 19, 26, 33; 3,807 refusals at half the capacity over the 40 seeds,
        // 936 now). A fall within twice the standard error of the two medians' difference is chance.
        for (var seed = 1; seed <= 40; seed++)
        {
            var simulation = new LimiterSimulation(new ConcurrencyLimitOptions(), seed) { ServiceMilliseconds = 1, ExponentialService = true, Queues = queues };
            simulation.Run(100, 1);
            simulation.ServiceMilliseconds = 20;
            var halfCapacity = simulation.Run(200, 5);
            var overload = simulation.Run(800, 10);

            Assert.That(halfCapacity.Refused, Is.LessThanOrEqualTo(halfCapacity.Sent / 10), $"at most 10 % refused at half the capacity, seed {seed}; {halfCapacity}");
            Assert.That(overload.GoodputPerSecond, Is.GreaterThanOrEqualTo(0.85 * simulation.Capacity), $"goodput, seed {seed}; {overload}");
        }
    }

    [Test]
    public void Gradient_ServerQueuesTwiceItsCapacity_GoodputNearCapacityAndLatencyWithinTwiceUnloaded()
    {
        var simulation = new LimiterSimulation(new ConcurrencyLimitOptions()) { Queues = true };
        simulation.Run(200, 5);
        var overload = simulation.Run(800, 20);

        Assert.That(overload.GoodputPerSecond, Is.GreaterThanOrEqualTo(0.9 * simulation.Capacity), $"goodput; {overload}");
        Assert.That(overload.P99, Is.LessThanOrEqualTo(2 * Unloaded), $"p99 of successes, ms; {overload}");
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Gradient_ServiceTimeVaries_TwiceTheCapacity_GoodputNearCapacity(bool queues)
    {
        var unloaded = new LimiterSimulation(new ConcurrencyLimitOptions()) { ServiceVariation = 0.5, Queues = queues }.Run(200, 10).P99;
        var simulation = new LimiterSimulation(new ConcurrencyLimitOptions()) { ServiceVariation = 0.5, Queues = queues };
        simulation.Run(200, 5);
        var overload = simulation.Run(800, 20);

        Assert.That(overload.GoodputPerSecond, Is.GreaterThanOrEqualTo(0.9 * simulation.Capacity), $"goodput; {overload}");
        Assert.That(overload.SentPerSecond, Is.LessThanOrEqualTo(1.2 * simulation.Capacity), $"attempts the server received; {overload}");
        Assert.That(overload.P99, Is.LessThanOrEqualTo(2 * unloaded), $"p99 of successes, ms, unloaded {unloaded:0.#}; {overload}");
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Gradient_ExponentialServiceTime_NearCapacityUnderOverload_AndRefusesNothingAtHalfLoadAfterIt(bool queues)
    {
        // The median of a round of 16 exponential service times strays by a third now and then: read as a queue, it used
        // to cut the limit to what half the load keeps in flight, which refused up to 43 % of the calls after the overload.
        var unloaded = new LimiterSimulation(new ConcurrencyLimitOptions()) { ExponentialService = true, Queues = queues }.Run(200, 10).P99;
        for (var seed = 1; seed <= 6; seed++)
        {
            var simulation = new LimiterSimulation(new ConcurrencyLimitOptions(), seed) { ExponentialService = true, Queues = queues };
            simulation.Run(200, 10);
            var overload = simulation.Run(800, 20);
            var after = simulation.Run(200, 20);

            Assert.That(overload.GoodputPerSecond, Is.GreaterThanOrEqualTo(0.88 * simulation.Capacity), $"goodput, seed {seed}; {overload}");
            Assert.That(overload.SentPerSecond, Is.LessThanOrEqualTo(1.2 * simulation.Capacity), $"attempts the server received, seed {seed}; {overload}");
            Assert.That(overload.P99, Is.LessThanOrEqualTo(2 * unloaded), $"p99 of successes, ms, unloaded {unloaded:0.#}, seed {seed}; {overload}");
            Assert.That(after.Refused, Is.LessThanOrEqualTo(after.Sent / 100), $"refused at half load after the overload, seed {seed}; {after}");
        }
    }

    [TestCase(ConcurrencyLimitAlgorithm.Gradient)]
    [TestCase(ConcurrencyLimitAlgorithm.Aimd)]
    public void SomeAttemptsHang_NothingRefused(ConcurrencyLimitAlgorithm algorithm)
    {
        // A tenth of the attempts hang 2 s (holding a handler of a server with plenty): about 10 in flight at 50 calls/s,
        // half the initial limit.
        var simulation = new LimiterSimulation(new ConcurrencyLimitOptions { Algorithm = algorithm }) { Handlers = 100, HangShare = 0.1, FlakyShare = 0.1 };
        var phase = simulation.Run(50, 60);

        Assert.That(phase.Refused, Is.Zero, phase.ToString());
    }

    [TestCase(ConcurrencyLimitAlgorithm.Gradient)]
    [TestCase(ConcurrencyLimitAlgorithm.Aimd)]
    public void ThirtyPercentHang_RoundsWhoseMedianIsAHang_RefuseNothing(ConcurrencyLimitAlgorithm algorithm)
    {
        // The hang profile's server: 30 % of attempts hang until their deadline, the rest are served at once. Half of a
        // round of 16 hang now and then (about 1 round in 20), and its median is then the deadline, not a queue's latency:
        // an attempt cut by its deadline has no latency to learn from.
        var simulation = new LimiterSimulation(new ConcurrencyLimitOptions { Algorithm = algorithm }) { Handlers = 100, HangShare = 0.3, ServiceMilliseconds = 1, DeadlineMilliseconds = 200 };
        var phase = simulation.Run(50, 120);

        Assert.That(phase.Refused, Is.Zero, phase.ToString());
    }

    [Test]
    public void Aimd_ServerQueuesTwiceItsCapacity_LimitGrowsWithTheQueue()
    {
        var simulation = new LimiterSimulation(new ConcurrencyLimitOptions { Algorithm = ConcurrencyLimitAlgorithm.Aimd }) { Queues = true };
        simulation.Run(200, 5);
        var overload = simulation.Run(800, 20);

        // AIMD hears only refusals: a queueing server sends none, so its limit, and the queue, keep growing.
        Assert.That(overload.P99, Is.GreaterThan(4 * Unloaded), $"p99 of successes, ms; {overload}");
        Assert.That(simulation.Limiter.Limit, Is.GreaterThan(40));
    }

    [Test]
    public void Gradient_LoadDropsAfterOverload_NothingRefusedWithinASecond()
    {
        var simulation = new LimiterSimulation(new ConcurrencyLimitOptions());
        simulation.Run(200, 5);
        simulation.Run(800, 20);
        var after = simulation.Run(200, 1);

        Assert.That(after.Refused, Is.Zero);
        Assert.That(after.GoodputPerSecond, Is.GreaterThanOrEqualTo(0.99 * 200));
    }

    [TestCase(ConcurrencyLimitAlgorithm.Gradient)]
    [TestCase(ConcurrencyLimitAlgorithm.Aimd)]
    public void RandomFailures_AtHalfCapacity_NothingRefused(ConcurrencyLimitAlgorithm algorithm)
    {
        var simulation = new LimiterSimulation(new ConcurrencyLimitOptions { Algorithm = algorithm }) { FlakyShare = 0.25 };
        var phase = simulation.Run(200, 30);

        Assert.That(phase.Refused, Is.Zero, "a server failing a quarter of calls at random is not overloaded");
        Assert.That(phase.Sent, Is.EqualTo(200 * 30));
    }

    [TestCase(ConcurrencyLimitAlgorithm.Gradient)]
    [TestCase(ConcurrencyLimitAlgorithm.Aimd)]
    public void RandomFailures_AtHighConcurrency_NothingRefused(ConcurrencyLimitAlgorithm algorithm)
    {
        // 100 handlers: 2,000 calls/s keep about 40 attempts in flight, twice the initial limit, none of them overload.
        var simulation = new LimiterSimulation(new ConcurrencyLimitOptions { Algorithm = algorithm }) { Handlers = 100, FlakyShare = 0.25 };
        simulation.Run(500, 5);
        var phase = simulation.Run(2000, 30);

        Assert.That(phase.Refused, Is.LessThanOrEqualTo(phase.Sent / 1000), "at most 0.1 % refused");
    }

    [Test]
    public void Fixed_NeverMoves()
    {
        var simulation = new LimiterSimulation(new ConcurrencyLimitOptions { Algorithm = ConcurrencyLimitAlgorithm.Fixed, InitialLimit = 12 }) { Queues = true };
        var overload = simulation.Run(800, 5);

        Assert.That(simulation.Limiter.Limit, Is.EqualTo(12));
        Assert.That(overload.MaxInFlight, Is.EqualTo(12));
        Assert.That(overload.Refused, Is.GreaterThan(0));
    }

    [Test]
    public void Gradient_NeverBelowMinimumNorAboveMaximum()
    {
        var shedding = new LimiterSimulation(new ConcurrencyLimitOptions { MinLimit = 10 });
        shedding.Run(2000, 5);
        Assert.That(shedding.Limiter.Limit, Is.EqualTo(10));

        var idle = new LimiterSimulation(new ConcurrencyLimitOptions { MaxLimit = 30 }) { Handlers = 200 };
        idle.Run(5000, 5);
        Assert.That(idle.Limiter.Limit, Is.EqualTo(30));
    }
}
