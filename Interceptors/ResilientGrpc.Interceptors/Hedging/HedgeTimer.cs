namespace ResilientGrpc.Interceptors.Hedging;

/// <summary>
/// The wait before a hedged call's next hedge, on the injected clock. Each arming is numbered, so the late callback of a
/// wait disarmed since (a timer's callback may run after its disposal) cannot pass for the current one.
/// </summary>
internal struct HedgeTimer
{
    private ITimer? timer;
    private int arming;
    private int fired;

    public readonly bool IsArmed => timer is not null;

    /// <summary>Arms a wait; when it ends, <paramref name="onFired"/> gets <paramref name="owner"/> and the arming's number for <see cref="Fire"/>.</summary>
    public void Arm<TOwner>(TimeProvider time, TimeSpan wait, Action<TOwner, int> onFired, TOwner owner)
        where TOwner : class
    {
        var number = Interlocked.Increment(ref arming);
        timer = time.CreateTimer(static s => ((Fired<TOwner>)s!).Raise(), new Fired<TOwner>(onFired, owner, number), wait, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Arming <paramref name="number"/> ended: the wait fired, unless it was disarmed since.</summary>
    public void Fire(int number)
    {
        if (number == Volatile.Read(ref arming))
        {
            Interlocked.Exchange(ref fired, 1);
        }
    }

    /// <summary>Whether the wait ended since it was armed; it is then disarmed.</summary>
    public bool TakeFired()
    {
        if (Interlocked.Exchange(ref fired, 0) == 0)
        {
            return false;
        }

        Disarm();
        return true;
    }

    public void Disarm()
    {
        Interlocked.Increment(ref arming);
        Interlocked.Exchange(ref timer, null)?.Dispose();
        Interlocked.Exchange(ref fired, 0);
    }

    private sealed record Fired<TOwner>(Action<TOwner, int> OnFired, TOwner Owner, int Number)
    {
        public void Raise() => OnFired(Owner, Number);
    }
}
