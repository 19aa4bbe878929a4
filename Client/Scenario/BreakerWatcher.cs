using ResilientGrpc.Client.Reporting;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Client.Scenario;

/// <summary>
/// Records the breaker's state changes (its public <see cref="CircuitBreakerInterceptor.StateChanged"/> event)
/// with the server's call count at each, narrates them, and measures each open period.
/// </summary>
internal sealed class BreakerWatcher : IDisposable
{
    private readonly Lock gate = new();
    private readonly List<BreakerTransition> transitions = [];
    private readonly CircuitBreakerInterceptor breaker;
    private readonly Func<long> serverReceived;
    private readonly TrafficCounters counters;
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;

    public BreakerWatcher(
        CircuitBreakerInterceptor breaker,
        Func<long> serverReceived,
        TrafficCounters counters,
        TimeProvider timeProvider,
        ILogger logger)
    {
        this.breaker = breaker;
        this.serverReceived = serverReceived;
        this.counters = counters;
        this.timeProvider = timeProvider;
        this.logger = logger;
        breaker.StateChanged += OnStateChanged;
    }

    /// <summary>Gets a copy of the transitions so far, oldest first.</summary>
    public IReadOnlyList<BreakerTransition> Transitions
    {
        get
        {
            lock (gate)
            {
                return [.. transitions];
            }
        }
    }

    /// <summary>Counts the transitions into <paramref name="to"/> so far.</summary>
    public int CountInto(CircuitState to) => Transitions.Count(t => t.To == to);

    /// <summary>Pairs each opening with the half-open transition that ended it.</summary>
    public IReadOnlyList<OpenPeriod> OpenPeriods()
    {
        var list = Transitions;
        var periods = new List<OpenPeriod>();
        for (var i = 0; i < list.Count - 1; i++)
        {
            if (list[i].To == CircuitState.Open && list[i + 1].From == CircuitState.Open)
            {
                periods.Add(Between(list[i], list[i + 1]));
            }
        }

        return periods;
    }

    public void Dispose() => breaker.StateChanged -= OnStateChanged;

    private OpenPeriod Between(BreakerTransition opened, BreakerTransition ended) => new(
        timeProvider.GetElapsedTime(opened.Timestamp, ended.Timestamp),
        ended.Rejected - opened.Rejected,
        ended.ServerReceived - opened.ServerReceived);

    private void OnStateChanged(object? sender, CircuitStateChangedEventArgs e)
    {
        // Raised on the thread of the call that caused the change, before a half-open probe is sent: the
        // server's count read here excludes the probe.
        var transition = new BreakerTransition(
            e.PreviousState, e.NewState, e.Reason, timeProvider.GetTimestamp(), serverReceived(), counters.Snapshot().Rejected);
        lock (gate)
        {
            transitions.Add(transition);
        }

        switch (e.NewState)
        {
            case CircuitState.Open when e.PreviousState == CircuitState.HalfOpen:
                ScenarioLog.ProbeFailed(logger);
                break;
            case CircuitState.Open:
                ScenarioLog.BreakerOpened(logger);
                break;
            case CircuitState.HalfOpen:
                var period = OpenPeriods().LastOrDefault();
                ScenarioLog.BreakerHalfOpened(
                    logger, period?.Duration.TotalSeconds ?? 0, period?.Rejected ?? 0, period?.ServerReceived ?? 0);
                break;
            case CircuitState.Closed:
                ScenarioLog.BreakerClosed(logger);
                break;
            default:
                break;
        }
    }
}
