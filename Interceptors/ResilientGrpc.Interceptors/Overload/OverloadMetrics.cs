using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors.Overload;

/// <summary>
/// The overload instruments: attempts refused locally, by reason; and the gauges of every live concurrency limit (its
/// limit, the attempts in flight and those waiting) and adaptive throttle (its refusal probability), tagged with their target.
/// </summary>
internal sealed class OverloadMetrics
{
    private readonly ConditionalWeakTable<ConcurrencyLimiter, string> limiters = [];
    private readonly ConditionalWeakTable<AdaptiveThrottle, string> throttles = [];
    private readonly Counter<long> rejections;

    private OverloadMetrics(Meter meter)
    {
        rejections = meter.CreateCounter<long>(
            ResilienceTelemetry.Instruments.OverloadRejections, "{attempt}", "Attempts refused locally for overload, without reaching the server.");
        meter.CreateObservableGauge(
            ResilienceTelemetry.Instruments.ConcurrencyLimit, () => Observe(limiters, static l => l.Limit), "{attempt}",
            "The concurrency limit: the most attempts in flight at once.");
        meter.CreateObservableGauge(
            ResilienceTelemetry.Instruments.ConcurrencyInFlight, () => Observe(limiters, static l => l.InFlight), "{attempt}",
            "Attempts in flight through the concurrency limit.");
        meter.CreateObservableGauge(
            ResilienceTelemetry.Instruments.ConcurrencyQueued, () => Observe(limiters, static l => l.Waiting), "{attempt}",
            "Attempts waiting in line for a slot of the concurrency limit.");
        meter.CreateObservableGauge(
            ResilienceTelemetry.Instruments.ThrottlingProbability, () => Observe(throttles, static t => t.RefusalProbability), "1",
            "The probability that adaptive throttling refuses a new attempt.");
    }

    /// <summary>The instruments on the meter of <paramref name="meterFactory"/> (the shared meter when null).</summary>
    public static OverloadMetrics For(IMeterFactory? meterFactory) =>
        ResilienceMeter.Instruments(ResilienceMeter.For(meterFactory), static m => new OverloadMetrics(m));

    /// <summary>Adds <paramref name="limiter"/> to the gauges, tagged with <paramref name="target"/>, for as long as it lives.</summary>
    public void Observe(ConcurrencyLimiter limiter, string target) => limiters.AddOrUpdate(limiter, target);

    /// <summary>Adds <paramref name="throttle"/> to the gauge, tagged with <paramref name="target"/>, for as long as it lives.</summary>
    public void Observe(AdaptiveThrottle throttle, string target) => throttles.AddOrUpdate(throttle, target);

    /// <summary>An attempt of <paramref name="method"/> was refused for <paramref name="reason"/>.</summary>
    public void Rejected(OverloadRejectionReason reason, string method, string target)
    {
        if (rejections.Enabled)
        {
            var tags = CallMetrics.Tags(method, target);
            tags.Add(ResilienceTelemetry.Tags.Reason, OverloadRejectedException.NameOf(reason));
            rejections.Add(1, tags);
        }
    }

    private static IEnumerable<Measurement<T>> Observe<TSource, T>(ConditionalWeakTable<TSource, string> sources, Func<TSource, T> read)
        where TSource : class
        where T : struct
    {
        foreach (var (source, target) in sources)
        {
            yield return new Measurement<T>(read(source), new TagList { { ResilienceTelemetry.Tags.Target, target } });
        }
    }
}
