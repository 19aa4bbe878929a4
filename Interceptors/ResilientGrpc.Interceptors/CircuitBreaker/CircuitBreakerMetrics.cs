using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>The circuit breaker instruments: state changes, rejected calls, and the state gauge of every live breaker.</summary>
internal sealed class CircuitBreakerMetrics
{
    private readonly ConditionalWeakTable<object, Func<IEnumerable<Measurement<int>>>> breakerStates = [];
    private readonly Counter<long> transitions;
    private readonly Counter<long> rejections;

    private CircuitBreakerMetrics(Meter meter)
    {
        transitions = meter.CreateCounter<long>(
            ResilienceTelemetry.Instruments.BreakerTransitions, "{transition}", "Circuit breaker state changes.");
        rejections = meter.CreateCounter<long>(
            ResilienceTelemetry.Instruments.BreakerRejections, "{call}", "Calls failed at once because the circuit was open.");
        meter.CreateObservableGauge(
            ResilienceTelemetry.Instruments.BreakerState, ObserveStates, "{state}",
            "Circuit breaker state: 0 closed, 1 open, 2 half-open, 3 isolated.");
    }

    public static CircuitBreakerMetrics For(IMeterFactory? meterFactory) =>
        ResilienceMeter.Instruments(ResilienceMeter.For(meterFactory), static m => new CircuitBreakerMetrics(m));

    public void Transitioned(string breaker, CircuitState from, CircuitState to)
    {
        if (transitions.Enabled)
        {
            transitions.Add(1, new TagList
            {
                { ResilienceTelemetry.Tags.Breaker, breaker }, { ResilienceTelemetry.Tags.From, StateNames.Of(from) }, { ResilienceTelemetry.Tags.To, StateNames.Of(to) },
            });
        }
    }

    public void Rejected(string breaker, string method)
    {
        if (rejections.Enabled)
        {
            rejections.Add(1, new TagList { { ResilienceTelemetry.Tags.Breaker, breaker }, { ResilienceTelemetry.Tags.Method, method } });
        }
    }

    /// <summary>Adds <paramref name="observe"/> to the state gauge for as long as <paramref name="owner"/> lives.</summary>
    public void ObserveStates(object owner, Func<IEnumerable<Measurement<int>>> observe) => breakerStates.AddOrUpdate(owner, observe);

    private IEnumerable<Measurement<int>> ObserveStates()
    {
        foreach (var (_, observe) in breakerStates)
        {
            foreach (var measurement in observe())
            {
                yield return measurement;
            }
        }
    }
}
