using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Tests.Hedging;

/// <summary>
/// A breaker below the hedging interceptor admits or refuses each hedge, and a refused hedge is never sent; it counts a
/// hedged call once, as it counts a retried one: the call fails when every hedge has failed.
/// </summary>
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
    public async Task AsyncUnaryCall_RealBreakerBelow_AHedgedCallFailsOnce_TheFifthFailedCallOpensAfterFifteenHedges()
    {
        Network.Unary = (arrival, _) => Failure(arrival, StatusCode.Unavailable);
        var breaker = new CircuitBreakerInterceptor(new CircuitBreakerOptions { Name = "unstable" }, Clock);
        var client = Client(OnProcess(), breaker);

        for (var call = 1; call <= 4; call++)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound));
            Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
            Assert.That(breaker.State, Is.EqualTo(CircuitState.Closed), $"call {call} failed once, with all 3 of its hedges");
        }

        var fifth = await Assert.ThrowsAsync<RpcException>(() => client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound));
        var sixth = await Assert.CatchAsync<RpcException>(() => client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound));

        Assert.That(fifth!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(breaker.State, Is.EqualTo(CircuitState.Open), "the fifth failed call in a row opened it");
        Assert.That(Network.Count, Is.EqualTo(15), "five calls of three hedges each, and nothing once open");
        Assert.That(sixth, Is.InstanceOf<BrokenCircuitException>());
    }

    [Test]
    public async Task AsyncUnaryCall_TwoCallsFailInEveryHedge_SixFailedHedgesInARowLeaveTheCircuitClosed()
    {
        // The old rule counted each hedge as a call of its own: five failed hedges in a row, from only two calls, opened it.
        Network.Unary = (arrival, _) => arrival.Number <= 6 ? Failure(arrival, StatusCode.Unavailable) : Task.FromResult<object?>(new ProcessReply());
        var breaker = new CircuitBreakerInterceptor(new CircuitBreakerOptions(), Clock);
        var client = Client(OnProcess(), breaker);

        await Assert.ThrowsAsync<RpcException>(() => client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound));
        await Assert.ThrowsAsync<RpcException>(() => client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound));
        var reply = await client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound);

        Assert.That(reply, Is.Not.Null);
        Assert.That(Network.Count, Is.EqualTo(7));
        Assert.That(breaker.State, Is.EqualTo(CircuitState.Closed), "two failed calls, not six");
    }

    [Test]
    public async Task AsyncUnaryCall_FirstHedgeFailsAndTheSecondAnswers_CountsASuccessThatEndsTheRun()
    {
        // Four calls fail in every hedge: four failed calls in a row. Then a call whose first hedge fails and whose
        // second answers is a success, so four more failed calls do not open the circuit.
        var outcomes = new Queue<bool>([.. Enumerable.Repeat(false, 12), false, true, .. Enumerable.Repeat(false, 12)]);
        Network.Unary = (arrival, _) =>
        {
            bool answers;
            lock (outcomes)
            {
                answers = outcomes.Dequeue();
            }

            return answers ? Task.FromResult<object?>(new ProcessReply()) : Failure(arrival, StatusCode.Unavailable);
        };
        var breaker = new CircuitBreakerInterceptor(new CircuitBreakerOptions(), Clock);
        var client = Client(OnProcess(), breaker);

        for (var call = 0; call < 4; call++)
        {
            await Assert.ThrowsAsync<RpcException>(() => client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound));
        }

        await client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound);
        for (var call = 0; call < 4; call++)
        {
            await Assert.ThrowsAsync<RpcException>(() => client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound));
        }

        Assert.That(Network.Count, Is.EqualTo(26));
        Assert.That(breaker.State, Is.EqualTo(CircuitState.Closed), "the rescued call ended the run of failed calls");
    }
}
