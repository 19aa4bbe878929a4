using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>The state machine of one breaker (one key); see docs/architecture.md.</summary>
internal sealed class CircuitStateController(
    CircuitBreakerSettings settings, OutcomeClassifier classifier, string? key, TimeProvider time, ICircuitObserver observer)
    : ICallFailureListener, IAttemptWatcher
{
    private readonly Lock gate = new();
    private readonly OpeningRule rule = new(settings, time);
    private readonly long breakDuration = Timestamps.FromTimeSpan(settings.BreakDuration, time);
    private volatile CircuitState state;
    private volatile int generation;
    private long openUntil;
    private ProbeSlots probes = new(settings.HalfOpenProbes);
    private int rejections;
    private int rejectionsSinceClosed;

    public string BreakerName { get; } = settings.Name;

    public string? Key { get; } = key;

    /// <summary>The state a caller would meet now: Open reads as HalfOpen once the break has elapsed, without traffic.</summary>
    public CircuitState State
    {
        get
        {
            var current = state;
            return current == CircuitState.Open && time.GetTimestamp() >= Volatile.Read(ref openUntil)
                ? CircuitState.HalfOpen
                : current;
        }
    }

    /// <summary>Admits a call, or returns the error to fail it with. Lock-free while closed, isolated, or open within the break; otherwise the lock picks probes.</summary>
    public bool TryEnter(out CircuitPermit permit, [NotNullWhen(false)] out BrokenCircuitException? rejection)
    {
        var admittedIn = generation;
        var current = state;
        if (current == CircuitState.Closed)
        {
            permit = new CircuitPermit(admittedIn, IsProbe: false);
            rejection = null;
            return true;
        }

        var now = time.GetTimestamp();

        // Stryker disable once Block : a shortcut; without it the locked path below rejects the isolated circuit the same way.
        if (current == CircuitState.Isolated)
        {
            return Reject(CircuitState.Isolated, retryAfter: null, out permit, out rejection);
        }

        var until = Volatile.Read(ref openUntil);

        // Stryker disable once Block,Equality : a shortcut; the locked path rejects an open circuit within its break the same
        // way, and no other state meets a break still running (half-open begins when it has elapsed; the rest returned above).
        if (current == CircuitState.Open && now < until)
        {
            return Reject(CircuitState.Open, time.GetElapsedTime(now, until), out permit, out rejection);
        }

        return TryEnterSlow(now, out permit, out rejection);
    }

    public AttemptScope ScopeOf(CallAttempts? call, bool callerGaveUp) => rule.ScopeOf(call, callerGaveUp);

    /// <summary>Records how an admitted attempt ended (at most once per permit): a probe decides at once, else the rule counts it.</summary>
    public void OnAttemptEnded(CircuitPermit permit, CallOutcome outcome, in AttemptScope scope)
    {
        if (outcome != CallOutcome.Failure || permit.IsProbe)
        {
            scope.Owner?.ClearDeferredFailure();
        }

        if (permit.IsProbe)
        {
            // It closes the circuit, reopens it, or (ignored) frees its slot.
            Change(static (self, ended) => self.OnProbeCompleted_NeedsLock(ended.Permit, ended.Outcome), (Permit: permit, Outcome: outcome));
        }
        else if (permit.Generation == generation && rule.Count(outcome, scope, this, permit.Generation) is { } opening)
        {
            Open(permit.Generation, opening);
        }
    }

    /// <summary>An admitted attempt ended with <paramref name="error"/> (null: success), as the wrapper that observes it or its owner saw it.</summary>
    public void OnAttemptEnded(CircuitPermit permit, in AttemptScope scope, Exception? error, CancellationToken callerToken, CancellationToken readToken)
    {
        // The attempt may end in a stream read, where the call's span is not current: a transition it causes is marked on it.
        using var current = CurrentSpan.Of((scope.Owner as ResilienceCallContext)?.Span);
        OnAttemptEnded(permit, scope.CallerGaveUp ? CallOutcome.Ignored : classifier.Classify(error, callerToken, readToken), scope);
    }

    void IAttemptWatcher.OnAttemptEnded(CallAttempts call, long token, Exception? error, CancellationToken callerToken)
    {
        var permit = CircuitPermit.Unpack(token, out var callerGaveUp);
        OnAttemptEnded(permit, ScopeOf(call, callerGaveUp), error, callerToken, readToken: default);
    }

    public void OnCallFailed(int generation, long callStart)
    {
        if (generation == this.generation && rule.CallFailed(callStart) is { } opening)
        {
            Open(generation, opening);
        }
    }

    public void StartIsolated()
    {
        lock (gate)
        {
            Debug.Assert(state == CircuitState.Closed && generation == 0, "only a new breaker starts isolated");
            state = CircuitState.Isolated;
        }
    }

    public void Isolate() => Change(static (self, _) => self.MoveTo_NeedsLock(CircuitState.Isolated, CircuitStateChangeReason.Isolated), 0);

    public void Reset() => Change(static (self, _) => self.MoveTo_NeedsLock(CircuitState.Closed, CircuitStateChangeReason.Reset), 0);

    private bool TryEnterSlow(long now, out CircuitPermit permit, [NotNullWhen(false)] out BrokenCircuitException? rejection)
    {
        CircuitTransition? transition = null;
        CircuitState rejectedIn;
        TimeSpan? retryAfter;
        lock (gate)
        {
            if (state == CircuitState.Open && now >= openUntil)
            {
                transition = TransitionTo_NeedsLock(CircuitState.HalfOpen, CircuitStateChangeReason.BreakElapsed, failureCount: 0);
            }

            (rejectedIn, retryAfter) = state switch
            {
                CircuitState.Closed => (CircuitState.Closed, null),
                CircuitState.HalfOpen when probes.TryAdmit() => (CircuitState.Closed, null),
                CircuitState.HalfOpen => (CircuitState.HalfOpen, TimeSpan.Zero),
                CircuitState.Open => (CircuitState.Open, time.GetElapsedTime(now, openUntil)),
                _ => (CircuitState.Isolated, (TimeSpan?)null),
            };

            permit = new CircuitPermit(generation, IsProbe: state == CircuitState.HalfOpen);

            AssertInvariants_NeedsLock();
        }

        Raise(transition);
        if (rejectedIn == CircuitState.Closed)
        {
            rejection = null;
            return true;
        }

        return Reject(rejectedIn, retryAfter, out permit, out rejection);
    }

    private bool Reject(CircuitState rejectedIn, TimeSpan? retryAfter, out CircuitPermit permit, out BrokenCircuitException rejection)
    {
        var ordinal = Interlocked.Increment(ref rejections);
        permit = default;
        rejection = new BrokenCircuitException(BreakerName, Key, rejectedIn, retryAfter);
        observer.OnRejected(new CircuitRejection(Key, rejectedIn, ordinal));
        return false;
    }

    /// <summary>Opens the circuit for <paramref name="opening"/>, unless it moved on since the attempt was admitted in <paramref name="admittedIn"/>.</summary>
    private void Open(int admittedIn, Opening opening) => Change(
        static (self, cause) =>

            // Several threads may cross a threshold together; only the first of this generation opens it.
            // Stryker disable once Conditional,Logical : a race only; the caller checked the generation before the lock, and an
            // attempt is admitted in its generation only while closed.
            self.state == CircuitState.Closed && cause.AdmittedIn == self.generation
                ? self.TransitionTo_NeedsLock(CircuitState.Open, cause.Opening.Reason, cause.Opening.FailureCount)
                : null,
        (AdmittedIn: admittedIn, Opening: opening));

    private void Change<TArg>(Func<CircuitStateController, TArg, CircuitTransition?> change, TArg arg)
    {
        CircuitTransition? transition;
        lock (gate)
        {
            transition = change(this, arg);
            AssertInvariants_NeedsLock();
        }

        Raise(transition);
    }

    private CircuitTransition? OnProbeCompleted_NeedsLock(CircuitPermit permit, CallOutcome outcome)
    {
        if (permit.Generation != generation || state != CircuitState.HalfOpen)
        {
            return null;
        }

        switch (outcome)
        {
            case CallOutcome.Failure:
                return TransitionTo_NeedsLock(CircuitState.Open, CircuitStateChangeReason.ProbeFailed, failureCount: 1);
            case CallOutcome.Success:
                return probes.Succeeded()
                    ? TransitionTo_NeedsLock(CircuitState.Closed, CircuitStateChangeReason.ProbeSucceeded, failureCount: 0)
                    : null;
            default:
                probes.Free();
                return null;
        }
    }

    /// <summary>A control: the counts are forgotten, and the circuit moves to <paramref name="to"/> unless it is there already.</summary>
    private CircuitTransition? MoveTo_NeedsLock(CircuitState to, CircuitStateChangeReason reason)
    {
        rule.Clear();
        return state == to ? null : TransitionTo_NeedsLock(to, reason, failureCount: 0);
    }

    private CircuitTransition TransitionTo_NeedsLock(CircuitState to, CircuitStateChangeReason reason, int failureCount)
    {
        Debug.Assert(gate.IsHeldByCurrentThread, "transitions happen under the lock");
        var from = state;
        Debug.Assert(from != to, "only real transitions are reported");

        if (to == CircuitState.Open)
        {
            // openUntil is written before the volatile state write, so a reader that sees Open sees its deadline.
            Volatile.Write(ref openUntil, time.GetTimestamp() + breakDuration);
        }

        // Counts belong to one closed period; an outcome that slips in while the circuit is away from Closed is forgotten on its return.
        rule.Clear();

        // Rejections are counted per state for the "first rejection" log line, and summed over the whole time away
        // from Closed for the count reported when the circuit closes (the open period's rejections included).
        rejectionsSinceClosed += Interlocked.Exchange(ref rejections, 0);
        var rejected = rejectionsSinceClosed;
        if (to == CircuitState.Closed)
        {
            rejectionsSinceClosed = 0;
        }

        probes.Clear();

        // Stryker disable once Update : a generation only has to differ from the earlier ones, which counting down does too.
        generation++;
        state = to;
        return new CircuitTransition(Key, from, to, reason, failureCount, rejected);
    }

    [Conditional("DEBUG")]
    private void AssertInvariants_NeedsLock()
    {
        Debug.Assert(gate.IsHeldByCurrentThread, "invariants are read under the lock");
        probes.AssertValid(state == CircuitState.HalfOpen);
    }

    private void Raise(CircuitTransition? transition)
    {
        Debug.Assert(!gate.IsHeldByCurrentThread, "observers are never called under the lock");
        if (transition is { } value)
        {
            observer.OnTransition(value);
        }
    }
}
