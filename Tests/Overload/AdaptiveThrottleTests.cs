using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.Overload;

namespace ResilientGrpc.Tests.Overload;

/// <summary>
/// Adaptive throttling's rule on its own: each attempt is refused with probability max(0, (requests − K × accepts) /
/// (requests + 1)) over the window, a local refusal counting as a request not accepted.
/// </summary>
public sealed class AdaptiveThrottleTests
{
    private static readonly RpcException Unavailable = new(new Status(StatusCode.Unavailable, "overloaded"));
    private readonly FakeTimeProvider time = new();
    private double draw;

    [Test]
    public void RefusalProbability_RequestsLessKTimesAcceptsOverRequestsPlusOne()
    {
        var throttle = Throttle(multiplier: 2);
        End(throttle, accepted: 10, refused: 20);

        Assert.That(throttle.Counts(), Is.EqualTo((30, 10)));
        Assert.That(throttle.RefusalProbability, Is.EqualTo((30 - (2 * 10)) / 31.0));
    }

    [Test]
    public void RefusalProbability_ServerAcceptsAtLeastOneInK_IsZero()
    {
        var throttle = Throttle(multiplier: 2);
        End(throttle, accepted: 10, refused: 10);

        Assert.That(throttle.RefusalProbability, Is.Zero);
    }

    [Test]
    public void TryAdmit_DrawBelowTheProbability_RefusesAndCountsARequestNotAccepted()
    {
        var throttle = Throttle(multiplier: 2);
        End(throttle, accepted: 0, refused: 10);
        draw = (10 / 11.0) - 0.001;

        Assert.That(throttle.TryAdmit(), Is.False);
        Assert.That(throttle.Counts(), Is.EqualTo((11, 0)));
    }

    [Test]
    public void TryAdmit_DrawAtTheProbability_Admits_AndCountsNothingYet()
    {
        var throttle = Throttle(multiplier: 2);
        End(throttle, accepted: 0, refused: 10);
        draw = 10 / 11.0;

        for (var i = 0; i < 20; i++)
        {
            Assert.That(throttle.TryAdmit(), Is.True, "every draw at the probability, not a draw of its own");
        }

        Assert.That(throttle.Counts(), Is.EqualTo((10, 0)));
    }

    [Test]
    public void Ended_OtherStatusesAreAccepts_TheCallersCancellationCountsAsNothing()
    {
        var throttle = Throttle(multiplier: 2);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        throttle.Ended(new RpcException(new Status(StatusCode.Internal, "bug")), default, default);
        throttle.Ended(null, default, default);
        throttle.Ended(Unavailable, cancelled.Token, default);
        throttle.Ended(Unavailable, default, cancelled.Token);
        throttle.Ended(Unavailable, default, default);

        Assert.That(throttle.Counts(), Is.EqualTo((3, 2)));
    }

    [Test]
    public void Counts_OnlyTheWindow()
    {
        var throttle = Throttle(multiplier: 2);
        End(throttle, accepted: 0, refused: 10);

        time.Advance(TimeSpan.FromSeconds(2.5));

        Assert.That(throttle.Counts(), Is.EqualTo((0, 0)));
        Assert.That(throttle.RefusalProbability, Is.Zero);
    }

    private AdaptiveThrottle Throttle(double multiplier) =>
        new(new AdaptiveThrottlingOptions { Multiplier = multiplier, Window = TimeSpan.FromSeconds(2) }, time, () => draw);

    private static void End(AdaptiveThrottle throttle, int accepted, int refused)
    {
        for (var i = 0; i < accepted; i++)
        {
            throttle.Ended(null, default, default);
        }

        for (var i = 0; i < refused; i++)
        {
            throttle.Ended(Unavailable, default, default);
        }
    }
}
