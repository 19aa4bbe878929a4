namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>
/// Consecutive mode, two rules, either of which opens the circuit; any success resets both.
/// <list type="bullet">
/// <item><b>Failed calls in a row</b>: <c>threshold</c> failed calls, each admitted after the previous counted one
/// had failed. That is exactly what a caller who makes calls one at a time sees. A failed call that overlapped the
/// last counted one neither extends the run nor breaks it, so random failures among concurrent calls cannot line up
/// into a run.</item>
/// <item><b>Failed attempts in a row</b>: the attempt threshold of the failing attempt's call (by default the call
/// threshold × the attempts its retry may make), counted in the order attempts end, concurrent or not. This is what
/// opens the circuit within a fraction of a second under load when the server is down.</item>
/// </list>
/// </summary>
/// <remarks>
/// Successes are lock-free: one read when no failure is pending. Failed calls take a small lock of their own to
/// extend the run; the attempt count is interlocked.
/// </remarks>
internal sealed class ConsecutiveFailuresHealth(int threshold) : CircuitHealth
{
    private readonly Lock runGate = new();
    private int failedAttempts;
    private int failedCalls;
    private long runEnd = long.MinValue;

    public override void RecordSuccess()
    {
        // The common case (no failure pending) is two reads and no write, so successes do not contend.
        if (Volatile.Read(ref failedAttempts) != 0)
        {
            Interlocked.Exchange(ref failedAttempts, 0);
        }

        if (Volatile.Read(ref failedCalls) != 0)
        {
            lock (runGate)
            {
                failedCalls = 0;
                runEnd = long.MinValue;
            }
        }
    }

    public override CircuitStateChangeReason? RecordAttemptFailure(int attemptThreshold, out int failureCount)
    {
        failureCount = Interlocked.Increment(ref failedAttempts);
        return failureCount >= attemptThreshold ? CircuitStateChangeReason.ConsecutiveFailedAttempts : null;
    }

    public override CircuitStateChangeReason? RecordCallFailure(long callStart, long callEnd, out int failureCount)
    {
        lock (runGate)
        {
            if (callStart >= runEnd)
            {
                failedCalls++;
                runEnd = callEnd;
            }

            failureCount = failedCalls;
        }

        return failureCount >= threshold ? CircuitStateChangeReason.ConsecutiveFailures : null;
    }

    public override void Clear()
    {
        Interlocked.Exchange(ref failedAttempts, 0);
        lock (runGate)
        {
            failedCalls = 0;
            runEnd = long.MinValue;
        }
    }
}
