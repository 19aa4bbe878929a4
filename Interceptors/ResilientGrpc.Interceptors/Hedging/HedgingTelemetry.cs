using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors.Hedging;

/// <summary>Where hedging reports each of its events once, to its log and instruments; attempts and calls are the call telemetry's.</summary>
internal sealed class HedgingTelemetry(ILogger logger, HedgingMetrics metrics, int maxAttempts, string? target)
{
    public void HedgeSent(IMethod method, int attempt, TimeSpan elapsed, Activity? span = null)
    {
        HedgingLog.HedgeSent(logger, method.Name, attempt, maxAttempts, elapsed.TotalSeconds);
        CallTracing.HedgeSent(span, attempt);
    }

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

    public void Throttled(IMethod method, string? host, int attempt)
    {
        metrics.Throttled(MethodNames.Of(method), host ?? target ?? "unknown");
        HedgingLog.HedgeThrottled(logger, method.Name, attempt, maxAttempts);
    }

    public void AllFailed(IMethod method, int attempts, StatusCode status) => HedgingLog.HedgesFailed(logger, method.Name, attempts, status);

    public void Settled(IMethod method, string? host, int attempts)
    {
        if (attempts > 1)
        {
            metrics.CallHedged(MethodNames.Of(method), host ?? target ?? "unknown", attempts - 1);
        }
    }
}

internal static partial class HedgingLog
{
    [LoggerMessage(4001, LogLevel.Information,
        "{Method} hedge {Attempt}/{MaxAttempts} sent after {ElapsedSeconds:0.00} s",
        EventName = "HedgeSent")]
    public static partial void HedgeSent(ILogger logger, string method, int attempt, int maxAttempts, double elapsedSeconds);

    [LoggerMessage(4002, LogLevel.Information,
        "{Method} answered by hedge {Attempt}; {Cancelled} other {AttemptWord} cancelled",
        EventName = "HedgeWon")]
    public static partial void HedgeWon(ILogger logger, string method, int attempt, int cancelled, string attemptWord);

    [LoggerMessage(4003, LogLevel.Warning,
        "{Method} hedge {Attempt} failed: {Status}; server pushback says to send no more hedges",
        EventName = "PushbackStop")]
    public static partial void PushbackStop(ILogger logger, string method, int attempt, StatusCode status);

    [LoggerMessage(4004, LogLevel.Warning,
        "{Method} hedge {Attempt} was refused below: {Status}; no more hedges are sent",
        EventName = "HedgeRefused")]
    public static partial void HedgeRefused(ILogger logger, string method, int attempt, StatusCode status);

    [LoggerMessage(4005, LogLevel.Error,
        "{Method} failed after {Attempts} attempts: {Status}",
        EventName = "HedgesFailed")]
    public static partial void HedgesFailed(ILogger logger, string method, int attempts, StatusCode status);

    [LoggerMessage(4006, LogLevel.Warning,
        "{Method} hedge {Attempt}/{MaxAttempts} not sent: the retry budget is spent",
        EventName = "HedgeThrottled")]
    public static partial void HedgeThrottled(ILogger logger, string method, int attempt, int maxAttempts);
}

internal sealed class HedgingMetrics
{
    private static readonly long[] HedgeCountBuckets = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

    private readonly Histogram<long> callHedges;
    private readonly Counter<long> hedgesCancelled;
    private readonly ThrottleMetrics throttle;

    private HedgingMetrics(Meter meter)
    {
        callHedges = meter.CreateHistogram(
            ResilienceTelemetry.Instruments.CallHedges, "{hedge}", "Hedges sent by each call that sent any.",
            tags: null, new InstrumentAdvice<long> { HistogramBucketBoundaries = HedgeCountBuckets });
        hedgesCancelled = meter.CreateCounter<long>(
            ResilienceTelemetry.Instruments.HedgesCancelled, "{hedge}", "Attempts of hedged calls cancelled because another attempt answered first.");
        throttle = ThrottleMetrics.On(meter);
    }

    public static HedgingMetrics For(IMeterFactory? meterFactory) =>
        ResilienceMeter.Instruments(ResilienceMeter.For(meterFactory), static m => new HedgingMetrics(m));

    public void CallHedged(string method, string target, int hedges)
    {
        if (callHedges.Enabled)
        {
            callHedges.Record(hedges, CallMetrics.Tags(method, target));
        }
    }

    public void Cancelled(string method, string target, int count)
    {
        if (hedgesCancelled.Enabled)
        {
            hedgesCancelled.Add(count, CallMetrics.Tags(method, target));
        }
    }

    public void Throttled(string method, string target) => throttle.Throttled(method, target);
}
