using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Overload;

/// <summary>
/// The concurrency limit as a caller meets it: what exceeds the limit fails at once with RESOURCE_EXHAUSTED and never
/// reaches the server, is not retried and does not count against the server; every way an attempt ends frees its slot.
/// </summary>
public sealed class ConcurrencyLimitInterceptorTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private FakeTimeProvider time = null!;
    private TaskCompletionSource release = null!;
    private ScriptedCallInvoker server = null!;

    [SetUp]
    public void SetUp()
    {
        time = new FakeTimeProvider();
        release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server = new ScriptedCallInvoker(time);
        server.Unary = async (_, token) =>
        {
            await release.Task.WaitAsync(token);
            return null;
        };
    }

    [Test]
    public async Task AsyncUnaryCall_LimitReached_FailsAtOnceWithoutReachingTheServer()
    {
        var limit = Fixed(3);
        var client = new UnstableService.UnstableServiceClient(server.Intercept(limit));
        var held = Enumerable.Range(0, 3).Select(_ => client.ProcessAsync(new ProcessRequest())).ToList();

        using var refused = client.ProcessAsync(new ProcessRequest());
        var error = await RefusedAsync(refused.ResponseAsync);

        Assert.That(server.Count, Is.EqualTo(3), "calls that reached the server");
        Assert.That(error.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
        Assert.That(error.Reason, Is.EqualTo(OverloadRejectionReason.ConcurrencyLimit));
        Assert.That(error.Trailers.GetValue(OverloadRejectedException.TrailerName), Is.EqualTo("concurrency_limit"));
        Assert.That(refused.GetStatus().StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
        Assert.That(limit.InFlight, Is.EqualTo(3));

        release.SetResult();
        await Task.WhenAll(held.Select(c => c.ResponseAsync)).WaitAsync(Bound);
        Assert.That(limit.InFlight, Is.Zero);
        await client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound);
        Assert.That(server.Count, Is.EqualTo(4));
    }

    [Test]
    public void BlockingUnaryCall_LimitReached_ThrowsResourceExhaustedWithoutReachingTheServer()
    {
        var client = new UnstableService.UnstableServiceClient(server.Intercept(Fixed(1)));
        using var held = client.ProcessAsync(new ProcessRequest());

        var error = Assert.Throws<OverloadRejectedException>(() => client.Process(new ProcessRequest()));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
        Assert.That(server.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task RefusedAttempt_IsNeitherRetriedNorCountedAgainstTheServer()
    {
        var breaker = new CircuitBreakerInterceptor(new CircuitBreakerOptions(), time);
        var retry = new RetryInterceptor(new RetryOptions { InitialBackoff = TimeSpan.FromMilliseconds(10) }, time);
        var client = new UnstableService.UnstableServiceClient(server.Intercept(retry, Fixed(1), breaker));
        using var held = client.ProcessAsync(new ProcessRequest());

        for (var i = 0; i < 20; i++)
        {
            using var call = client.ProcessAsync(new ProcessRequest());
            var error = await RefusedAsync(call.ResponseAsync);
            Assert.That(error.Reason, Is.EqualTo(OverloadRejectionReason.ConcurrencyLimit));
        }

        Assert.That(server.Count, Is.EqualTo(1), "no refused call was retried onto the network");
        Assert.That(breaker.State, Is.EqualTo(CircuitState.Closed), "local refusals are not the server's failures");
    }

    [Test]
    public async Task CallerCancelsAHeldCall_ItsSlotIsFree()
    {
        var limit = Fixed(1);
        var client = new UnstableService.UnstableServiceClient(server.Intercept(limit));
        using var cancellation = new CancellationTokenSource();
        using var held = client.ProcessAsync(new ProcessRequest(), cancellationToken: cancellation.Token);

        await cancellation.CancelAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() => held.ResponseAsync.WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(limit.InFlight, Is.Zero);
    }

    [Test]
    public void CallDisposedWithoutBeingAwaited_ItsSlotIsFree()
    {
        var limit = Fixed(1);
        var client = new UnstableService.UnstableServiceClient(server.Intercept(limit));

        client.ProcessAsync(new ProcessRequest()).Dispose();

        Assert.That(limit.InFlight, Is.Zero);
    }

    [Test]
    public void CallBelowThrowsInsteadOfStarting_ItsSlotIsFree()
    {
        var limit = Fixed(1);
        var client = new UnstableService.UnstableServiceClient(server.Intercept(new ThrowingInterceptor()).Intercept(limit));

        Assert.Throws<InvalidOperationException>(() => client.ProcessAsync(new ProcessRequest()));

        Assert.That(limit.InFlight, Is.Zero);
    }

    [Test]
    public async Task StreamingCalls_PassThroughUncounted()
    {
        server.Stream = static (_, _) => Events(3);
        var limit = Fixed(1);
        var client = new UnstableService.UnstableServiceClient(server.Intercept(limit));
        using var held = client.ProcessAsync(new ProcessRequest());

        using var stream = client.Subscribe(new SubscribeRequest());
        var received = 0;
        while (await stream.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound))
        {
            received++;
        }

        Assert.That(received, Is.EqualTo(3));
        Assert.That(limit.InFlight, Is.EqualTo(1));
    }

    [Test]
    public void Constructor_InvalidOptions_NamesEverySetting()
    {
        var error = Assert.Throws<ArgumentException>(() => new ConcurrencyLimitInterceptor(new ConcurrencyLimitOptions
        {
            MinLimit = 0,
            MaxLimit = 70_000,
            InitialLimit = 80_000,
            BackoffRatio = 1,
            LatencyTolerance = 0.5,
            OverloadStatusCodes = new HashSet<StatusCode>(),
        }));

        Assert.That(error!.Message, Does.Contain("ConcurrencyLimitOptions.MinLimit"));
        Assert.That(error.Message, Does.Contain("ConcurrencyLimitOptions.MaxLimit is 70000"));
        Assert.That(error.Message, Does.Contain("ConcurrencyLimitOptions.InitialLimit"));
        Assert.That(error.Message, Does.Contain("ConcurrencyLimitOptions.BackoffRatio"));
        Assert.That(error.Message, Does.Contain("ConcurrencyLimitOptions.LatencyTolerance"));
        Assert.That(error.Message, Does.Contain("ConcurrencyLimitOptions.OverloadStatusCodes"));
    }

    private static async Task<OverloadRejectedException> RefusedAsync(Task task)
    {
        Assert.That(task.IsCompleted, Is.True, "refused at once");
        var error = await Assert.ThrowsAsync<OverloadRejectedException>(() => task.WaitAsync(Bound));
        return error!;
    }

    private static async IAsyncEnumerable<object> Events(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return new Event();
        }
    }

    private ConcurrencyLimitInterceptor Fixed(int limit) =>
        new(new ConcurrencyLimitOptions { Algorithm = ConcurrencyLimitAlgorithm.Fixed, InitialLimit = limit, MaxQueueWait = TimeSpan.Zero }, time);

    private sealed class ThrowingInterceptor : Interceptor
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
            TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
            throw new InvalidOperationException("the channel is shut down");
    }
}
