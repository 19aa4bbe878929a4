namespace ResilientGrpc.Interceptors.CircuitBreaker;

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
    public override CircuitStateChangeReason? RecordAttemptFailure(int attemptThreshold, out int failureCount)
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
