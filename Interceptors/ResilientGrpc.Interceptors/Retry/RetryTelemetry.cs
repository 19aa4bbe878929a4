using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors.Retry;

/// <summary>Where retry reports each of its events once, to its log and instruments; attempts and calls are the call telemetry's.</summary>
internal sealed class RetryTelemetry(ILogger logger, RetryMetrics metrics, int maxAttempts, string? target)
{
    public void Decided(IMethod method, string? host, int attempt, StatusCode status, RetryDecision decision, Activity? span)
    {
        if (decision.ShouldRetry)
        {
            RetryLog.AttemptFailed(logger, method.Name, attempt, maxAttempts, status, decision.Delay.TotalSeconds);
            CallTracing.RetryScheduled(span, attempt, status, decision.Delay);
        }

        if (decision.IsPushback)
        {
            // A retry after pushback waits exactly the delay the server asked for.
            CallTracing.Pushback(span, attempt, status, decision.Delay);
            RetryLog.PushbackReceived(logger, method.Name, attempt, (long)decision.Delay.TotalMilliseconds);
        }

        switch (decision.StopReason)
        {
            case RetryStopReason.ServerPushback:
                CallTracing.Pushback(span, attempt, status, Timeout.InfiniteTimeSpan);
                RetryLog.PushbackStop(logger, method.Name, attempt, status);
                break;
            case RetryStopReason.Throttled:
                metrics.RetryThrottled(MethodNames.Of(method), host ?? target ?? "unknown");
                RetryLog.RetryThrottled(logger, method.Name, attempt, status);
                break;
            case RetryStopReason.DeadlineExceeded:
                DeadlineExceeded(method, attempt, status);
                break;
        }
    }

    public void DeadlineExceeded(IMethod method, int attempt, StatusCode status) =>
        RetryLog.DeadlineWouldPass(logger, method.Name, attempt, status);

    public void CallSettled(IMethod method, string? host, int retries, TimeSpan totalDelay)
    {
        if (retries > 0)
        {
            metrics.CallRetried(MethodNames.Of(method), host ?? target ?? "unknown", retries, totalDelay);
        }
    }

    public void RetriesStopped(IMethod method, int attempts, RetryStopReason reason, StatusCode status)
    {
        if (reason == RetryStopReason.AttemptsExhausted)
        {
            RetryLog.RetriesExhausted(logger, method.Name, attempts, status);
        }
    }
}

internal static partial class RetryLog
{
    [LoggerMessage(1001, LogLevel.Warning,
        "{Method} attempt {Attempt}/{MaxAttempts} failed: {Status}; retrying in {DelaySeconds:0.00} s",
        EventName = "AttemptFailed")]
    public static partial void AttemptFailed(ILogger logger, string method, int attempt, int maxAttempts, StatusCode status, double delaySeconds);

    [LoggerMessage(1002, LogLevel.Error,
        "{Method} gave up after {Attempts} attempts: {Status}",
        EventName = "RetriesExhausted")]
    public static partial void RetriesExhausted(ILogger logger, string method, int attempts, StatusCode status);

    [LoggerMessage(1003, LogLevel.Information,
        "{Method} attempt {Attempt}: server pushback asks to wait {PushbackMilliseconds} ms",
        EventName = "PushbackReceived")]
    public static partial void PushbackReceived(ILogger logger, string method, int attempt, long pushbackMilliseconds);

    [LoggerMessage(1004, LogLevel.Warning,
        "{Method} attempt {Attempt} failed: {Status}; server pushback says not to retry",
        EventName = "PushbackStop")]
    public static partial void PushbackStop(ILogger logger, string method, int attempt, StatusCode status);

    [LoggerMessage(1005, LogLevel.Warning,
        "{Method} attempt {Attempt} failed: {Status}; retry refused, the retry budget is spent",
        EventName = "RetryThrottled")]
    public static partial void RetryThrottled(ILogger logger, string method, int attempt, StatusCode status);

    [LoggerMessage(1006, LogLevel.Warning,
        "{Method} attempt {Attempt} failed: {Status}; the next attempt would start after the call's deadline",
        EventName = "DeadlineWouldPass")]
    public static partial void DeadlineWouldPass(ILogger logger, string method, int attempt, StatusCode status);
}

internal sealed class RetryMetrics
{
    private static readonly long[] RetryCountBuckets = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

    private static readonly double[] BackoffBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128];

    private readonly Histogram<long> callRetries;
    private readonly Histogram<double> callRetryDelay;
    private readonly ThrottleMetrics throttle;

    private RetryMetrics(Meter meter)
    {
        callRetries = meter.CreateHistogram(
            ResilienceTelemetry.Instruments.CallRetries, "{retry}", "Retries made by each call that retried.",
            tags: null, new InstrumentAdvice<long> { HistogramBucketBoundaries = RetryCountBuckets });
        callRetryDelay = meter.CreateHistogram(
            ResilienceTelemetry.Instruments.CallRetryDelay, "s", "Total backoff each retried call waited.",
            tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = BackoffBuckets });
        throttle = ThrottleMetrics.On(meter);
    }

    public static RetryMetrics For(IMeterFactory? meterFactory) =>
        ResilienceMeter.Instruments(ResilienceMeter.For(meterFactory), static m => new RetryMetrics(m));

    public void CallRetried(string method, string target, int retries, TimeSpan totalDelay)
    {
        if (callRetries.Enabled)
        {
            callRetries.Record(retries, CallMetrics.Tags(method, target));
        }

        if (callRetryDelay.Enabled)
        {
            callRetryDelay.Record(totalDelay.TotalSeconds, CallMetrics.Tags(method, target));
        }
    }

    public void RetryThrottled(string method, string target) => throttle.Throttled(method, target);
}
