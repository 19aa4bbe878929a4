using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using System.Runtime.CompilerServices;
using Grpc.Core;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>The pattern-neutral instruments (gRFC A66): attempts started, attempt and call durations; free when nothing listens.</summary>
internal sealed class CallMetrics
{
    private static readonly double[] LatencyBuckets =
    [
        0, 0.00001, 0.00005, 0.0001, 0.0003, 0.0006, 0.0008, 0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.008,
        0.01, 0.013, 0.016, 0.02, 0.025, 0.03, 0.04, 0.05, 0.065, 0.08, 0.1, 0.13, 0.16, 0.2, 0.25, 0.3, 0.4,
        0.5, 0.65, 0.8, 1, 2, 5, 10, 20, 50, 100,
    ];

    private readonly Counter<long> attemptStarted;
    private readonly Histogram<double> attemptDuration;
    private readonly Histogram<double> callDuration;

    private CallMetrics(Meter meter)
    {
        attemptStarted = meter.CreateCounter<long>(
            ResilienceTelemetry.Instruments.AttemptStarted, "{attempt}", "Attempts started, retries included.");
        attemptDuration = meter.CreateHistogram(
            ResilienceTelemetry.Instruments.AttemptDuration, "s", "Duration of each attempt, from start to final status.",
            tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        callDuration = meter.CreateHistogram(
            ResilienceTelemetry.Instruments.CallDuration, "s", "Duration of each call as its caller saw it: attempts and backoff included.",
            tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
    }

    public bool Enabled => attemptStarted.Enabled || attemptDuration.Enabled || callDuration.Enabled;

    public static CallMetrics For(IMeterFactory? meterFactory) =>
        ResilienceMeter.Instruments(ResilienceMeter.For(meterFactory), static m => new CallMetrics(m));

    public static TagList Tags(string method, string target) =>
        new() { { ResilienceTelemetry.Tags.Method, method }, { ResilienceTelemetry.Tags.Target, target } };

    public void AttemptStarted(string method, string target)
    {
        if (attemptStarted.Enabled)
        {
            attemptStarted.Add(1, Tags(method, target));
        }
    }

    public void AttemptEnded(string method, string target, StatusCode status, TimeSpan duration) =>
        Record(attemptDuration, method, target, status, duration);

    public void CallEnded(string method, string target, StatusCode status, TimeSpan duration) =>
        Record(callDuration, method, target, status, duration);

    private static void Record(Histogram<double> histogram, string method, string target, StatusCode status, TimeSpan duration)
    {
        if (histogram.Enabled)
        {
            histogram.Record(duration.TotalSeconds, new TagList
            {
                { ResilienceTelemetry.Tags.Method, method },
                { ResilienceTelemetry.Tags.Target, target },
                { ResilienceTelemetry.Tags.Status, StatusNames.Of(status) },
            });
        }
    }
}

/// <summary>The retry budget's instrument (gRFC A6): attempts it held back, one counter for retry and hedging, as they share it.</summary>
internal sealed class ThrottleMetrics
{
    private readonly Counter<long> throttled;

    private ThrottleMetrics(Meter meter) =>
        throttled = meter.CreateCounter<long>(
            ResilienceTelemetry.Instruments.RetryThrottled, "{retry}", "Retries and hedges not sent because the retry budget was spent.");

    public static ThrottleMetrics On(Meter meter) => ResilienceMeter.Instruments(meter, static m => new ThrottleMetrics(m));

    public void Throttled(string method, string target)
    {
        if (throttled.Enabled)
        {
            throttled.Add(1, CallMetrics.Tags(method, target));
        }
    }
}

/// <summary>Status code names as gRPC writes them (<c>UNAVAILABLE</c>), precomputed so tagging allocates nothing.</summary>
internal static class StatusNames
{
    private static readonly string[] Names =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
        "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ];

    public static string Of(StatusCode code) =>
        (uint)code < (uint)Names.Length ? Names[(int)code] : "UNKNOWN";
}

/// <summary>The <see cref="ResilienceTelemetry.MeterName"/> meter, one per <see cref="IMeterFactory"/> or one shared; instruments made once per meter.</summary>
internal static class ResilienceMeter
{
    private static readonly Lazy<Meter> SharedMeter = new(() => new Meter(Options()));

    private static readonly ConditionalWeakTable<IMeterFactory, Meter> PerFactory = [];

    public static string? Version { get; } = typeof(ResilienceMeter).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    public static Meter For(IMeterFactory? meterFactory) =>
        meterFactory is null ? SharedMeter.Value : PerFactory.GetValue(meterFactory, static f => f.Create(Options()));

    public static TInstruments Instruments<TInstruments>(Meter meter, Func<Meter, TInstruments> create)
        where TInstruments : class =>
        InstrumentCache<TInstruments>.PerMeter.GetValue(meter, m => create(m));

    private static MeterOptions Options() => new(ResilienceTelemetry.MeterName) { Version = Version };

    private static class InstrumentCache<TInstruments>
        where TInstruments : class
    {
        public static readonly ConditionalWeakTable<Meter, TInstruments> PerMeter = [];
    }
}
