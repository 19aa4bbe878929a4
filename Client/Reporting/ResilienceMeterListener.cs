using System.Diagnostics.Metrics;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Client.Reporting;

/// <summary>
/// Listens to the library's <see cref="ResilienceTelemetry.MeterName"/> meter and feeds attempts, retries,
/// breaker rejections, hedges sent and hedges cancelled into <see cref="TrafficCounters"/>, so the client reports what the interceptors
/// did without re-implementing any of their logic.
/// </summary>
internal sealed class ResilienceMeterListener : IDisposable
{
    private const string AttemptStarted = "grpc.client.attempt.started";
    private const string CallRetries = "grpc.client.call.retries";
    private const string BreakerRejections = "resilientgrpc.circuit_breaker.rejections";
    private const string CallHedges = "grpc.client.call.hedges";
    private const string HedgesCancelled = "resilientgrpc.hedging.cancelled";

    private readonly MeterListener listener = new();
    private readonly TrafficCounters counters;

    /// <summary>Starts listening.</summary>
    /// <param name="counters">Where the counts go.</param>
    /// <param name="scope">
    /// The <see cref="IMeterFactory"/> the interceptors were given: only its meter is heard, so other clients in the
    /// same process do not count. Null hears every meter of that name.
    /// </param>
    public ResilienceMeterListener(TrafficCounters counters, IMeterFactory? scope)
    {
        this.counters = counters;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ResilienceTelemetry.MeterName
                && (scope is null || ReferenceEquals(instrument.Meter.Scope, scope))
                && instrument.Name is AttemptStarted or CallRetries or BreakerRejections or CallHedges or HedgesCancelled)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Record(instrument.Name, value));
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => Record(instrument.Name, value));
        listener.Start();
    }

    public void Dispose() => listener.Dispose();

    private void Record(string instrument, long value)
    {
        switch (instrument)
        {
            case AttemptStarted:
                counters.AttemptsReported(value);
                break;
            case CallRetries:
                counters.RetriesReported(value);
                break;
            case BreakerRejections:
                counters.RejectionsReported(value);
                break;
            case CallHedges:
                counters.HedgesReported(value);
                break;
            case HedgesCancelled:
                counters.HedgesCancelledReported(value);
                break;
            default:
                break;
        }
    }
}
