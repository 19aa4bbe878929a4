using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors.Retry;

/// <summary>Where retry reports each of its events once, to its log and instruments; attempts and calls are the call telemetry's.</summary>
internal sealed class RetryTelemetry(ILogger logger, RetryMetrics metrics, int maxAttempts, string? target)
{
    /// <summary>An attempt failed; a retry <paramref name="decision"/> is logged and marked on the call's <paramref name="span"/>.</summary>
    public void AttemptFailed(IMethod method, int attempt, StatusCode status, RetryDecision decision, Activity? span = null)
    {
        if (!decision.ShouldRetry)
        {
            return;
        }

        RetryLog.AttemptFailed(logger, method.Name, attempt, maxAttempts, status, decision.Delay.TotalSeconds);
        CallTracing.RetryScheduled(span, attempt, status, decision.Delay);
    }

    /// <summary>The server's pushback asked for <paramref name="delay"/> (negative: stop retrying).</summary>
    public void PushbackReceived(IMethod method, int attempt, StatusCode status, TimeSpan delay, Activity? span = null)
    {
        CallTracing.Pushback(span, attempt, status, delay);
        if (delay < TimeSpan.Zero)
        {
            RetryLog.PushbackStop(logger, method.Name, attempt, status);
        }
        else
        {
            RetryLog.PushbackReceived(logger, method.Name, attempt, (long)delay.TotalMilliseconds);
        }
    }

    /// <summary>The retry budget refused a retry the policy would otherwise have made.</summary>
    public void RetryThrottled(IMethod method, string? host, int attempt, StatusCode status)
    {
        metrics.RetryThrottled(MethodNames.Of(method), host ?? target ?? "unknown");
        RetryLog.RetryThrottled(logger, method.Name, attempt, status);
    }

    /// <summary>The caller's deadline passed or would pass during the next delay; the call fails now.</summary>
    public void DeadlineExceeded(IMethod method, int attempt, StatusCode status) =>
        RetryLog.DeadlineWouldPass(logger, method.Name, attempt, status);

    /// <summary>A call settled after <paramref name="retries"/> retries and <paramref name="totalDelay"/> of backoff.</summary>
    public void CallSettled(IMethod method, string? host, int retries, TimeSpan totalDelay)
    {
        if (retries > 0)
        {
            metrics.CallRetried(MethodNames.Of(method), host ?? target ?? "unknown", retries, totalDelay);
        }
    }

    /// <summary>A call stopped retrying after <paramref name="attempts"/> attempts, for <paramref name="reason"/>.</summary>
    public void RetriesStopped(IMethod method, int attempts, RetryStopReason reason, StatusCode status)
    {
        if (reason == RetryStopReason.AttemptsExhausted)
        {
            RetryLog.RetriesExhausted(logger, method.Name, attempts, status);
        }
    }
}
