using System.Diagnostics.Metrics;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>
/// The instrument of the retry budget (gRFC A6), which retry and hedging share as one channel-level budget: attempts
/// not sent because it was spent, counted in one counter whichever pattern held them back.
/// </summary>
internal sealed class ThrottleMetrics
{
    private readonly Counter<long> throttled;

    private ThrottleMetrics(Meter meter) =>
        throttled = meter.CreateCounter<long>(
            ResilienceTelemetry.Instruments.RetryThrottled, "{retry}", "Retries and hedges not sent because the retry budget was spent.");

    /// <summary>The instrument on <paramref name="meter"/>, made once per meter.</summary>
    public static ThrottleMetrics On(Meter meter) => ResilienceMeter.Instruments(meter, static m => new ThrottleMetrics(m));

    /// <summary>A retry or hedge of <paramref name="method"/> was not sent because the budget was spent.</summary>
    public void Throttled(string method, string target)
    {
        if (throttled.Enabled)
        {
            throttled.Add(1, CallMetrics.Tags(method, target));
        }
    }
}
