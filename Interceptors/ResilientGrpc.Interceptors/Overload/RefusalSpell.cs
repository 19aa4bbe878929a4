namespace ResilientGrpc.Interceptors.Overload;

/// <summary>
/// A spell of local refusals, for the log: it starts with a refusal, and ends with the first admission a second or more
/// after the last refusal. Admissions outside a spell cost one read.
/// </summary>
internal sealed class RefusalSpell(TimeProvider time)
{
    private readonly long quiet = time.TimestampFrequency;
    private int active;
    private long lastRefusal;
    private long refused;

    /// <summary>Counts a refusal; true when it starts a spell.</summary>
    public bool Refused()
    {
        Interlocked.Increment(ref refused);
        Volatile.Write(ref lastRefusal, time.GetTimestamp());
        return Volatile.Read(ref active) == 0 && Interlocked.CompareExchange(ref active, 1, 0) == 0;
    }

    /// <summary>An attempt was admitted: true, with the refusals of the spell, when this ends one.</summary>
    public bool Admitted(out long refusals)
    {
        refusals = 0;
        if (Volatile.Read(ref active) == 0 || time.GetTimestamp() - Volatile.Read(ref lastRefusal) < quiet
            || Interlocked.CompareExchange(ref active, 0, 1) != 1)
        {
            return false;
        }

        refusals = Interlocked.Exchange(ref refused, 0);
        return true;
    }
}
