namespace ResilientGrpc.Tests.Infrastructure;

/// <summary>
/// A clock as an interceptor sees it, counting the timers it creates (one per backoff wait, so a test can wait until a
/// backoff has started before advancing time past it) and those still alive (created, not disposed), so a test can
/// check that an interceptor releases what it armed. A timer is counted once it exists. It counts the reads of its
/// timestamp as well.
/// </summary>
internal sealed class CountingTimeProvider(TimeProvider inner) : TimeProvider
{
    private int created;
    private int alive;
    private int reads;

    public int TimersCreated => Volatile.Read(ref created);

    public int LiveTimers => Volatile.Read(ref alive);

    public int TimestampReads => Volatile.Read(ref reads);

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    public override long GetTimestamp()
    {
        Interlocked.Increment(ref reads);
        return inner.GetTimestamp();
    }

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new TrackedTimer(inner.CreateTimer(callback, state, dueTime, period), this);
        Interlocked.Increment(ref created);
        Interlocked.Increment(ref alive);
        return timer;
    }

    private sealed class TrackedTimer(ITimer inner, CountingTimeProvider owner) : ITimer
    {
        private int disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                Interlocked.Decrement(ref owner.alive);
            }

            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
