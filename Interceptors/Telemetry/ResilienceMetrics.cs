using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Grpc.Core;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>
/// The instruments of the <see cref="ResilienceTelemetry.MeterName"/> meter. One instance per
/// <see cref="IMeterFactory"/> (or one shared instance when none is given), so instruments are created once
/// however many interceptors record to them. Every recording method returns at once when nothing listens.
/// </summary>
internal sealed class ResilienceMetrics
{
    /// <summary>Latency buckets in seconds, as gRFC A66 advises for RPC durations.</summary>
    private static readonly double[] LatencyBuckets =
    [
        0, 0.00001, 0.00005, 0.0001, 0.0003, 0.0006, 0.0008, 0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.008,
        0.01, 0.013, 0.016, 0.02, 0.025, 0.03, 0.04, 0.05, 0.065, 0.08, 0.1, 0.13, 0.16, 0.2, 0.25, 0.3, 0.4,
        0.5, 0.65, 0.8, 1, 2, 5, 10, 20, 50, 100,
    ];

    private static readonly double[] RetryCountBuckets = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

    private static readonly double[] BackoffBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128];

    private static readonly Lazy<ResilienceMetrics> SharedInstance =
        new(() => new ResilienceMetrics(new Meter(new MeterOptions(ResilienceTelemetry.MeterName) { Version = Version })));

    private static readonly ConditionalWeakTable<IMeterFactory, ResilienceMetrics> PerFactory = [];

    private readonly ConditionalWeakTable<object, Func<IEnumerable<Measurement<int>>>> breakerStates = [];
    private readonly Counter<long> attemptStarted;
    private readonly Histogram<double> attemptDuration;
    private readonly Histogram<double> callDuration;
    private readonly Histogram<long> callRetries;
    private readonly Histogram<double> callRetryDelay;
    private readonly Counter<long> retryThrottled;
    private readonly Counter<long> breakerTransitions;
    private readonly Counter<long> breakerRejections;

    private ResilienceMetrics(Meter meter)
    {
        Meter = meter;
        attemptStarted = meter.CreateCounter<long>(
            MetricNames.AttemptStarted, "{attempt}", "Attempts started, retries included.");
        attemptDuration = meter.CreateHistogram(
            MetricNames.AttemptDuration, "s", "Duration of each attempt, from start to final status.",
            tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        callDuration = meter.CreateHistogram(
            MetricNames.CallDuration, "s", "Duration of each call as its caller saw it: attempts and backoff included.",
            tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        callRetries = meter.CreateHistogram(
            MetricNames.CallRetries, "{retry}", "Retries made by each call that retried.",
            tags: null, new InstrumentAdvice<long> { HistogramBucketBoundaries = [.. RetryCountBuckets.Select(b => (long)b)] });
        callRetryDelay = meter.CreateHistogram(
            MetricNames.CallRetryDelay, "s", "Total backoff each retried call waited.",
            tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = BackoffBuckets });
        retryThrottled = meter.CreateCounter<long>(
            MetricNames.RetryThrottled, "{retry}", "Retries refused because the retry budget was spent.");
        breakerTransitions = meter.CreateCounter<long>(
            MetricNames.BreakerTransitions, "{transition}", "Circuit breaker state changes.");
        breakerRejections = meter.CreateCounter<long>(
            MetricNames.BreakerRejections, "{call}", "Calls failed at once because the circuit was open.");
        meter.CreateObservableGauge(
            MetricNames.BreakerState, ObserveBreakerStates, "{state}",
            "Circuit breaker state: 0 closed, 1 open, 2 half-open, 3 isolated.");
    }

    /// <summary>The version the meter reports: the interceptor assembly's informational version.</summary>
    public static string? Version { get; } = typeof(ResilienceMetrics).Assembly
        .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), inherit: false)
        .OfType<System.Reflection.AssemblyInformationalVersionAttribute>()
        .FirstOrDefault()?.InformationalVersion;

    /// <summary>The meter the instruments belong to.</summary>
    public Meter Meter { get; }

    /// <summary>The instruments for <paramref name="meterFactory"/>, or the shared ones when it is null.</summary>
    public static ResilienceMetrics For(IMeterFactory? meterFactory) =>
        meterFactory is null
            ? SharedInstance.Value
            : PerFactory.GetValue(meterFactory, static f => new ResilienceMetrics(
                f.Create(new MeterOptions(ResilienceTelemetry.MeterName) { Version = Version })));

    /// <summary>Whether anything listens to the per-call instruments (attempts, calls, retries per call).</summary>
    public bool Enabled =>
        attemptStarted.Enabled || attemptDuration.Enabled || callDuration.Enabled || callRetries.Enabled || callRetryDelay.Enabled;

    public void AttemptStarted(string method, string target)
    {
        if (attemptStarted.Enabled)
        {
            attemptStarted.Add(1, new TagList { { MetricNames.MethodTag, method }, { MetricNames.TargetTag, target } });
        }
    }

    public void AttemptEnded(string method, string target, StatusCode status, TimeSpan duration)
    {
        if (attemptDuration.Enabled)
        {
            attemptDuration.Record(duration.TotalSeconds, Tags(method, target, status));
        }
    }

    public void CallEnded(string method, string target, StatusCode status, TimeSpan duration)
    {
        if (callDuration.Enabled)
        {
            callDuration.Record(duration.TotalSeconds, Tags(method, target, status));
        }
    }

    public void CallRetried(string method, string target, int retries, TimeSpan totalDelay)
    {
        var tags = new TagList { { MetricNames.MethodTag, method }, { MetricNames.TargetTag, target } };
        if (callRetries.Enabled)
        {
            callRetries.Record(retries, tags);
        }

        if (callRetryDelay.Enabled)
        {
            callRetryDelay.Record(totalDelay.TotalSeconds, tags);
        }
    }

    public void RetryThrottled(string method, string target)
    {
        if (retryThrottled.Enabled)
        {
            retryThrottled.Add(1, new TagList { { MetricNames.MethodTag, method }, { MetricNames.TargetTag, target } });
        }
    }

    public void BreakerTransitioned(string breaker, string from, string to)
    {
        if (breakerTransitions.Enabled)
        {
            breakerTransitions.Add(1, new TagList
            {
                { MetricNames.BreakerTag, breaker }, { MetricNames.FromTag, from }, { MetricNames.ToTag, to },
            });
        }
    }

    public void BreakerRejected(string breaker, string method)
    {
        if (breakerRejections.Enabled)
        {
            breakerRejections.Add(1, new TagList { { MetricNames.BreakerTag, breaker }, { MetricNames.MethodTag, method } });
        }
    }

    /// <summary>
    /// Adds <paramref name="observe"/> to the breaker-state gauge for as long as <paramref name="owner"/> lives.
    /// </summary>
    public void ObserveBreakerStates(object owner, Func<IEnumerable<Measurement<int>>> observe) =>
        breakerStates.AddOrUpdate(owner, observe);

    private static TagList Tags(string method, string target, StatusCode status) => new()
    {
        { MetricNames.MethodTag, method },
        { MetricNames.TargetTag, target },
        { MetricNames.StatusTag, StatusNames.Of(status) },
    };

    private IEnumerable<Measurement<int>> ObserveBreakerStates()
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
