namespace ResilientGrpc.Interceptors.Deadline;

/// <summary>
/// The clock of one stream's first-response and idle limits: one timer on the interceptor's <see cref="TimeProvider"/>,
/// set for the next limit that may pass, that reports the first limit to pass to <see cref="OnExpired"/>, once.
/// </summary>
/// <remarks>
/// One lock guards the phase and the timer; disposing the timer and <see cref="OnExpired"/> run outside it. A message
/// only records when it came, without touching the timer: a timer that fires before the idle limit has passed is set
/// again for the rest.
/// </remarks>
internal abstract class StreamClock
{
    // The longest due time a timer accepts (about 49.7 days); a longer limit is set again when the timer fires.
    private static readonly TimeSpan LongestDue = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly Lock gate = new();
    private readonly TimeProvider time;
    private readonly bool waitsForRequestEnd;
    private ITimer? timer;
    private volatile Phase phase;
    private long waitStart;
    private long lastMessage;

    /// <param name="time">The clock.</param>
    /// <param name="limits">The limits; at least one is set.</param>
    /// <param name="waitsForRequestEnd">
    /// A client-streaming call: the wait for the first response begins when the request stream completes, and the
    /// messages written restart the idle clock.
    /// </param>
    protected StreamClock(TimeProvider time, StreamLimits limits, bool waitsForRequestEnd)
    {
        this.time = time;
        this.waitsForRequestEnd = waitsForRequestEnd;
        Limits = limits;
    }

    /// <summary>Which limit passed.</summary>
    protected enum Limit
    {
        None,
        FirstResponse,
        Idle,
    }

    private enum Phase
    {
        /// <summary>A client-streaming caller is still writing: the wait for the answer has not begun.</summary>
        Writing,

        /// <summary>Waiting for the first response since <see cref="waitStart"/>.</summary>
        Waiting,

        /// <summary>The server has answered; only the idle limit, if any, remains.</summary>
        Answered,

        /// <summary>A limit passed; the timer is gone.</summary>
        Expired,

        /// <summary>The call ended or was disposed; the timer is gone.</summary>
        Settled,
    }

    protected StreamLimits Limits { get; }

    /// <summary>Whether the call has settled.</summary>
    protected bool IsSettled => phase == Phase.Settled;

    /// <summary>The server answered (response headers or a message): the first-response limit no longer applies.</summary>
    public void Responded()
    {
        if (phase >= Phase.Answered)
        {
            return;
        }

        ITimer? stale = null;
        lock (gate)
        {
            if (phase >= Phase.Answered)
            {
                return;
            }

            phase = Phase.Answered;
            if (Limits.Idle == Timeout.InfiniteTimeSpan)
            {
                stale = TakeTimer_NeedsLock();
            }
        }

        stale?.Dispose();
    }

    /// <summary>A message arrived: the server has answered, and the idle clock restarts.</summary>
    public void Received()
    {
        Touch();
        Responded();
    }

    /// <summary>The caller wrote a message: for a client-streaming call, the idle clock restarts.</summary>
    public void Wrote()
    {
        if (waitsForRequestEnd)
        {
            Touch();
        }
    }

    /// <summary>The caller completed its request stream: a client-streaming call's wait for its answer begins.</summary>
    public void RequestCompleted()
    {
        if (!waitsForRequestEnd)
        {
            return;
        }

        Touch();
        ITimer? stale;
        lock (gate)
        {
            if (phase != Phase.Writing)
            {
                return;
            }

            phase = Phase.Waiting;
            waitStart = time.GetTimestamp();
            stale = Rearm_NeedsLock(waitStart);
        }

        stale?.Dispose();
    }

    /// <summary>Starts the clock when the call starts.</summary>
    protected void StartClock()
    {
        ITimer? stale;
        lock (gate)
        {
            waitStart = lastMessage = time.GetTimestamp();
            phase = waitsForRequestEnd ? Phase.Writing : Phase.Waiting;
            stale = Rearm_NeedsLock(waitStart);
        }

        stale?.Dispose();
    }

    /// <summary>Stops the clock for good; false when the call had settled already.</summary>
    protected bool StopClock()
    {
        ITimer? stale;
        lock (gate)
        {
            if (phase == Phase.Settled)
            {
                return false;
            }

            phase = Phase.Settled;
            stale = TakeTimer_NeedsLock();
        }

        stale?.Dispose();
        return true;
    }

    /// <summary>A limit passed (called once, outside the lock, unless the call settled first).</summary>
    protected abstract void OnExpired(Limit passed);

    private void OnTimer()
    {
        Limit passed;
        ITimer? stale;
        lock (gate)
        {
            if (phase >= Phase.Expired)
            {
                return;
            }

            var now = time.GetTimestamp();
            passed = Check_NeedsLock(now, out _);
            if (passed == Limit.None)
            {
                stale = Rearm_NeedsLock(now);
            }
            else
            {
                phase = Phase.Expired;
                stale = TakeTimer_NeedsLock();
            }
        }

        stale?.Dispose();
        if (passed != Limit.None)
        {
            OnExpired(passed);
        }
    }

    private void Touch()
    {
        if (Limits.Idle != Timeout.InfiniteTimeSpan)
        {
            Volatile.Write(ref lastMessage, time.GetTimestamp());
        }
    }

    /// <summary>Which limit has passed at <paramref name="now"/>, or none and how long until the next one may.</summary>
    private Limit Check_NeedsLock(long now, out TimeSpan next)
    {
        next = Timeout.InfiniteTimeSpan;
        if (phase == Phase.Waiting && Limits.FirstResponse != Timeout.InfiniteTimeSpan)
        {
            next = Limits.FirstResponse - time.GetElapsedTime(waitStart, now);
            if (next <= TimeSpan.Zero)
            {
                return Limit.FirstResponse;
            }
        }

        if (Limits.Idle != Timeout.InfiniteTimeSpan)
        {
            var idleLeft = Limits.Idle - time.GetElapsedTime(Volatile.Read(ref lastMessage), now);
            if (idleLeft <= TimeSpan.Zero)
            {
                return Limit.Idle;
            }

            next = next == Timeout.InfiniteTimeSpan || idleLeft < next ? idleLeft : next;
        }

        return Limit.None;
    }

    /// <summary>
    /// Sets the timer for the next limit that may pass, when none has passed yet; returns a timer no longer needed,
    /// to dispose outside the lock.
    /// </summary>
    private ITimer? Rearm_NeedsLock(long now)
    {
        Check_NeedsLock(now, out var next);
        if (next == Timeout.InfiniteTimeSpan)
        {
            return TakeTimer_NeedsLock();
        }

        next = next > LongestDue ? LongestDue : next;
        if (timer is null)
        {
            timer = time.CreateTimer(static s => ((StreamClock)s!).OnTimer(), this, next, Timeout.InfiniteTimeSpan);
        }
        else
        {
            timer.Change(next, Timeout.InfiniteTimeSpan);
        }

        return null;
    }

    private ITimer? TakeTimer_NeedsLock()
    {
        var taken = timer;
        timer = null;
        return taken;
    }
}
