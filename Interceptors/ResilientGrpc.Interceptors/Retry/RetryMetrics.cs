using System.Diagnostics.Metrics;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors.Retry;

/// <summary>The retry instruments: retries and backoff per retried call (gRFC A96), and throttled retries.</summary>
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

    /// <summary>A call that retried settled after <paramref name="retries"/> retries and <paramref name="totalDelay"/> of backoff.</summary>
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

    /// <summary>The retry budget refused a retry; counted with the hedges it held back.</summary>
    public void RetryThrottled(string method, string target) => throttle.Throttled(method, target);
}
