using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors.Hedging;

/// <summary>Where hedging reports each of its events once, to its log and instruments; attempts and calls are the call telemetry's.</summary>
internal sealed class HedgingTelemetry(ILogger logger, HedgingMetrics metrics, int maxAttempts, string? target)
{
    /// <summary>Hedge <paramref name="attempt"/> (2 or more) left <paramref name="elapsed"/> after the call started; an event on the call's <paramref name="span"/>.</summary>
    public void HedgeSent(IMethod method, int attempt, TimeSpan elapsed, Activity? span = null)
    {
        HedgingLog.HedgeSent(logger, method.Name, attempt, maxAttempts, elapsed.TotalSeconds);
        CallTracing.HedgeSent(span, attempt);
    }

    /// <summary>Attempt <paramref name="attempt"/> answered; <paramref name="cancelled"/> others in flight were cancelled.</summary>
    public void Won(IMethod method, string? host, int attempt, int cancelled, Activity? span = null)
    {
        CallTracing.HedgesCancelled(span, attempt, cancelled);
        if (cancelled > 0)
        {
            metrics.Cancelled(MethodNames.Of(method), host ?? target ?? "unknown", cancelled);
        }

        if (cancelled > 0 || attempt > 1)
        {
            HedgingLog.HedgeWon(logger, method.Name, attempt, cancelled, cancelled == 1 ? "attempt" : "attempts");
        }
    }

    /// <summary>Attempt <paramref name="attempt"/> failed, meaning <paramref name="failure"/>: pushback is a span event, a stop or refusal logged.</summary>
    public void Failed(IMethod method, int attempt, Exception error, HedgeFailure failure, TimeSpan? nextWait, Activity? span)
    {
        var status = CallErrors.CodeOf(error);
        switch (failure)
        {
            case HedgeFailure.PushbackStop:
                HedgingLog.PushbackStop(logger, method.Name, attempt, status);
                CallTracing.Pushback(span, attempt, status, Timeout.InfiniteTimeSpan);
                break;
            case HedgeFailure.Pushback:
                CallTracing.Pushback(span, attempt, status, nextWait!.Value);
                break;
            case HedgeFailure.Refused:
                HedgingLog.HedgeRefused(logger, method.Name, attempt, status);
                break;
        }
    }

    /// <summary>Hedge <paramref name="attempt"/> was not sent because the retry budget is spent.</summary>
    public void Throttled(IMethod method, string? host, int attempt)
    {
        metrics.Throttled(MethodNames.Of(method), host ?? target ?? "unknown");
        HedgingLog.HedgeThrottled(logger, method.Name, attempt, maxAttempts);
    }

    public void AllFailed(IMethod method, int attempts, StatusCode status) => HedgingLog.HedgesFailed(logger, method.Name, attempts, status);

    /// <summary>A call settled after sending <paramref name="attempts"/> attempts.</summary>
    public void Settled(IMethod method, string? host, int attempts)
    {
        if (attempts > 1)
        {
            metrics.CallHedged(MethodNames.Of(method), host ?? target ?? "unknown", attempts - 1);
        }
    }
}
