namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>The counters of the <see cref="OpeningRule"/>: outcomes admitted while closed, and whether the circuit must open.</summary>
internal abstract class CircuitHealth
{
    public static CircuitHealth Create(CircuitBreakerSettings settings, TimeProvider time) =>
        settings.FailureRatio is { } ratio
            ? new FailureRatioHealth(ratio, settings.MinimumThroughput, settings.SamplingDuration, time)
            : new ConsecutiveFailuresHealth(settings.FailureThreshold, Timestamps.FromTimeSpan(settings.MinimumSilence, time));

    /// <summary>Records a successful attempt, which is a successful call. Lock-free and allocation-free.</summary>
    public abstract void RecordSuccess();

    /// <summary>Records a failed attempt, retried or not; returns why to open, or null.</summary>
    /// <param name="attemptThreshold">The failed attempts in a row that open the circuit for this attempt's call.</param>
    /// <param name="now">When it failed (a timestamp).</param>
    /// <param name="failureCount">The failures counted by the rule that says to open.</param>
    public abstract CircuitStateChangeReason? RecordAttemptFailure(int attemptThreshold, long now, out int failureCount);

    /// <summary>Records a failed call (its last attempt failed and none follows); returns why to open, or null.</summary>
    /// <param name="callStart">When the breaker admitted the call's first attempt (a timestamp).</param>
    /// <param name="callEnd">Now: when the call failed (a timestamp).</param>
    /// <param name="failureCount">The failures counted by the rule that says to open.</param>
    public abstract CircuitStateChangeReason? RecordCallFailure(long callStart, long callEnd, out int failureCount);

    /// <summary>Forgets every outcome; called under the controller's lock when the circuit changes state or is reset.</summary>
    public abstract void Clear();
}

/// <summary>The <see cref="OpeningRule"/>'s verdict that the circuit must open: why, and after how many failures.</summary>
internal readonly record struct Opening(CircuitStateChangeReason Reason, int FailureCount);

/// <summary>
/// Ratio mode: opens when failed calls / calls in the sampling window reach the ratio, once the window holds the
/// minimum throughput. Only calls count (see <see cref="OpeningRule"/>), not the failed attempts that were retried.
/// </summary>
internal sealed class FailureRatioHealth(double ratio, int minimumThroughput, TimeSpan samplingDuration, TimeProvider time)
    : CircuitHealth
{
    private readonly RollingWindow window = new(samplingDuration, time);

    public override void RecordSuccess() => window.Record(failure: false);

    // Stryker disable once Block : an empty body returns the defaults, 0 and null, which is what this body returns.
    public override CircuitStateChangeReason? RecordAttemptFailure(int attemptThreshold, long now, out int failureCount)
    {
        failureCount = 0;
        return null;
    }

    public override CircuitStateChangeReason? RecordCallFailure(long callStart, long callEnd, out int failureCount)
    {
        window.Record(failure: true);
        var (total, failures) = window.Totals();
        failureCount = failures;

        // Division, not failures >= ratio * total: 3 / 10 equals the literal 0.3, while 0.3 * 10 exceeds 3.
        return total >= minimumThroughput && (double)failures / total >= ratio ? CircuitStateChangeReason.FailureRatio : null;
    }

    public override void Clear() => window.Clear();
}
