using System.Diagnostics;
using Grpc.Core;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors.Retry;

/// <summary>
/// The retry rules of one interceptor, shared by all its calls: the decision after a failed attempt (with the
/// throttle's bookkeeping and the telemetry reports), the backoff wait on the injected clock, and the error the caller
/// finally sees. Per-call facts (attempts made, deadline, cancellation) are passed in by the call.
/// </summary>
internal sealed class RetryEngine(RetryPolicy policy, RetryThrottle? throttle, TimeProvider time, Func<double> nextSample, RetryTelemetry telemetry)
{
    /// <summary>The deadline of a call that has none.</summary>
    public static readonly DateTime NoDeadline = DateTime.MaxValue;

    private const string CancelledDetail = "Call canceled by the client.";

    /// <summary>The most attempts per call, the first included.</summary>
    public int MaxAttempts => policy.MaxAttempts;

    /// <summary>
    /// Whether calls to <paramref name="method"/> may be retried at all; <paramref name="hedgeable"/> says whether the
    /// call is of a kind hedging takes (async unary or server streaming), which leaves hedged methods to it.
    /// </summary>
    public bool AppliesTo(IMethod method, bool hedgeable) => policy.AppliesTo(method, hedgeable);

    /// <summary>The caller's deadline in UTC, or <see cref="NoDeadline"/>.</summary>
    public static DateTime DeadlineOf(in CallOptions options) =>
        options.Deadline is { } d && d != DateTime.MaxValue ? d.ToUniversalTime() : NoDeadline;

    /// <summary>An attempt succeeded (or, for a stream, committed).</summary>
    public void AttemptSucceeded() => throttle?.RecordSuccess();

    /// <summary>
    /// Decides what follows the failure of attempt <paramref name="attemptsMade"/> with <paramref name="error"/>; the
    /// call's <paramref name="span"/>, if any, hears of a scheduled retry and of pushback.
    /// </summary>
    public RetryDecision Decide(Exception error, IMethod method, string? host, int attemptsMade, bool cancelled, DateTime deadline, Activity? span = null)
    {
        var code = RpcStatus.CodeOf(error);
        if (throttle is not null && !cancelled && error is RpcException and not INonRetryableError && policy.IsRetryable(code))
        {
            throttle.RecordFailure();
        }

        TimeSpan? timeLeft = deadline == NoDeadline ? null : deadline - time.GetUtcNow().UtcDateTime;
        var decision = policy.Evaluate(error, attemptsMade, cancelled, throttle?.AllowsRetry ?? true, timeLeft, nextSample());
        Report(error, method, host, attemptsMade, code, decision, span);
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
        if (deadline == NoDeadline || time.GetUtcNow().UtcDateTime < deadline)
        {
            return false;
        }

        telemetry.DeadlineExceeded(method, attemptsMade, RpcStatus.CodeOf(error));
        return true;
    }

    /// <summary>
    /// Stores in <paramref name="finalError"/> and returns the error the caller sees when retrying stops for
    /// <paramref name="reason"/>, then tells the call's context and telemetry.
    /// </summary>
    public Exception Stop(
        RetryStopReason reason, Exception lastError, ref Exception? finalError, IMethod method, ResilienceCallContext? call, int attemptsMade)
    {
        var error = reason switch
        {
            RetryStopReason.Cancelled => lastError is RpcException { StatusCode: StatusCode.Cancelled }
                ? lastError
                : new RpcException(new Status(StatusCode.Cancelled, CancelledDetail), TrailersOf(lastError)),
            RetryStopReason.DeadlineExceeded => lastError is RpcException { StatusCode: StatusCode.DeadlineExceeded }
                ? lastError
                : new RpcException(
                    new Status(StatusCode.DeadlineExceeded, "The deadline passes before the next attempt could start."),
                    TrailersOf(lastError)),
            _ => lastError is OperationCanceledException
                ? new RpcException(new Status(StatusCode.Cancelled, CancelledDetail))
                : lastError,
        };
        Volatile.Write(ref finalError, error);
        if (reason != RetryStopReason.Cancelled)
        {
            // The last attempt's failure is the call's: a breaker below that counted it as a failed attempt now
            // counts a failed call. A call the caller gave up on proves nothing about the server. The call's span is
            // current, so that a transition this causes is marked on it.
            using var current = CurrentSpan.Of(call?.Span);
            call?.ConfirmFailure();
        }

        telemetry.RetriesStopped(method, attemptsMade, reason, RpcStatus.CodeOf(error));
        return error;
    }

    /// <summary>A call settled, after <paramref name="retries"/> retries and <paramref name="totalDelay"/> of backoff.</summary>
    public void Settled(IMethod method, string? host, int retries, TimeSpan totalDelay) =>
        telemetry.CallSettled(method, host, retries, totalDelay);

    /// <summary>The status the caller sees for the failed call.</summary>
    public static Status StatusOf(Exception error) =>
        error is RpcException rpc ? rpc.Status : new Status(StatusCode.Unknown, error.Message);

    /// <summary>The trailers the caller sees for the failed call.</summary>
    public static Metadata TrailersOf(Exception error) => error is RpcException rpc ? rpc.Trailers : [];

    private void Report(Exception error, IMethod method, string? host, int attemptsMade, StatusCode code, RetryDecision decision, Activity? span)
    {
        telemetry.AttemptFailed(method, attemptsMade, code, decision, span);
        if (decision.IsPushback || decision.StopReason == RetryStopReason.ServerPushback)
        {
            var pushback = decision.StopReason == RetryStopReason.ServerPushback
                ? Timeout.InfiniteTimeSpan
                : RetryHeaders.PushbackOf(TrailersOf(error)) ?? decision.Delay;
            telemetry.PushbackReceived(method, attemptsMade, code, pushback, span);
        }

        if (decision.StopReason == RetryStopReason.Throttled)
        {
            telemetry.RetryThrottled(method, host, attemptsMade, code);
        }
        else if (decision.StopReason == RetryStopReason.DeadlineExceeded)
        {
            telemetry.DeadlineExceeded(method, attemptsMade, code);
        }
    }
}
