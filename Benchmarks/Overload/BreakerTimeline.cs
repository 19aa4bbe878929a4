using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ResilientGrpc.Benchmarks.Overload;

/// <summary>
/// When and why a contender's breaker opened, on the run's clock: ours heard through its log (<see cref="LoggerFactory"/>,
/// which listens to the breaker's category only, so the other layers log nothing), Polly's through <see cref="Opened"/>,
/// wired to its <c>OnOpened</c>. Reopenings after a failed probe count too.
/// </summary>
internal sealed class BreakerTimeline : IDisposable
{
    private readonly Lock gate = new();
    private readonly List<BreakerOpening> openings = [];
    private Stopwatch? clock;

    public BreakerTimeline()
    {
        LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(logging => logging
            .AddFilter((category, level) => category == OpeningLog.Category && level >= LogLevel.Error)
            .AddProvider(new OpeningLog(this)));
    }

    /// <summary>Gets the logger factory that tells this timeline when our breaker opens.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>Starts the timeline on the run's clock; openings before it (in the warm-up) are not kept.</summary>
    public void Start(Stopwatch runClock)
    {
        lock (gate)
        {
            clock = runClock;
            openings.Clear();
        }
    }

    /// <summary>Records one opening now, for <paramref name="reason"/>.</summary>
    public void Opened(string reason)
    {
        lock (gate)
        {
            if (clock is not null)
            {
                openings.Add(new BreakerOpening(clock.Elapsed, reason));
            }
        }
    }

    /// <summary>The openings so far, in order, from the start of the run.</summary>
    public IReadOnlyList<BreakerOpening> Openings()
    {
        lock (gate)
        {
            return [.. openings];
        }
    }

    /// <inheritdoc />
    public void Dispose() => LoggerFactory.Dispose();
}
