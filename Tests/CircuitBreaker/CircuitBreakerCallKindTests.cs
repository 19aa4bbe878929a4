using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.CircuitBreaker;

/// <summary>Every call kind is admitted before it starts, rejected through its call object and counted at its end.</summary>
public sealed class CircuitBreakerCallKindTests
{
    private static readonly TimeSpan Bound = BreakerHarness.Bound;

    [Test]
    public void BlockingUnaryCall_FailuresThenOpen_CountedAndRejectedWithoutNetwork()
    {
        var harness = new BreakerHarness();
        harness.Invoker.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);

        for (var i = 0; i < 5; i++)
        {
            Assert.Throws<RpcException>(() => harness.Client.Process(new ProcessRequest()));
        }

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
        Assert.Throws<BrokenCircuitException>(() => harness.Client.Process(new ProcessRequest()));
        Assert.That(harness.Invoker.Count, Is.EqualTo(5));
    }

    [Test]
    public async Task AsyncServerStreamingCall_FailingStreams_OpenAndRejectThroughTheStream()
    {
        var harness = new BreakerHarness();
        harness.Invoker.Stream = static (_, _) => FailingStream<Event>();

        for (var i = 0; i < 5; i++)
        {
            using var call = harness.Client.Subscribe(new SubscribeRequest());
            Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.True);
            var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound));
            Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        }

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
        using var rejected = harness.Client.Subscribe(new SubscribeRequest());
        await BreakerHarness.RejectedAsync(rejected.ResponseStream.MoveNext(CancellationToken.None));
        await BreakerHarness.RejectedAsync(rejected.ResponseHeadersAsync);
        Assert.That(harness.Invoker.Count, Is.EqualTo(5));
    }

    [Test]
    public async Task AsyncServerStreamingCall_StreamEndsWithOk_ResetsTheCount()
    {
        var harness = new BreakerHarness();
        await harness.FailAsync(4);
        harness.Invoker.Stream = static (_, _) => Messages<Event>(3);

        using (var call = harness.Client.Subscribe(new SubscribeRequest()))
        {
            var read = 0;
            while (await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound))
            {
                read++;
            }

            Assert.That(read, Is.EqualTo(3));
        }

        await harness.FailAsync(4);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
    }

    [Test]
    public async Task AsyncServerStreamingCall_DisposedBeforeTheEnd_CountsAsNeither()
    {
        var harness = new BreakerHarness();
        await harness.FailAsync(4);
        harness.Invoker.Stream = static (_, _) => FailingStream<Event>();

        using (var call = harness.Client.Subscribe(new SubscribeRequest()))
        {
            Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.True);
        }

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
        await harness.FailAsync(1);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open), "the disposed call did not reset the count");
    }

    [Test]
    public async Task AsyncServerStreamingCall_ProbeDisposed_FreesTheSlot()
    {
        var harness = new BreakerHarness();
        await harness.OpenAsync();
        harness.Time.Pass(TimeSpan.FromSeconds(30));
        harness.Invoker.Stream = static (_, _) => Messages<Event>(1);

        var probe = harness.Client.Subscribe(new SubscribeRequest());
        await BreakerHarness.RejectedAsync(harness.Client.ProcessAsync(new ProcessRequest()).ResponseAsync);
        probe.Dispose();

        await harness.SucceedAsync();
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
    }

    [Test]
    public async Task AsyncClientStreamingCall_FailingUploads_OpenAndRejectThroughTheCall()
    {
        var harness = new BreakerHarness();
        harness.Invoker.Unary = ScriptedCallInvoker.FailWith(StatusCode.Internal);

        for (var i = 0; i < 5; i++)
        {
            using var call = harness.Client.Upload();
            await call.RequestStream.WriteAsync(new Chunk()).WaitAsync(Bound);
            await call.RequestStream.CompleteAsync().WaitAsync(Bound);
            var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
            Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Internal));
        }

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
        using var rejected = harness.Client.Upload();
        await BreakerHarness.RejectedAsync(rejected.RequestStream.WriteAsync(new Chunk()));
        await BreakerHarness.RejectedAsync(rejected.ResponseAsync);
        Assert.That(harness.Invoker.Count, Is.EqualTo(5));
    }

    [Test]
    public async Task AsyncClientStreamingCall_Succeeds_ResetsTheCount()
    {
        var harness = new BreakerHarness();
        await harness.FailAsync(4);
        harness.Invoker.Unary = static (_, _) => Task.FromResult<object?>(new UploadReply { Chunks = 1 });

        using (var call = harness.Client.Upload())
        {
            await call.RequestStream.CompleteAsync().WaitAsync(Bound);
            Assert.That((await call.ResponseAsync.WaitAsync(Bound)).Chunks, Is.EqualTo(1));
        }

        await harness.FailAsync(4);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
    }

    [Test]
    public async Task AsyncDuplexStreamingCall_FailingStreams_OpenAndRejectThroughTheStream()
    {
        var harness = new BreakerHarness();
        harness.Invoker.Stream = static (_, _) => FailingStream<EchoMessage>();

        for (var i = 0; i < 5; i++)
        {
            using var call = harness.Client.Echo();
            await call.RequestStream.WriteAsync(new EchoMessage { Text = "hi" }).WaitAsync(Bound);
            await call.RequestStream.CompleteAsync().WaitAsync(Bound);
            Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.True);
            await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound));
        }

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
        using var rejected = harness.Client.Echo();
        await BreakerHarness.RejectedAsync(rejected.RequestStream.WriteAsync(new EchoMessage()));
        await BreakerHarness.RejectedAsync(rejected.ResponseStream.MoveNext(CancellationToken.None));
        Assert.That(harness.Invoker.Count, Is.EqualTo(5));
    }

    [Test]
    public async Task AsyncDuplexStreamingCall_StreamEndsWithOk_ClosesAHalfOpenCircuit()
    {
        var harness = new BreakerHarness();
        await harness.OpenAsync();
        harness.Time.Pass(TimeSpan.FromSeconds(30));
        harness.Invoker.Stream = static (_, _) => Messages<EchoMessage>(2);

        using var call = harness.Client.Echo();
        await call.RequestStream.CompleteAsync().WaitAsync(Bound);
        while (await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound))
        {
        }

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
    }

    [Test]
    public async Task AsyncDuplexStreamingCall_ReaderCancelledByCaller_CountsAsNeither()
    {
        var harness = new BreakerHarness(new CircuitBreakerOptions { FailureThreshold = 1 });
        harness.Invoker.Stream = static (_, token) => Endless(token);
        using var cts = new CancellationTokenSource();

        using var call = harness.Client.Echo();
        var read = call.ResponseStream.MoveNext(cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAsync<RpcException>(() => read.WaitAsync(Bound));

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
    }

    private static async IAsyncEnumerable<object> Messages<T>(int count)
        where T : new()
    {
        for (var i = 1; i <= count; i++)
        {
            await Task.Yield();
            yield return new T();
        }
    }

    private static async IAsyncEnumerable<object> FailingStream<T>()
        where T : new()
    {
        await Task.Yield();
        yield return new T();
        throw new RpcException(new Status(StatusCode.Unavailable, "stream broke"));
    }

    private static async IAsyncEnumerable<object> Endless([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken token)
    {
        await Task.Delay(Timeout.InfiniteTimeSpan, token);
        yield break;
    }
}
