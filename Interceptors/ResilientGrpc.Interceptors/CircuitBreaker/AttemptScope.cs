using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>What the breaker knows, from <see cref="OpeningRule.ScopeOf"/>, about the call an admitted attempt belongs to.</summary>
/// <param name="Owner">
/// The call's attempts when an owner above may send several: a failed attempt is then a failed call only once the
/// owner reports it (or has committed to the attempt). Null: the attempt is the call.
/// </param>
/// <param name="CallStart">When the call's first attempt was admitted (a timestamp).</param>
/// <param name="AttemptThreshold">The failed attempts in a row that open the circuit for this call.</param>
/// <param name="CallerGaveUp">The caller had cancelled, or its deadline had passed, before the attempt left: its outcome counts as nothing.</param>
internal readonly record struct AttemptScope(CallAttempts? Owner, long CallStart, int AttemptThreshold, bool CallerGaveUp);
