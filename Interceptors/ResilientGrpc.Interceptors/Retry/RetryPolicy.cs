using System.Collections.Frozen;
using System.Diagnostics;
using Grpc.Core;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors.Retry;

/// <summary>The validated, immutable retry settings and the pure decisions made from them: what is retried, how long to wait, when to stop.</summary>
internal sealed class RetryPolicy
{
    private readonly uint retryableMask;
    private readonly FrozenSet<string> nonRetryableMethods;
    private readonly FrozenSet<string> hedgedMethods;
    private readonly double initialBackoffTicks;
    private readonly double maxBackoffTicks;
    private readonly double multiplier;
    private readonly double jitter;
    private readonly bool honorPushback;

    /// <param name="options">Validated options, copied here: later changes to them do not reach the policy.</param>
    /// <param name="hedgedMethods">Methods or services hedged above: their calls of a kind hedging takes are not retried (gRFC A6).</param>
    public RetryPolicy(RetryOptions options, IReadOnlyCollection<string>? hedgedMethods = null)
    {
        MaxAttempts = options.MaxAttempts;
        foreach (var code in options.RetryableStatusCodes)
        {
            Debug.Assert((uint)code < 32, "gRPC status codes are 0..16.");
            // Stryker disable once Assignment : a set holds each code once, so ^= sets the same bits as |= (&= is killed).
            retryableMask |= 1u << (int)code;
        }

        nonRetryableMethods = options.NonRetryableMethods.ToFrozenSet(StringComparer.Ordinal);
        this.hedgedMethods = (hedgedMethods ?? []).ToFrozenSet(StringComparer.Ordinal);
        initialBackoffTicks = options.InitialBackoff.Ticks;
        maxBackoffTicks = options.MaxBackoff.Ticks;
        multiplier = options.BackoffMultiplier;
        jitter = options.JitterFactor;
        honorPushback = options.HonorServerPushback;
    }

    public int MaxAttempts { get; }

    /// <summary>
    /// Whether calls to <paramref name="method"/> may be retried at all; those of a kind hedging takes (<paramref name="hedgeable"/>:
    /// async unary, server streaming) of a hedged method are left to it, while blocking ones are retried.
    /// </summary>
    public bool AppliesTo(IMethod method, bool hedgeable) =>
        MaxAttempts > 1
        && !MethodKey.Matches(nonRetryableMethods, method)
        && !(hedgeable && MethodKey.Matches(hedgedMethods, method));

    // Stryker disable once Equality : "< 32" as "<= 32" lets code 32 through, whose shift wraps to bit 0, OK's, which validation keeps out of the mask (the other equality mutants here are killed by the tests).
    public bool IsRetryable(StatusCode code) => (uint)code < 32 && (retryableMask & (1u << (int)code)) != 0;

    /// <summary>
    /// The delay before attempt <paramref name="attemptsMade"/> + 1 (at least 1):
    /// min(initial × multiplier^(attemptsMade − 1), max) × (1 − J + 2J × <paramref name="sample"/>), sample in [0, 1).
    /// </summary>
    public TimeSpan Backoff(int attemptsMade, double sample)
    {
        Debug.Assert(attemptsMade >= 1, "A delay follows an attempt.");
        var ticks = Math.Min(initialBackoffTicks * Math.Pow(multiplier, attemptsMade - 1), maxBackoffTicks);
        ticks *= 1 - jitter + (2 * jitter * sample);
        return TimeSpan.FromTicks((long)Math.Min(ticks, TimeSpan.MaxValue.Ticks));
    }

    /// <summary>
    /// Decides what follows a failed attempt (grpc-dotnet's <c>EvaluateRetry</c>): the reason to stop, or the delay before
    /// the next. <paramref name="attemptsMade"/> includes the failed one; <paramref name="timeLeft"/> is null without a deadline.
    /// </summary>
    public RetryDecision Evaluate(
        Exception error,
        int attemptsMade,
        bool cancelled,
        bool throttleAllowsRetry,
        TimeSpan? timeLeft,
        double sample)
    {
        if (cancelled)
        {
            return RetryDecision.Stop(RetryStopReason.Cancelled);
        }

        if (error is INonRetryableError)
        {
            return RetryDecision.Stop(RetryStopReason.RefusedLocally);
        }

        if (error is not RpcException rpc || !IsRetryable(rpc.StatusCode))
        {
            return RetryDecision.Stop(RetryStopReason.NonRetryableStatus);
        }

        if (timeLeft <= TimeSpan.Zero)
        {
            return RetryDecision.Stop(RetryStopReason.DeadlineExceeded);
        }

        if (attemptsMade >= MaxAttempts)
        {
            return RetryDecision.Stop(RetryStopReason.AttemptsExhausted);
        }

        var pushback = honorPushback ? RetryHeaders.PushbackOf(rpc.Trailers) : null;
        if (pushback < TimeSpan.Zero)
        {
            return RetryDecision.Stop(RetryStopReason.ServerPushback);
        }

        if (!throttleAllowsRetry)
        {
            return RetryDecision.Stop(RetryStopReason.Throttled);
        }

        var delay = pushback ?? Backoff(attemptsMade, sample);
        return delay >= timeLeft
            ? RetryDecision.Stop(RetryStopReason.DeadlineExceeded)
            : RetryDecision.RetryAfter(delay, isPushback: pushback is not null);
    }
}
