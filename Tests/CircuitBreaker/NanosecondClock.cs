using Microsoft.Extensions.Time.Testing;

namespace ResilientGrpc.Tests.CircuitBreaker;

/// <summary>Fake time read as the system clock reads it on Linux: timestamps of one nanosecond (a frequency of 10⁹ a second).</summary>
internal sealed class NanosecondClock(FakeTimeProvider time) : TimeProvider
{
    private const long NanosecondsPerTick = 100;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond * NanosecondsPerTick;

    public override long GetTimestamp() => time.GetTimestamp() * NanosecondsPerTick;

    public override DateTimeOffset GetUtcNow() => time.GetUtcNow();

    public override TimeZoneInfo LocalTimeZone => time.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        time.CreateTimer(callback, state, dueTime, period);
}
