namespace ResilientGrpc.Tests.Infrastructure;

/// <summary>
/// A fake clock as an interceptor sees it, counting the timers it creates (one per backoff wait), so a test
/// can wait until a backoff has started before advancing time past it.
/// </summary>
internal sealed class CountingTimeProvider(TimeProvider inner) : TimeProvider
{
    private int timers;

    public int TimersCreated => Volatile.Read(ref timers);

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        // Counted once it exists, so a test that sees the count can advance past it.
        var timer = inner.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref timers);
        return timer;
    }
}
