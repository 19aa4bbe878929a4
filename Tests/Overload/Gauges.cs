using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace ResilientGrpc.Tests.Overload;

/// <summary>Reads an observable gauge of the overload layer once, as a metrics backend would scrape it.</summary>
internal static class Gauges
{
    /// <summary>The gauge's one measurement now, with its tags.</summary>
    public static CollectedMeasurement<T> Read<T>(MetricCollector<T> gauge)
        where T : struct
    {
        gauge.Clear();
        gauge.RecordObservableInstruments();
        return gauge.GetMeasurementSnapshot().Single();
    }
}
