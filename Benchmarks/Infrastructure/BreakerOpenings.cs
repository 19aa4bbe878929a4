using System.Diagnostics.Metrics;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Benchmarks.Infrastructure;

/// <summary>
/// Counts how often a breaker opened: ours through its <c>resilientgrpc.circuit_breaker.transitions</c> instrument
/// (to = open); Polly and the standard resilience handler through <see cref="Increment"/>, wired to Polly's OnOpened
/// callback and to the handler's <c>OnCircuitOpened</c> telemetry event (<see cref="PollyTelemetry"/>).
/// </summary>
public sealed class BreakerOpenings : IDisposable
{
    private const string TransitionsInstrument = "resilientgrpc.circuit_breaker.transitions";
    private MeterListener? listener;
    private long count;

    /// <summary>Gets how many times the breaker opened so far.</summary>
    public long Count => Interlocked.Read(ref count);

    /// <summary>Starts counting our breakers' openings from the meter.</summary>
    public static BreakerOpenings FromMeter()
    {
        var openings = new BreakerOpenings();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ResilienceTelemetry.MeterName && instrument.Name == TransitionsInstrument)
                {
                    l.EnableMeasurementEvents(instrument, openings);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>(static (_, _, tags, state) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "to" && tag.Value as string == "open")
                {
                    ((BreakerOpenings)state!).Increment();
                }
            }
        });
        listener.Start();
        openings.listener = listener;
        return openings;
    }

    /// <summary>Counts one opening.</summary>
    public void Increment() => Interlocked.Increment(ref count);

    /// <inheritdoc />
    public void Dispose() => listener?.Dispose();
}
