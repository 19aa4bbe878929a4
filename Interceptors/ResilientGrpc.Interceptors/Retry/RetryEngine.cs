using System.Diagnostics;
using Grpc.Core;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Retry;

/// <summary>
/// The retry rules of one interceptor, shared by its calls: the decision after a failed attempt (with the budget's
/// bookkeeping and telemetry), the backoff on the injected clock, and the error the caller finally sees.
/// </summary>
/// <remarks>
/// A call's attempts are declared to the layers below (<see cref="CallAttempts"/>) always under <c>Intercept()</c>, which
/// cannot know what is below it; in a stack, only when a layer below reads them (<c>declaresAttempts</c>).
/// </remarks>
internal sealed class RetryEngine(
    RetryPolicy policy, RetryThrottle? throttle, TimeProvider time, Func<double> nextSample, RetryTelemetry telemetry, bool declaresAttempts = true)
{
    public bool DeclaresAttempts => declaresAttempts;

    public int MaxAttempts => policy.MaxAttempts;

    public bool AppliesTo(IMethod method, bool hedgeable) => policy.AppliesTo(method, hedgeable);

    /// <summary>An attempt succeeded (or, for a stream, committed).</summary>
    public void AttemptSucceeded() => throttle?.RecordSuccess();

    /// <summary>Decides what follows the failure of attempt <paramref name="attemptsMade"/>, and reports it.</summary>
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

    /// <summary>Waits <paramref name="delay"/> on the injected clock; false when <paramref name="token"/> ended the wait.</summary>
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

    /// <summary>Whether <paramref name="deadline"/> has passed by now (reported when it has).</summary>
    public bool DeadlinePassed(DateTime deadline, IMethod method, int attemptsMade, Exception error)
    {
        if (!CallerDeadline.PassesWithin(deadline, TimeSpan.Zero, time))
        {
            return false;
        }

        telemetry.DeadlineExceeded(method, attemptsMade, CallErrors.CodeOf(error));
        return true;
    }

    /// <summary>
    /// The error the caller sees when retrying stops for <paramref name="reason"/>. Unless the caller gave up, the call
    /// failed for good, which the layers below hear through <paramref name="call"/>.
    /// </summary>
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
