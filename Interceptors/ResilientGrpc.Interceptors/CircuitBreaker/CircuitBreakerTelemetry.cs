using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
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

        // Raised on the thread of the call that caused it: the call whose span is current saw it.
        CallTracing.BreakerTransition(CallTracing.Current, breaker, StateNames.Of(transition.From), StateNames.Of(transition.To), transition.Reason.ToString());

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

    public void CallRejected(string? key, string method, Activity? span, CircuitState state)
    {
        var breaker = BreakerName(key);
        metrics.Rejected(breaker, method);
        CallTracing.BreakerRejected(span, breaker, StateNames.Of(state));
    }
}

internal static partial class CircuitBreakerLog
{
    [LoggerMessage(3001, LogLevel.Error,
        "Circuit '{Breaker}' opened after {Failures} failed calls in a row; rejecting calls for {BreakSeconds:0.###} s",
        EventName = "CircuitOpened")]
    public static partial void Opened(ILogger logger, string breaker, int failures, double breakSeconds);

    [LoggerMessage(3009, LogLevel.Error,
        "Circuit '{Breaker}' opened after {Failures} failed attempts in a row; rejecting calls for {BreakSeconds:0.###} s",
        EventName = "CircuitOpenedOnAttempts")]
    public static partial void OpenedOnAttempts(ILogger logger, string breaker, int failures, double breakSeconds);

    [LoggerMessage(3002, LogLevel.Error,
        "Circuit '{Breaker}' opened: {Failures} failed calls reached the {FailureRatio:P0} failure ratio of the sampling window; rejecting calls for {BreakSeconds:0.###} s",
        EventName = "CircuitOpenedOnRatio")]
    public static partial void OpenedOnRatio(ILogger logger, string breaker, int failures, double failureRatio, double breakSeconds);

    [LoggerMessage(3003, LogLevel.Error,
        "Circuit '{Breaker}' probe failed; open again for {BreakSeconds:0.###} s",
        EventName = "CircuitReopened")]
    public static partial void Reopened(ILogger logger, string breaker, double breakSeconds);

    [LoggerMessage(3004, LogLevel.Warning,
        "Circuit '{Breaker}' half-open: letting {Probes} probe call(s) through",
        EventName = "CircuitHalfOpened")]
    public static partial void HalfOpened(ILogger logger, string breaker, int probes);

    [LoggerMessage(3005, LogLevel.Information,
        "Circuit '{Breaker}' closed; {Rejected} call(s) were rejected while it was open",
        EventName = "CircuitClosed")]
    public static partial void Closed(ILogger logger, string breaker, long rejected);

    [LoggerMessage(3006, LogLevel.Warning,
        "Circuit '{Breaker}' is {State}: calls fail at once without reaching the server; further rejections are counted, not logged",
        EventName = "CallRejected")]
    public static partial void Rejected(ILogger logger, string breaker, CircuitState state);

    [LoggerMessage(3007, LogLevel.Warning,
        "Circuit '{Breaker}' isolated by hand: rejecting every call until it is reset",
        EventName = "CircuitIsolated")]
    public static partial void Isolated(ILogger logger, string breaker);

    [LoggerMessage(3008, LogLevel.Information,
        "Circuit '{Breaker}' reset by hand: closed",
        EventName = "CircuitReset")]
    public static partial void Reset(ILogger logger, string breaker);
}

internal sealed class CircuitBreakerMetrics
{
    private readonly ConditionalWeakTable<object, Func<IEnumerable<Measurement<int>>>> breakerStates = [];
    private readonly Counter<long> transitions;
    private readonly Counter<long> rejections;

    private CircuitBreakerMetrics(Meter meter)
    {
        transitions = meter.CreateCounter<long>(
            ResilienceTelemetry.Instruments.BreakerTransitions, "{transition}", "Circuit breaker state changes.");
        rejections = meter.CreateCounter<long>(
            ResilienceTelemetry.Instruments.BreakerRejections, "{call}", "Calls failed at once because the circuit was open.");
        meter.CreateObservableGauge(
            ResilienceTelemetry.Instruments.BreakerState, ObserveStates, "{state}",
            "Circuit breaker state: 0 closed, 1 open, 2 half-open, 3 isolated.");
    }

    public static CircuitBreakerMetrics For(IMeterFactory? meterFactory) =>
        ResilienceMeter.Instruments(ResilienceMeter.For(meterFactory), static m => new CircuitBreakerMetrics(m));

    public void Transitioned(string breaker, CircuitState from, CircuitState to)
    {
        if (transitions.Enabled)
        {
            transitions.Add(1, new TagList
            {
                { ResilienceTelemetry.Tags.Breaker, breaker }, { ResilienceTelemetry.Tags.From, StateNames.Of(from) }, { ResilienceTelemetry.Tags.To, StateNames.Of(to) },
            });
        }
    }

    public void Rejected(string breaker, string method)
    {
        if (rejections.Enabled)
        {
            rejections.Add(1, new TagList { { ResilienceTelemetry.Tags.Breaker, breaker }, { ResilienceTelemetry.Tags.Method, method } });
        }
    }

    public void ObserveStates(object owner, Func<IEnumerable<Measurement<int>>> observe) => breakerStates.AddOrUpdate(owner, observe);

    private IEnumerable<Measurement<int>> ObserveStates()
    {
        foreach (var (_, observe) in breakerStates)
        {
            foreach (var measurement in observe())
            {
                yield return measurement;
            }
        }
    }
}

/// <summary>The one spelling of circuit states in metric tags and the rejection trailer (<c>closed</c>, <c>half_open</c>, ...).</summary>
internal static class StateNames
{
    /// <summary>The trailer a <see cref="BrokenCircuitException"/> carries, so code that sees only its trailers still knows the call never left the client.</summary>
    public const string TrailerName = "resilientgrpc-circuit";

    public static string Of(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half_open",
        CircuitState.Isolated => "isolated",
        _ => "unknown",
    };
}
