using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>Reports how an admitted attempt ended, from the wrapper that observes it, to the breaker that admitted it.</summary>
internal readonly struct CircuitCallObserver(
    CircuitStateController controller,
    CircuitPermit permit,
    AttemptScope scope,
    CancellationToken callerToken) : ICallObserver
{
    public void OnEnded(Exception? error, CancellationToken readToken)
    {
        // A stream's attempt ends in the caller's read, where the call's span may not be current: transitions are marked on it.
        using var current = CurrentSpan.Of((scope.Owner as ResilienceCallContext)?.Span);
        controller.OnAttemptEnded(
            permit, scope.CallerGaveUp ? CallOutcome.Ignored : controller.Classify(error, callerToken, readToken), scope);
    }

    /// <summary>An attempt disposed before its final status was known counts as neither success nor failure.</summary>
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

    /// <summary>The permit a watch token was made of by <see cref="Pack"/>.</summary>
    public static CircuitPermit Unpack(long token, out bool callerGaveUp)
    {
        callerGaveUp = (token & 1) != 0;
        return new CircuitPermit((int)(uint)(token >> 2), (token & 2) != 0);
    }
}

/// <summary>What the breaker knows, from <see cref="OpeningRule.ScopeOf"/>, about the call an admitted attempt belongs to.</summary>
/// <param name="Owner">
/// The call's attempts when an owner above may send several: a failed attempt is then a failed call only once the
/// owner reports it (or has committed to the attempt). Null: the attempt is the call.
/// </param>
/// <param name="CallStart">When the call's first attempt was admitted (a timestamp).</param>
/// <param name="AttemptThreshold">The failed attempts in a row that open the circuit for this call.</param>
/// <param name="CallerGaveUp">The caller had cancelled, or its deadline had passed, before the attempt left: its outcome counts as nothing.</param>
internal readonly record struct AttemptScope(CallAttempts? Owner, long CallStart, int AttemptThreshold, bool CallerGaveUp);

/// <summary>How a finished call counts for the breaker.</summary>
internal enum CallOutcome
{
    /// <summary>A completed status outside the failure set: resets the consecutive count.</summary>
    Success,

    /// <summary>A final status in the failure set.</summary>
    Failure,

    /// <summary>Cancelled by the caller, disposed before completion, or status Cancelled: counts as neither.</summary>
    Ignored,
}
