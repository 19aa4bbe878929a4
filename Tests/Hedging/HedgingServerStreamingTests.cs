using System.Runtime.CompilerServices;
using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Tests.Hedging;

/// <summary>
/// A hedged server stream commits to the first attempt that delivers a message (or ends), or whose headers the caller
/// receives while it runs; later errors are the caller's.
/// </summary>
public sealed class HedgingServerStreamingTests : HedgingTestBase
{
    private const string Subscribe = "/unstable.v1.UnstableService/Subscribe";

    [Test]
    public async Task Subscribe_FirstHangs_SecondHedgeCommitsOnItsFirstMessageAndStreamsToTheEnd()
    {
        Network.Stream = (arrival, token) => Events(arrival.Number == 1 ? 0 : 3, hang: arrival.Number == 1, token);
        var client = Client(new HedgingOptions { HedgedMethods = { Subscribe } });

        using var call = client.Subscribe(new SubscribeRequest());
        var reading = ReadAll(call);
        Advance(199);
        Assert.That(Network.Count, Is.EqualTo(1), "no hedge before the delay");
        Advance(1);
        var sequences = await reading.WaitAsync(Bound);

        Assert.That(sequences, Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(Network.Count, Is.EqualTo(2));
        Assert.That(Network.Arrivals[0].IsDisposed, Is.True, "the hanging attempt is cancelled");
        Assert.That(Network.Arrivals[1].Header("grpc-previous-rpc-attempts"), Is.EqualTo("1"));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK));
    }

    [Test]
    public async Task Subscribe_FirstUnavailableBeforeAnyMessage_HedgesAtOnce()
    {
        Network.Stream = (arrival, token) => arrival.Number == 1 ? Fails(StatusCode.Unavailable, afterMessages: 0, token) : Events(2, hang: false, token);
        var client = Client(new HedgingOptions { HedgedMethods = { Subscribe } });

        using var call = client.Subscribe(new SubscribeRequest());
        var sequences = await ReadAll(call).WaitAsync(Bound);

        Assert.That(sequences, Is.EqualTo(new[] { 1, 2 }));
        Assert.That(Network.Count, Is.EqualTo(2));
    }

    [Test]
    public async Task Subscribe_FailsAfterItsFirstMessage_TheErrorReachesTheCallerAndNoHedgeFollows()
    {
        Network.Stream = (_, token) => Fails(StatusCode.Unavailable, afterMessages: 1, token);
        var client = Client(new HedgingOptions { HedgedMethods = { Subscribe } });

        using var call = client.Subscribe(new SubscribeRequest());
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.True);
        Assert.That(call.ResponseStream.Current.Sequence, Is.EqualTo(1));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound));
        Advance(1000);

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(Network.Count, Is.EqualTo(1), "a stream the caller has read from is never replayed");
    }

    [Test]
    public async Task Subscribe_CallerDisposesBeforeAnyMessage_CancelsEveryAttempt()
    {
        Network.Stream = (_, token) => Events(0, hang: true, token);
        var client = Client(new HedgingOptions { HedgedMethods = { Subscribe } });

        var call = client.Subscribe(new SubscribeRequest());
        Advance(200);
        await Until(() => Network.Count == 2);
        call.Dispose();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound));
        Advance(1000);

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(Network.Count, Is.EqualTo(2));
        await Until(() => Network.Arrivals.All(a => a.IsDisposed));
    }

    [Test]
    public async Task Subscribe_CallerReadsHeaders_CommitsToTheAttemptSendingThemAndCancelsTheOthers()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Network.Stream = (arrival, token) => arrival.Number == 1 ? Events(0, hang: true, token) : HeadersThenEvents(arrival.Number, release.Task, token);
        var client = Client(new HedgingOptions { HedgedMethods = { Subscribe } });

        using var call = client.Subscribe(new SubscribeRequest());
        var headers = call.ResponseHeadersAsync;
        await TimerArmed(1);
        Advance(200);
        var received = await headers.WaitAsync(Bound);

        Assert.That(received.GetValue("served-by"), Is.EqualTo("2"), "the headers of the attempt that sent them");
        await Until(() => Network.Arrivals[0].IsDisposed);
        Advance(1000);
        Assert.That(Network.Count, Is.EqualTo(2), "no hedge after the commit");
        Assert.That(Network.Arrivals[1].IsDisposed, Is.False, "the committed attempt runs on");
        release.SetResult();
        Assert.That(await ReadAll(call).WaitAsync(Bound), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK));
    }

    [Test]
    public async Task Subscribe_CommittedByHeadersThenFails_TheErrorReachesTheCallerAndNoHedgeFollows()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Network.Stream = (arrival, token) => HeadersThenFails(arrival.Number, release.Task, token);
        var client = Client(new HedgingOptions { HedgedMethods = { Subscribe } });

        using var call = client.Subscribe(new SubscribeRequest());
        var received = await call.ResponseHeadersAsync.WaitAsync(Bound);
        Advance(1000);
        release.SetResult();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound));

        Assert.That(received.GetValue("served-by"), Is.EqualTo("1"));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(error.Status.Detail, Is.EqualTo("attempt 1"), "the committed attempt's own error");
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(Network.Count, Is.EqualTo(1), "a stream committed by its headers is never hedged again");
    }

    [Test]
    public async Task Subscribe_CommittedByHeadersThenDisposed_CancelsTheCommittedAttempt()
    {
        Network.Stream = (arrival, token) => HeadersThenEvents(arrival.Number, Task.Delay(Timeout.InfiniteTimeSpan, token), token);
        var client = Client(new HedgingOptions { HedgedMethods = { Subscribe } });

        var call = client.Subscribe(new SubscribeRequest());
        await call.ResponseHeadersAsync.WaitAsync(Bound);
        call.Dispose();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound));
        Advance(1000);

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(Network.Count, Is.EqualTo(1));
        Assert.That(Network.Arrivals[0].IsDisposed, Is.True, "the server sees the committed attempt cancelled");
    }

    [Test]
    public async Task Subscribe_TrailersOnlyFailure_ItsHeadersDoNotCommit()
    {
        var first = new TrailersOnlyFirstStreamInterceptor();
        Network.Stream = (arrival, token) => HeadersThenEvents(arrival.Number + 1, Task.CompletedTask, token);
        var client = Client(new HedgingOptions { HedgedMethods = { Subscribe } }, first);

        using var call = client.Subscribe(new SubscribeRequest());
        var headers = call.ResponseHeadersAsync;
        await Until(() => first.HeaderReads > 0);
        first.SendEmptyHeaders();
        await Task.Yield();
        Assert.That(headers.IsCompleted, Is.False, "headers of an attempt that has ended commit nothing");
        first.FailRead();
        var received = await headers.WaitAsync(Bound);

        Assert.That(received.GetValue("served-by"), Is.EqualTo("2"), "the headers of the hedge that answered");
        Assert.That(await ReadAll(call).WaitAsync(Bound), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(Network.Count, Is.EqualTo(1), "one hedge reached the network, at once after the first attempt failed");
    }

    [Test]
    public async Task Subscribe_HeadersAskedEveryAttemptFailsTrailersOnly_HeadersFailWithTheCallsError()
    {
        Network.Stream = (_, token) => Fails(StatusCode.Unavailable, afterMessages: 0, token);
        var client = Client(new HedgingOptions { HedgedMethods = { Subscribe } });

        using var call = client.Subscribe(new SubscribeRequest());
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseHeadersAsync.WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(Network.Count, Is.EqualTo(3), "no headers committed: every hedge was sent");
    }

    [Test]
    public async Task Subscribe_HeadersAfterAMessageCommit_AreThatAttemptsHeaders()
    {
        Network.Stream = (arrival, token) => arrival.Number == 1 ? Events(0, hang: true, token) : HeadersThenEvents(arrival.Number, Task.CompletedTask, token);
        var client = Client(new HedgingOptions { HedgedMethods = { Subscribe } });

        using var call = client.Subscribe(new SubscribeRequest());
        var first = call.ResponseStream.MoveNext(CancellationToken.None);
        await TimerArmed(1);
        Advance(200);
        Assert.That(await first.WaitAsync(Bound), Is.True);
        var received = await call.ResponseHeadersAsync.WaitAsync(Bound);

        Assert.That(received.GetValue("served-by"), Is.EqualTo("2"));
        Assert.That(call.ResponseStream.Current.Sequence, Is.EqualTo(1));
        await Until(() => Network.Arrivals[0].IsDisposed);
    }

    private static async Task<List<int>> ReadAll(AsyncServerStreamingCall<Event> call)
    {
        var sequences = new List<int>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            sequences.Add(call.ResponseStream.Current.Sequence);
        }

        return sequences;
    }

    private static async IAsyncEnumerable<object> Events(int count, bool hang, [EnumeratorCancellation] CancellationToken token)
    {
        if (hang)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
        }

        for (var i = 1; i <= count; i++)
        {
            yield return new Event { Sequence = i };
        }
    }

    private static async IAsyncEnumerable<object> Fails(StatusCode code, int afterMessages, [EnumeratorCancellation] CancellationToken token)
    {
        for (var i = 1; i <= afterMessages; i++)
        {
            yield return new Event { Sequence = i };
        }

        await Task.Yield();
        token.ThrowIfCancellationRequested();
        throw new RpcException(new Status(code, "scripted"));
    }

    private static async IAsyncEnumerable<object> HeadersThenEvents(int attempt, Task release, [EnumeratorCancellation] CancellationToken token)
    {
        yield return new Metadata { { "served-by", attempt.ToString(System.Globalization.CultureInfo.InvariantCulture) } };
        await release.WaitAsync(token);
        yield return new Event { Sequence = 1 };
        yield return new Event { Sequence = 2 };
    }

    private static async IAsyncEnumerable<object> HeadersThenFails(int attempt, Task release, [EnumeratorCancellation] CancellationToken token)
    {
        var name = attempt.ToString(System.Globalization.CultureInfo.InvariantCulture);
        yield return new Metadata { { "served-by", name } };
        await release.WaitAsync(token);
        throw new RpcException(new Status(StatusCode.Unavailable, "attempt " + name));
    }
}
