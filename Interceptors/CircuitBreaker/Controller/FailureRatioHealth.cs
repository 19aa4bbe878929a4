namespace ResilientGrpc.Interceptors.CircuitBreaker.Controller;

/// <summary>
/// Ratio mode: opens when failures / calls over the sampling window reach the ratio, once the window holds at
/// least the minimum throughput.
/// </summary>
internal sealed class FailureRatioHealth(double ratio, int minimumThroughput, TimeSpan samplingDuration, TimeProvider time)
    : CircuitHealth
{
    private readonly RollingWindow window = new(samplingDuration, time);

    public override CircuitStateChangeReason OpenReason => CircuitStateChangeReason.FailureRatio;

    public override void RecordSuccess() => window.Record(failure: false);

    public override bool RecordFailure(out int failureCount)
    {
        window.Record(failure: true);
        var (total, failures) = window.Totals();
        failureCount = failures;

        // Division, not failures >= ratio * total: 3 / 10 equals the literal 0.3, while 0.3 * 10 exceeds 3.
        return total >= minimumThroughput && (double)failures / total >= ratio;
    }

    public override void Clear() => window.Clear();
}
