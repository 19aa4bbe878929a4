using System.Diagnostics;
using Grpc.Core;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Retry;

/// <summary>The retry rules, budget, clock and telemetry of one interceptor, shared by its calls.</summary>
internal sealed class RetryEngine(
    RetryPolicy policy, RetryThrottle? throttle, TimeProvider time, Func<double> nextSample, RetryTelemetry telemetry, bool declaresAttempts = true)
{
    public bool DeclaresAttempts => declaresAttempts;

    public int MaxAttempts => policy.MaxAttempts;

    public bool AppliesTo(IMethod method, bool hedgeable) => policy.AppliesTo(method, hedgeable);

    public void AttemptSucceeded() => throttle?.RecordSuccess();

    public RetryDecision Decide(Exception error, IMethod method, string? host, int attemptsMade, bool cancelled, DateTime deadline, Activity? span)
    {
        var code = CallErrors.CodeOf(error);
        if (throttle is not null && !cancelled && error is RpcException and not INonRetryableError && policy.IsRetryable(code))
        {
            throttle.RecordFailure();
        }

        var decision = policy.Evaluate(error, attemptsMade, cancelled, throttle?.AllowsRetry ?? true, CallerDeadline.TimeLeft(deadline, time), nextSample());
        telemetry.Decided(method, host, attemptsMade, code, decision, span);
        return decision;
    }

    public async Task<bool> DelayAsync(TimeSpan delay, CancellationToken token)
    {
        try
        {
            await Task.Delay(delay, time, token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public bool DeadlinePassed(DateTime deadline, IMethod method, int attemptsMade, Exception error)
    {
        if (!CallerDeadline.PassesWithin(deadline, TimeSpan.Zero, time))
        {
            return false;
        }

        telemetry.DeadlineExceeded(method, attemptsMade, CallErrors.CodeOf(error));
        return true;
    }

    /// <summary>The error the caller sees when retrying stops for <paramref name="reason"/>; unless cancelled, the layers below hear the call failed.</summary>
    public Exception Stop(RetryStopReason reason, Exception lastError, IMethod method, ResilienceCallContext call, int attemptsMade)
    {
        var error = reason switch
        {
            RetryStopReason.Cancelled => CallErrors.Cancelled(lastError),
            RetryStopReason.DeadlineExceeded => CallErrors.DeadlineExceeded(lastError, "The deadline passes before the next attempt could start."),
            _ => CallErrors.AsSeen(lastError),
        };
        if (reason != RetryStopReason.Cancelled)
        {
            // The call's span is current, so that a transition this causes below is marked on it.
            using var current = Telemetry.CurrentSpan.Of(call.Span);
            call.CallFailed();
        }

        telemetry.RetriesStopped(method, attemptsMade, reason, CallErrors.CodeOf(error));
        return error;
    }

    public void Settled(IMethod method, string? host, int retries, TimeSpan totalDelay) =>
        telemetry.CallSettled(method, host, retries, totalDelay);
}

/// <summary>What to do after a failed attempt: stop for a reason, or wait <see cref="Delay"/> and try again.</summary>
internal readonly record struct RetryDecision(RetryStopReason StopReason, TimeSpan Delay, bool IsPushback)
{
    public bool ShouldRetry => StopReason == RetryStopReason.None;

    public static RetryDecision Stop(RetryStopReason reason) => new(reason, TimeSpan.Zero, IsPushback: false);

    public static RetryDecision RetryAfter(TimeSpan delay, bool isPushback) => new(RetryStopReason.None, delay, isPushback);
}
