using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Tests.Retry;

/// <summary>The gRFC A6 retry budget: shared by every call through one interceptor.</summary>
public sealed class RetryThrottlingTests : RetryTestBase
{
    [Test]
    public async Task AsyncUnaryCall_BudgetDrained_RetriesStopButFirstAttemptsStillGo()
    {
        Network.Unary = FailNumbered(StatusCode.Unavailable);
        var client = Client(Throttled(tokenRatio: 0.1));

        // 10 tokens; each failed attempt takes one; retries only while tokens > 5.
        var perCall = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            var before = Network.Count;
            var call = client.ProcessAsync(new ProcessRequest());
            Advance(1000);
            await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
            perCall.Add(Network.Count - before);
        }

        Assert.That(perCall, Is.EqualTo(new[] { 2, 2, 1, 1 }));
    }

    [Test]
    public async Task AsyncUnaryCall_SuccessesRefillBudget_RetriesResume()
    {
        var failing = true;
        Network.Unary = (arrival, token) => failing
            ? FailNumbered(StatusCode.Unavailable)(arrival, token)
            : Task.FromResult<object?>(new ProcessReply());
        var client = Client(Throttled(tokenRatio: 1));
        for (var i = 0; i < 3; i++)
        {
            var drain = client.ProcessAsync(new ProcessRequest());
            Advance(1000);
            await Assert.ThrowsAsync<RpcException>(() => drain.ResponseAsync.WaitAsync(Bound));
        }

        // Tokens: 10 - 2 - 2 - 1 = 5, not above half: no retry now. Two successes bring 7.
        failing = false;
        await client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound);
        await client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound);
        failing = true;
        var before = Network.Count;
        var call = client.ProcessAsync(new ProcessRequest());
        Advance(1000);
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));

        Assert.That(Network.Count - before, Is.EqualTo(2));
    }

    [Test]
    public async Task AsyncUnaryCall_NonRetryableFailures_DoNotSpendBudget()
    {
        Network.Unary = FailNumbered(StatusCode.Internal);
        var client = Client(Throttled(tokenRatio: 0.1));
        for (var i = 0; i < 10; i++)
        {
            await Assert.ThrowsAsync<RpcException>(() => client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound));
        }

        Network.Unary = FailNumbered(StatusCode.Unavailable);
        var before = Network.Count;
        var call = client.ProcessAsync(new ProcessRequest());
        Advance(1000);
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));

        Assert.That(Network.Count - before, Is.EqualTo(2));
    }

    [Test]
    public void RecordFailureAndSuccess_ManyThreads_KeepExactCount()
    {
        var throttle = new RetryThrottle(new RetryThrottlingOptions { MaxTokens = 1000, TokenRatio = 0.5 });

        // Enough updates for threads to collide, or to be preempted between reading the count and swapping it: an update
        // lost to a failed compare-and-swap would show in the count.
        Parallel.For(0, 1_000_000, i =>
        {
            throttle.RecordFailure();
            throttle.RecordSuccess();
            throttle.RecordSuccess();
        });

        Assert.That(throttle.Tokens, Is.EqualTo(1000));
        Parallel.For(0, 400, _ => throttle.RecordFailure());
        Assert.That(throttle.Tokens, Is.EqualTo(600));
        Assert.That(throttle.AllowsRetry, Is.True);
    }

    [Test]
    public void Constructor_OptionsMutatedAfterwards_KeepsItsBucket()
    {
        var options = new RetryThrottlingOptions { MaxTokens = 2, TokenRatio = 1 };
        var throttle = new RetryThrottle(options);

        options.MaxTokens = 1000;
        options.TokenRatio = 0.001;
        throttle.RecordFailure();
        throttle.RecordSuccess();
        throttle.RecordSuccess();

        Assert.That(throttle.Tokens, Is.EqualTo(2), "capped at the original size, refilled by whole tokens");
    }

    [Test]
    public void RecordFailure_BelowZeroAndAboveMax_IsClamped()
    {
        var throttle = new RetryThrottle(new RetryThrottlingOptions { MaxTokens = 2, TokenRatio = 1 });

        throttle.RecordSuccess();
        Assert.That(throttle.Tokens, Is.EqualTo(2));
        for (var i = 0; i < 5; i++)
        {
            throttle.RecordFailure();
        }

        Assert.That(throttle.Tokens, Is.Zero);
        Assert.That(throttle.AllowsRetry, Is.False);
    }

    private static RetryOptions Throttled(double tokenRatio) => new()
    {
        JitterFactor = 0,
        MaxAttempts = 2,
        Throttling = new RetryThrottlingOptions { MaxTokens = 10, TokenRatio = tokenRatio },
    };
}
