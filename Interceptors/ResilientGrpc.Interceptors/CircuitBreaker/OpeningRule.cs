using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>
/// The breaker's whole opening rule while closed: what counts, when, and against which threshold. Its counters are its
/// <see cref="CircuitHealth"/>; the <see cref="CircuitStateController"/> around it opens the circuit when it says so.
/// </summary>
/// <remarks>
/// <para>
/// <b>A call fails once.</b> An attempt that succeeds is a call that succeeds, and resets the count. A failed attempt
/// counts at once as a failed attempt, and as a failed call only when no attempt can follow it: the call has no owner
/// of several attempts above (retry, hedging), the owner committed to it, or the owner later reports that the call
/// failed for good (<see cref="CallAttempts.CallFailed"/>: every retry spent, every hedge failed). Until then the
/// failure is deferred to the owner (<see cref="CallAttempts"/>), so a call rescued by a retry or a hedge is a success.
/// </para>
/// <para>
/// <b>Two rules in consecutive mode</b>, either of which opens: <see cref="CircuitBreakerOptions.FailureThreshold"/>
/// failed calls in a row, what a caller making one call at a time sees; and failed attempts in a row, which opens the
/// circuit within a fraction of a second when the server is down under load: <see cref="CircuitBreakerOptions.AttemptFailureThreshold"/>,
/// by default the call threshold × the attempts the owner may send (<see cref="CallAttempts.MaxAttempts"/>; 5 × 3 = 15
/// with the defaults, for retries and hedges alike), once the server has answered nothing for
/// <see cref="CircuitBreakerOptions.MinimumSilence"/>: an overloaded server sheds bursts of attempts in a row but keeps
/// answering the rest; a dead one answers nothing. In ratio mode only failed calls count.
/// </para>
/// <para>
/// An attempt whose caller had given up before it left, or cancelled it, counts as nothing, and so does an outcome
/// from before the circuit last changed state (the controller drops those).
/// </para>
/// </remarks>
internal sealed class OpeningRule(CircuitBreakerSettings settings, TimeProvider time)
{
    private readonly CircuitHealth health = CircuitHealth.Create(settings, time);

    /// <summary>What an attempt of the call with context <paramref name="call"/> belongs to: the owner that may rescue it, its start, its threshold.</summary>
    public AttemptScope ScopeOf(CallAttempts? call, bool callerGaveUp)
    {
        var now = time.GetTimestamp();
        var attempts = call?.MaxAttempts ?? 0;
        var owned = attempts > 1 ? call : null;
        var threshold = settings.AttemptFailureThreshold ?? settings.FailureThreshold * Math.Max(1, attempts);
        return new AttemptScope(owned, owned?.StampCallStart(now) ?? now, threshold, callerGaveUp);
    }

    /// <summary>
    /// Counts how an attempt admitted in the current period of a closed circuit ended. A failure an owner may still
    /// rescue is deferred to it, with <paramref name="listener"/> and <paramref name="generation"/> to call back.
    /// </summary>
    /// <returns>Why the circuit must open, or null.</returns>
    public Opening? Count(CallOutcome outcome, in AttemptScope scope, ICallFailureListener listener, int generation)
    {
        if (outcome == CallOutcome.Success)
        {
            health.RecordSuccess();
            return null;
        }

        if (outcome != CallOutcome.Failure)
        {
            return null;
        }

        var reason = health.RecordAttemptFailure(scope.AttemptThreshold, time.GetTimestamp(), out var failures);
        if (scope.Owner is { IsFinalAttempt: false } owner)
        {
            if (reason is null)
            {
                owner.DeferFailure(listener, generation);
            }

            return reason is { } attempts ? new Opening(attempts, failures) : null;
        }

        // The attempt is the call: when both rules are met, the call rule (the user's) is the one reported.
        return CallFailed(scope.CallStart) ?? (reason is { } opened ? new Opening(opened, failures) : null);
    }

    /// <summary>A call whose first attempt started at <paramref name="callStart"/> failed for good.</summary>
    /// <returns>Why the circuit must open, or null.</returns>
    public Opening? CallFailed(long callStart) =>
        health.RecordCallFailure(callStart, time.GetTimestamp(), out var failures) is { } reason ? new Opening(reason, failures) : null;

    public void Clear() => health.Clear();
}
