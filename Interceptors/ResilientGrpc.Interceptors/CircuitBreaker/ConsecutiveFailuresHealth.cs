namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>
/// Consecutive mode (see <see cref="OpeningRule"/>): either rule opens the circuit, any success resets both. Failed
/// attempts count in the order they end, concurrent or not, and open the circuit once the first of them is at least
/// <c>silence</c> old (no success since). A failed call counts only if admitted after the last counted one failed, as a
/// caller making one call at a time sees it: one that overlapped it neither extends nor breaks the run, so random
/// failures among concurrent calls cannot line up into one.
/// </summary>
/// <remarks>Successes are lock-free (a read when nothing is pending); a failed call takes a small lock to extend the run.</remarks>
internal sealed class ConsecutiveFailuresHealth(int threshold, long silence) : CircuitHealth
{
    private const long NoRun = long.MaxValue;
    private readonly Lock runGate = new();
    private long firstFailure = NoRun;
    private int failedAttempts;
    private int failedCalls;
    private long runEnd = long.MinValue;

    public override void RecordSuccess()
    {
        // The common case (no failure pending) is two reads and no write, so successes do not contend.
        if (Volatile.Read(ref failedAttempts) != 0)
        {
            // Stryker disable once Statement : one at a time, the next failure is the first and sets the start itself; the reset serves only a failure counted before the count below is reset, a race no test can schedule.
            Volatile.Write(ref firstFailure, NoRun);
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

    public override CircuitStateChangeReason? RecordAttemptFailure(int attemptThreshold, long now, out int failureCount)
    {
        failureCount = Interlocked.Increment(ref failedAttempts);
        if (failureCount == 1)
        {
            Volatile.Write(ref firstFailure, now);
        }
        // Stryker disable once all : reached only when a success resets the run between this failure's count and its read of the start, a race no test can schedule.
        else if (Volatile.Read(ref firstFailure) == NoRun)
        {
            // A success reset the run while this failure counted on it: the run starts here.
            Interlocked.CompareExchange(ref firstFailure, now, NoRun);
        }

        return failureCount >= attemptThreshold && now - Volatile.Read(ref firstFailure) >= silence
            ? CircuitStateChangeReason.ConsecutiveFailedAttempts
            : null;
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

    /// <summary>Forgets both runs, as a success does.</summary>
    public override void Clear() => RecordSuccess();
}
