using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>What a breaker reports, outside its lock: a log line per transition, the first rejection of a period, and its instruments.</summary>
internal sealed class CircuitBreakerTelemetry(CircuitBreakerSettings settings, ILogger logger, CircuitBreakerMetrics metrics)
{
    /// <summary>The <c>breaker</c> tag and log name: the breaker's name, with its key when keyed.</summary>
    public string BreakerName(string? key) => key is null ? settings.Name : $"{settings.Name}/{key}";

    public void Transitioned(in CircuitTransition transition)
    {
        var breaker = BreakerName(transition.Key);
        metrics.Transitioned(breaker, transition.From, transition.To);
        if (CallTracing.Current is { } span && CallTracing.Records(span))
        {
            // Raised on the thread of the call that caused it: the call whose span is current saw it.
            CallTracing.BreakerTransition(span, breaker, StateNames.Of(transition.From), StateNames.Of(transition.To), transition.Reason.ToString());
        }

        var breakSeconds = settings.BreakDuration.TotalSeconds;
        switch (transition.Reason)
        {
            case CircuitStateChangeReason.ConsecutiveFailures:
                CircuitBreakerLog.Opened(logger, breaker, transition.FailureCount, breakSeconds);
                break;
            case CircuitStateChangeReason.ConsecutiveFailedAttempts:
                CircuitBreakerLog.OpenedOnAttempts(logger, breaker, transition.FailureCount, breakSeconds);
                break;
            case CircuitStateChangeReason.FailureRatio:
                CircuitBreakerLog.OpenedOnRatio(logger, breaker, transition.FailureCount, settings.FailureRatio ?? 0, breakSeconds);
                break;
            case CircuitStateChangeReason.ProbeFailed:
                CircuitBreakerLog.Reopened(logger, breaker, breakSeconds);
                break;
            case CircuitStateChangeReason.BreakElapsed:
                CircuitBreakerLog.HalfOpened(logger, breaker, settings.HalfOpenProbes);
                break;
            case CircuitStateChangeReason.ProbeSucceeded:
                CircuitBreakerLog.Closed(logger, breaker, transition.RejectedCalls);
                break;
            case CircuitStateChangeReason.Isolated:
                CircuitBreakerLog.Isolated(logger, breaker);
                break;
            case CircuitStateChangeReason.Reset:
                CircuitBreakerLog.Reset(logger, breaker);
                break;
        }
    }

    /// <summary>A call was refused: only the first refusal of a period is logged, so an open circuit cannot flood the log.</summary>
    public void Rejected(in CircuitRejection rejection)
    {
        if (rejection.Ordinal == 1)
        {
            CircuitBreakerLog.Rejected(logger, BreakerName(rejection.Key), rejection.State);
        }
    }

    /// <summary>Counts a call to <paramref name="method"/> refused in <paramref name="state"/>, and marks it on its <paramref name="span"/>.</summary>
    public void CallRejected(string? key, string method, Activity? span, CircuitState state)
    {
        metrics.Rejected(BreakerName(key), method);
        if (CallTracing.Records(span))
        {
            CallTracing.BreakerRejected(span, BreakerName(key), StateNames.Of(state));
        }
    }
}
