using ResilientGrpc.Interceptors.Internal;


namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>What the breaker needs to know about the call an admitted attempt belongs to.</summary>
/// <param name="RetriedCall">
/// The call's shared context when a retry interceptor above retries it: a failed attempt is then a failed call only
/// once the retry interceptor confirms it (or has committed to the attempt). Null: the attempt is the call.
/// </param>
/// <param name="CallStart">When the breaker admitted the call's first attempt (a timestamp).</param>
/// <param name="AttemptThreshold">The failed attempts in a row that open the circuit for this call.</param>
/// <param name="CallerGaveUp">
/// The caller had cancelled or its deadline had passed before the attempt left: it cannot reach the server and its
/// outcome counts as neither success nor failure.
/// </param>
internal readonly record struct AttemptScope(ResilienceCallContext? RetriedCall, long CallStart, int AttemptThreshold, bool CallerGaveUp);
