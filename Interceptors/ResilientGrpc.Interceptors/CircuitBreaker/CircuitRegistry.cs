using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Grpc.Core;

namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>The state machines of one breaker, one per key with a <see cref="CircuitBreakerOptions.KeySelector"/> (<paramref name="create"/> gets null for the single one).</summary>
internal sealed class CircuitRegistry(CircuitBreakerSettings settings, Func<string?, CircuitStateController> create)
{
    private readonly CircuitStateController? single = settings.KeySelector is null ? create(null) : null;
    private readonly ConcurrentDictionary<string, CircuitStateController>? keyed = settings.KeySelector is null ? null : new(StringComparer.Ordinal);
    private volatile bool isolateNewKeys;

    public CircuitState State
    {
        get
        {
            if (single is not null)
            {
                return single.State;
            }

            var worst = isolateNewKeys ? CircuitState.Isolated : CircuitState.Closed;
            foreach (var controller in keyed!.Values)
            {
                var state = controller.State;
                worst = Severity(state) > Severity(worst) ? state : worst;
            }

            return worst;
        }
    }

    public CircuitStateController For(IMethod method) => single ?? For(keyed!, settings.KeySelector!(method) ?? string.Empty);

    public CircuitState GetState(string key) =>
        Keyed(key).TryGetValue(key, out var controller)
            ? controller.State
            : isolateNewKeys ? CircuitState.Isolated : CircuitState.Closed;

    public void Isolate()
    {
        isolateNewKeys = true;
        foreach (var controller in All())
        {
            controller.Isolate();
        }
    }

    public void Isolate(string key) => For(Keyed(key), key).Isolate();

    public void Reset()
    {
        isolateNewKeys = false;
        foreach (var controller in All())
        {
            controller.Reset();
        }
    }

    public void Reset(string key) => For(Keyed(key), key).Reset();

    public IEnumerable<Measurement<int>> States(Func<string?, string> nameOf) =>
        single is not null ? [Measure(single, nameOf(null))] : keyed!.Select(pair => Measure(pair.Value, nameOf(pair.Key)));

    private static Measurement<int> Measure(CircuitStateController controller, string breaker) =>
        new((int)controller.State, new KeyValuePair<string, object?>(ResilienceTelemetry.Tags.Breaker, breaker));

    private static int Severity(CircuitState state) => state switch
    {
        CircuitState.Isolated => 3,
        CircuitState.Open => 2,
        CircuitState.HalfOpen => 1,
        _ => 0,
    };

    private IEnumerable<CircuitStateController> All() => single is not null ? [single] : keyed!.Values;

    /// <summary>The keyed breakers, for a member the caller gave <paramref name="key"/>: checked here for all of them.</summary>
    private ConcurrentDictionary<string, CircuitStateController> Keyed(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return keyed ?? throw new InvalidOperationException(
            $"Circuit breaker '{settings.Name}' has no {nameof(CircuitBreakerOptions.KeySelector)}; use the members without a key.");
    }

    private CircuitStateController For(ConcurrentDictionary<string, CircuitStateController> breakers, string key) =>
        breakers.GetOrAdd(key, static (k, self) => self.Create(k), this);

    /// <summary>
    /// The breaker of a key seen for the first time. A key first seen after Isolate() starts isolated (no event: nothing
    /// changed for a caller). A key created concurrently with Isolate() may miss it; Isolate() again or Isolate(key) covers that.
    /// </summary>
    private CircuitStateController Create(string key)
    {
        var created = create(key);
        if (isolateNewKeys)
        {
            created.StartIsolated();
        }

        return created;
    }
}
