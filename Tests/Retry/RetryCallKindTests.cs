using System.Runtime.CompilerServices;
using Grpc.Core;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Tests.Retry;

/// <summary>Blocking unary and server streaming are retried; client streaming and duplex pass through.</summary>
public sealed class RetryCallKindTests : RetryTestBase
{
    [Test]
    public async Task BlockingUnaryCall_AlwaysUnavailable_MakesThreeAttemptsThenThrowsLastError()
    {
        Network.Unary = FailNumbered(StatusCode.Unavailable);
        var client = Client(Exact());

        var blocking = Task.Run(() => client.Process(new ProcessRequest()));
        await BackoffStarted(1);
        Advance(999);
        Assert.That(Network.Count, Is.EqualTo(1));
        Advance(1);
        await BackoffStarted(2);
        Assert.That(Network.Count, Is.EqualTo(2));
        Advance(2000);

        var error = await Assert.ThrowsAsync<RpcException>(() => blocking.WaitAsync(Bound));
        Assert.That(error!.Status.Detail, Is.EqualTo("attempt 3"));
        Assert.That(Network.Count, Is.EqualTo(3));
        Assert.That(Network.Arrivals[2].Header("grpc-previous-rpc-attempts"), Is.EqualTo("2"));
    }

    [Test]
    public async Task BlockingUnaryCall_SecondAttemptSucceeds_ReturnsResponse()
    {
        Network.Unary = (arrival, _) => arrival.Number == 1
            ? Task.FromException<object?>(new RpcException(new Status(StatusCode.Unavailable, "down")))
            : Task.FromResult<object?>(new ProcessReply { Result = "ok" });
        var client = Client(Exact());

        var blocking = Task.Run(() => client.Process(new ProcessRequest()));
        await BackoffStarted(1);
        Advance(1000);

        Assert.That((await blocking.WaitAsync(Bound)).Result, Is.EqualTo("ok"));
        Assert.That(Network.Count, Is.EqualTo(2));
    }

    [Test]
    public async Task BlockingUnaryCall_NonRetryableStatus_ThrowsAfterOneAttempt()
    {
        Network.Unary = FailNumbered(StatusCode.Internal);
        var client = Client(Exact());

        var error = await Assert.ThrowsAsync<RpcException>(() => Task.Run(() => client.Process(new ProcessRequest())).WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Internal));
        Assert.That(Network.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task BlockingUnaryCall_CallerCancelsDuringBackoff_ThrowsCancelled()
    {
        Network.Unary = FailNumbered(StatusCode.Unavailable);
        var client = Client(Exact());
        using var cts = new CancellationTokenSource();

        var blocking = Task.Run(() => client.Process(new ProcessRequest(), cancellationToken: cts.Token));
        await BackoffStarted(1);
        await cts.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => blocking.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(Network.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task AsyncServerStreamingCall_FailsBeforeFirstMessage_IsRetried()
    {
        Network.Stream = (arrival, _) => arrival.Number < 3 ? Fail(StatusCode.Unavailable) : Events(3);
        var client = Client(Exact());

        using var call = client.Subscribe(new SubscribeRequest { Count = 3 });
        Advance(1000);
        Advance(2000);
        var received = await ReadAll(call);

        Assert.That(received, Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(Network.Count, Is.EqualTo(3));
        Assert.That(Network.Arrivals[0].IsDisposed, Is.True);
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK));
        Assert.That(Network.Arrivals[2].Header("grpc-previous-rpc-attempts"), Is.EqualTo("2"));
    }

    [Test]
    public async Task AsyncServerStreamingCall_AlwaysUnavailable_FailsWithLastAttemptsError()
    {
        Network.Stream = (_, _) => Fail(StatusCode.Unavailable);
        var client = Client(Exact());

        using var call = client.Subscribe(new SubscribeRequest());
        Advance(1000);
        Advance(2000);

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(Network.Count, Is.EqualTo(3));
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseHeadersAsync.WaitAsync(Bound));
    }

    [Test]
    public async Task AsyncServerStreamingCall_FailsAfterFirstMessage_PassesErrorThroughUnretried()
    {
        Network.Stream = (_, _) => EventsThenFail(1, StatusCode.Unavailable);
        var client = Client(Exact());

        using var call = client.Subscribe(new SubscribeRequest());
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.True);
        Assert.That(call.ResponseStream.Current.Sequence, Is.EqualTo(1));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Advance(60_000);
        Assert.That(Network.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task AsyncServerStreamingCall_CallerReadHeadersThenStreamFails_PassesErrorThroughUnretried()
    {
        var sent = new Metadata { { "served-by", "a" } };
        var release = new TaskCompletionSource();
        Network.Stream = (_, _) => HeadersThenFail(sent, release.Task, StatusCode.Unavailable);
        var client = Client(Exact());

        using var call = client.Subscribe(new SubscribeRequest());
        var headers = await call.ResponseHeadersAsync.WaitAsync(Bound);
        release.SetResult();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound));

        Assert.That(headers.GetValue("served-by"), Is.EqualTo("a"));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Advance(60_000);
        Assert.That(Network.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task AsyncServerStreamingCall_FailsAfterHeadersTheCallerNeverRead_IsRetried()
    {
        var sent = new Metadata { { "served-by", "a" } };
        Network.Stream = (_, _) => HeadersThenFail(sent, Task.CompletedTask, StatusCode.Unavailable);
        var client = Client(Exact());

        using var call = client.Subscribe(new SubscribeRequest());
        var move = call.ResponseStream.MoveNext(CancellationToken.None);
        await BackoffStarted(1);
        Advance(1000);
        await BackoffStarted(2);
        Advance(2000);
        var error = await Assert.ThrowsAsync<RpcException>(() => move.WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(Network.Count, Is.EqualTo(3));
    }

    [Test]
    public async Task AsyncServerStreamingCall_CallerAwaitsHeadersOfTrailersOnlyFailures_RetriesThenHeadersFailWithFinalError()
    {
        // Like grpc-dotnet, the scripted network completes the headers of a trailers-only failure successfully:
        // that must not commit the attempt, even while the caller is waiting for headers.
        Network.Stream = (_, _) => Fail(StatusCode.Unavailable);
        var client = Client(Exact());

        using var call = client.Subscribe(new SubscribeRequest());
        var headers = call.ResponseHeadersAsync;
        await BackoffStarted(1);
        Advance(1000);
        await BackoffStarted(2);
        Advance(2000);
        var headersError = await Assert.ThrowsAsync<RpcException>(() => headers.WaitAsync(Bound));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound));

        Assert.That(headersError, Is.SameAs(error));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(Network.Count, Is.EqualTo(3));
    }

    [Test]
    public async Task AsyncServerStreamingCall_SecondAttemptSendsHeaders_CallerWaitingForHeadersGetsThem()
    {
        var sent = new Metadata { { "served-by", "b" } };
        var release = new TaskCompletionSource();
        Network.Stream = (arrival, _) => arrival.Number == 1
            ? Fail(StatusCode.Unavailable)
            : HeadersThenEvents(sent, release.Task, 1);
        var client = Client(Exact());

        using var call = client.Subscribe(new SubscribeRequest());
        var headers = call.ResponseHeadersAsync;
        await BackoffStarted(1);
        Advance(1000);
        var received = await headers.WaitAsync(Bound);
        release.SetResult();

        Assert.That(received.GetValue("served-by"), Is.EqualTo("b"));
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.True);
        Assert.That(call.ResponseStream.Current.Sequence, Is.EqualTo(1));
        Assert.That(Network.Count, Is.EqualTo(2));
    }

    [Test]
    public async Task AsyncServerStreamingCall_CallerCancelsDuringBackoff_FailsWithCancelled()
    {
        Network.Stream = (_, _) => Fail(StatusCode.Unavailable);
        var client = Client(Exact());
        using var cts = new CancellationTokenSource();

        using var call = client.Subscribe(new SubscribeRequest(), cancellationToken: cts.Token);
        var move = call.ResponseStream.MoveNext(CancellationToken.None);
        await cts.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => move.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Advance(60_000);
        Assert.That(Network.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task AsyncServerStreamingCall_DisposedDuringBackoff_StopsRetrying()
    {
        Network.Stream = (_, _) => Fail(StatusCode.Unavailable);
        var client = Client(Exact());

        var call = client.Subscribe(new SubscribeRequest());
        call.Dispose();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Advance(60_000);
        Assert.That(Network.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task AsyncServerStreamingCall_ReadTokenCancelled_CancelsTheCall()
    {
        Network.Stream = (_, token) => HangStream(token);
        var client = Client(Exact());
        using var cts = new CancellationTokenSource();

        using var call = client.Subscribe(new SubscribeRequest());
        var move = call.ResponseStream.MoveNext(cts.Token);
        await cts.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => move.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(Network.Arrivals[0].IsDisposed, Is.True);
        Assert.That(Network.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task AsyncClientStreamingCall_Unavailable_IsNotRetried()
    {
        Network.Unary = FailNumbered(StatusCode.Unavailable);
        var client = Client(Exact());

        using var call = client.Upload();
        await call.RequestStream.WriteAsync(new Chunk()).WaitAsync(Bound);
        await call.RequestStream.CompleteAsync().WaitAsync(Bound);

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Advance(60_000);
        Assert.That(Network.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task AsyncDuplexStreamingCall_Unavailable_IsNotRetried()
    {
        Network.Stream = (_, _) => Fail(StatusCode.Unavailable);
        var client = Client(Exact());

        using var call = client.Echo();
        await call.RequestStream.WriteAsync(new EchoMessage { Text = "hi" }).WaitAsync(Bound);

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Advance(60_000);
        Assert.That(Network.Count, Is.EqualTo(1));
    }

    private static async Task<List<int>> ReadAll(AsyncServerStreamingCall<Event> call)
    {
        var received = new List<int>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound))
        {
            received.Add(call.ResponseStream.Current.Sequence);
        }

        return received;
    }

    private static async IAsyncEnumerable<object> Events(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            await Task.Yield();
            yield return new Event { Sequence = i };
        }
    }

    private static async IAsyncEnumerable<object> EventsThenFail(int count, StatusCode code)
    {
        await foreach (var message in Events(count))
        {
            yield return message;
        }

        throw new RpcException(new Status(code, "scripted"));
    }

    private static async IAsyncEnumerable<object> HeadersThenFail(Metadata headers, Task release, StatusCode code)
    {
        await Task.Yield();
        yield return headers;
        await release;
        throw new RpcException(new Status(code, "scripted"));
    }

    private static async IAsyncEnumerable<object> HeadersThenEvents(Metadata headers, Task release, int count)
    {
        await Task.Yield();
        yield return headers;
        await release;
        await foreach (var message in Events(count))
        {
            yield return message;
        }
    }

    private static async IAsyncEnumerable<object> Fail(StatusCode code)
    {
        await Task.CompletedTask;
        if (code != StatusCode.OK)
        {
            throw new RpcException(new Status(code, $"scripted {code}"));
        }

        yield break;
    }

    private static async IAsyncEnumerable<object> HangStream([EnumeratorCancellation] CancellationToken token)
    {
        await Task.Delay(Timeout.InfiniteTimeSpan, token);
        yield break;
    }
}
