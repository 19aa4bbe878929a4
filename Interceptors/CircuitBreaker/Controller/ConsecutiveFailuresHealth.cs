namespace ResilientGrpc.Interceptors.CircuitBreaker.Controller;

/// <summary>Consecutive mode: the <c>threshold</c>-th failure in a row opens the circuit; a success resets the count.</summary>
internal sealed class ConsecutiveFailuresHealth(int threshold) : CircuitHealth
{
    private int failures;

    public override CircuitStateChangeReason OpenReason => CircuitStateChangeReason.ConsecutiveFailures;

    public override void RecordSuccess()
    {
        // The common case (no failure pending) is one read and no write, so successes do not contend.
        if (Volatile.Read(ref failures) != 0)
        {
            Interlocked.Exchange(ref failures, 0);
        }
    }

    public override bool RecordFailure(out int failureCount)
    {
        failureCount = Interlocked.Increment(ref failures);
        return failureCount >= threshold;
    }

    public override void Clear() => Interlocked.Exchange(ref failures, 0);
}
