using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.CircuitBreaker;

/// <summary>Ratio mode: failures / calls over the sampling window, once the minimum throughput is reached.</summary>
public sealed class CircuitBreakerRatioTests
{
    private static BreakerHarness Ratio(double ratio = 0.5) => new(new CircuitBreakerOptions
    {
        FailureRatio = ratio,
        MinimumThroughput = 10,
        SamplingDuration = TimeSpan.FromSeconds(30),
    });

    [Test]
    public async Task AsyncUnaryCall_HalfFailingNeverFiveInARow_OpensAtTheTenthCall()
    {
        var harness = Ratio();

        for (var i = 0; i < 4; i++)
        {
            await harness.SucceedAsync();
            await harness.FailAsync(1);
        }

        await harness.SucceedAsync();
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed), "9 calls: below the minimum throughput");
        await harness.FailAsync(1);

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
        Assert.That(harness.Transitions.Single().Reason, Is.EqualTo(CircuitStateChangeReason.FailureRatio));
        Assert.That(harness.Transitions.Single().FailureCount, Is.EqualTo(5));
    }

    [Test]
    public async Task AsyncUnaryCall_FailuresBelowTheMinimumThroughput_StaysClosed()
    {
        var harness = Ratio();

        await harness.FailAsync(9);

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
        await harness.FailAsync(1);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
    }

    [Test]
    public async Task AsyncUnaryCall_RatioBelowThreshold_StaysClosed()
    {
        var harness = Ratio(0.3);

        for (var i = 0; i < 8; i++)
        {
            await harness.SucceedAsync();
        }

        await harness.FailAsync(2);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed), "2 / 10 < 0.3");
        await harness.FailAsync(1);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed), "3 / 11 < 0.3");
        await harness.FailAsync(1);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open), "4 / 12 >= 0.3");
    }

    [Test]
    public async Task AsyncUnaryCall_RatioExactlyReached_Opens()
    {
        var harness = Ratio(0.3);

        for (var i = 0; i < 7; i++)
        {
            await harness.SucceedAsync();
        }

        await harness.FailAsync(3);

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open), "3 / 10 = 0.3");
    }

    [Test]
    public async Task AsyncUnaryCall_OldFailuresOutsideTheWindow_Expire()
    {
        var harness = Ratio();
        await harness.FailAsync(9);

        harness.Time.Pass(TimeSpan.FromSeconds(30));
        await harness.FailAsync(1);

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed), "the 9 old failures left the window");
        await harness.FailAsync(8);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
        await harness.FailAsync(1);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
    }

    [Test]
    public async Task AsyncUnaryCall_FailuresSpreadOverTheWindow_StillCount()
    {
        var harness = Ratio();

        for (var i = 0; i < 10; i++)
        {
            await harness.FailAsync(1);
            harness.Time.Pass(TimeSpan.FromSeconds(2.5));
        }

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
    }

    [Test]
    public async Task AsyncUnaryCall_ProbeSucceeds_ClosesWithAnEmptyWindow()
    {
        var harness = Ratio();
        await harness.FailAsync(10);
        harness.Time.Pass(TimeSpan.FromSeconds(30));

        await harness.SucceedAsync();
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
        await harness.FailAsync(9);

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed), "the window was cleared on close");
    }

    [Test]
    public async Task AsyncUnaryCall_CancelledCallsInRatioMode_AreNotCounted()
    {
        var harness = Ratio();
        await harness.FailAsync(9);

        await harness.FailAsync(5, StatusCode.Cancelled);

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
    }
}
