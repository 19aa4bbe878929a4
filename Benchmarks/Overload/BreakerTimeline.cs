using System.Diagnostics;
using System.Diagnostics.Metrics;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Benchmarks.Overload;

/// <summary>
/// When a contender's breaker opened, on the run's clock: ours heard on the <c>resilientgrpc.circuit_breaker.transitions</c>
/// instrument (to = open), Polly's through <see cref="Opened"/>, wired to its <c>OnOpened</c>. Counts reopenings too.
/// </summary>
internal sealed class BreakerTimeline : IDisposable
{
    private const string TransitionsInstrument = "resilientgrpc.circuit_breaker.transitions";
    private readonly Lock gate = new();
    private readonly List<TimeSpan> openings = [];
    private readonly MeterListener listener;
    private Stopwatch? clock;

    public BreakerTimeline()
    {
        listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ResilienceTelemetry.MeterName && instrument.Name == TransitionsInstrument)
                {
                    l.EnableMeasurementEvents(instrument, this);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>(static (_, _, tags, state) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "to" && tag.Value as string == "open")
                {
                    ((BreakerTimeline)state!).Opened();
                }
            }
        });
        listener.Start();
    }

    /// <summary>Starts the timeline on the run's clock; openings before it (in the warm-up) are not kept.</summary>
    public void Start(Stopwatch runClock)
    {
        lock (gate)
        {
            clock = runClock;
            openings.Clear();
        }
    }

    /// <summary>Records one opening now.</summary>
    public void Opened()
    {
        lock (gate)
        {
            if (clock is not null)
            {
                openings.Add(clock.Elapsed);
            }
        }
    }

    /// <summary>The openings so far, in order, from the start of the run.</summary>
    public IReadOnlyList<TimeSpan> Openings()
    {
        lock (gate)
        {
            return [.. openings];
        }
    }

    /// <inheritdoc />
    public void Dispose() => listener.Dispose();
}
