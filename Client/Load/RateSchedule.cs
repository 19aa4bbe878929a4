namespace ResilientGrpc.Client.Load;

/// <summary>
/// Paces calls at fixed intervals from a start time, so a slow start does not lower the rate; after falling
/// behind by more than a second (every slot busy) it starts afresh instead of bursting to catch up.
/// </summary>
internal sealed class RateSchedule(TimeSpan interval, TimeProvider timeProvider)
{
    private static readonly TimeSpan MaxLag = TimeSpan.FromSeconds(1);

    private long start = timeProvider.GetTimestamp();
    private long count;

    /// <summary>The wait until the next call is due (zero when it is already due).</summary>
    public TimeSpan NextDelay()
    {
        count++;
        var elapsed = timeProvider.GetElapsedTime(start);
        var due = interval * count;
        if (elapsed - due > MaxLag)
        {
            start = timeProvider.GetTimestamp();
            count = 0;
            return TimeSpan.Zero;
        }

        return due > elapsed ? due - elapsed : TimeSpan.Zero;
    }
}
