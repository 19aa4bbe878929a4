using System.Diagnostics.Metrics;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>The retry budget's instrument (gRFC A6): attempts it held back, one counter for retry and hedging, as they share it.</summary>
internal sealed class ThrottleMetrics
{
    private readonly Counter<long> throttled;

    private ThrottleMetrics(Meter meter) =>
        throttled = meter.CreateCounter<long>(
            ResilienceTelemetry.Instruments.RetryThrottled, "{retry}", "Retries and hedges not sent because the retry budget was spent.");

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
