using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Benchmarks.Soak;

/// <summary>
/// Counts our breakers' transitions by the state they lead to (<c>open</c>, <c>half_open</c>, <c>closed</c>), from the
/// <c>resilientgrpc.circuit_breaker.transitions</c> instrument: openings (reopenings after a failed probe included),
/// probes and closings.
/// </summary>
internal sealed class BreakerTransitions : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly ConcurrentDictionary<string, long> byTarget = new(StringComparer.Ordinal);

    /// <summary>Starts counting.</summary>
    public BreakerTransitions()
    {
        listener.InstrumentPublished = static (instrument, l) =>
        {
            if (instrument.Name == ResilienceTelemetry.Instruments.BreakerTransitions && instrument.Meter.Name == ResilienceTelemetry.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: ResilienceTelemetry.Tags.To, Value: string to })
                {
                    _ = byTarget.AddOrUpdate(to, value, (_, n) => n + value);
                }
            }
        });
        listener.Start();
    }

    /// <summary>Gets how many times a breaker opened, reopenings included.</summary>
    public long Opened => To("open");

    /// <summary>Gets how many times a breaker let probes through (went half-open).</summary>
    public long HalfOpened => To("half_open");

    /// <summary>Gets how many times a breaker closed again.</summary>
    public long Closed => To("closed");

    /// <inheritdoc />
    public void Dispose() => listener.Dispose();

    private long To(string state) => byTarget.TryGetValue(state, out var n) ? n : 0;
}
