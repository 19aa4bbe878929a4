using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.CircuitBreaker;

/// <summary>Consecutive mode and the open state, on unary calls.</summary>
public sealed class CircuitBreakerInterceptorTests
{
    [Test]
    public async Task AsyncUnaryCall_FourFailures_StaysClosed()
    {
        var harness = new BreakerHarness();

        await harness.FailAsync(4);

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
        Assert.That(harness.Transitions, Is.Empty);
    }

    [Test]
    public async Task AsyncUnaryCall_FifthFailureInARow_OpensAndNothingReachesTheNetwork()
    {
        var harness = new BreakerHarness();

        await harness.FailAsync(5);

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
        Assert.That(harness.Invoker.Count, Is.EqualTo(5));
        for (var i = 0; i < 20; i++)
        {
            var call = harness.Client.ProcessAsync(new ProcessRequest());
            var error = await BreakerHarness.RejectedAsync(call.ResponseAsync);
            Assert.That(error.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        }

        Assert.That(harness.Invoker.Count, Is.EqualTo(5));
    }

    [Test]
    public async Task AsyncUnaryCall_RejectedWhileOpen_SurfacesThroughTheCallObject()
    {
        var harness = new BreakerHarness(new CircuitBreakerOptions { Name = "payments" });
        await harness.OpenAsync();
        harness.Time.Pass(TimeSpan.FromSeconds(10));

        AsyncUnaryCall<ProcessReply>? call = null;
        Assert.DoesNotThrow(() => call = harness.Client.ProcessAsync(new ProcessRequest()));

        var error = await BreakerHarness.RejectedAsync(call!.ResponseAsync);
        await BreakerHarness.RejectedAsync(call.ResponseHeadersAsync);
        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(StatusCode.Unavailable));
            Assert.That(error.Status.Detail, Does.Contain("payments").And.Contain("open"));
            Assert.That(error.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(20)));
            Assert.That(error.BreakerName, Is.EqualTo("payments"));
            Assert.That(error.State, Is.EqualTo(CircuitState.Open));
            Assert.That(error.Trailers.GetValue("resilientgrpc-circuit"), Is.EqualTo("open"));
            Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.Unavailable));
        });
    }

    [Test]
    public async Task AsyncUnaryCall_SuccessBetweenFailures_ResetsTheCount()
    {
        var harness = new BreakerHarness();

        await harness.FailAsync(4);
        await harness.SucceedAsync();
        await harness.FailAsync(4);

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
        await harness.FailAsync(1);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
    }

    [Test]
    public async Task AsyncUnaryCall_CallerCancels_CountsAsNeitherFailureNorSuccess()
    {
        var harness = new BreakerHarness();
        await harness.FailAsync(4);

        harness.Invoker.Unary = ScriptedCallInvoker.Hang();
        using var cts = new CancellationTokenSource();
        var cancelled = harness.ProcessAsync(cts.Token);
        await cts.CancelAsync();
        Assert.That(await cancelled.WaitAsync(BreakerHarness.Bound), Is.EqualTo(StatusCode.Cancelled));

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed), "a cancellation is not a failure");
        await harness.FailAsync(1);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open), "a cancellation does not reset the count");
    }

    [Test]
    public async Task AsyncUnaryCall_CallerCancelsAndServerFails_CountsAsNeither()
    {
        var harness = new BreakerHarness(new CircuitBreakerOptions { FailureThreshold = 1 });
        using var cts = new CancellationTokenSource();
        harness.Invoker.Unary = async (_, _) =>
        {
            await cts.CancelAsync();
            throw new RpcException(new Status(StatusCode.Unavailable, "gone while the caller cancelled"));
        };

        Assert.That(await harness.ProcessAsync(cts.Token), Is.EqualTo(StatusCode.Unavailable));

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
    }

    [TestCase(StatusCode.Unavailable, "failure")]
    [TestCase(StatusCode.DeadlineExceeded, "failure")]
    [TestCase(StatusCode.Internal, "failure")]
    [TestCase(StatusCode.Unknown, "failure")]
    [TestCase(StatusCode.ResourceExhausted, "failure")]
    [TestCase(StatusCode.DataLoss, "failure")]
    [TestCase(StatusCode.OK, "success")]
    [TestCase(StatusCode.NotFound, "success")]
    [TestCase(StatusCode.InvalidArgument, "success")]
    [TestCase(StatusCode.PermissionDenied, "success")]
    [TestCase(StatusCode.Unauthenticated, "success")]
    [TestCase(StatusCode.FailedPrecondition, "success")]
    [TestCase(StatusCode.AlreadyExists, "success")]
    [TestCase(StatusCode.Aborted, "success")]
    [TestCase(StatusCode.OutOfRange, "success")]
    [TestCase(StatusCode.Unimplemented, "success")]
    [TestCase(StatusCode.Cancelled, "neither")]
    public async Task AsyncUnaryCall_FinalStatusAfterFourFailures_CountsAsClassified(StatusCode code, string counted)
    {
        var harness = new BreakerHarness();
        await harness.FailAsync(4);

        if (code == StatusCode.OK)
        {
            await harness.SucceedAsync();
        }
        else
        {
            await harness.FailAsync(1, code);
        }

        switch (counted)
        {
            case "failure":
                Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
                break;
            case "success":
                await harness.FailAsync(4);
                Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed), "the count was reset");
                break;
            default:
                Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed), "not a failure");
                await harness.FailAsync(1);
                Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open), "not a reset");
                break;
        }
    }

    [Test]
    public async Task AsyncUnaryCall_StatusCodeOutsideGrpcsRange_NeverCounts()
    {
        // A peer may send any number as grpc-status; 78 is 64 + UNAVAILABLE's 14, so a mask read without its range check
        // would take it for UNAVAILABLE.
        var harness = new BreakerHarness(new CircuitBreakerOptions { FailureThreshold = 1 });

        await harness.FailAsync(3, (StatusCode)(64 + (int)StatusCode.Unavailable));

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
        await harness.FailAsync(1);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open), "UNAVAILABLE itself still counts");
    }

    [Test]
    public async Task AsyncUnaryCall_CustomFailureStatusCodes_OnlyThoseCount()
    {
        var harness = new BreakerHarness(new CircuitBreakerOptions
        {
            FailureThreshold = 2,
            FailureStatusCodes = new HashSet<StatusCode> { StatusCode.NotFound },
        });

        await harness.FailAsync(3, StatusCode.Unavailable);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
        await harness.FailAsync(2, StatusCode.NotFound);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
    }

    [Test]
    public async Task AsyncUnaryCall_AwaitedTwiceAndStatusRead_IsCountedOnce()
    {
        var harness = new BreakerHarness(new CircuitBreakerOptions { FailureThreshold = 2 });
        harness.Invoker.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);

        using var call = harness.Client.ProcessAsync(new ProcessRequest());
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(BreakerHarness.Bound));
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(BreakerHarness.Bound));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.Unavailable));
        call.Dispose();

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
        await harness.FailAsync(1);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
    }
}
