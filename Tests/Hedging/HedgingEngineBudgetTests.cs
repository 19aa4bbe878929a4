using Microsoft.Extensions.Logging.Abstractions;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.Hedging;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Tests.Hedging;

/// <summary>Whether hedging may send another copy: always without a retry budget, and only while the budget allows it.</summary>
public sealed class HedgingEngineBudgetTests
{
    [Test]
    public void AllowsHedge_NoBudget_Always()
    {
        var engine = Engine(throttle: null);

        Assert.That(engine.AllowsHedge, Is.True);
        engine.FailedNonFatally();
        Assert.That(engine.AllowsHedge, Is.True, "nothing to spend");
    }

    [Test]
    public void AllowsHedge_BudgetSpentByFailures_NoMoreCopies_UntilSuccessesRefillIt()
    {
        // 2 tokens, a retry allowed above 1: one failure spends it down to the threshold.
        var throttle = new RetryThrottle(new RetryThrottlingOptions { MaxTokens = 2, TokenRatio = 1 });
        var engine = Engine(throttle);

        Assert.That(engine.AllowsHedge, Is.True);
        engine.FailedNonFatally();
        Assert.That(engine.AllowsHedge, Is.False, "the budget is spent");
        engine.Succeeded();
        Assert.That(engine.AllowsHedge, Is.True, "a success gives a token back");
    }

    private static HedgingEngine Engine(RetryThrottle? throttle)
    {
        var options = new HedgingOptions { HedgedMethods = { "/svc/Get" } };
        var telemetry = new HedgingTelemetry(NullLogger.Instance, HedgingMetrics.For(null), options.MaxAttempts, target: null);
        return new HedgingEngine(new HedgingPolicy(options), throttle, TimeProvider.System, telemetry);
    }
}
