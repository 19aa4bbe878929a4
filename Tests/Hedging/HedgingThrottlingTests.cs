using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.Stacking;
using ResilientGrpc.Interceptors.Telemetry;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;
using ResilientGrpc.Tests.Telemetry;

namespace ResilientGrpc.Tests.Hedging;

/// <summary>The gRFC A6 retry budget limits hedges: alone, and shared with retry in one stack.</summary>
public sealed class HedgingThrottlingTests : TelemetryTestBase
{
    private const string Process = "/" + Method;

    [Test]
    public async Task SpentBudget_FailingCall_SendsNoHedgeLogsAndCountsIt()
    {
        using var throttled = Collect<long>("resilientgrpc.retry.throttled");
        Network.Unary = FailUnavailable;
        var client = Client(Hedging(Budget()));

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));
        Time.Pass(TimeSpan.FromSeconds(1));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(error.Trailers.GetValue("attempt"), Is.EqualTo("1"));
        Assert.That(Network.Count, Is.EqualTo(1), "its failure took the budget to the threshold: the hedge it would send at once is held back");
        var log = Logs.GetSnapshot().Single(r => r.Id.Name == "HedgeThrottled");
        Assert.That(log.Message, Is.EqualTo("Process hedge 2/3 not sent: the retry budget is spent"));
        Assert.That(log.Id.Id, Is.EqualTo(4006));
        var measurement = throttled.GetMeasurementSnapshot().Single();
        Assert.That(measurement.Value, Is.EqualTo(1));
        Assert.That(Tag(measurement, "grpc.method"), Is.EqualTo(Method));
    }

    [Test]
    public async Task SpentBudget_HangingCall_NetworkSeesOnlyTheFirstAttempt()
    {
        var client = Client(Hedging(Budget()));
        await FailOnce(client);

        Assert.That(await HeldBack(client), Is.EqualTo(1), "no hedge follows the first attempt, which goes on until cancelled");
        Assert.That(Network.Count, Is.EqualTo(2));
    }

    [Test]
    public async Task BudgetRecovers_AfterEnoughSuccesses_HedgesGoAgain()
    {
        var client = Client(Hedging(Budget()));
        await FailOnce(client);
        await FailOnce(client);
        Assert.That(Network.Count, Is.EqualTo(2), "two failures, no hedge: the budget is empty");
        await Succeed(client, times: 10);

        // Ten successes give back 1.0 token: the budget is at its threshold (half of 2), still closed.
        Assert.That(await HeldBack(client), Is.EqualTo(1));
        await Succeed(client, times: 1);

        Assert.That(await Hedged(client), Is.EqualTo("attempt 2"), "at 1.1 tokens, above the threshold, the hedge goes and answers");
    }

    [Test]
    public async Task SharedBudget_RetriesSpendIt_HedgesOfAnotherMethodStop()
    {
        var client = Stacked(retryBudget: Budget(), hedgingBudget: null);
        Network.Stream = static (_, token) => FailsAtOnce(token);

        using (var stream = client.Subscribe(new SubscribeRequest()))
        {
            await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound));
        }

        Assert.That(Network.Count, Is.EqualTo(1), "the stream's failure spent the budget: no retry");
        Assert.That(await HeldBack(client), Is.EqualTo(1), "the hedge of Process is held back by the budget the retries spent");
    }

    [Test]
    public async Task SharedBudget_HedgesSpendIt_RetriesOfAnotherMethodStop()
    {
        var client = Stacked(retryBudget: null, hedgingBudget: Budget());
        await FailOnce(client);
        Network.Stream = static (_, token) => FailsAtOnce(token);

        using var stream = client.Subscribe(new SubscribeRequest());
        var error = await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(Network.Count, Is.EqualTo(2), "the retry of Subscribe is held back by the budget the hedges spent");
        Assert.That(Logs.GetSnapshot().Count(r => r.Id.Name == "RetryThrottled"), Is.EqualTo(1));
    }

    [Test]
    public async Task SharedBudget_SuccessesOfEitherPatternRefillIt()
    {
        var client = Stacked(retryBudget: new RetryThrottlingOptions { MaxTokens = 2, TokenRatio = 1 }, hedgingBudget: null);
        await FailOnce(client);
        Assert.That(await HeldBack(client), Is.EqualTo(1), "the hedged call's failure spent the shared budget");
        Network.Stream = static (_, _) => OneEvent();

        using (var stream = client.Subscribe(new SubscribeRequest()))
        {
            Assert.That(await stream.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.True);
        }

        Assert.That(await Hedged(client), Is.EqualTo("attempt 2"), "the retried method's success gave the token back");
    }

    private static RetryThrottlingOptions Budget() => new() { MaxTokens = 2, TokenRatio = 0.1 };

    private static Task<object?> FailUnavailable(Arrival arrival, CancellationToken token) =>
        Task.FromException<object?>(new RpcException(
            new Status(StatusCode.Unavailable, "scripted"), new Metadata { { "attempt", arrival.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) } }));

    private static async IAsyncEnumerable<object> FailsAtOnce([EnumeratorCancellation] CancellationToken token)
    {
        await Task.Yield();
        if (!token.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "scripted"));
        }

        yield break;
    }

    private static async IAsyncEnumerable<object> OneEvent()
    {
        await Task.Yield();
        yield return new Event { Sequence = 1 };
    }

    private HedgingInterceptor Hedging(RetryThrottlingOptions budget) =>
        new(new HedgingOptions { HedgedMethods = { Process }, Throttling = budget }, InterceptorServices.From(Clock, Loggers, Meters, Target));

    /// <summary>Retry on every method but Process, hedging on Process: one stack, breaker and deadline off.</summary>
    private UnstableService.UnstableServiceClient Stacked(RetryThrottlingOptions? retryBudget, RetryThrottlingOptions? hedgingBudget)
    {
        var options = new ResilienceOptions
        {
            Retry = new RetryOptions { JitterFactor = 0, Throttling = retryBudget },
            Hedging = new HedgingOptions { HedgedMethods = { Process }, Throttling = hedgingBudget },
            CircuitBreaker = null,
            Deadline = null,
        };
        return new(Network.Intercept(new ResilienceInterceptor(ResilienceStack.Create(options, Clock, Loggers, Meters, Target))));
    }

    /// <summary>A Process call whose attempts all fail at once with Unavailable.</summary>
    private async Task FailOnce(UnstableService.UnstableServiceClient client)
    {
        Network.Unary = FailUnavailable;
        await Assert.ThrowsAsync<RpcException>(() => client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));
    }

    private async Task Succeed(UnstableService.UnstableServiceClient client, int times)
    {
        Network.Unary = static (_, _) => Task.FromResult<object?>(null);
        for (var i = 0; i < times; i++)
        {
            await client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound);
        }
    }

    /// <summary>
    /// A Process call whose first attempt hangs, past its hedge delay until the budget holds the hedge back; returns how
    /// many of its attempts reached the network, then cancels it.
    /// </summary>
    private async Task<int> HeldBack(UnstableService.UnstableServiceClient client)
    {
        var (before, timers, held) = (Network.Count, Clock.TimersCreated, Logs.GetSnapshot().Count(r => r.Id.Name == "HedgeThrottled"));
        Network.Unary = ScriptedCallInvoker.Hang();
        using var cts = new CancellationTokenSource();
        var call = client.ProcessAsync(Request(), cancellationToken: cts.Token);
        await Until(() => Clock.TimersCreated > timers);
        Time.Pass(TimeSpan.FromMilliseconds(200));
        await Until(() => Logs.GetSnapshot().Count(r => r.Id.Name == "HedgeThrottled") > held);
        var attempts = Network.Count - before;
        Assert.That(Network.Arrivals[^1].IsDisposed, Is.False, "the attempt in flight goes on");
        cts.Cancel();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        return attempts;
    }

    /// <summary>A Process call whose first attempt hangs and whose hedge answers after the delay; returns the answer.</summary>
    private async Task<string> Hedged(UnstableService.UnstableServiceClient client)
    {
        var (first, timers) = (Network.Count + 1, Clock.TimersCreated);
        Network.Unary = async (arrival, token) =>
        {
            if (arrival.Number == first)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, token);
            }

            return new ProcessReply { Result = $"attempt {arrival.Number - first + 1}" };
        };
        var call = client.ProcessAsync(Request());
        await Until(() => Clock.TimersCreated > timers);
        Time.Pass(TimeSpan.FromMilliseconds(200));
        var reply = await call.ResponseAsync.WaitAsync(Bound);
        Assert.That(Network.Arrivals[first - 1].IsDisposed, Is.True, "the hanging attempt is cancelled");
        return reply.Result;
    }
}
