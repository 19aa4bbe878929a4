using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Tests.Hedging;

/// <summary>A breaker below the hedging interceptor admits or refuses each hedge; a refused hedge is never sent.</summary>
public sealed class HedgingWithBreakerTests : HedgingTestBase
{
    [Test]
    public async Task AsyncUnaryCall_FirstAttemptRefused_FailsAtOnceWithTheRefusal()
    {
        var breaker = new RefusingAfterInterceptor(admitted: 0);
        var client = Client(OnProcess(), breaker);

        var error = await Assert.ThrowsAsync<BrokenCircuitException>(() => client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound));
        Advance(1000);

        Assert.That(error, Is.Not.Null);
        Assert.That(Network.Count, Is.Zero);
        Assert.That(breaker.Refused, Is.EqualTo(1), "a refused attempt is not hedged again");
    }

    [Test]
    public async Task AsyncUnaryCall_HedgeRefusedWhileFirstInFlight_SendsNoMoreHedgesAndTheFirstDecides()
    {
        var first = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        Network.Unary = (_, _) => first.Task;
        var breaker = new RefusingAfterInterceptor(admitted: 1);
        var client = Client(OnProcess(), breaker);

        var call = client.ProcessAsync(new ProcessRequest());
        Advance(200);
        await Until(() => breaker.Refused == 1);
        Advance(1000);
        Assert.That(breaker.Refused, Is.EqualTo(1), "no hedge after a refusal");
        first.SetResult(new ProcessReply { Result = "first" });
        var reply = await call.ResponseAsync.WaitAsync(Bound);

        Assert.That(reply.Result, Is.EqualTo("first"));
        Assert.That(Network.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task AsyncUnaryCall_HedgeRefusedAfterNonFatalFailure_FailsWithTheRefusal()
    {
        Network.Unary = (arrival, _) => Failure(arrival, StatusCode.Unavailable);
        var breaker = new RefusingAfterInterceptor(admitted: 1);
        var client = Client(OnProcess(), breaker);

        var error = await Assert.ThrowsAsync<BrokenCircuitException>(() => client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound));

        Assert.That(error, Is.Not.Null);
        Assert.That(Network.Count, Is.EqualTo(1));
        Assert.That(breaker.Refused, Is.EqualTo(1));
    }

    [Test]
    public async Task AsyncUnaryCall_RealBreakerBelow_CountsEachHedgeAsACallAndRefusesOnceOpen()
    {
        Network.Unary = (arrival, _) => Failure(arrival, StatusCode.Unavailable);
        var breaker = new CircuitBreakerInterceptor(new CircuitBreakerOptions { Name = "unstable" }, Clock);
        var client = Client(OnProcess(), breaker);

        var firstError = await Assert.ThrowsAsync<RpcException>(() => client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound));
        var secondError = await Assert.CatchAsync<RpcException>(() => client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound));

        Assert.That(firstError!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(secondError, Is.InstanceOf<BrokenCircuitException>(), "the 5th failed hedge in a row opened the circuit");
        Assert.That(Network.Count, Is.EqualTo(5));
        Assert.That(breaker.State, Is.EqualTo(CircuitState.Open));
    }
}
