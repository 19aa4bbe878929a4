namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>
/// Counts the outcomes of attempts and calls admitted while the circuit is closed and says when it must open.
/// An attempt that succeeds is a call that succeeds. A failed attempt is reported at once; the call it belongs to is
/// reported as failed only when no retry follows it. The controller takes its lock only when a record says to open.
/// </summary>
internal abstract class CircuitHealth
{
    /// <summary>Creates the health that <paramref name="settings"/> select: ratio mode when a failure ratio is set.</summary>
    public static CircuitHealth Create(CircuitBreakerSettings settings, TimeProvider time) =>
        settings.FailureRatio is { } ratio
            ? new FailureRatioHealth(ratio, settings.MinimumThroughput, settings.SamplingDuration, time)
            : new ConsecutiveFailuresHealth(settings.FailureThreshold);

    /// <summary>Records a successful attempt, which is a successful call. Lock-free and allocation-free.</summary>
    public abstract void RecordSuccess();

    /// <summary>
    /// Records a failed attempt, whether or not it will be retried. Returns the reason to open, with the failures
    /// counted, or null to stay closed.
    /// </summary>
    /// <param name="attemptThreshold">The failed attempts in a row that open the circuit for this attempt's call.</param>
    /// <param name="failureCount">The failures counted by the rule that says to open.</param>
    public abstract CircuitStateChangeReason? RecordAttemptFailure(int attemptThreshold, out int failureCount);

    /// <summary>
    /// Records a failed call: its last attempt failed and no retry follows. Returns the reason to open, with the
    /// failures counted, or null to stay closed.
    /// </summary>
    /// <param name="callStart">When the breaker admitted the call's first attempt (a timestamp).</param>
    /// <param name="callEnd">Now: when the call failed (a timestamp).</param>
    /// <param name="failureCount">The failures counted by the rule that says to open.</param>
    public abstract CircuitStateChangeReason? RecordCallFailure(long callStart, long callEnd, out int failureCount);

    /// <summary>Forgets every outcome; called under the controller's lock when the circuit closes.</summary>
    public abstract void Clear();
}
