using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.CircuitBreaker;

namespace ResilientGrpc.Tests.CircuitBreaker.Controller;

/// <summary>The opening rule for calls of one attempt each, without a retry or hedging above the breaker.</summary>
public sealed class OpeningRuleTests
{
    [Test]
    public void OverlappingFailedCalls_FewerThanTheThresholdInARow_OpenOnTheFailedAttemptsOnceTheServerIsSilent()
    {
        var time = new FakeTimeProvider();
        var rule = new OpeningRule(
            new CircuitBreakerSettings(new CircuitBreakerOptions { FailureThreshold = 3, MinimumSilence = TimeSpan.FromSeconds(1) }), time);
        var scopes = Enumerable.Range(0, 3).Select(_ => rule.ScopeOf(null, callerGaveUp: false)).ToArray();
        time.Advance(TimeSpan.FromMilliseconds(100));

        // Admitted together, so one failed call in a row for a caller; three failed attempts for the server.
        Assert.That(rule.Count(CallOutcome.Failure, scopes[0], null!, 0), Is.Null);
        Assert.That(rule.Count(CallOutcome.Failure, scopes[1], null!, 0), Is.Null);
        time.Advance(TimeSpan.FromSeconds(1));
        var opening = rule.Count(CallOutcome.Failure, scopes[2], null!, 0);

        Assert.That(opening, Is.EqualTo(new Opening(CircuitStateChangeReason.ConsecutiveFailedAttempts, 3)));
    }
}
