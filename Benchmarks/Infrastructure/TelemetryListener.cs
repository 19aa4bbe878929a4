using System.Diagnostics.Metrics;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Benchmarks.Infrastructure;

/// <summary>
/// Listens to every instrument of the <see cref="ResilienceTelemetry.MeterName"/> meter, as an OpenTelemetry exporter
/// would, and only counts the measurements: "telemetry on" costs what the interceptors pay to record.
/// </summary>
public sealed class TelemetryListener : IDisposable
{
    private readonly MeterListener listener = new();
    private long measurements;

    /// <summary>Starts listening to <paramref name="meterNames"/>; to ours alone when none is given.</summary>
    /// <param name="meterNames">The meters to record, e.g. ours and Polly's (<c>Polly</c>).</param>
    public TelemetryListener(params string[] meterNames)
    {
        var meters = meterNames.Length == 0 ? [ResilienceTelemetry.MeterName] : meterNames;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (Array.IndexOf(meters, instrument.Meter.Name) >= 0)
            {
                l.EnableMeasurementEvents(instrument, this);
            }
        };
        listener.SetMeasurementEventCallback<long>(static (_, _, _, state) => ((TelemetryListener)state!).Count());
        listener.SetMeasurementEventCallback<double>(static (_, _, _, state) => ((TelemetryListener)state!).Count());
        listener.SetMeasurementEventCallback<int>(static (_, _, _, state) => ((TelemetryListener)state!).Count());
        listener.Start();
    }

    /// <summary>Gets how many measurements were recorded while listening.</summary>
    public long Measurements => Interlocked.Read(ref measurements);

    /// <inheritdoc />
    public void Dispose() => listener.Dispose();

    private void Count() => Interlocked.Increment(ref measurements);
}
