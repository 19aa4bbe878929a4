using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Tests.Hedging;

/// <summary>
/// A concurrency limit below the hedging interceptor: every hedge takes a slot as it leaves, and every way a hedged
/// call's attempts end (answered, failed, beaten by a hedge, cancelled with the call, refused below) frees each slot once.
/// </summary>
public sealed class HedgingWithConcurrencyLimitTests : HedgingTestBase
{
    [Test]
    public async Task AsyncUnaryCall_FirstAttemptAnswersLater_ItsSlotIsFreed()
    {
        var answer = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        Network.Unary = (_, _) => answer.Task;
        var limit = Fixed(3);
        var client = Client(OnProcess(), limit);

        using var call = client.ProcessAsync(new ProcessRequest());
        Assert.That(limit.InFlight, Is.EqualTo(1));
        answer.SetResult(new ProcessReply { Result = "first" });
        var reply = await call.ResponseAsync.WaitAsync(Bound);

        Assert.That(reply.Result, Is.EqualTo("first"));
        Assert.That(Network.Count, Is.EqualTo(1));
        await Until(() => limit.InFlight == 0);
    }

    [Test]
    public async Task AsyncUnaryCall_FirstAttemptHangsAndTheHedgeAnswers_BothSlotsAreFreed()
    {
        Network.Unary = HangThenAnswer(1);
        var limit = Fixed(3);
        var client = Client(OnProcess(), limit);

        using var call = client.ProcessAsync(new ProcessRequest());
        await TimerArmed(1);
        Advance(200);
        var reply = await call.ResponseAsync.WaitAsync(Bound);

        Assert.That(reply.Result, Is.EqualTo("attempt 2"));
        Assert.That(Network.Count, Is.EqualTo(2));
        await Until(() => limit.InFlight == 0);
    }

    [Test]
    public async Task AsyncUnaryCall_FirstAttemptFailsAndTheHedgeAnswers_BothSlotsAreFreed()
    {
        Network.Unary = (arrival, _) => arrival.Number == 1
            ? Failure(arrival, StatusCode.Unavailable)
            : Task.FromResult<object?>(new ProcessReply { Result = $"attempt {arrival.Number}" });
        var limit = Fixed(3);
        var client = Client(OnProcess(), limit);

        var reply = await client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound);

        Assert.That(reply.Result, Is.EqualTo("attempt 2"));
        await Until(() => limit.InFlight == 0);
    }

    [Test]
    public async Task AsyncUnaryCall_CallerDisposesWhileTheFirstAttemptRuns_ItsSlotIsFreedAndNoHedgeLeaves()
    {
        Network.Unary = HangThenAnswer(1, 2, 3);
        var limit = Fixed(3);
        var client = Client(OnProcess(), limit);

        var call = client.ProcessAsync(new ProcessRequest());
        Assert.That(limit.InFlight, Is.EqualTo(1));
        call.Dispose();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Advance(1000);

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(Network.Count, Is.EqualTo(1));
        await Until(() => limit.InFlight == 0);
    }

    [Test]
    public async Task AsyncUnaryCall_FirstAttemptRefusedBelowTheLimit_ItsSlotIsFreed()
    {
        var breaker = new RefusingAfterInterceptor(admitted: 0);
        var limit = Fixed(1);
        var client = Client(OnProcess(), limit, breaker);

        await Assert.ThrowsAsync<BrokenCircuitException>(() => client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound));

        Assert.That(limit.InFlight, Is.Zero, "the refused attempt gave its slot back");
        Assert.That(Network.Count, Is.Zero);
    }

    [Test]
    public async Task AsyncUnaryCall_ManyHedgedCallsInParallel_EverySlotComesBack()
    {
        // Every call's first attempt hangs (it carries no grpc-previous-rpc-attempts); its hedge answers.
        Network.Unary = async (arrival, token) =>
        {
            if (arrival.Options.Headers?.Get("grpc-previous-rpc-attempts") is null)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, token);
            }

            return new ProcessReply { Result = "hedge" };
        };
        var limit = Fixed(100);
        var client = Client(OnProcess(), limit);

        var calls = Enumerable.Range(0, 30).Select(_ => client.ProcessAsync(new ProcessRequest())).ToList();
        await TimerArmed(30);
        Assert.That(limit.InFlight, Is.EqualTo(30));
        Advance(200);
        await Task.WhenAll(calls.Select(c => c.ResponseAsync)).WaitAsync(Bound);

        Assert.That(Network.Count, Is.EqualTo(60), "each call's first attempt hung, and its one hedge answered");
        await Until(() => limit.InFlight == 0);
        foreach (var call in calls)
        {
            call.Dispose();
        }
    }

    private ConcurrencyLimitInterceptor Fixed(int limit) =>
        new(new ConcurrencyLimitOptions { Algorithm = ConcurrencyLimitAlgorithm.Fixed, InitialLimit = limit }, Time);
}
