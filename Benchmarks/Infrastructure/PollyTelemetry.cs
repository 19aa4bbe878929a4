using System.Diagnostics.Metrics;

namespace ResilientGrpc.Benchmarks.Infrastructure;

/// <summary>
/// Listens to Polly's own meter (<c>Polly</c>, from Polly.Extensions), which every pipeline registered through dependency
/// injection reports to, as the standard resilience handler's is: counts its attempts, the attempts its strategies
/// treated as failures, and its retries, timeouts and circuit openings.
/// </summary>
public sealed class PollyTelemetry : IDisposable
{
    private const string MeterName = "Polly";
    private const string EventsInstrument = "resilience.polly.strategy.events";
    private const string AttemptsInstrument = "resilience.polly.strategy.attempt.duration";
    private readonly MeterListener listener = new();
    private readonly Action? onOpened;
    private long attempts;
    private long handledAttempts;
    private long retries;
    private long timeouts;

    /// <summary>Starts listening; <paramref name="onOpened"/> runs on each circuit opening.</summary>
    public PollyTelemetry(Action? onOpened = null)
    {
        this.onOpened = onOpened;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MeterName && instrument.Name is EventsInstrument or AttemptsInstrument)
            {
                l.EnableMeasurementEvents(instrument, this);
            }
        };
        listener.SetMeasurementEventCallback<int>(static (_, _, tags, state) => ((PollyTelemetry)state!).OnEvent(tags));
        listener.SetMeasurementEventCallback<double>(static (_, _, tags, state) => ((PollyTelemetry)state!).OnAttempt(tags));
        listener.Start();
    }

    /// <summary>The counts so far.</summary>
    public PollyEventCounts Snapshot() => new(
        Interlocked.Read(ref attempts), Interlocked.Read(ref handledAttempts), Interlocked.Read(ref retries), Interlocked.Read(ref timeouts));

    /// <inheritdoc />
    public void Dispose() => listener.Dispose();

    private static object? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == key)
            {
                return tag.Value;
            }
        }

        return null;
    }

    private void OnAttempt(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        Interlocked.Increment(ref attempts);
        if (Tag(tags, "attempt.handled") is true)
        {
            Interlocked.Increment(ref handledAttempts);
        }
    }

    private void OnEvent(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        switch (Tag(tags, "event.name") as string)
        {
            case "OnRetry":
                Interlocked.Increment(ref retries);
                break;
            case "OnTimeout":
                Interlocked.Increment(ref timeouts);
                break;
            case "OnCircuitOpened":
                onOpened?.Invoke();
                break;
            default:
                break;
        }
    }
}
