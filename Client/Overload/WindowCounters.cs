namespace ResilientGrpc.Client.Overload;

/// <summary>
/// Thread-safe counts per counting window, on the run's clock. A call is counted in the window in which it is due
/// (offered) and in the window in which it ends (by its outcome); ends after the last window are counted as late.
/// </summary>
internal sealed class WindowCounters
{
    private static readonly int Kinds = Enum.GetValues<OverloadOutcome>().Length;

    private readonly TimeSpan window;
    private readonly long[] offered;
    private readonly long[] ended;
    private readonly long[] received;
    private long late;

    public WindowCounters(int windows, TimeSpan window)
    {
        this.window = window;
        offered = new long[windows];
        ended = new long[windows * Kinds];
        received = new long[windows];
    }

    /// <summary>Gets the number of windows.</summary>
    public int Count => offered.Length;

    /// <summary>Gets the calls that ended after the last window.</summary>
    public long Late => Interlocked.Read(ref late);

    /// <summary>The window <paramref name="elapsed"/> falls in, or -1 past the last.</summary>
    public int WindowAt(TimeSpan elapsed)
    {
        var index = (int)(elapsed / window);
        return index < Count ? Math.Max(0, index) : -1;
    }

    public void Offered(int index) => Interlocked.Increment(ref offered[index]);

    public void Ended(TimeSpan elapsed, OverloadOutcome outcome)
    {
        var index = WindowAt(elapsed);
        if (index < 0)
        {
            Interlocked.Increment(ref late);
            return;
        }

        Interlocked.Increment(ref ended[(index * Kinds) + (int)outcome]);
    }

    /// <summary>Records what the server received in window <paramref name="index"/>.</summary>
    public void Received(int index, long attempts) => Interlocked.Exchange(ref received[index], attempts);

    /// <summary>The counts of window <paramref name="index"/> so far.</summary>
    public OverloadWindow Snapshot(int index)
    {
        long Of(OverloadOutcome outcome) => Interlocked.Read(ref ended[(index * Kinds) + (int)outcome]);

        return new OverloadWindow(
            index,
            window * index,
            Interlocked.Read(ref offered[index]),
            Of(OverloadOutcome.Ok),
            Of(OverloadOutcome.ServerUnavailable),
            Of(OverloadOutcome.DeadlineExceeded),
            Of(OverloadOutcome.RefusedLocally),
            Of(OverloadOutcome.BreakerRejected),
            Of(OverloadOutcome.OtherError),
            Interlocked.Read(ref received[index]));
    }
}
