namespace ResilientGrpc.Interceptors.CircuitBreaker.Controller;

/// <summary>
/// Counts the outcomes of calls admitted while the circuit is closed and says when it must open.
/// Recording is lock-free; the controller takes its lock only when <see cref="RecordFailure"/> says to open.
/// </summary>
internal abstract class CircuitHealth
{
    /// <summary>The reason reported when this health opens the circuit.</summary>
    public abstract CircuitStateChangeReason OpenReason { get; }

    /// <summary>Creates the health that <paramref name="options"/> select: ratio mode when a failure ratio is set.</summary>
    public static CircuitHealth Create(CircuitBreakerOptions options, TimeProvider time) =>
        options.FailureRatio is { } ratio
            ? new FailureRatioHealth(ratio, options.MinimumThroughput, options.SamplingDuration, time)
            : new ConsecutiveFailuresHealth(options.FailureThreshold);

    /// <summary>Records a success. Lock-free and allocation-free.</summary>
    public abstract void RecordSuccess();

    /// <summary>Records a failure; true when the circuit must open, with the failures counted.</summary>
    public abstract bool RecordFailure(out int failureCount);

    /// <summary>Forgets every outcome; called under the controller's lock when the circuit closes.</summary>
    public abstract void Clear();
}
