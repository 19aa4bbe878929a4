using System.Globalization;
using Grpc.Core;
using ResilientGrpc.Interceptors.CircuitBreaker;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors;

/// <summary>
/// The error of a call that a circuit breaker rejected without sending it: status
/// <see cref="StatusCode.Unavailable"/>, a detail naming the open circuit, and the trailer
/// <c>resilientgrpc-circuit</c> with the circuit's state. Retrying it is pointless until <see cref="RetryAfter"/>.
/// </summary>
public sealed class BrokenCircuitException : RpcException, INonRetryableError
{
    /// <summary>Creates the error of a call rejected by the breaker <paramref name="breakerName"/>.</summary>
    /// <param name="breakerName">The <see cref="CircuitBreakerOptions.Name"/> of the breaker.</param>
    /// <param name="key">The key of the breaker, or null when it has none.</param>
    /// <param name="state">The state that rejected the call: Open, HalfOpen or Isolated.</param>
    /// <param name="retryAfter">The time until the circuit lets a probe through, or null when it is isolated.</param>
    public BrokenCircuitException(string breakerName, string? key, CircuitState state, TimeSpan? retryAfter)
        : base(new Status(StatusCode.Unavailable, Describe(breakerName, key, state, retryAfter)), TrailersFor(state))
    {
        BreakerName = breakerName;
        Key = key;
        State = state;
        RetryAfter = retryAfter;
    }

    /// <summary>The <see cref="CircuitBreakerOptions.Name"/> of the breaker that rejected the call.</summary>
    public string BreakerName { get; }

    /// <summary>The key of the breaker that rejected the call, or null when it has none.</summary>
    public string? Key { get; }

    /// <summary>The state that rejected the call: Open, HalfOpen (a probe is in flight) or Isolated.</summary>
    public CircuitState State { get; }

    /// <summary>
    /// How long until the circuit lets a probe through: the rest of the break when open, zero when half-open
    /// (another call is probing), null when isolated (only <see cref="CircuitBreakerInterceptor.Reset()"/> closes it).
    /// </summary>
    public TimeSpan? RetryAfter { get; }

    private static string Describe(string breakerName, string? key, CircuitState state, TimeSpan? retryAfter)
    {
        var circuit = key is null ? $"'{breakerName}'" : $"'{breakerName}' (key '{key}')";
        return state switch
        {
            CircuitState.Isolated => $"Circuit {circuit} is open: isolated until reset.",
            CircuitState.HalfOpen => $"Circuit {circuit} is open: half-open, a probe call is in flight.",
            _ => string.Create(
                CultureInfo.InvariantCulture,
                $"Circuit {circuit} is open: retry after {retryAfter.GetValueOrDefault().TotalSeconds:0.###} s."),
        };
    }

    private static Metadata TrailersFor(CircuitState state) =>
        new() { { StateNames.TrailerName, StateNames.Of(state) } };
}
