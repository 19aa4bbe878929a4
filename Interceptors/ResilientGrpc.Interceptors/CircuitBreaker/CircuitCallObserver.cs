using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>Reports how an admitted attempt ended, from the wrapper that observes it, to the breaker that admitted it.</summary>
internal readonly struct CircuitCallObserver(
    CircuitStateController controller,
    CircuitPermit permit,
    AttemptScope scope,
    CancellationToken callerToken) : ICallObserver
{
    public void OnEnded(Exception? error, CancellationToken readToken) => controller.OnAttemptEnded(permit, scope, error, callerToken, readToken);

    public void OnAbandoned() => controller.OnAttemptEnded(permit, CallOutcome.Ignored, scope);

    /// <summary>The call below threw instead of starting: a local error, which counts as nothing and frees a probe slot. False, for a filter.</summary>
    public bool LocalError()
    {
        OnAbandoned();
        return false;
    }
}

/// <summary>What a call was admitted as; an outcome from a generation the circuit has since left is stale and ignored.</summary>
internal readonly record struct CircuitPermit(int Generation, bool IsProbe)
{
    /// <summary>The permit, and whether the attempt's caller had given up before it left, as one watch token.</summary>
    public long Pack(bool callerGaveUp) => ((long)(uint)Generation << 2) | (IsProbe ? 2L : 0L) | (callerGaveUp ? 1L : 0L);

    public static CircuitPermit Unpack(long token, out bool callerGaveUp)
    {
        callerGaveUp = (token & 1) != 0;
        return new CircuitPermit((int)(uint)(token >> 2), (token & 2) != 0);
    }
}

/// <summary>What the breaker knows of the call an admitted attempt belongs to (<see cref="OpeningRule.ScopeOf"/>); a null owner: the attempt is the call.</summary>
internal readonly record struct AttemptScope(CallAttempts? Owner, long CallStart, int AttemptThreshold, bool CallerGaveUp);

/// <summary>How a finished call counts for the breaker.</summary>
internal enum CallOutcome
{
    Success,

    Failure,

    Ignored,
}
