using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.Retry;

namespace ResilientGrpc.Tests.Retry;

/// <summary>The pure retry decision, without time or network.</summary>
public sealed class RetryPolicyTests
{
    private static readonly RpcException Unavailable = new(new Status(StatusCode.Unavailable, "down"));

    [TestCase(1, 1000)]
    [TestCase(2, 2000)]
    [TestCase(3, 4000)]
    [TestCase(6, 30_000)]
    [TestCase(9, 30_000)]
    public void Backoff_NoJitter_GrowsExponentiallyUpToMax(int attemptsMade, int expectedMs)
    {
        var policy = Policy(new RetryOptions { JitterFactor = 0, MaxAttempts = 10 });

        Assert.That(policy.Backoff(attemptsMade, 0.5), Is.EqualTo(TimeSpan.FromMilliseconds(expectedMs)));
    }

    [TestCase(0.0, 0.8)]
    [TestCase(0.5, 1.0)]
    [TestCase(0.999_999_999, 1.2)]
    public void Backoff_Jitter_StaysWithinBounds(double sample, double expectedSeconds)
    {
        var policy = Policy(new RetryOptions { JitterFactor = 0.2 });

        var delay = policy.Backoff(1, sample);

        Assert.That(delay.TotalSeconds, Is.EqualTo(expectedSeconds).Within(1e-6));
        Assert.That(delay, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(0.8)).And.LessThan(TimeSpan.FromSeconds(1.2)));
    }

    [Test]
    public void Backoff_CappedThenJittered_MayExceedMaxByTheJitter()
    {
        var policy = Policy(new RetryOptions { JitterFactor = 0.5, MaxBackoff = TimeSpan.FromSeconds(2) });

        Assert.That(policy.Backoff(5, 0.5), Is.EqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(policy.Backoff(5, 0.0), Is.EqualTo(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public void Evaluate_RetryableFailure_RetriesAfterBackoff()
    {
        var decision = Policy(new RetryOptions { JitterFactor = 0 }).Evaluate(Unavailable, 1, false, true, null, 0.5);

        Assert.That(decision, Is.EqualTo(RetryDecision.RetryAfter(TimeSpan.FromSeconds(1), isPushback: false)));
    }

    [Test]
    public void Evaluate_Cancelled_StopsBeforeAnythingElse()
    {
        var decision = Policy(new RetryOptions()).Evaluate(Unavailable, 1, cancelled: true, true, null, 0.5);

        Assert.That(decision.StopReason, Is.EqualTo(RetryStopReason.Cancelled));
    }

    [Test]
    public void Evaluate_BrokenCircuit_StopsAsRefusedLocally()
    {
        var decision = Policy(new RetryOptions()).Evaluate(new BrokenCircuitException("test", null, CircuitState.Open, TimeSpan.FromSeconds(30)), 1, false, true, null, 0.5);

        Assert.That(decision.StopReason, Is.EqualTo(RetryStopReason.RefusedLocally));
    }

    [Test]
    public void Evaluate_RefusedForOverload_StopsAsRefusedLocally()
    {
        // A local overload refusal is RESOURCE_EXHAUSTED, which a user may list as retryable: it must still not be retried,
        // since retrying at once only adds to the load the limit refused.
        var options = new RetryOptions();
        options.RetryableStatusCodes.Add(StatusCode.ResourceExhausted);
        var decision = Policy(options).Evaluate(new OverloadRejectedException(OverloadRejectionReason.ConcurrencyLimit, "test"), 1, false, true, null, 0.5);

        Assert.That(decision.StopReason, Is.EqualTo(RetryStopReason.RefusedLocally));
    }

    [Test]
    public void Evaluate_NotAnRpcException_Stops()
    {
        var decision = Policy(new RetryOptions()).Evaluate(new InvalidOperationException(), 1, false, true, null, 0.5);

        Assert.That(decision.StopReason, Is.EqualTo(RetryStopReason.NonRetryableStatus));
    }

    [Test]
    public void Evaluate_LastAttempt_StopsExhausted()
    {
        var decision = Policy(new RetryOptions()).Evaluate(Unavailable, 3, false, true, null, 0.5);

        Assert.That(decision.StopReason, Is.EqualTo(RetryStopReason.AttemptsExhausted));
    }

    [Test]
    public void Evaluate_ThrottleRefuses_StopsThrottled()
    {
        var decision = Policy(new RetryOptions()).Evaluate(Unavailable, 1, false, throttleAllowsRetry: false, null, 0.5);

        Assert.That(decision.StopReason, Is.EqualTo(RetryStopReason.Throttled));
    }

    [TestCase(0)]
    [TestCase(-5)]
    public void Evaluate_DeadlinePassed_StopsDeadlineExceeded(int msLeft)
    {
        var decision = Policy(new RetryOptions()).Evaluate(Unavailable, 1, false, true, TimeSpan.FromMilliseconds(msLeft), 0.5);

        Assert.That(decision.StopReason, Is.EqualTo(RetryStopReason.DeadlineExceeded));
    }

    [Test]
    public void Evaluate_DeadlineReachedOnTheLastAttempt_StopsDeadlineExceededRatherThanExhausted()
    {
        // The caller is told its deadline passed (DEADLINE_EXCEEDED), not the last attempt's status.
        var decision = Policy(new RetryOptions()).Evaluate(Unavailable, 3, false, true, TimeSpan.Zero, 0.5);

        Assert.That(decision.StopReason, Is.EqualTo(RetryStopReason.DeadlineExceeded));
    }

    [Test]
    public void Evaluate_DeadlineReachedWhileTheBudgetIsSpent_StopsDeadlineExceededRatherThanThrottled()
    {
        // A call stopped by its deadline is not reported as throttled, which would point at the retry budget.
        var decision = Policy(new RetryOptions()).Evaluate(Unavailable, 1, false, throttleAllowsRetry: false, TimeSpan.Zero, 0.5);

        Assert.That(decision.StopReason, Is.EqualTo(RetryStopReason.DeadlineExceeded));
    }

    [Test]
    public void Evaluate_DelayEndsAtOrAfterDeadline_StopsDeadlineExceeded()
    {
        var policy = Policy(new RetryOptions { JitterFactor = 0 });

        Assert.That(policy.Evaluate(Unavailable, 1, false, true, TimeSpan.FromSeconds(1), 0.5).StopReason, Is.EqualTo(RetryStopReason.DeadlineExceeded));
        Assert.That(policy.Evaluate(Unavailable, 1, false, true, TimeSpan.FromSeconds(1.001), 0.5).ShouldRetry, Is.True);
    }

    [Test]
    public void Evaluate_ZeroPushback_RetriesImmediately()
    {
        var error = new RpcException(new Status(StatusCode.Unavailable, "busy"), new Metadata { { "grpc-retry-pushback-ms", "0" } });

        var decision = Policy(new RetryOptions()).Evaluate(error, 1, false, true, null, 0.5);

        Assert.That(decision, Is.EqualTo(RetryDecision.RetryAfter(TimeSpan.Zero, isPushback: true)));
    }

    [Test]
    public void Evaluate_PushbackNotHonored_WaitsTheBackoffInstead()
    {
        var error = new RpcException(new Status(StatusCode.Unavailable, "go away"), new Metadata { { "grpc-retry-pushback-ms", "-1" } });

        var decision = Policy(new RetryOptions { HonorServerPushback = false, JitterFactor = 0 }).Evaluate(error, 1, false, true, null, 0.5);

        Assert.That(decision, Is.EqualTo(RetryDecision.RetryAfter(TimeSpan.FromSeconds(1), isPushback: false)));
    }

    [Test]
    public void Evaluate_NegativePushback_StopsServerPushback()
    {
        var error = new RpcException(new Status(StatusCode.Unavailable, "go away"), new Metadata { { "grpc-retry-pushback-ms", "-1" } });

        var decision = Policy(new RetryOptions()).Evaluate(error, 1, false, true, null, 0.5);

        Assert.That(decision.StopReason, Is.EqualTo(RetryStopReason.ServerPushback));
    }

    [Test]
    public void Constructor_OptionsMutatedAfterwards_KeepsItsCopy()
    {
        var options = new RetryOptions { NonRetryableMethods = { "a.B" } };
        var policy = Policy(options);

        options.RetryableStatusCodes.Add(StatusCode.Internal);
        options.NonRetryableMethods.Clear();
        options.MaxAttempts = 1;

        Assert.That(policy.IsRetryable(StatusCode.Internal), Is.False);
        Assert.That(policy.AppliesTo(Method("a.B"), hedgeable: true), Is.False, "a.B stays non-retryable");
        Assert.That(policy.AppliesTo(Method("c.D"), hedgeable: true), Is.True, "three attempts are kept");
    }

    [Test]
    public void AppliesTo_HedgedMethod_LeftToHedgingOnlyForTheCallKindsItHedges()
    {
        var options = new RetryOptions();
        options.Validate();
        var policy = new RetryPolicy(options, hedgedMethods: ["a.B"]);

        Assert.That(policy.AppliesTo(Method("a.B"), hedgeable: true), Is.False, "async unary and server streaming are hedged");
        Assert.That(policy.AppliesTo(Method("a.B"), hedgeable: false), Is.True, "blocking calls, which hedging passes through, are retried");
        Assert.That(policy.AppliesTo(Method("c.D"), hedgeable: true), Is.True, "an unlisted method is retried");
    }

    [TestCase(1, false)]
    [TestCase(2, true)]
    public void AppliesTo_MaxAttempts_OneAttemptRetriesNoMethod(int maxAttempts, bool applies)
    {
        var policy = Policy(new RetryOptions { MaxAttempts = maxAttempts });

        Assert.That(policy.AppliesTo(Method("a.B"), hedgeable: false), Is.EqualTo(applies));
    }

    private static Method<string, string> Method(string service) =>
        new(MethodType.Unary, service, "Call", Marshallers.StringMarshaller, Marshallers.StringMarshaller);

    private static RetryPolicy Policy(RetryOptions options)
    {
        options.Validate();
        return new RetryPolicy(options);
    }
}
