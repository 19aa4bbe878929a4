using System.Diagnostics.Metrics;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors.Hedging;

/// <summary>The hedging instruments: hedges per call (gRFC A96), hedges cancelled, and hedges the retry budget held back.</summary>
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

    /// <summary>A call that sent <paramref name="hedges"/> hedges (attempts after the first) settled.</summary>
    public void CallHedged(string method, string target, int hedges)
    {
        if (callHedges.Enabled)
        {
            callHedges.Record(hedges, CallMetrics.Tags(method, target));
        }
    }

    /// <summary><paramref name="count"/> attempts were cancelled because another answered first.</summary>
    public void Cancelled(string method, string target, int count)
    {
        if (hedgesCancelled.Enabled)
        {
            hedgesCancelled.Add(count, CallMetrics.Tags(method, target));
        }
    }

    /// <summary>A hedge the retry budget held back, counted with the retries it held back.</summary>
    public void Throttled(string method, string target) => throttle.Throttled(method, target);
}
