using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.Overload;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Overload;

/// <summary>
/// Which attempts an adaptive limit times (two clock reads each): every attempt, except one alone in flight under a limit
/// of 8 or more once the baseline has learned an epoch of quiet rounds, of which one in 8 is timed.
/// </summary>
public sealed class ConcurrencyLimiterTimingTests
{
    private const int Epoch = 32 * 16;
    private readonly FakeTimeProvider fake = new();
    private CountingTimeProvider time = null!;

    [SetUp]
    public void SetUp() => time = new CountingTimeProvider(fake);

    [Test]
    public void AttemptsAloneInFlight_OnceTheBaselineKnowsAnEpoch_OneInEightIsTimed()
    {
        var limiter = new ConcurrencyLimiter(new ConcurrencyLimitOptions(), time);
        var beforeEpoch = time.TimestampReads;
        Alone(limiter, Epoch);
        Assert.That(time.TimestampReads - beforeEpoch, Is.EqualTo(2 * Epoch), "every attempt is timed while the baseline learns");

        var before = time.TimestampReads;
        Alone(limiter, 80);

        Assert.That(time.TimestampReads - before, Is.EqualTo(2 * 10), "10 of 80 timed, two reads each");
        Assert.That(limiter.InFlight, Is.Zero, "an attempt that is not timed still frees its slot");
    }

    [Test]
    public void AttemptsWithAnotherInFlight_AreAllTimed()
    {
        var limiter = new ConcurrencyLimiter(new ConcurrencyLimitOptions(), time);
        Alone(limiter, Epoch);
        Assert.That(limiter.TryAcquire(out var held), Is.True);

        var before = time.TimestampReads;
        Alone(limiter, 16);

        Assert.That(time.TimestampReads - before, Is.EqualTo(2 * 16));
        limiter.Release(held, null, default, default);
    }

    [Test]
    public void AttemptsAloneUnderALimitBelowEight_AreAllTimed()
    {
        var limiter = new ConcurrencyLimiter(new ConcurrencyLimitOptions { InitialLimit = 7, MaxLimit = 7 }, time);
        Alone(limiter, Epoch);

        var before = time.TimestampReads;
        Alone(limiter, 16);

        Assert.That(time.TimestampReads - before, Is.EqualTo(2 * 16));
    }

    [Test]
    public void AttemptsAlone_BeforeAnEpochOfQuietRounds_AreAllTimed()
    {
        var limiter = new ConcurrencyLimiter(new ConcurrencyLimitOptions(), time);
        Alone(limiter, Epoch - 16);

        var before = time.TimestampReads;
        Alone(limiter, 15);

        Assert.That(time.TimestampReads - before, Is.EqualTo(2 * 15), "31 rounds are not yet an epoch");
    }

    /// <summary>Runs <paramref name="count"/> attempts one after the other, each answered after a millisecond.</summary>
    private void Alone(ConcurrencyLimiter limiter, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.That(limiter.TryAcquire(out var token), Is.True);
            fake.Advance(TimeSpan.FromMilliseconds(1));
            limiter.Release(token, null, default, default);
        }
    }
}
