using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors.OutlierDetection;

/// <summary>
/// Outlier detection's instruments: gRFC A91's enforced and unenforced ejection counters, and a gauge of the endpoints
/// out now for every live detector. Every tag value is the target or one of a fixed set, so endpoints never become tags.
/// </summary>
internal sealed class OutlierDetectionMetrics
{
    /// <summary>The one reason an ejection goes unenforced here (A91): the cap on ejected endpoints.</summary>
    public const string MaxEjectionOverflow = "max_ejection_overflow";

    private readonly ConditionalWeakTable<object, Func<Measurement<int>>> detectors = [];
    private readonly Counter<long> enforced;
    private readonly Counter<long> unenforced;

    private OutlierDetectionMetrics(Meter meter)
    {
        enforced = meter.CreateCounter<long>(
            ResilienceTelemetry.Instruments.EjectionsEnforced, "{ejection}", "Endpoints ejected from the load balancer's picks, by detection method.");
        unenforced = meter.CreateCounter<long>(
            ResilienceTelemetry.Instruments.EjectionsUnenforced, "{ejection}", "Ejections detected but not enforced because too many endpoints were out already.");
        meter.CreateObservableGauge(ResilienceTelemetry.Instruments.Ejected, ObserveEjected, "{endpoint}", "Endpoints out of the load balancer's picks now (ejected, or out for their probe).");
    }

    /// <summary>The instruments on the meter of <paramref name="meterFactory"/> (the shared meter when null).</summary>
    public static OutlierDetectionMetrics For(IMeterFactory? meterFactory) =>
        ResilienceMeter.Instruments(ResilienceMeter.For(meterFactory), static m => new OutlierDetectionMetrics(m));

    /// <summary>The A91 <c>detection_method</c> value of <paramref name="reason"/>.</summary>
    public static string MethodOf(EjectionReason reason) => reason switch
    {
        EjectionReason.ConsecutiveFailures => "consecutive_failures",
        EjectionReason.FailurePercentage => "failure_percentage",
        _ => "probe_failed",
    };

    public void Enforced(string target, EjectionReason reason)
    {
        if (enforced.Enabled)
        {
            enforced.Add(1, new TagList { { ResilienceTelemetry.Tags.Target, target }, { ResilienceTelemetry.Tags.DetectionMethod, MethodOf(reason) } });
        }
    }

    public void Unenforced(string target, EjectionReason reason)
    {
        if (unenforced.Enabled)
        {
            unenforced.Add(1, new TagList
            {
                { ResilienceTelemetry.Tags.Target, target }, { ResilienceTelemetry.Tags.DetectionMethod, MethodOf(reason) }, { ResilienceTelemetry.Tags.UnenforcedReason, MaxEjectionOverflow },
            });
        }
    }

    /// <summary>Adds <paramref name="observe"/> to the gauge for as long as <paramref name="owner"/> lives.</summary>
    public void ObserveEjected(object owner, Func<Measurement<int>> observe) => detectors.AddOrUpdate(owner, observe);

    private IEnumerable<Measurement<int>> ObserveEjected()
    {
        foreach (var (_, observe) in detectors)
        {
            yield return observe();
        }
    }
}
